"""Stays built part by part (contacts clustered by person) give exactly the one-pass result.

A registry extract sorted by person lets the engine build the stays one range of person ids at a time, which
keeps the ordering window small on big registries. Stays never cross persons, so the parts must add up to the
same stays and the same indicator table; these tests force small parts on a small synthetic registry.
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.indicators import engine
from sektorbro.indicators.definitions.stays import INDICATOR_COLUMNS
from sektorbro.indicators.model import StayRules
from sektorbro.indicators.registry import INT64_MAX, INT64_MIN, Registry, load_registry
from sektorbro.indicators.synth import synthesise

START, END = dt.date(2023, 1, 1), dt.date(2024, 12, 31)


def _regroup(folder: Path, rows: int, *, by: str) -> None:
    """Rewrite the contacts file sorted by ``by`` with row groups of ``rows`` rows."""
    path = folder / "contacts.parquet"
    table = pq.read_table(path).sort_by([(by, "ascending")])
    pq.write_table(table, path, row_group_size=rows)


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clustered")
    synthesise(folder, persons=3000, years=2, seed=5, first_year=2023)
    _regroup(folder, 1000, by="person_id")
    return folder


def _compute(folder: Path, *, parts: bool) -> pd.DataFrame:
    registry = load_registry(folder)
    try:
        if not parts:
            registry.person_groups = None
        return engine.compute(registry, START, END)
    finally:
        registry.close()


def test_a_file_sorted_by_person_is_split_into_ranges_covering_every_id(clustered: Path) -> None:
    registry = load_registry(clustered)
    try:
        groups = registry.person_groups
        assert groups is not None and len(groups) > 5
        assert sum(n for _lo, _hi, n in groups) == registry.rows["contacts"]
        ranges = registry.person_ranges(2500)
        assert len(ranges) > 2
        assert ranges[0][0] == INT64_MIN and ranges[-1][1] == INT64_MAX
        for (_low, high), (low, _high) in itertools.pairwise(ranges):
            assert low == high + 1  # no gap, no overlap
        assert registry.person_ranges(10**9) == [(INT64_MIN, INT64_MAX)]
    finally:
        registry.close()


def test_parts_give_exactly_the_one_pass_indicators(clustered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _compute(clustered, parts=False)
    monkeypatch.setattr(engine, "STAYS_PART_ROWS", 2500)
    made: list[int] = []
    original = Registry.person_ranges

    def counted(self: Registry, rows: int) -> list[tuple[int, int]]:
        ranges = original(self, rows)
        made.append(len(ranges))
        return ranges

    monkeypatch.setattr(Registry, "person_ranges", counted)
    in_parts = _compute(clustered, parts=True)
    assert made and made[0] > 2  # the engine really worked in parts
    pd.testing.assert_frame_equal(whole, in_parts)
    assert whole.loc[whole.indicator == "readmission_30d_somatic", "numerator"].sum() > 0


def test_a_file_not_clustered_by_person_is_built_in_one_pass(tmp_path: Path) -> None:
    synthesise(tmp_path, persons=300, years=1, seed=2, first_year=2024)
    _regroup(tmp_path, 200, by="start")  # row groups by time: every group holds persons from everywhere
    registry = load_registry(tmp_path)
    try:
        assert registry.person_groups is None
        assert registry.person_ranges(10) == [(INT64_MIN, INT64_MAX)]
    finally:
        registry.close()


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 50)), min_size=1, max_size=30),
    rows=st.integers(1, 200),
)
def test_person_ranges_partition_every_id_and_start_at_group_boundaries(
    sizes: list[tuple[int, int]], rows: int
) -> None:
    groups, low = [], 1
    for width, n in sizes:  # width 0: a group of one person, who may continue into the next group
        groups.append((low, low + width, n))
        low += width + (1 if width else 0)
    registry = Registry(con=None, person_groups=groups)
    ranges = registry.person_ranges(rows)
    assert ranges[0][0] == INT64_MIN and ranges[-1][1] == INT64_MAX
    for (_low, high), (start, _high) in itertools.pairwise(ranges):
        assert start == high + 1 and start in {g[0] for g in groups}
    total = sum(n for _lo, _hi, n in groups)
    if total <= rows:
        assert len(ranges) == 1
    else:  # split, at most once per group
        assert 1 < len(ranges) <= len(groups) or len({g[0] for g in groups}) == 1


def test_closing_the_registry_between_aggregate_and_tabulate_gives_the_compute_table(clustered: Path) -> None:
    whole = _compute(clustered, parts=True)
    registry = load_registry(clustered)
    try:
        aggregates = engine.aggregate(registry, START, END)
    finally:
        registry.close()  # what the CLI does before the roll-up
    split = engine.tabulate(aggregates)
    pd.testing.assert_frame_equal(split, whole)
    assert split.attrs["notes"] == whole.attrs["notes"]


@pytest.mark.parametrize("values_from", ["value checks", "a scan"])
def test_the_stays_table_holds_codes_compactly_and_only_what_the_definitions_read(
    clustered: Path, values_from: str
) -> None:
    registry = load_registry(clustered)
    try:
        for source in engine.CODED_STAYS_COLUMNS.values():
            assert source in registry.code_values  # the loader found every code the stays table holds
        if values_from == "a scan":
            registry.code_values.clear()
        backend = engine.DuckDBBackend(registry)
        try:
            stays = backend.materialize_stays(backend.table("diagnoses"), StayRules(), "stays")
            assert tuple(stays.columns) == INDICATOR_COLUMNS
            name = stays.get_name()
            types = {row[0]: row[1] for row in backend.raw.execute(f"DESCRIBE {name}").fetchall()}
            for column in engine.CODED_STAYS_COLUMNS:
                assert types[column].startswith("ENUM("), column
            assert types["age"] == "SMALLINT"
            # Ibis and the definitions see text: the same values as the one-pass stays, compared as strings.
            held = backend.execute(stays.order_by(["person_id", "start_s"]))
        finally:
            backend.close()
        one_pass = engine.stays(registry)[list(INDICATOR_COLUMNS)]
        for column in engine.CODED_STAYS_COLUMNS:
            assert held[column].astype(object).tolist() == one_pass[column].astype(object).tolist(), column
        assert held["age"].tolist() == one_pass["age"].tolist()
        # the types are dropped with the tables and the views over the contacts
        left = backend.raw.execute(
            "SELECT count(*) FROM duckdb_types() WHERE type_name LIKE 'sb_%'"
        ).fetchone()
        assert left == (0,)
        views = backend.raw.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '%_coded_%' OR view_name LIKE '%_part_%'"
        ).fetchone()
        assert views == (0,)
    finally:
        registry.close()


def test_the_backend_phase_runs_without_pandas(clustered: Path) -> None:
    """pandas (about 50 MB) comes in only for the roll-up, after DuckDB's memory is freed."""
    script = (
        "import datetime as dt, sys\n"
        "from sektorbro.indicators.engine import aggregate\n"
        "from sektorbro.indicators.registry import load_registry\n"
        f"registry = load_registry({str(clustered)!r})\n"
        "aggregates = aggregate(registry, dt.date(2023, 1, 1), dt.date(2024, 12, 31))\n"
        "registry.close()\n"
        "assert len(aggregates.parts) == 9, len(aggregates.parts)\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "False"
