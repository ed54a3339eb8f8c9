"""``sektorbro rules evaluate FILE.json [--tariffs TABLE.json]``: the pure part (the Django command wraps it).

Exit codes: 0 evaluated; 1 the scenario is invalid (the message names the field); 2 usage error, missing
file or invalid JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn, Protocol

from sektorbro.agreement.model import RuleInputError, Tariff
from sektorbro.agreement.scenario import ScenarioError, evaluate_scenario
from sektorbro.agreement.tariffs import load_tariffs

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports to the given stream instead of exiting the process."""

    def __init__(self, *args: Any, out: Writer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._out = out

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._out.write(message)
        raise _UsageError("") if status else SystemExit(status)

    def print_help(self, file: Any = None) -> None:
        self._out.write(self.format_help())


def _read_json(path: str, stderr: Writer) -> tuple[Any, int]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        stderr.write(f"{path}: filen findes ikke / no such file\n")
        return None, EXIT_USAGE
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        stderr.write(f"{path}: kan ikke læses / cannot be read ({exc.__class__.__name__})\n")
        return None, EXIT_USAGE
    try:
        return json.loads(text), EXIT_OK
    except json.JSONDecodeError as exc:
        stderr.write(
            f"{path}: ugyldig JSON / invalid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}\n"
        )
        return None, EXIT_USAGE


def evaluate_main(
    path: str, stdout: Writer, stderr: Writer, tariffs: tuple[Tariff, ...] | None = None
) -> int:
    """Evaluate one scenario file and print the decisions as indented JSON."""
    data, code = _read_json(path, stderr)
    if code:
        return code
    try:
        result = evaluate_scenario(data, tariffs)
    except ScenarioError as exc:
        stderr.write(f"{path}: {exc}\n")
        return EXIT_INVALID
    stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def main(argv: list[str], stdout: Writer, stderr: Writer) -> int:
    """``evaluate FILE.json [--tariffs TABLE.json]``; returns the exit code."""
    parser = _Parser(
        prog="sektorbro rules",
        description="Aftalens regler / the agreement's rules (docs/rules-scenario.md).",
        out=stdout,
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    evaluate = sub.add_parser(
        "evaluate", help="Evaluér et scenarie / evaluate one scenario (JSON)", out=stdout
    )
    evaluate.add_argument("file", help="Scenariefil / scenario file (JSON)")
    evaluate.add_argument(
        "--tariffs", help="Taksttabel / tariff table (JSON); default: the scenario's own or the demo table"
    )
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        if str(exc):
            stderr.write(f"{parser.format_usage()}fejl / error: {exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    tariffs: tuple[Tariff, ...] | None = None
    if args.tariffs:
        try:
            tariffs = load_tariffs(Path(args.tariffs))
        except FileNotFoundError:
            stderr.write(f"{args.tariffs}: filen findes ikke / no such file\n")
            return EXIT_USAGE
        except RuleInputError as exc:
            stderr.write(f"{args.tariffs}: {exc}\n")
            return EXIT_INVALID
    return evaluate_main(args.file, stdout, stderr, tariffs)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:], sys.stdout, sys.stderr))
