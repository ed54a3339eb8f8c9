"""The synthetic registry: deterministic by seed, valid, and plausible in its rates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sektorbro.indicators.engine import compute
from sektorbro.indicators.registry import load_registry
from sektorbro.indicators.synth import synthesise
from tests.indicators.builders import one

TABLES = ("persons", "contacts", "diagnoses", "ready_for_discharge", "population", "chronic")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth")
    synthesise(folder, persons=6000, years=2, seed=3)
    return folder


def test_the_same_seed_gives_the_same_registry_and_another_seed_another(
    synthetic: Path, tmp_path: Path
) -> None:
    synthesise(tmp_path / "again", persons=6000, years=2, seed=3)
    synthesise(tmp_path / "other", persons=6000, years=2, seed=4)
    for name in TABLES:
        first = pq.read_table(synthetic / f"{name}.parquet")
        assert first.equals(pq.read_table(tmp_path / "again" / f"{name}.parquet")), name
    assert not pq.read_table(synthetic / "contacts.parquet").equals(
        pq.read_table(tmp_path / "other" / "contacts.parquet")
    )


def test_the_synthetic_registry_is_valid_in_both_formats(synthetic: Path, tmp_path: Path) -> None:
    registry = load_registry(synthetic, strict=True)
    try:
        assert registry.problem_count == 0
        assert registry.rows["contacts"] > 25_000 and registry.rows["ready_for_discharge"] > 20
    finally:
        registry.close()
    summary = synthesise(tmp_path, persons=800, years=1, seed=3, fmt="csv")
    assert sorted(summary.files) == sorted(f"{name}.csv" for name in TABLES)
    first_line = (tmp_path / "contacts.csv").read_text().splitlines()[1]
    assert "+01:00" in first_line or "+02:00" in first_line
    csv_registry = load_registry(tmp_path, strict=True)
    csv_registry.close()


def test_the_synthetic_region_has_plausible_rates(synthetic: Path) -> None:
    registry = load_registry(synthetic)
    try:
        result = compute(registry, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    finally:
        registry.close()
    assert 3 < one(result, "readmission_30d_somatic", period="2023").value < 25
    assert 5 < one(result, "readmission_30d_psychiatric", period="2023").value < 40
    assert 20 < one(result, "preventable_65plus", period="2023").value < 200
    assert 100 < one(result, "acute_per_copd", period="2023").value < 1000
    assert 20 < one(result, "ready_discharged_same_day", period="2023").value < 80
    assert one(result, "ready_days", period="2023").numerator > 0
    # every municipality has residents in the population table
    municipalities = result[
        (result.indicator == "preventable_65plus")
        & (result.period == "2023")
        & (result.stratum_type == "municipality")
    ]
    assert (municipalities.denominator > 0).all()
