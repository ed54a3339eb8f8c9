from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sektorbro.overview.publish import PublishError, publish


class Command(BaseCommand):
    help = "Overview pages: publish an indicator result file, or build demo results."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        pub = sub.add_parser("publish", help="Import a result table (CSV or Parquet) as a new run.")
        pub.add_argument("result_file")
        pub.add_argument("--label", required=True)
        pub.add_argument("--engine", default="duckdb")
        pub.add_argument("--registry-description", default="")
        demo = sub.add_parser("demo", help="Synthesise a small registry, compute and publish its indicators.")
        demo.add_argument("--persons", type=int, default=30_000)
        demo.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "publish":
            try:
                run = publish(
                    options["result_file"],
                    label=options["label"],
                    engine=options["engine"],
                    registry_description=options["registry_description"],
                )
            except PublishError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"published run {run.pk} ({run.label}): {run.values.count()} rows")
        else:
            from sektorbro.overview.demo import build_demo

            run = build_demo(persons=options["persons"], seed=options["seed"])
            self.stdout.write(f"published demo run {run.pk}: {run.values.count()} rows")
