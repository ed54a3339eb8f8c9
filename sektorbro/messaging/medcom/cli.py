"""``sektorbro medcom validate`` and ``sektorbro medcom ack``: the pure parts (the Django management command wraps
these). Also runnable as ``python -m sektorbro.messaging.medcom.cli validate|ack ...``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from sektorbro.messaging.medcom import build
from sektorbro.messaging.medcom.validate import validate_message


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def _files(paths: Sequence[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.suffix.lower() in (".json", ".xml") and p.is_file()
            )
        else:
            found.append(path)
    return found


def validate_main(
    paths: Sequence[str], stdout: Writer, *, warnings: bool = False, model_check: bool = False
) -> int:
    """Print ``OK FILE`` or ``INVALID FILE`` and then one line per error (``resource path [rule] message``).
    Folders are searched for .json/.xml files. Returns 0 only if every file is valid."""
    all_valid = True
    for path in _files(paths):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            stdout.write(f"INVALID {path}\n  {path} - [mc-file] cannot be read: {exc.strerror or exc}\n")
            all_valid = False
            continue
        result = validate_message(raw, model_check=model_check)
        shown = result.issues if warnings else result.errors
        if result.valid:
            stdout.write(f"OK {path}\n")
        else:
            all_valid = False
            stdout.write(f"INVALID {path}\n")
        for issue in shown:
            stdout.write(f"  {issue.line()}\n")
    return 0 if all_valid else 1


def ack_main(
    path: str,
    stdout: Writer,
    stderr: Writer | None = None,
    *,
    fmt: str = "json",
    now: dt.datetime | None = None,
) -> int:
    """Print the Acknowledgement Sektorbro would send for a received message: ``ok`` if it is valid, else
    ``fatal-error`` with its errors in an OperationOutcome. Returns 0 when an acknowledgement was printed."""
    err = stderr or sys.stderr
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        err.write(f"{path}: cannot be read: {exc.strerror or exc}\n")
        return 2
    result = validate_message(raw)
    code = "ok" if result.valid else "fatal-error"
    try:
        bundle = build.acknowledgement_message(
            result, code=code, issues=result.issues, now=now or dt.datetime.now(dt.UTC)
        )
    except build.CannotAcknowledge as exc:
        err.write(f"{path}: no acknowledgement can be made: {exc}\n")
        for issue in result.errors:
            err.write(f"  {issue.line()}\n")
        return 1
    stdout.write((build.to_xml(bundle) if fmt == "xml" else build.to_json(bundle)) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="medcom", description="MedCom FHIR messages: validate, acknowledge")
    sub = parser.add_subparsers(dest="what", required=True)
    validate = sub.add_parser("validate", help="validate files or folders (JSON or XML)")
    validate.add_argument("paths", nargs="+")
    validate.add_argument("--warnings", action="store_true", help="also print warnings")
    validate.add_argument("--model-check", action="store_true", help="also build the fhir.resources models")
    ack = sub.add_parser("ack", help="print the acknowledgement for a received message")
    ack.add_argument("path")
    ack.add_argument("--format", choices=["json", "xml"], default="json")
    args = parser.parse_args(argv)
    if args.what == "validate":
        return validate_main(args.paths, sys.stdout, warnings=args.warnings, model_check=args.model_check)
    return ack_main(args.path, sys.stdout, sys.stderr, fmt=args.format)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
