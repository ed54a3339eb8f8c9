"""The ``sektorbro`` console command: every management command of the project (and Django's own)."""

from __future__ import annotations

import importlib
import os
import sys

# Commands that read and write files only: they serve no request and sign nothing, so they run without Django's
# settings (no SECRET_KEY needed). (command, subcommand) -> "module:function"; a listed option that needs the
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
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sektorbro", *args])


if __name__ == "__main__":
    main()
