"""Command-line entry points as pure functions (argv in, exit code out); Django management commands wrap them.

``registry_synth_main``: ``registry synth --persons N --years Y --seed S --out DIR [--format csv|parquet]``
``indicators_compute_main``: ``indicators compute --registry DIR --from D --to D --out FILE [--engine ...]``"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from sektorbro.indicators.definitions import REGISTRY
from sektorbro.indicators.engine import ENGINES, aggregate, read_tariffs, tabulate, write
from sektorbro.indicators.registry import RegistryError, load_registry
from sektorbro.indicators.synth import synthesise


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} er ikke en dato / is not a date (YYYY-MM-DD)") from exc


def _memory(text: str) -> str:
    """A DuckDB memory size: a number with KB, MB, GB or TB (e.g. 500MB, 2GB)."""
    value = text.strip().upper().replace(" ", "")
    number = value.rstrip("KMGTB")
    if not number or not value.endswith(("KB", "MB", "GB", "TB")):
        raise argparse.ArgumentTypeError(f"{text!r}: skriv fx 500MB eller 2GB / write e.g. 500MB or 2GB")
    try:
        if float(number) <= 0:
            raise ValueError
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r}: skriv fx 500MB eller 2GB / write e.g. 500MB or 2GB"
        ) from exc
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} er ikke et heltal / is not a whole number") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("skal være mindst 1 / must be at least 1")
    return value


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


def synth_parser(prog: str = "registry synth") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Lav et syntetisk register for Region Midtjylland (opdigtede data til test og benchmark). / "
            "Write a synthetic registry for Region Midtjylland (invented data for tests and benchmarks)."
        ),
    )
    parser.add_argument("--persons", type=_positive, required=True, help="antal personer / number of persons")
    parser.add_argument("--years", type=_positive, default=2, help="antal år / number of years (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="frø for tilfældighed / random seed (default 1)")
    parser.add_argument("--first-year", type=int, default=2023, help="første år / first year (default 2023)")
    parser.add_argument("--out", type=Path, required=True, help="mappe, der skrives til / folder to write")
    parser.add_argument(
        "--format",
        choices=["parquet", "csv"],
        default="parquet",
        help="filformat / file format (default parquet)",
    )
    return parser


def registry_synth_main(argv: Sequence[str] | None = None) -> int:
    args = synth_parser().parse_args(argv)
    started = time.perf_counter()
    with tqdm(
        total=args.persons, file=sys.stderr, desc="personer / persons", unit=" p", unit_scale=True
    ) as bar:
        done = 0

        def advance(persons_done: int) -> None:
            nonlocal done
            bar.update(persons_done - done)
            done = persons_done

        try:
            summary = synthesise(
                args.out,
                persons=args.persons,
                years=args.years,
                seed=args.seed,
                fmt=args.format,
                first_year=args.first_year,
                progress=advance,
            )
        except (OSError, ValueError) as exc:
            _say(f"fejl / error: {exc}")
            return 1
    _say(
        f"{summary.persons} personer / persons, {summary.contacts} kontakter / contacts, "
        f"{summary.ready_for_discharge} færdigmeldinger / ready registrations -> {args.out} "
        f"({time.perf_counter() - started:.1f} s; {', '.join(summary.files)})"
    )
    return 0


def compute_parser(prog: str = "indicators compute") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Beregn indikatorerne fra registerfiler (docs/registry-format.md) til én lang tabel. / "
            "Compute the indicators from registry files (docs/registry-format.md) into one long table."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--registry", type=Path, help="mappe med registerfiler / folder of registry files")
    source.add_argument(
        "--from-platform",
        action="store_true",
        help="Sektorbros egne forløb / the platform's own courses (docs/indicators.md); only with sektorbro",
    )
    parser.add_argument(
        "--population",
        type=Path,
        help="befolkningsfil (FOLK1A) til --from-platform / population file (FOLK1A) for --from-platform",
    )
    parser.add_argument(
        "--from", dest="start", type=_date, required=True, help="første dag / first day YYYY-MM-DD"
    )
    parser.add_argument(
        "--to", dest="end", type=_date, required=True, help="sidste dag / last day YYYY-MM-DD"
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="resultatfil / result file (.csv or .parquet)"
    )
    parser.add_argument(
        "--engine", choices=list(ENGINES), default="duckdb", help="beregningsmotor / engine (default duckdb)"
    )
    parser.add_argument(
        "--strict", action="store_true", help="stop ved fejl i registeret / stop on bad registry rows"
    )
    parser.add_argument(
        "--indicator",
        action="append",
        choices=list(REGISTRY),
        help="kun denne indikator (kan gentages) / only this indicator (repeatable)",
    )
    parser.add_argument(
        "--tariffs", type=Path, help="takstfil / tariff file (.csv or .json; default: the example table)"
    )
    parser.add_argument(
        "--problems", type=Path, help="skriv alle fejlrækker hertil / write every bad row here (.csv)"
    )
    parser.add_argument(
        "--memory-limit",
        type=_memory,
        help=(
            "DuckDBs hukommelsesgrænse, fx 500MB; mere skrives midlertidigt til disk / DuckDB's memory limit, "
            "e.g. 500MB; beyond it work spills to disk (default: DuckDB's, 80%% of RAM)"
        ),
    )
    return parser


class PlatformSource(Protocol):
    """Courses from a running platform shaped as a registry (``--from-platform``). The engine knows only the
    registry format; the platform hands in its adapter (``sektorbro.overview.platform_source.SektorbroCourses``)."""

    @property
    def indicators(self) -> Sequence[str]: ...

    def registry(
        self, *, last_day: dt.date, population: Path | None, memory_limit: str | None
    ) -> tuple[Any, list[str]]: ...


def indicators_compute_main(
    argv: Sequence[str] | None = None, *, platform_source: PlatformSource | None = None
) -> int:
    parser = compute_parser()
    args = parser.parse_args(argv)
    if args.from_platform and platform_source is None:
        parser.error(
            "--from-platform kræver sektorbro / --from-platform needs the platform: run `sektorbro indicators compute`"
        )
    if args.end < args.start:
        parser.error("--to ligger før --from / --to is before --from")
    if args.out.suffix.lower() not in (".csv", ".parquet"):
        parser.error("--out skal ende på .csv eller .parquet / --out must end in .csv or .parquet")
    try:
        tariffs = read_tariffs(args.tariffs)
    except (OSError, ValueError) as exc:
        _say(f"fejl i takstfilen / tariff file error: {exc}")
        return 1
    if args.population and not args.from_platform:
        parser.error("--population hører til --from-platform / --population goes with --from-platform")
    started = time.perf_counter()
    source_notes: list[str] = []
    try:
        if args.from_platform:
            assert platform_source is not None
            registry, source_notes = platform_source.registry(
                last_day=args.end, population=args.population, memory_limit=args.memory_limit
            )
            args.indicator = args.indicator or list(platform_source.indicators)
        else:
            registry = load_registry(args.registry, strict=args.strict, memory_limit=args.memory_limit)
    except (RegistryError, ValueError, OSError) as exc:
        _say(f"fejl i registeret / registry error: {exc}")
        return 1
    try:
        for problem in registry.problems[:50]:
            _say(f"fejlrække / bad row: {problem}")
        if registry.problem_count > 50:
            _say(f"... {registry.problem_count - 50} flere / more")
        if any(registry.excluded.values()):
            excluded = ", ".join(f"{name}: {count}" for name, count in registry.excluded.items() if count)
            _say(f"udeladte rækker / excluded rows: {excluded}")
        if args.problems:
            registry.all_problems().to_csv(args.problems, index=False)
        wanted = args.indicator or list(REGISTRY)
        with tqdm(total=len(wanted) + 1, file=sys.stderr, desc="indikatorer / indicators") as bar:

            def advance(step: str) -> None:
                bar.set_postfix_str(step)
                bar.update(1)

            try:
                aggregates = aggregate(
                    registry,
                    args.start,
                    args.end,
                    indicators=wanted,
                    engine=args.engine,
                    tariffs=tariffs,
                    progress=advance,
                )
            except ValueError as exc:
                _say(f"fejl / error: {exc}")
                return 1
    finally:
        registry.close()  # before the roll-up: frees DuckDB's memory before pandas comes in
    result = tabulate(aggregates)
    write(result, args.out)
    for note in [*source_notes, *result.attrs.get("notes", [])]:
        _say(f"bemærk / note: {note}")
    _say(f"{len(result)} rækker / rows -> {args.out} ({time.perf_counter() - started:.1f} s)")
    return 0


# The name the first version of the management command imports.
compute_main = indicators_compute_main

__all__ = ["compute_main", "indicators_compute_main", "registry_synth_main"]
