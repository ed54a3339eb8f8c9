"""The benchmark's baselines count what the engine counts (``benchmarks/indicators.py``).

The benchmark compares the engine with a vectorised pandas implementation and a hand-written DuckDB query; the
comparison only means something when all three give the same numbers. This runs them on a tiny synthetic
registry (a few thousand persons, about a second), so it stays in the ordinary fast test run; the benchmark
itself checks the same again on every size it measures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import indicators as bench
from sektorbro.indicators.synth import synthesise


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench-tiny")
    synthesise(folder, persons=4000, years=bench.YEARS, seed=bench.SEED, first_year=bench.FIRST_YEAR)
    return folder


@pytest.fixture(scope="module")
def engine(tiny: Path) -> dict[str, list[int]]:
    """The engine's region totals over the benchmark's period: [numerator, denominator] per indicator."""
    region: dict[str, list[int]] = bench.task_engine(tiny, bench.SUBSET, None)["region"]
    return region


def test_pandas_baseline_gives_the_engines_region_totals(tiny: Path, engine: dict[str, list[int]]) -> None:
    pandas = bench.task_pandas(tiny)["region"]
    assert pandas == {name: engine[name] for name in bench.SUBSET}
    # not vacuous: there are index admissions, readmissions and preventable stays to count
    assert all(numerator > 0 for numerator, _denominator in pandas.values())


def test_sql_baseline_gives_the_engines_readmission_totals(tiny: Path, engine: dict[str, list[int]]) -> None:
    sql = bench.task_sql_readmission(tiny)["region"]
    assert sql == {name: engine[name] for name in bench.SUBSET[:2]}
    assert sql["readmission_30d_somatic"][0] > 0


def test_the_benchmark_reports_a_mismatch() -> None:
    results = {
        "pandas": {"region": {"preventable_65plus": [3, 100]}},
        "engine_subset": {"region": {"preventable_65plus": [4, 100]}},
    }
    checks = bench.agreement(results)
    assert checks["pandas_vs_engine_subset"]["preventable_65plus"]["equal"] is False
