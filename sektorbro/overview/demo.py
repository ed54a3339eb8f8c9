"""Demo results: a small synthetic registry, computed with DuckDB and published."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sektorbro.indicators.engine import compute, write
from sektorbro.indicators.registry import load_registry
from sektorbro.indicators.synth import synthesise
from sektorbro.overview.models import IndicatorRun
from sektorbro.overview.publish import publish

FIRST_YEAR = 2024


DEMO_PREFIX = "Demo: "


def ensure_demo(*, persons: int = 30_000, seed: int = 1) -> IndicatorRun:
    """The newest demo run, built once (running the demo again does not add runs)."""
    existing = IndicatorRun.objects.filter(label__startswith=DEMO_PREFIX).first()
    return existing or build_demo(persons=persons, seed=seed)


def build_demo(*, persons: int = 30_000, seed: int = 1, years: int = 2) -> IndicatorRun:
    with tempfile.TemporaryDirectory(prefix="sektorbro-overview-") as tmp:
        folder = Path(tmp) / "registry"
        synthesise(folder, persons=persons, years=years, seed=seed, first_year=FIRST_YEAR)
        registry = load_registry(folder)
        start, end = dt.date(FIRST_YEAR, 1, 1), dt.date(FIRST_YEAR + years - 1, 12, 31)
        try:
            result = compute(registry, start, end, engine="duckdb")
        finally:
            registry.close()  # also removes DuckDB's scratch folder
        out = Path(tmp) / "result.parquet"
        write(result, out)
        return publish(
            out,
            label=f"{DEMO_PREFIX}syntetisk register, {persons} personer",
            engine="duckdb",
            registry_description=f"synthetic registry, {persons} persons, {years} years, seed {seed}",
        )
