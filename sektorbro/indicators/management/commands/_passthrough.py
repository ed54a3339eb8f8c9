"""Management commands that hand their arguments to an argparse-based entry point unchanged."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class PassthroughCommand(BaseCommand):
    subcommand = ""
    entry: Callable[[Sequence[str]], int]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER)

    def run_from_argv(self, argv: list[str]) -> None:
        # sektorbro <command> <subcommand> [options]: the entry point parses everything (incl. --help).
        self._run(argv[2:])

    def handle(self, *args: Any, **options: Any) -> None:
        self._run(list(args))

    def _run(self, args: list[str]) -> None:
        if not args or args[0] != self.subcommand:
            raise CommandError(f"brug / usage: {self.subcommand} --help")
        code = type(self).entry(args[1:])
        if code:
            raise CommandError(f"{self.subcommand} fejlede / failed (exit {code})", returncode=code)
