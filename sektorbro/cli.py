"""The ``sektorbro`` console command: every management command of the project (and Django's own)."""

from __future__ import annotations

import importlib
import os
import re
import sys

from sektorbro.runmode import allow_without_secret_key, is_pure_command

# The database answers like this when a table is missing: SQLite, then PostgreSQL.
_MISSING_TABLE = re.compile(r"no such table|relation \S+ does not exist", re.IGNORECASE)

# Commands that read and write files only and need no Django at all: they serve no request and sign nothing, so
# they run without Django's settings (no SECRET_KEY needed). The commands that need Django but sign nothing are
# listed in sektorbro.runmode. (command, subcommand) -> "module:function"; a listed option that needs the
# platform's database sends the command through Django instead.
PURE_COMMANDS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("audits", "candidates"): (
        "sektorbro.followup.cli:audits_candidates_main",
        frozenset({"--from-platform"}),
    ),
}


def _pure(args: list[str]) -> int | None:
    entry = PURE_COMMANDS.get((args[0], args[1])) if len(args) >= 2 else None
    if entry is None or any(a.split("=")[0] in entry[1] for a in args[2:]):
        return None
    module, function = entry[0].split(":")
    code: int = getattr(importlib.import_module(module), function)(args[2:])
    return code


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    code = _pure(args)
    if code is not None:
        sys.exit(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sektorbro.settings")
    if is_pure_command(args):
        allow_without_secret_key()
    from django.core.management import execute_from_command_line
    from django.db import OperationalError, ProgrammingError

    try:
        execute_from_command_line(["sektorbro", *args])
    except (OperationalError, ProgrammingError) as exc:
        if not _MISSING_TABLE.search(str(exc)) or "--traceback" in args:
            raise
        sys.stderr.write(
            "Databasen er ikke sat op: kør `sektorbro migrate` / "
            "the database is not set up: run `sektorbro migrate`\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
