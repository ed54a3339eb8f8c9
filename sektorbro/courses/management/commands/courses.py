from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q
from django.utils import timezone

from sektorbro.courses.models import Course
from sektorbro.courses.state import refresh_many

# Discharged courses stay on the worklists for three days (the 72-hour window); refresh them too.
RECENT = dt.timedelta(days=4)


class Command(BaseCommand):
    help = "Forløb / courses: refresh the stored state the worklists read (docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        refresh = sub.add_parser(
            "refresh-state",
            help="Genberegn forløbenes tilstand / re-evaluate open and recently ended courses (periodic job)",
        )
        refresh.add_argument(
            "--all", action="store_true", help="Alle forløb / every course, also closed ones"
        )
        refresh.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            from django.core.management.base import CommandError

            raise CommandError("--batch-size must be at least 1")
        now = timezone.now()
        queryset = Course.objects.all()
        if not options["all"]:
            queryset = queryset.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=now - RECENT))
        started = time.monotonic()
        result = refresh_many(queryset, at=now, batch_size=options["batch_size"])
        self.stdout.write(
            f"refreshed {result.refreshed} courses in {time.monotonic() - started:.1f} s"
            f" ({result.written} changed and written)"
        )
