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


def test_a_stay_whose_contacts_end_together_takes_the_later_contacts_discharge_mode(tmp_path: Path) -> None:
    """Two contacts of one stay end at the same moment: the one later in order (by start) gives the discharge
    mode, in the engine and in both baselines (a tie the 60 million run found in the pandas baseline)."""
    import pandas as pd

    synthesise(tmp_path, persons=300, years=bench.YEARS, seed=bench.SEED, first_year=bench.FIRST_YEAR)
    persons = pd.read_parquet(tmp_path / "persons.parquet")
    contacts = pd.read_parquet(tmp_path / "contacts.parquet")
    someone = (
        persons.iloc[[0]]
        .astype(object)
        .assign(person_id=int(persons["person_id"].max()) + 1, birth_date=pd.Timestamp("1950-05-05").date())
    )
    someone["death_date"] = None
    first_id = int(contacts["contact_id"].max()) + 1

    def contact(offset: int, start: str, mode: str) -> dict[str, object]:
        return {
            "contact_id": first_id + offset,
            "person_id": int(someone["person_id"].iloc[0]),
            "start": pd.Timestamp(start, tz="UTC"),
            "end": pd.Timestamp("2024-03-05T08:00", tz="UTC"),
            "unit_code": "U1",
            "hospital_code": str(contacts["hospital_code"].iloc[0]),
            "area": "somatic",
            "priority": "ATA1",
            "contact_type": "ALCA00",
            "action_diagnosis": "DJ189",
            "hospice": False,
            "discharge_mode": mode,
            "municipality_code": str(someone["municipality_code"].iloc[0]),
        }

    tied = pd.DataFrame([contact(0, "2024-03-01T08:00", "died"), contact(1, "2024-03-01T09:00", "home")])
    before = {
        name: bench.task_engine(tmp_path, bench.SUBSET[:1], None)["region"][name] for name in bench.SUBSET[:1]
    }
    pd.concat([persons.astype(object), someone], ignore_index=True).to_parquet(tmp_path / "persons.parquet")
    pd.concat([contacts.astype(object), tied], ignore_index=True).to_parquet(tmp_path / "contacts.parquet")
    engine = bench.task_engine(tmp_path, bench.SUBSET, None)["region"]
    # the new admission is an index admission: its last contact (by order) discharged the patient home
    assert engine["readmission_30d_somatic"][1] == before["readmission_30d_somatic"][1] + 1
    assert bench.task_pandas(tmp_path)["region"] == engine
    assert bench.task_sql_readmission(tmp_path)["region"] == {name: engine[name] for name in bench.SUBSET[:2]}
