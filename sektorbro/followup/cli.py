"""``audits candidates``: the audit candidate list as a pure function (argv in, exit code out).

From registry files it needs no Django and no settings (``sektorbro/cli.py`` runs it directly); with
``--from-platform`` the management command hands in a source that reads the platform's courses."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from sektorbro.followup.candidates import (
    DEFAULT_MIN_ADMISSIONS,
    DEFAULT_MONTHS,
    Admission,
    find_candidates,
    registry_admissions,
    sample,
    window,
    write_csv,
)
from sektorbro.indicators.cli import _date, _positive, _say

# A source of admissions other than registry files: (first day, last day) -> admissions and notes.
AdmissionSource = Callable[[dt.date, dt.date], tuple[list[Admission], list[str]]]


def candidates_parser(prog: str = "audits candidates") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Find borgere til tværsektoriel audit: mange akutte somatiske indlæggelser inden for de seneste "
            "måneder. / Find citizens for a cross-sector audit: many acute somatic admissions in recent months."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--registry", type=Path, help="mappe med registerfiler / folder of registry files")
    source.add_argument(
        "--from-platform",
        action="store_true",
        help="Sektorbros egne forløb (uigennemsigtige borger-id'er) / the platform's courses (opaque ids)",
    )
    parser.add_argument("--at", type=_date, required=True, help="sidste dag i vinduet / last day YYYY-MM-DD")
    parser.add_argument("--out", type=Path, required=True, help="CSV-fil, der skrives / CSV file to write")
    parser.add_argument(
        "--months", type=_positive, default=DEFAULT_MONTHS, help="vinduets længde i måneder (3) / months (3)"
    )
    parser.add_argument(
        "--min-admissions",
        type=_positive,
        default=DEFAULT_MIN_ADMISSIONS,
        help="mindst så mange indlæggelser (4) / at least this many admissions (4)",
    )
    parser.add_argument(
        "--preventable-only",
        action="store_true",
        help="tæl kun indlæggelser med forebyggelig diagnose / count only preventable-diagnosis admissions",
    )
    parser.add_argument(
        "--per-municipality",
        type=_positive,
        help="tilfældig stikprøve pr. kommune / random sample per municipality",
    )
    parser.add_argument("--seed", type=int, help="frø til stikprøven / seed for the sample")
    return parser


def audits_candidates_main(
    argv: Sequence[str] | None = None, *, platform: AdmissionSource | None = None
) -> int:
    parser = candidates_parser()
    args = parser.parse_args(argv)
    if args.out.suffix.lower() != ".csv":
        parser.error("--out skal ende på .csv / --out must end in .csv")
    if (args.per_municipality is None) != (args.seed is None):
        parser.error("--per-municipality og --seed hører sammen / --per-municipality and --seed go together")
    first, last = window(args.at, args.months)
    notes: list[str] = []
    if args.from_platform:
        if platform is None:
            parser.error(
                "--from-platform læser platformens database: kør `sektorbro audits candidates` / "
                "--from-platform reads the platform's database: run `sektorbro audits candidates`"
            )
        try:
            admissions, notes = platform(first, last)
        except ValueError as exc:
            _say(f"fejl / error: {exc}")
            return 1
    else:
        from sektorbro.indicators.registry import RegistryError, load_registry

        try:
            registry = load_registry(args.registry)
        except (RegistryError, OSError) as exc:
            _say(f"fejl i registeret / registry error: {exc}")
            return 1
        try:
            if registry.problem_count:
                _say(f"udeladte fejlrækker / bad rows left out: {registry.problem_count}")
            admissions = registry_admissions(registry, first, last)
        finally:
            registry.close()
    found = find_candidates(
        admissions, min_admissions=args.min_admissions, preventable_only=args.preventable_only
    )
    chosen = (
        sample(found, per_municipality=args.per_municipality, seed=args.seed)
        if args.per_municipality
        else found
    )
    try:
        written = write_csv(chosen, args.out)
    except OSError as exc:
        _say(f"fejl / error: {exc}")
        return 1
    for note in notes:
        _say(f"bemærk / note: {note}")
    _say(
        f"{written} borgere / citizens ({len(found)} fundet / found, vindue / window "
        f"{first:%d.%m.%Y}–{last:%d.%m.%Y}) -> {args.out}"
    )
    return 0
