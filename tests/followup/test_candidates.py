"""The audit candidate finder and ``audits candidates`` on a hand-made registry (``registry_world.py`` has the
table worked out by hand), the window's arithmetic, reproducible sampling, and properties that hold for any
registry (hypothesis). Pure: no database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sektorbro.followup.candidates import (
    Admission,
    Candidate,
    find_candidates,
    months_before,
    read_csv,
    registry_admissions,
    sample,
    window,
)
from sektorbro.followup.cli import audits_candidates_main
from tests.followup.registry_world import AT, AT_FOUR, AT_THREE, HEADER, world
from tests.indicators.builders import World

PROJECT = Path(__file__).resolve().parents[2]


def run(folder: Path, out: Path, *extra: str) -> list[str]:
    code = audits_candidates_main(
        ["--registry", str(folder), "--at", AT.isoformat(), "--out", str(out), *extra]
    )
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    return lines[1:]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return world().write_csv(tmp_path_factory.mktemp("registry"))


def test_the_window_is_the_months_up_to_and_including_the_day() -> None:
    assert window(dt.date(2024, 6, 30)) == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    assert window(dt.date(2021, 10, 15), 3) == (dt.date(2021, 7, 16), dt.date(2021, 10, 15))
    assert window(dt.date(2024, 5, 31), 3) == (dt.date(2024, 3, 1), dt.date(2024, 5, 31))  # 29.02 clamped
    assert months_before(dt.date(2024, 1, 15), 2) == dt.date(2023, 11, 15)
    with pytest.raises(ValueError):
        window(AT, 0)


def test_more_than_three_admissions_as_worked_out_by_hand(folder: Path, tmp_path: Path) -> None:
    assert run(folder, tmp_path / "c.csv") == AT_FOUR


def test_exactly_three_merged_stays_and_the_window_edges(folder: Path, tmp_path: Path) -> None:
    # Person 2 (exactly three), 4 (a stay merged across a 3-hour gap), 5 (a stay starting just before the
    # window) and 6 (stays on the window's first and last day) appear only when three are enough.
    assert run(folder, tmp_path / "c.csv", "--min-admissions", "3") == AT_THREE


def test_preventable_only_counts_the_code_list(folder: Path, tmp_path: Path) -> None:
    assert run(folder, tmp_path / "c.csv", "--preventable-only") == ["7,751,4,4,2024-04-02,2024-06-28"]
    assert run(folder, tmp_path / "c.csv", "--preventable-only", "--min-admissions", "3") == [
        "2,730,3,3,2024-04-08,2024-06-08",
        "7,751,4,4,2024-04-02,2024-06-28",
    ]


def test_a_shorter_window(folder: Path, tmp_path: Path) -> None:
    # One month (01.06..30.06): nobody has two admissions (person 6's psychiatric stay does not count).
    assert run(folder, tmp_path / "c.csv", "--months", "1") == []
    assert run(folder, tmp_path / "c.csv", "--months", "1", "--min-admissions", "2") == []
    assert run(folder, tmp_path / "c.csv", "--months", "1", "--min-admissions", "1") == [
        "1,730,1,0,2024-06-10,2024-06-10",
        "2,730,1,1,2024-06-08,2024-06-08",
        "5,730,1,0,2024-06-15,2024-06-15",
        "6,751,1,0,2024-06-30,2024-06-30",
        "7,751,1,1,2024-06-28,2024-06-28",
        "3,791,1,0,2024-06-01,2024-06-01",
        "4,791,1,0,2024-06-20,2024-06-20",
    ]


def test_sampling_per_municipality_is_reproducible(folder: Path, tmp_path: Path) -> None:
    first = run(folder, tmp_path / "a.csv", "--min-admissions", "3", "--per-municipality", "1", "--seed", "7")
    again = run(folder, tmp_path / "b.csv", "--min-admissions", "3", "--per-municipality", "1", "--seed", "7")
    assert first == again
    assert [line.split(",")[1] for line in first] == ["730", "751", "791"]
    assert set(first) <= set(AT_THREE)
    seeds = {
        tuple(
            run(
                folder,
                tmp_path / f"s{s}.csv",
                "--min-admissions",
                "3",
                "--per-municipality",
                "1",
                "--seed",
                str(s),
            )
        )
        for s in range(12)
    }
    assert len(seeds) > 1  # the seed matters
    # A municipality with fewer candidates than N keeps them all.
    assert (
        run(folder, tmp_path / "c.csv", "--min-admissions", "3", "--per-municipality", "3", "--seed", "1")
        == AT_THREE
    )


def test_sample_does_not_depend_on_the_order_given() -> None:
    people = [
        Candidate(str(i), "730" if i % 2 else "791", 4, 0, dt.date(2024, 4, 1), dt.date(2024, 6, 1))
        for i in range(1, 30)
    ]
    one = sample(people, per_municipality=5, seed=3)
    assert one == sample(list(reversed(people)), per_municipality=5, seed=3)
    assert len(one) == 10 and one == sorted(one, key=lambda c: (c.municipality_code, int(c.person_id)))


def test_the_file_reads_back(folder: Path, tmp_path: Path) -> None:
    run(folder, tmp_path / "c.csv")
    back = read_csv(tmp_path / "c.csv")
    assert [c.person_id for c in back] == ["1", "7", "3"]
    assert back[0] == Candidate("1", "730", 4, 2, dt.date(2024, 4, 5), dt.date(2024, 6, 10))


def test_arguments_are_checked(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--registry", str(folder), "--at", "2024-06-30"]
    for bad in (
        [*base, "--out", str(tmp_path / "c.txt")],
        [*base, "--out", str(tmp_path / "c.csv"), "--per-municipality", "5"],
        [*base, "--out", str(tmp_path / "c.csv"), "--min-admissions", "0"],
        ["--registry", str(folder), "--at", "30.06.2024", "--out", str(tmp_path / "c.csv")],
        ["--from-platform", "--at", "2024-06-30", "--out", str(tmp_path / "c.csv")],
    ):
        with pytest.raises(SystemExit) as refused:
            audits_candidates_main(bad)
        assert refused.value.code == 2
    assert not (tmp_path / "c.csv").exists()
    assert (
        audits_candidates_main(
            ["--registry", str(tmp_path / "none"), "--at", "2024-06-30", "--out", str(tmp_path / "c.csv")]
        )
        == 1
    )
    assert "registry error" in capsys.readouterr().err


def test_the_console_command_runs_without_secret_key(folder: Path, tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "SEKTORBRO_DEMO", "SEKTORBRO_TESTING")
    }
    env["PYTHONPATH"] = str(PROJECT)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = tmp_path / "c.csv"
    done = subprocess.run(
        [sys.executable, "-m", "sektorbro.cli", "audits", "candidates", "--registry", str(folder), "--at", "2024-06-30",
         "--out", str(out)],
        env=env, capture_output=True, text=True, check=False, cwd=PROJECT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1:] == AT_FOUR


# ---------------------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------------------

DAYS = st.integers(min_value=0, max_value=200)  # days after 01.01.2024


@st.composite
def admissions(draw: st.DrawFn) -> list[Admission]:
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["1", "2", "3", "10", "x"]),
                DAYS,
                st.sampled_from(["730", "791"]),
                st.booleans(),
            ),
            max_size=40,
        )
    )
    start = dt.date(2024, 1, 1)
    return [
        Admission(pid, day * 86400, start + dt.timedelta(days=day), municipality, preventable)
        for pid, day, municipality, preventable in rows
    ]


@given(admissions(), st.integers(min_value=1, max_value=5), st.booleans())
def test_candidates_are_sorted_unique_and_meet_the_threshold(
    rows: list[Admission], minimum: int, preventable_only: bool
) -> None:
    found = find_candidates(rows, min_admissions=minimum, preventable_only=preventable_only)
    ids = [c.person_id for c in found]
    assert len(ids) == len(set(ids))
    keys = [
        (c.municipality_code, (0, int(c.person_id), "") if c.person_id.isdigit() else (1, 0, c.person_id))
        for c in found
    ]
    assert keys == sorted(keys)
    for c in found:
        own = [a for a in rows if a.person_id == c.person_id]
        assert c.admissions == len(own)
        assert (c.preventable_admissions if preventable_only else c.admissions) >= minimum
        assert c.first_admission == min(a.day for a in own) and c.last_admission == max(a.day for a in own)


CONTACT = st.tuples(
    st.sampled_from(["1", "2", "3"]),
    st.integers(min_value=0, max_value=24 * 150),  # start: hours after 01.01.2024 00:00
    st.sampled_from([2, 6, 13, 30, 60]),  # length in hours
    st.sampled_from(["DI509", "DE86"]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CONTACT, max_size=25), st.integers(min_value=1, max_value=3))
def test_registry_candidates_lie_in_the_window(
    contacts: list[tuple[str, int, int, str]], minimum: int
) -> None:
    w = World()
    for pid in ("1", "2", "3"):
        w.person(pid, "1940-01-01", municipality="730" if pid != "3" else "791")
    origin = dt.datetime(2024, 1, 1)
    for i, (pid, hour, length, code) in enumerate(contacts, start=1):
        begin = origin + dt.timedelta(hours=hour)
        end = begin + dt.timedelta(hours=length)
        w.contact(str(i), pid, begin.isoformat(sep=" "), end.isoformat(sep=" "), diagnosis=code)
    first, last = window(dt.date(2024, 4, 15), 3)
    registry = w.registry()
    try:
        rows = registry_admissions(registry, first, last)
    finally:
        registry.close()
    found = find_candidates(rows, min_admissions=minimum)
    assert len({c.person_id for c in found}) == len(found)
    assert found == sorted(found, key=lambda c: (c.municipality_code, int(c.person_id)))
    for c in found:
        assert first <= c.first_admission <= c.last_admission <= last
        assert c.admissions >= minimum
