"""Benchmark: validating and extracting one HospitalNotification (the pure part of every ingested message).

    .venv/bin/python -m benchmarks.validate [--repeat 7 --number 200] [--json FILE]

Measures, per call and as the best of ``--repeat`` rounds of ``--number`` calls (the round least disturbed by
other work on the machine), ``validate_message`` followed by ``extract.hospital_notification`` on: a message
from Sektorbro's own builders (``synthetic.notifications``), and, when MedCom's official examples are found
(``MEDCOM_EXAMPLES``, default ``../shared/medcom-examples``), their discharge example as JSON and as XML.

The baseline, measured in the same run on the same input: building the ``fhir.resources`` R4B Bundle model
from the JSON alone (a structure check with no MedCom rules and no extraction). Reported: milliseconds per call
and the ratio to the baseline (below 1 is faster). Targets: the ratio below 1 for JSON, and, as absolute guides
for ingestion at 300 messages/s on two cores with the database work on top, about 2 ms for JSON and 5 ms for
XML. Exit status 1 when a ratio target is missed; the absolute guides are reported, not enforced, since they
depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.corpus import examples_dir

DISCHARGE = "hospitalnotification/ig-examples/Bundle-f4aa42a4-86db-4e68-9b38-9dda0dfd5774"
GUIDE_MS = {"json": 2.0, "xml": 5.0}


def best_per_call(action: Callable[[], object], *, repeat: int, number: int) -> float:
    """Seconds per call, the best of ``repeat`` rounds of ``number`` calls (after one warm-up call)."""
    action()
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            action()
        rounds.append((time.perf_counter() - start) / number)
    return min(rounds)


def inputs() -> dict[str, tuple[bytes, bytes]]:
    """Name -> (the message to read, its JSON form for the baseline)."""
    from sektorbro.messaging.medcom import synthetic

    built = next(synthetic.notifications(2, seed=1))
    found: dict[str, tuple[bytes, bytes]] = {"built (json)": (built, built)}
    examples = examples_dir()
    if (examples / f"{DISCHARGE}.json").is_file():
        as_json = (examples / f"{DISCHARGE}.json").read_bytes()
        found["MedCom discharge example (json)"] = (as_json, as_json)
        found["MedCom discharge example (xml)"] = ((examples / f"{DISCHARGE}.xml").read_bytes(), as_json)
    else:
        print(f"MedCom's examples not found at {examples}; measuring the built message only", file=sys.stderr)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="benchmarks.validate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7, help="rounds; the best is reported (default 7)")
    parser.add_argument("--number", type=int, default=200, help="calls per round (default 200)")
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)

    from fhir.resources.R4B.bundle import Bundle

    from sektorbro.messaging.medcom import extract
    from sektorbro.messaging.medcom.validate import validate_message

    def ours(raw: bytes) -> Callable[[], object]:
        def run() -> object:
            result = validate_message(raw)
            if not result.valid:
                raise SystemExit(f"the input is not valid: {[i.line() for i in result.errors]}")
            return extract.hospital_notification(result)

        return run

    def model_only(as_json: bytes) -> Callable[[], object]:
        return lambda: Bundle.model_validate_json(as_json)

    rows: list[dict[str, Any]] = []
    for name, (raw, as_json) in inputs().items():
        kind = "xml" if raw.lstrip().startswith(b"<") else "json"
        measured = best_per_call(ours(raw), repeat=args.repeat, number=args.number)
        baseline = best_per_call(model_only(as_json), repeat=args.repeat, number=args.number)
        rows.append(
            {
                "input": name,
                "format": kind,
                "validate_and_extract_ms": round(measured * 1000, 3),
                "baseline_fhir_resources_model_ms": round(baseline * 1000, 3),
                "ratio_to_baseline": round(measured / baseline, 3),
                "guide_ms": GUIDE_MS[kind],
            }
        )
    missed = [r["input"] for r in rows if r["format"] == "json" and r["ratio_to_baseline"] >= 1]
    report = {
        "rows": rows,
        "repeat": args.repeat,
        "number": args.number,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "target": "ratio_to_baseline < 1 for JSON",
        "target_met": not missed,
    }
    for row in rows:
        print(
            f"{row['input']:<34} {row['validate_and_extract_ms']:>7.3f} ms  baseline "
            f"{row['baseline_fhir_resources_model_ms']:>7.3f} ms  ratio {row['ratio_to_baseline']:.3f}"
            f"  (guide {row['guide_ms']} ms)"
        )
    print(
        f"target (JSON faster than the baseline): {'met' if not missed else 'missed: ' + ', '.join(missed)}"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
