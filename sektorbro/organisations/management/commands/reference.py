from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sektorbro.organisations import selectors
from sektorbro.organisations.reference import ReferenceDataError, load_reference_data


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--on: {value!r} er ikke en dato (YYYY-MM-DD) / is not a date") from exc


class Command(BaseCommand):
    help = (
        "Referencedata / reference data: municipalities, clusters, organisation units; load the data files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        for name, text in [
            ("municipalities", "Kommuner: kode, navn, klynge / municipalities: code, name, cluster"),
            ("clusters", "Klynger med kommuner / clusters with their municipalities"),
            ("units", "Organisationsenheder / organisation units"),
        ]:
            p = sub.add_parser(name, help=text)
            p.add_argument(
                "--json", action="store_true", help="JSON i stedet for tabulatorsepareret / JSON output"
            )
            p.add_argument("--on", help="Gyldig på dato / valid on date (YYYY-MM-DD), default today")
            if name == "units":
                p.add_argument("--kind", help="Kun denne type / only this kind (e.g. hospital, gp_clinic)")
        sub.add_parser("load", help="Indlæs datafilerne / load the data files (idempotent)")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "load":
            try:
                with transaction.atomic():
                    report = load_reference_data(apps.get_model)
            except ReferenceDataError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps({"created": report.created, "updated": report.updated}))
            return
        on = _day(options["on"]) if options.get("on") else None
        rows: list[dict[str, Any]]
        if what == "municipalities":
            rows = [
                {"code": m.code, "name": m.name, "cluster": m.cluster.name}
                for m in selectors.municipalities(on)
            ]
            columns = ["code", "name", "cluster"]
        elif what == "clusters":
            rows = [
                {
                    "key": c.key,
                    "name": c.name,
                    "municipalities": [m.code for m in c.municipalities.order_by("code")],
                    "aliases": [a.name for a in c.aliases.all()],
                }
                for c in selectors.clusters(on)
            ]
            columns = ["key", "name", "municipalities"]
        else:
            qs = selectors.units(on)
            if options.get("kind"):
                qs = qs.filter(kind=options["kind"])
            rows = [
                {
                    "key": u.key,
                    "kind": u.kind,
                    "name": u.name,
                    "cluster": u.cluster.name if u.cluster else "",
                    "sor_code": u.sor_code,
                    "location_number": u.location_number,
                    "identifiers_are_demo": u.identifiers_are_demo,
                }
                for u in qs
            ]
            columns = ["key", "kind", "name", "cluster"]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            values = [",".join(v) if isinstance(v, list) else str(v) for v in (row[c] for c in columns)]
            self.stdout.write("\t".join(values))
