"""The registry loader: every bad row is reported by file and line, excluded by default, fatal with strict."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sektorbro.indicators.registry import RegistryError, load_registry, registry_from_tables
from tests.indicators.builders import World


def small_world() -> World:
    w = World().person("P1", "1940-01-01").person("P2", "1950-06-01", "M", "791")
    w.contact("C1", "P1", "2024-01-10 08:00", "2024-01-11 08:00", diagnosis="DJ189")
    w.contact("C2", "P2", "2024-07-01 20:00", "2024-07-02 01:30", area="psychiatric", hospital="psykiatrien")
    w.secondary("C1", "DC509").ready_at("C1", "2024-01-10 12:00")
    w.condition("P1", "copd", "2020-01-01")
    w.residents(2024, "730", "F", 84, 10)
    return w


def write_with_bad_rows(folder: Path) -> Path:
    small_world().write_csv(folder)
    with (folder / "persons.csv").open("a") as f:
        f.write("P3,1950-02-30,X,73,\n")  # line 4: bad date, sex and municipality
        f.write("P1,1941-01-01,F,730,\n")  # line 5: P1 again
    with (folder / "contacts.csv").open("a") as f:
        f.write(
            "C3,P9,2024-01-10T08:00:00+01:00,2024-01-10T07:00:00+01:00,U1,rhr,dental,ATA1,ALCA00,DJ189,false,home,730\n"
        )
        f.write(
            "C4,P2,2024-01-10 08:00,2024-01-11T08:00:00+01:00,U1,rhr,somatic,ATA1,ALCA00,J189,maybe,gone,791\n"
        )
    with (folder / "diagnoses.csv").open("a") as f:
        f.write("C3,DI10,B\n")  # its contact is excluded, so this row goes too
    return folder


def test_bad_rows_are_reported_with_file_and_line_and_excluded(tmp_path: Path) -> None:
    registry = load_registry(write_with_bad_rows(tmp_path))
    try:
        shown = [str(p) for p in registry.problems]
        assert shown == [
            "persons.csv:2: person_id: appears on more than one row",
            "persons.csv:4: birth_date: not a date YYYY-MM-DD",
            "persons.csv:4: sex: must be one of M, F",
            "persons.csv:4: municipality_code: must be a 3-digit municipality code",
            "persons.csv:5: person_id: appears on more than one row",
            "contacts.csv:2: person_id: is not in persons (or its row there was excluded)",
            "contacts.csv:4: person_id: is not in persons (or its row there was excluded)",
            "contacts.csv:4: end: is before start",
            "contacts.csv:4: area: must be one of somatic, psychiatric",
            "contacts.csv:5: start: not an ISO 8601 time with offset (e.g. 2024-01-10T08:00:00+01:00)",
            "contacts.csv:5: action_diagnosis: not an SKS diagnosis code (D + letter + digits, e.g. DJ189)",
            "contacts.csv:5: hospice: must be true or false",
            "contacts.csv:5: discharge_mode: must be one of home, died, transfer, other",
            "diagnoses.csv:2: contact_id: is not in contacts (or its row there was excluded)",
            "diagnoses.csv:3: contact_id: is not in contacts (or its row there was excluded)",
            "ready_for_discharge.csv:2: contact_id: is not in contacts (or its row there was excluded)",
            "chronic.csv:2: person_id: is not in persons (or its row there was excluded)",
        ]
        # P1 appears twice, so both rows go, and everything hanging on P1 with them
        assert registry.excluded == {
            "persons": 3, "contacts": 3, "diagnoses": 2, "ready_for_discharge": 1, "population": 0, "chronic": 1,
        }  # fmt: skip
        assert registry.rows["contacts"] == 4 and registry.problem_count == len(shown)
        assert registry.con.table("contacts").count().execute() == 1
        bad = registry.bad_rows("contacts")
        assert list(bad.columns) == ["file", "line", "column", "message"] and sorted(set(bad.line)) == [
            2,
            4,
            5,
        ]
    finally:
        registry.close()


def test_strict_fails_after_checking_everything(tmp_path: Path) -> None:
    with pytest.raises(
        RegistryError, match=r"^persons\.csv:2: person_id.*; chronic\.csv:2: person_id: is not in persons"
    ):
        load_registry(write_with_bad_rows(tmp_path), strict=True)


def test_a_clean_registry_loads_in_its_canonical_shape(tmp_path: Path) -> None:
    registry = load_registry(small_world().write_csv(tmp_path), strict=True)
    try:
        assert registry.problem_count == 0 and set(registry.present) == {
            "persons", "contacts", "diagnoses", "ready_for_discharge", "population", "chronic",
        }  # fmt: skip
        contacts = registry.con.table("contacts").order_by("contact_id").execute()
        # 01:30 on 2 July is Danish summer time: the end's local date is 2 July although UTC says 1 July 23:30
        assert list(contacts.end_day.dt.date) == [dt.date(2024, 1, 11), dt.date(2024, 7, 2)]
        assert list(contacts.end_s - contacts.start_s) == [24 * 3600, 5 * 3600 + 1800]
        assert list(contacts.hospice) == [False, False]
    finally:
        registry.close()


def test_parquet_with_typed_columns_and_row_numbers(tmp_path: Path) -> None:
    persons = pa.table(
        {
            "person_id": pa.array([1, 2], pa.int64()),
            "birth_date": pa.array([dt.date(1940, 1, 1), dt.date(1950, 1, 1)]),
            "sex": ["F", "M"],
            "municipality_code": ["730", "791"],
            "death_date": pa.array([None, None], pa.date32()),
        }
    )
    start = pa.array([dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC)] * 3, pa.timestamp("s", tz="UTC"))
    end = pa.array(
        [
            dt.datetime(2024, 1, 2, 8, tzinfo=dt.UTC),
            dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
        ],
        pa.timestamp("s", tz="UTC"),
    )
    contacts = pa.table(
        {
            "contact_id": pa.array([10, 11, 12], pa.int64()),
            "person_id": pa.array([1, 2, 2], pa.int64()),
            "start": start,
            "end": end,
            "unit_code": ["u", "u", "u"],
            "hospital_code": ["rhr", "rhr", "rhr"],
            "area": ["somatic"] * 3,
            "priority": ["ATA1"] * 3,
            "contact_type": ["ALCA00"] * 3,
            "action_diagnosis": ["DJ189", "DJ189", "X"],
            "hospice": [False, False, False],
            "discharge_mode": ["home"] * 3,
            "municipality_code": pa.array([730, 791, 791], pa.int32()),
        }
    )
    population = pa.table(
        {"year": [2024], "municipality_code": ["730"], "sex": ["F"], "age": [84], "count": [3]}
    )
    for name, data in (("persons", persons), ("contacts", contacts), ("population", population)):
        pq.write_table(data, tmp_path / f"{name}.parquet")
    registry = load_registry(tmp_path)
    try:
        assert [str(p) for p in registry.problems] == [
            "contacts.parquet:2: end: is before start",
            "contacts.parquet:3: action_diagnosis: not an SKS diagnosis code (D + letter + digits, e.g. DJ189)",
        ]
        clean = registry.con.table("contacts").execute()
        assert list(clean.contact_id) == [10] and list(clean.municipality_code) == ["730"]
        assert str(registry.con.table("contacts").schema()["person_id"]) == "int64"
    finally:
        registry.close()


def test_in_memory_tables_go_through_the_same_checks() -> None:
    tables = small_world().tables()
    tables["contacts"].loc[1, "priority"] = "ATA9"
    registry = registry_from_tables(
        {name: pa.Table.from_pandas(t) if name == "persons" else t for name, t in tables.items()}
    )
    try:
        assert [str(p) for p in registry.problems] == [
            "contacts (in memory):2: priority: must be one of ATA1, ATA3"
        ]
    finally:
        registry.close()
    with pytest.raises(RegistryError, match="population table is missing"):
        registry_from_tables({k: v for k, v in tables.items() if k != "population"})
    with pytest.raises(RegistryError, match="unknown tables: courses"):
        registry_from_tables({**tables, "courses": pd.DataFrame()})


def test_missing_files_and_columns_are_errors(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not a folder"):
        load_registry(tmp_path / "nowhere")
    small_world().write_csv(tmp_path)
    (tmp_path / "population.csv").unlink()
    with pytest.raises(RegistryError, match=r"population\.csv or population\.parquet is missing"):
        load_registry(tmp_path)
    small_world().write_csv(tmp_path)
    pd.read_csv(tmp_path / "contacts.csv").drop(columns=["hospice"]).to_csv(
        tmp_path / "contacts.csv", index=False
    )
    with pytest.raises(RegistryError, match=r"contacts\.csv: missing columns: hospice"):
        load_registry(tmp_path)
    small_world().write_csv(tmp_path)
    pq.write_table(pa.table({"x": [1]}), tmp_path / "persons.parquet")
    with pytest.raises(RegistryError, match=r"both persons\.parquet and persons\.csv"):
        load_registry(tmp_path)


def _typed_registry(person_ids: list[int], contact_people: list[tuple[int, int]]) -> dict[str, pa.Table]:
    """Integer-id tables: persons with ``person_ids`` (in that order), contacts as (contact_id, person_id)."""
    n = len(contact_people)
    moment = dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC)
    persons = pa.table(
        {
            "person_id": pa.array(person_ids, pa.int64()),
            "birth_date": pa.array([dt.date(1940, 1, 1)] * len(person_ids)),
            "sex": ["F"] * len(person_ids),
            "municipality_code": ["730"] * len(person_ids),
            "death_date": pa.array([None] * len(person_ids), pa.date32()),
        }
    )
    contacts = pa.table(
        {
            "contact_id": pa.array([c for c, _p in contact_people], pa.int64()),
            "person_id": pa.array([p for _c, p in contact_people], pa.int64()),
            "start": pa.array([moment] * n, pa.timestamp("s", tz="UTC")),
            "end": pa.array([moment + dt.timedelta(hours=20)] * n, pa.timestamp("s", tz="UTC")),
            "unit_code": ["u"] * n,
            "hospital_code": ["rhr"] * n,
            "area": ["somatic"] * n,
            "priority": ["ATA1"] * n,
            "contact_type": ["ALCA00"] * n,
            "action_diagnosis": ["DJ189"] * n,
            "hospice": [False] * n,
            "discharge_mode": ["home"] * n,
            "municipality_code": ["730"] * n,
        }
    )
    population = pa.table(
        {"year": [2024], "municipality_code": ["730"], "sex": ["F"], "age": [84], "count": [3]}
    )
    return {"persons": persons, "contacts": contacts, "population": population}


def _expected_problems(person_ids: list[int], contact_people: list[tuple[int, int]]) -> list[str]:
    """What the loader must report, computed the slow, obvious way."""
    shown = []
    repeated = {p for p in person_ids if person_ids.count(p) > 1}
    shown += [
        f"persons (in memory):{line}: person_id: appears on more than one row"
        for line, p in enumerate(person_ids, start=1)
        if p in repeated
    ]
    clean_people = set(person_ids) - repeated
    contact_ids = [c for c, _p in contact_people]
    for line, (c, p) in enumerate(contact_people, start=1):
        if contact_ids.count(c) > 1:
            shown.append(f"contacts (in memory):{line}: contact_id: appears on more than one row")
        if p not in clean_people:
            shown.append(
                f"contacts (in memory):{line}: person_id: is not in persons (or its row there was excluded)"
            )
    return shown


@pytest.mark.parametrize(
    ("person_ids", "contact_people"),
    [
        # ids in increasing order, persons dense 1..3: the fast paths (no sort, a range test) apply
        ([1, 2, 3], [(10, 1), (11, 3), (12, 4), (13, 0)]),
        # a gap in the persons' ids: a contact of the missing person 2 is found by the full look-up
        ([1, 3, 4], [(10, 1), (11, 2), (12, 4)]),
        # contact ids out of order with a repeat; persons out of order but dense
        ([3, 1, 2], [(12, 1), (10, 2), (12, 3), (11, 5)]),
        # a repeated person makes both rows go, so their ids are no longer a dense range
        ([1, 2, 2, 3], [(10, 1), (11, 2), (12, 3)]),
    ],
)
def test_integer_ids_duplicates_and_references_with_and_without_the_fast_paths(
    person_ids: list[int], contact_people: list[tuple[int, int]]
) -> None:
    registry = registry_from_tables(_typed_registry(person_ids, contact_people))
    try:
        assert [str(p) for p in registry.problems] == _expected_problems(person_ids, contact_people)
    finally:
        registry.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    person_ids=st.lists(st.integers(0, 12), min_size=1, max_size=12),
    contact_people=st.lists(st.tuples(st.integers(0, 15), st.integers(-1, 13)), min_size=1, max_size=12),
    ordered=st.booleans(),
)
def test_duplicate_and_reference_checks_match_their_definition(
    person_ids: list[int], contact_people: list[tuple[int, int]], ordered: bool
) -> None:
    if ordered:  # the common shape of an extract: sorted, often without gaps
        person_ids = sorted(person_ids)
        contact_people = sorted(contact_people)
    registry = registry_from_tables(_typed_registry(person_ids, contact_people))
    try:
        assert sorted(str(p) for p in registry.problems) == sorted(
            _expected_problems(person_ids, contact_people)
        )
    finally:
        registry.close()


def test_the_spill_folder_goes_with_close_and_with_a_registry_left_unclosed(tmp_path: Path) -> None:
    folder = small_world().write_csv(tmp_path)
    registry = load_registry(folder)
    scratch = registry.scratch
    assert scratch is not None and scratch.is_dir()
    registry.close()
    assert not scratch.exists() and registry.scratch is None
    registry.close()  # twice is harmless

    forgotten = load_registry(folder)
    scratch = forgotten.scratch
    assert scratch is not None and scratch.is_dir()
    forgotten.con.con.close()
    del forgotten
    gc.collect()
    assert not scratch.exists()
