"""Stays and admissions: the 4-hour and 12-hour boundaries, transfers, nesting, and a property test against a
plain-Python reference."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sektorbro.indicators.engine import stays
from sektorbro.indicators.model import StayRules
from tests.indicators.builders import World


def stays_of(world: World, rules: StayRules | None = None) -> pd.DataFrame:
    registry = world.registry(strict=True)
    try:
        return stays(registry, rules=rules)
    finally:
        registry.close()


def test_contacts_four_hours_apart_join_and_four_hours_one_minute_do_not() -> None:
    w = World().person("A", "1950-01-01").person("B", "1950-01-01")
    w.contact("A1", "A", "2024-03-01 08:00", "2024-03-01 12:00").contact(
        "A2", "A", "2024-03-01 16:00", "2024-03-01 21:00"
    )
    w.contact("B1", "B", "2024-03-01 08:00", "2024-03-01 12:00").contact(
        "B2", "B", "2024-03-01 16:01", "2024-03-01 21:01"
    )
    frame = stays_of(w)
    assert [(r.person_id, r.hours, r.admission) for r in frame.itertuples()] == [
        ("A", 13.0, True), ("B", 4.0, False), ("B", 5.0, False),
    ]  # fmt: skip
    # with a 5-hour gap both join
    assert len(stays_of(w, StayRules(gap_hours=5))) == 2


def test_twelve_hours_is_an_admission_and_eleven_fiftynine_is_not() -> None:
    w = World().person("A", "1950-01-01")
    w.contact("A1", "A", "2024-03-01 08:00", "2024-03-01 19:59").contact(
        "A2", "A", "2024-03-05 08:00", "2024-03-05 20:00"
    )
    frame = stays_of(w)
    assert list(frame.admission) == [False, True]
    assert list(stays_of(w, StayRules(admission_hours=11.9)).admission) == [True, True]


def test_a_transfer_is_one_stay_across_hospitals_with_first_and_last_contact_attributes() -> None:
    w = World().person("A", "1950-01-01")
    w.contact(
        "A1", "A", "2024-03-01 08:00", "2024-03-02 08:00", hospital="rhr", diagnosis="DJ189", mode="transfer"
    )
    w.contact(
        "A2", "A", "2024-03-02 09:30", "2024-03-05 08:00", hospital="auh", diagnosis="DI219", priority="ATA3"
    )
    (row,) = stays_of(w).itertuples()
    assert (row.first_hospital, row.last_hospital, row.last_mode) == ("rhr", "auh", "home")
    assert (row.action_diagnosis, row.priority, row.acute, row.hours) == ("DJ189", "ATA1", True, 96.0)
    (longest,) = stays_of(w, StayRules(attributes_from="longest")).itertuples()
    assert (longest.action_diagnosis, longest.priority) == ("DI219", "ATA3")


def test_a_contact_inside_a_longer_one_does_not_end_the_stay() -> None:
    w = World().person("A", "1950-01-01")
    w.contact("A1", "A", "2024-03-01 08:00", "2024-03-06 08:00", mode="died")
    w.contact("A2", "A", "2024-03-02 08:00", "2024-03-02 09:00", hospital="auh")  # nested
    w.contact("A3", "A", "2024-03-04 08:00", "2024-03-04 09:00", hospital="hem")  # after the nested one ended
    (row,) = stays_of(w).itertuples()
    assert (row.hours, row.last_mode, row.last_hospital) == (120.0, "died", "rhr")


def test_virtual_contacts_and_planned_outpatient_stays_are_not_kept() -> None:
    w = World().person("A", "1950-01-01")
    w.contact("A1", "A", "2024-03-01 08:00", "2024-03-02 08:00", kind="ALCA03")
    w.contact("A2", "A", "2024-03-05 08:00", "2024-03-05 09:00", priority="ATA3")
    assert stays_of(w).empty


def test_cancer_and_birth_codes_are_found_in_any_diagnosis_of_the_stay() -> None:
    w = World().person("A", "1990-01-01")
    w.contact("A1", "A", "2024-03-01 08:00", "2024-03-02 08:00", mode="transfer")
    w.contact("A2", "A", "2024-03-02 08:00", "2024-03-03 08:00", diagnosis="DO800")
    w.secondary("A1", "DD051")
    (row,) = stays_of(w).itertuples()
    assert (row.any_cancer, row.any_birth, row.age) == (True, True, 34)


# --- property test: the engine agrees with a plain-Python merge ----------------------------------------------

FIRST = dt.datetime(2024, 3, 1)  # Danish local time; no change to summer time in the 6 days drawn
QUARTER = dt.timedelta(minutes=15)

contact_lists = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.integers(0, 6 * 24 * 4),  # start, in quarter hours
        st.integers(0, 30 * 4),  # length, in quarter hours (up to 30 hours)
        st.booleans(),  # acute
    ),
    min_size=1,
    max_size=12,
)


def reference(
    contacts: list[tuple[str, int, int, bool, str]], gap: int, admission: int
) -> list[tuple[str, int, int, bool]]:
    """Per person, sort the contacts (by start, end and contact id, as the engine does) and join each one that
    starts at most ``gap`` after the latest end so far; keep admissions and acute stays (acute = the first
    contact's priority)."""
    out = []
    for person in sorted({c[0] for c in contacts}):
        rows = sorted((start, end, key, acute) for p, start, end, acute, key in contacts if p == person)
        stay: list[int] = []
        acute_stay = False
        for start, end, _key, acute in rows:
            if stay and start <= stay[1] + gap:
                stay[1] = max(stay[1], end)
                continue
            if stay:
                out.append((person, stay[0], stay[1], acute_stay))
            stay, acute_stay = [start, end], acute
        out.append((person, stay[0], stay[1], acute_stay))
    return [s for s in out if s[2] - s[1] >= admission or s[3]]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contact_lists)
def test_stays_match_a_plain_python_merge(contacts: list[tuple[str, int, int, bool]]) -> None:
    w = World().person("A", "1950-01-01").person("B", "1960-01-01")
    for i, (person, quarter, length, acute) in enumerate(contacts):
        start = FIRST + quarter * QUARTER
        end = start + length * QUARTER
        w.contact(
            f"K{i}", person, start.isoformat(" "), end.isoformat(" "), priority="ATA1" if acute else "ATA3"
        )
    written = [
        (
            c["person_id"],
            int(dt.datetime.fromisoformat(c["start"]).timestamp()),
            int(dt.datetime.fromisoformat(c["end"]).timestamp()),
            c["priority"] == "ATA1",
            c["contact_id"],
        )
        for c in w.contacts
    ]
    got = [(r.person_id, int(r.start_s), int(r.end_s), bool(r.acute)) for r in stays_of(w).itertuples()]
    assert got == reference(written, 4 * 3600, 12 * 3600)
