"""``sektorbro indicators compute``: the pure part."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from tqdm import tqdm

from sektorbro.indicators.compute import INDICATORS, compute, write
from sektorbro.indicators.registry import RegistryError, load_registry


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from exc


def compute_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="sektorbro indicators compute", description="Beregn indikatorer / compute the indicators"
    )
    parser.add_argument(
        "--registry", required=True, type=Path, help="mappe med registerfiler / folder of registry files"
    )
    parser.add_argument("--from", dest="start", required=True, type=_date)
    parser.add_argument("--to", dest="end", required=True, type=_date)
    parser.add_argument("--out", required=True, type=Path, help=".csv or .parquet")
    parser.add_argument("--engine", choices=["duckdb"], default="duckdb")
    parser.add_argument("--strict", action="store_true", help="stop on the first bad row")
    args = parser.parse_args(argv)
    if args.end < args.start:
        parser.error("--to must not be before --from")
    if args.out.suffix.lower() not in (".csv", ".parquet"):
        parser.error("--out must end in .csv or .parquet")
    try:
        registry = load_registry(args.registry, strict=args.strict)
    except RegistryError as exc:
        sys.stderr.write(f"error: {exc}" + "\n")
        return 1
    for problem in registry.problems[:50]:
        sys.stderr.write(f"bad row: {problem}" + "\n")
    if any(registry.excluded.values()):
        sys.stderr.write(f"excluded rows: {registry.excluded}" + "\n")
    with tqdm(total=len(INDICATORS), file=sys.stderr, desc="indicators") as bar:

        def advance(_name: str) -> None:
            bar.update(1)

        result = compute(registry, args.start, args.end, progress=advance)
    write(result, args.out)
    sys.stderr.write(f"{len(result)} rows written to {args.out}" + "\n")
    return 0
