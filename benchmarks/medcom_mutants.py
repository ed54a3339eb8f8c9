"""Benchmark: push mutants of valid MedCom messages through the HTTP endpoint and the command-line ingestion, and
count what must never happen (#15): a crash (an exception out of ingestion), a 5xx answer, a partial write (a
rejected message that changed a course) and an unanswered message (processed, addressable, no acknowledgement;
or still waiting unprocessed). Target: all four zero.

    SEKTORBRO_TESTING=1 .venv/bin/python -m benchmarks.medcom_mutants --mutants 10000 [--seed 1] [--json FILE]

Half the mutants go to ``POST /api/v1/medcom/messages`` as a token that delivers for the sending hospital, half
through ``sektorbro medcom ingest FILES --sender rhr`` in chunks (the folder drop's path). The mutations are
``sektorbro.messaging.medcom.mutate`` (deletions, duplicates, type changes, dates, Unicode, repeated JSON keys,
deep nesting, huge strings up to ``--largest`` characters, swaps, truncation, XML). A throw-away test database is
created and dropped (SQLite by default, PostgreSQL with DATABASE_URL). As a baseline measured in the same run,
the same number of valid messages per path is timed first; the report gives the mutants' rate as a ratio to it.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SENDER_GLN, SENDER_SOR = "5790000209354", "265161000016000"  # the synthetic ward, mapped onto rhr-medicin
RECEIVER_GLN, RECEIVER_SOR = "5790001348120", "953741000016009"  # the synthetic municipality: visitation-730


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mutants", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--largest", type=int, default=200_000, help="longest string a 'huge' mutation writes"
    )
    parser.add_argument("--chunk", type=int, default=250, help="files per command-line ingest")
    parser.add_argument("--json", help="write the report here as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sektorbro.settings")
    os.environ.setdefault("SEKTORBRO_TESTING", "1")
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from sektorbro.accounts.models import ApiToken, User
    from sektorbro.courses.models import CourseEvent
    from sektorbro.messaging.medcom import build, mutate, synthetic
    from sektorbro.messaging.medcom.validate import check
    from sektorbro.messaging.models import InboxMessage, InboxStatus, MessageKind, OutboxMessage
    from sektorbro.organisations.models import OrganisationUnit

    logging.getLogger("django.request").setLevel(logging.ERROR)  # every rejected mutant is a 400: expected
    logging.getLogger("sektorbro.security").setLevel(logging.ERROR)
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    report: dict[str, Any] = {}
    try:
        OrganisationUnit.objects.filter(key="rhr-medicin").update(
            location_number=SENDER_GLN, sor_code=SENDER_SOR
        )
        OrganisationUnit.objects.filter(key="visitation-730").update(
            location_number=RECEIVER_GLN, sor_code=RECEIVER_SOR
        )
        owner = User.objects.create_user(username="mutant.gateway")
        rhr = OrganisationUnit.objects.filter(key="rhr")
        key = ApiToken.issue(user=owner, name="mutants", senders=rhr)[1]
        client = Client()
        rng = random.Random(args.seed)
        flows = list(synthetic.FLOWS)
        per_path = args.mutants // 2
        # One valid message per mutant, so every mutant carries its own MessageHeader id (a mutant of a message
        # delivered before would only be answered as its duplicate).
        made = synthetic.notifications(2 * per_path + 400, seed=args.seed, flows=flows)
        valid = [json.loads(raw) for raw in made]
        baseline_pool = valid[:400]
        http_templates, cli_templates = valid[400 : 400 + per_path], valid[400 + per_path :]

        counts: collections.Counter[str] = collections.Counter()
        statuses: collections.Counter[str] = collections.Counter()
        kinds: collections.Counter[str] = collections.Counter()

        def post(raw: bytes) -> int:
            return client.post(
                "/api/v1/medcom/messages",
                raw,
                content_type="application/fhir+json",
                HTTP_AUTHORIZATION=f"Bearer {key}",
            ).status_code

        def ingest_files(raws: list[bytes], folder: Path) -> None:
            paths = []
            for i, raw in enumerate(raws):
                path = folder / f"m{i:06d}.json"
                path.write_bytes(raw)
                paths.append(str(path))
            try:
                with Path(os.devnull).open("w") as quiet:
                    call_command("medcom", "ingest", *paths, "--sender", "rhr", stdout=quiet)
            except Exception:  # what the benchmark counts
                counts["crashes"] += 1
            for name in paths:
                Path(name).unlink(missing_ok=True)

        # Baseline: valid messages through both paths, timed.
        started = time.perf_counter()
        for bundle in baseline_pool[:200]:
            post(json.dumps(bundle).encode())
        with tempfile.TemporaryDirectory() as folder:
            ingest_files([json.dumps(b).encode() for b in baseline_pool[200:400]], Path(folder))
        baseline_rate = 400 / (time.perf_counter() - started)
        counts["crashes"] = 0

        first_mutant_pk = InboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        started = time.perf_counter()
        for i in range(per_path):
            kind = rng.choice(mutate.KINDS)
            kinds[kind] += 1
            raw = mutate.mutant(http_templates[i], rng, kind, largest=args.largest)
            try:
                status = post(raw)
            except Exception:  # what the benchmark counts
                counts["crashes"] += 1
                continue
            statuses[f"http_{status}"] += 1
            if status >= 500:
                counts["http_5xx"] += 1
        with tempfile.TemporaryDirectory() as drop:
            batch: list[bytes] = []
            for i in range(per_path):
                kind = rng.choice(mutate.KINDS)
                kinds[kind] += 1
                batch.append(mutate.mutant(cli_templates[i], rng, kind, largest=args.largest))
                if len(batch) == args.chunk:
                    ingest_files(batch, Path(drop))
                    batch = []
            if batch:
                ingest_files(batch, Path(drop))
        elapsed = time.perf_counter() - started

        # What the database says about every stored mutant.
        accepted_ids = set(
            InboxMessage.objects.filter(status=InboxStatus.ACCEPTED)
            .exclude(message_id="")
            .values_list("message_id", flat=True)
        )
        answered = set(
            OutboxMessage.objects.filter(
                kind=MessageKind.ACKNOWLEDGEMENT, in_reply_to__isnull=False
            ).values_list("in_reply_to_id", flat=True)
        )
        stored = 0
        for row in InboxMessage.objects.filter(pk__gt=first_mutant_pk).iterator(chunk_size=500):
            stored += 1
            statuses[f"inbox_{row.status}"] += 1
            if row.status == InboxStatus.RECEIVED:
                counts["unanswered"] += 1
                continue
            if row.status == InboxStatus.REJECTED and row.message_id and row.message_id not in accepted_ids:
                if CourseEvent.objects.filter(source_message_id=row.message_id).exists():
                    counts["partial_writes"] += 1
            if row.status in (InboxStatus.ACCEPTED, InboxStatus.REJECTED, InboxStatus.UNAPPLICABLE):
                if row.kind != MessageKind.ACKNOWLEDGEMENT and row.pk not in answered:
                    try:
                        build.acknowledgement(check(bytes(row.raw)), code="ok", issues=[], now=timezone.now())
                    except build.CannotAcknowledge:
                        statuses["not_addressable"] += 1  # answered by the transport only (400 / failed/)
                    else:
                        counts["unanswered"] += 1
        rate = 2 * per_path / elapsed
        report = {
            "benchmark": "medcom_mutants",
            "database": connection.vendor,
            "mutants": 2 * per_path,
            "stored": stored,
            "crashes": counts["crashes"],
            "http_5xx": counts["http_5xx"],
            "partial_writes": counts["partial_writes"],
            "unanswered": counts["unanswered"],
            "outcomes": dict(sorted(statuses.items())),
            "mutation_kinds": dict(sorted(kinds.items())),
            "seconds": round(elapsed, 1),
            "mutants_per_second": round(rate, 1),
            "baseline_valid_per_second": round(baseline_rate, 1),
            "ratio_to_baseline": round(rate / baseline_rate, 3),
            "target": "crashes, http_5xx, partial_writes and unanswered all 0",
        }
    finally:
        connection.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    failures = sum(report.get(k, 1) for k in ("crashes", "http_5xx", "partial_writes", "unanswered"))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
