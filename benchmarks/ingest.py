"""Benchmark: ingest synthetic MedCom HospitalNotifications (admission + discharge pairs) into courses.

Run against PostgreSQL (the target; with its default durable commits) or SQLite:

    DATABASE_URL=postgres://user@127.0.0.1:5432/sektorbro SEKTORBRO_TESTING=1 \\
        .venv/bin/python -m benchmarks.ingest --messages 10000 --workers 2

A throw-away test database is created and dropped. The measured pipeline is the real one: a feeder stores the
raw messages durably in the inbox (``receive_many``, one commit per chunk, as the folder drop does) and
``--workers`` processes run ``process_pending`` (claimed batches, a savepoint per message, one commit per batch;
the acknowledgement is written only after the message is durable). Reported: messages per second from the
first stored message to the last committed acknowledgement, the p50/p95/p99 time per message (its own
processing plus its share of the batch commit), and, in the same run as the baseline, the rate of storing raw
messages one durable transaction each (what a single HTTP client sees before anything is processed).
Target: at least 300 messages/s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import queue
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from tests.corpus import examples_dir

TEMPLATE_DIR = examples_dir() / "hospitalnotification" / "ig-examples"  # MEDCOM_EXAMPLES
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


def _worker(total: int, batch: int, results: Any) -> None:
    """One ingestion worker: process pending batches until every message has an outcome."""
    from django.db import connection

    from sektorbro.messaging import ingest
    from sektorbro.messaging.models import InboxMessage, InboxStatus

    connection.close()  # never share the parent's connection
    read, decide = ingest._read, ingest._decide
    timings: dict[int, float] = {}

    def timed_read(message: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return read(message)
        finally:
            timings[message.pk] = timings.get(message.pk, 0.0) + time.perf_counter() - t0

    def timed_decide(message: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return decide(message, *args)
        finally:
            timings[message.pk] = timings.get(message.pk, 0.0) + time.perf_counter() - t0

    ingest._read = timed_read
    ingest._decide = timed_decide  # type: ignore[assignment]
    per_message: list[float] = []
    last_commit = 0.0
    while True:
        timings.clear()
        t0 = time.perf_counter()
        done = ingest.process_pending(limit=batch, worker=f"bench-{os.getpid()}", batch_size=batch)
        elapsed = time.perf_counter() - t0
        if done:
            last_commit = time.time()
            overhead = max(elapsed - sum(timings.values()), 0.0) / len(timings) if timings else 0.0
            per_message += [t + overhead for t in timings.values()]
            continue
        if InboxMessage.objects.exclude(status=InboxStatus.RECEIVED).count() >= total:
            break
        time.sleep(0.005)
    results.put({"per_message": per_message, "last_commit": last_commit})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=200, help="messages per worker transaction")
    parser.add_argument("--chunk", type=int, default=50, help="messages per durable inbox commit")
    parser.add_argument("--json", help="write the report here as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sektorbro.settings")
    os.environ.setdefault("SEKTORBRO_TESTING", "1")
    import multiprocessing

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
        # Baseline: only storing the raw bytes durably, one transaction per message.
        started = time.perf_counter()
        for raw in messages[: min(1000, len(messages))]:
            ingest.receive(raw, transport="bench-baseline")
        baseline_rate = min(1000, len(messages)) / (time.perf_counter() - started)
        InboxMessage.objects.filter(transport="bench-baseline").delete()
        connection.close()
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        workers = [
            context.Process(target=_worker, args=(len(messages), args.batch, results))
            for _ in range(args.workers)
        ]
        for worker in workers:
            worker.start()
        first_stored = time.time()
        for start in range(0, len(messages), args.chunk):
            chunk = messages[start : start + args.chunk]
            ingest.receive_many([(raw, "bench") for raw in chunk], transport="bench")
        outcomes: list[dict[str, Any]] = []
        while len(outcomes) < len(workers):
            try:
                outcomes.append(results.get(timeout=1))
            except queue.Empty:
                if any(w.exitcode not in (None, 0) for w in workers):
                    print("a worker failed; see above", file=sys.stderr)
                    return 1
        for worker in workers:
            worker.join()
        last = max(o["last_commit"] for o in outcomes)
        total = last - first_stored
        durations = sorted(t for o in outcomes for t in o["per_message"])
        statuses = dict(InboxMessage.objects.values_list("status").annotate(n=django.db.models.Count("id")))
        if statuses.get(InboxStatus.ACCEPTED, 0) != len(messages):
            print(f"not all accepted: {statuses}", file=sys.stderr)
            for status, reason in InboxMessage.objects.exclude(status=InboxStatus.ACCEPTED).values_list(
                "status", "reason"
            )[:5]:
                print(f"  {status}: {reason}", file=sys.stderr)
            return 1
        rate = len(messages) / total

        def pct(p: float) -> float:
            return round(durations[min(len(durations) - 1, int(len(durations) * p))] * 1000, 2)

        report: dict[str, Any] = {
            "database": connection.vendor,
            "messages": len(messages),
            "workers": args.workers,
            "batch": args.batch,
            "inbox_commit_chunk": args.chunk,
            "seconds": round(total, 2),
            "messages_per_second": round(rate, 1),
            "p50_ms": round(statistics.median(durations) * 1000, 2),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "baseline_store_only_one_commit_each_per_second": round(baseline_rate, 1),
            "ratio_to_baseline": round(rate / baseline_rate, 3),
            "target_messages_per_second": 300,
            "cpus": os.cpu_count(),
        }
    finally:
        connection.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
