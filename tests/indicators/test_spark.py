"""The same Ibis definitions on Spark (PySpark local mode) give the same table as on DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sektorbro.indicators.engine import compute
from sektorbro.indicators.registry import load_registry
from sektorbro.indicators.synth import synthesise
from tests.indicators.scenario import scenario

pytestmark = pytest.mark.spark


def both(registry: Any, start: dt.date, end: dt.date, spark: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    try:
        on_duckdb = compute(registry, start, end)
        on_spark = compute(registry, start, end, engine="spark", spark=spark)
    finally:
        registry.close()
    return on_duckdb, on_spark


def test_the_hand_made_region_gives_the_same_table_on_spark(spark: Any) -> None:
    on_duckdb, on_spark = both(
        scenario().registry(strict=True), dt.date(2024, 1, 1), dt.date(2024, 12, 31), spark
    )
    pd.testing.assert_frame_equal(on_duckdb, on_spark)
    assert on_spark.attrs["notes"] == on_duckdb.attrs["notes"]


def test_a_synthetic_region_gives_the_same_table_on_spark(spark: Any, tmp_path: Path) -> None:
    synthesise(tmp_path, persons=1500, years=2, seed=7)
    on_duckdb, on_spark = both(
        load_registry(tmp_path, strict=True), dt.date(2023, 3, 1), dt.date(2024, 11, 30), spark
    )
    pd.testing.assert_frame_equal(on_duckdb, on_spark)
    assert on_duckdb.numerator.sum() > 1000
