from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sektorbro.indicators.cli import compute_main


class Command(BaseCommand):
    help = "Indikatorer / indicators: compute from registry files (docs/registry-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        compute = sub.add_parser("compute", help="Beregn indikatorerne / compute the indicators")
        compute.add_argument(
            "--registry", required=True, help="mappe med registerfiler / folder of registry files"
        )
        compute.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        compute.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        compute.add_argument("--out", required=True, help="resultat / result file (.csv or .parquet)")
        compute.add_argument("--engine", choices=["duckdb"], default="duckdb")
        compute.add_argument(
            "--strict", action="store_true", help="stop ved første fejl / stop on the first bad row"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            "--registry",
            options["registry"],
            "--from",
            options["start"],
            "--to",
            options["end"],
            "--out",
            options["out"],
            "--engine",
            options["engine"],
        ]
        if options["strict"]:
            argv.append("--strict")
        try:
            code = compute_main(argv)
        except SystemExit as exc:
            raise CommandError("ugyldige argumenter / invalid arguments") from exc
        if code:
            raise CommandError(
                "indikatorerne kunne ikke beregnes / the indicators could not be computed", returncode=code
            )
