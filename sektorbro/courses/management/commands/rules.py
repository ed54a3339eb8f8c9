from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sektorbro.agreement.cli import evaluate_main


class Command(BaseCommand):
    help = "Aftalens regler / the agreement's rules: evaluate a scenario file (docs/rules-scenario.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        evaluate = sub.add_parser("evaluate", help="Evaluér et scenarie / evaluate one scenario (JSON)")
        evaluate.add_argument("file", help="Scenariefil / scenario file (JSON)")

    def handle(self, *args: Any, **options: Any) -> None:
        code = evaluate_main(options["file"], self.stdout, self.stderr)
        if code:
            raise CommandError(
                "scenariet kunne ikke evalueres / the scenario could not be evaluated", returncode=code
            )
