"""``sektorbro demo``: the demo region's users, citizens and courses. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sektorbro.demo.region import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = (
        "Opret demoregionen (brugere, borgere, forløb) / create the demo region. Requires SEKTORBRO_DEMO=1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--citizens", type=int, default=400, help="Antal borgere / number of citizens")
        parser.add_argument("--seed", type=int, default=2023, help="Tilfældighedsfrø / random seed")
        parser.add_argument(
            "--no-overview",
            action="store_true",
            help="Spring demo-indikatorerne over / skip the overview's demo indicator results",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "Demodata oprettes kun i demotilstand: sæt SEKTORBRO_DEMO=1 / "
                "demo data is only created in demo mode: set SEKTORBRO_DEMO=1"
            )
        if options["citizens"] < 19:
            raise CommandError("--citizens skal være mindst 19 (én pr. kommune) / must be at least 19")
        from django.utils import translation

        translation.activate(settings.LANGUAGE_CODE)
        run = None
        if not options["no_overview"]:  # before the region: the follow-up report's published version shows it
            from sektorbro.overview.demo import ensure_demo

            run = ensure_demo()
        result = build_demo(citizens=options["citizens"], seed=options["seed"])
        self.stdout.write(
            f"Demoregion klar / demo region ready: {result.users} brugere, {result.citizens} borgere, "
            f"{result.courses} forløb."
        )
        self.stdout.write(
            f"MedCom: {result.inbox} modtagne / received (heraf i karantæne / in quarantine: "
            f"{result.quarantine}), {result.outbox} i udbakken / in the outbox."
        )
        self.stdout.write(f"Mødestyring / governance: {result.governance}.")
        if run is not None:
            self.stdout.write(f"Overblik / overview: {run.label} ({run.values.count()} rækker / rows).")
        self.stdout.write(f"\nDemologins (adgangskode / password: {DEMO_PASSWORD}):")
        for username, role, unit in result.logins:
            self.stdout.write(f"  {username:<28} {role:<28} {unit}")
