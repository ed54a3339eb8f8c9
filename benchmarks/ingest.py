"""Benchmark: ingest synthetic MedCom HospitalNotifications (admission + discharge pairs) into courses.

Run against PostgreSQL (the target) or SQLite:

    DATABASE_URL=postgres://user@127.0.0.1:5432/sektorbro SEKTORBRO_TESTING=1 \\
        .venv/bin/python -m benchmarks.ingest --messages 10000

A throw-away test database is created and dropped. Reports messages per second, p50/p95 per message, and, as
the in-run baseline, the time to only store the raw messages durably (the part that must happen before any
acknowledgement). Target: at least 300 messages/s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

TEMPLATE_DIR = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "medcom-examples"
    / "hospitalnotification"
    / "ig-examples"
)
STIN = "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"
SLHJ = "Bundle-f4aa42a4-86db-4e68-9b38-9dda0dfd5774.json"


def synthetic_pairs(count: int, sender: tuple[str, str], receiver: tuple[str, str]) -> list[bytes]:
    """``count`` messages: STIN/SLHJ pairs for distinct invented citizens, addressed to the given units."""
    from sektorbro.citizens.cpr import make_cpr

    stin = json.loads((TEMPLATE_DIR / STIN).read_text())
    slhj = json.loads((TEMPLATE_DIR / SLHJ).read_text())
    old_sender = ("5790000209354", "265161000016000")
    old_receiver = ("5790001348120", "953741000016009")
    messages: list[bytes] = []
    for i in range(count // 2):
        cpr = make_cpr(dt.date(1930, 1, 1) + dt.timedelta(days=i % 25000), i, female=i % 2 == 0)
        episode = str(uuid.uuid4())
        header_ids = [str(uuid.uuid4()), str(uuid.uuid4())]
        for n, template in enumerate((stin, slhj)):
            text = json.dumps(template)
            text = text.replace(old_sender[0], sender[0]).replace(old_sender[1], sender[1])
            text = text.replace(old_receiver[0], receiver[0]).replace(old_receiver[1], receiver[1])
            text = text.replace("2509479989", cpr)
            data = json.loads(text)
            data["id"] = str(uuid.uuid4())
            header = data["entry"][0]["resource"]
            previous_header = header["id"]
            header["id"] = header_ids[n]
            for entry in data["entry"]:
                resource = entry["resource"]
                resource.pop("text", None)
                if resource["resourceType"] == "Encounter":
                    for episode_ref in resource["episodeOfCare"]:
                        episode_ref["identifier"]["value"] = episode
                if resource["resourceType"] == "Provenance":
                    for target in resource["target"]:
                        if target["reference"].endswith(previous_header):
                            target["reference"] = f"MessageHeader/{header_ids[n]}"
                        else:
                            target["reference"] = f"MessageHeader/{header_ids[0]}"
                    for entity in resource.get("entity", []):
                        entity["what"]["reference"] = f"MessageHeader/{header_ids[0]}"
            messages.append(json.dumps(copy.deepcopy(data)).encode())
    return messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--json", help="write the report here as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sektorbro.settings")
    os.environ.setdefault("SEKTORBRO_TESTING", "1")
    import django

    django.setup()
    from django.db import connection

    from sektorbro.messaging import ingest
    from sektorbro.messaging.models import InboxMessage, InboxStatus
    from sektorbro.organisations.models import OrganisationUnit

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        ward = OrganisationUnit.objects.get(key="rhr-medicin")
        visitation = OrganisationUnit.objects.get(key="visitation-730")
        messages = synthetic_pairs(
            args.messages,
            (ward.location_number, ward.sor_code),
            (visitation.location_number, visitation.sor_code),
        )
        # Baseline: only storing the raw bytes durably (one transaction per message).
        started = time.perf_counter()
        for raw in messages[: min(1000, len(messages))]:
            ingest.receive(raw, transport="bench-baseline")
        baseline_rate = min(1000, len(messages)) / (time.perf_counter() - started)
        InboxMessage.objects.filter(transport="bench-baseline").delete()
        durations: list[float] = []
        started = time.perf_counter()
        for raw in messages:
            t0 = time.perf_counter()
            message = ingest.ingest(raw, transport="bench")
            durations.append(time.perf_counter() - t0)
            if message.status != InboxStatus.ACCEPTED:
                print(f"not accepted: {message.status} {message.reason}", file=sys.stderr)
                return 1
        total = time.perf_counter() - started
        durations.sort()
        report: dict[str, Any] = {
            "database": connection.vendor,
            "messages": len(messages),
            "seconds": round(total, 2),
            "messages_per_second": round(len(messages) / total, 1),
            "p50_ms": round(statistics.median(durations) * 1000, 2),
            "p95_ms": round(durations[int(len(durations) * 0.95) - 1] * 1000, 2),
            "baseline_store_only_per_second": round(baseline_rate, 1),
            "ratio_to_store_only": round((len(messages) / total) / baseline_rate, 3),
            "target_messages_per_second": 300,
        }
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
