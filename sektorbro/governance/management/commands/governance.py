"""``sektorbro governance``: export a group's meetings as the JSON document, import one, load the seed groups."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sektorbro.governance.documents import DocumentError


class Command(BaseCommand):
    help = "Mødestyring / governance: export and import a group's meetings as JSON (docs/governance.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write a group's meetings as one JSON document.")
        export.add_argument(
            "--group", required=True, help="The group's key, e.g. randersklyngen-klyngestyregruppe"
        )
        export.add_argument("--out", help="File to write (default: standard output)")
        imp = sub.add_parser("import", help="Import a JSON document of meetings (all or nothing).")
        imp.add_argument("file", help="The document ('-' reads standard input)")
        sub.add_parser(
            "seed", help="Create the seed groups, kommissorier and the seed meeting (safe to repeat)."
        )
        sub.add_parser("groups", help="List the groups and their keys.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _export(self, options: dict[str, Any]) -> None:
        from sektorbro.governance.exchange import group_document
        from sektorbro.governance.models import Group

        group = Group.objects.filter(key=options["group"]).first()
        if group is None:
            raise CommandError(
                f"no group with the key {options['group']!r}; `sektorbro governance groups` lists the keys"
            )
        text = json.dumps(group_document(group), ensure_ascii=False, indent=2) + "\n"
        if options["out"]:
            try:
                Path(options["out"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {options['out']}: {exc.strerror}") from exc
            self.stdout.write(
                f"{group.meetings.count()} meetings of {group.name} written to {options['out']}"
            )
        else:
            self.stdout.write(text, ending="")

    def _import(self, options: dict[str, Any]) -> None:
        from sektorbro.governance.importer import import_text

        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
        try:
            result = import_text(text)
        except DocumentError as exc:
            raise CommandError(f"{name}: {exc}; nothing was imported") from exc
        self.stdout.write(result.summary())

    def _seed(self, options: dict[str, Any]) -> None:
        from sektorbro.governance.seed import load_demo

        result = load_demo()
        self.stdout.write(result.summary())

    def _groups(self, options: dict[str, Any]) -> None:
        from sektorbro.governance.models import Group

        for group in Group.objects.select_related("parent").order_by("key"):
            parent = f" (under {group.parent.key})" if group.parent else ""
            self.stdout.write(f"{group.key:<58} {group.name}{parent}")
