"""A proposed discharge date that nobody has answered is the other party's task (aftalen 2.1: the discharge
date is agreed between hospital and municipality)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sektorbro.agreement import rules
from sektorbro.agreement.model import CitizenFacts
from tests.agreement.helpers import agreed, course, ev, t

AT = t("2025-03-06 09:00")


def proposal_alerts(snapshot: object) -> list[object]:
    return [a for a in rules.alerts(snapshot, AT) if a.rule == "discharge_date_proposed"]  # type: ignore[arg-type]


def test_a_hospital_proposal_is_the_municipalitys_to_answer() -> None:
    snap = course([ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-07", by="hospital")])
    [alert] = proposal_alerts(snap)
    assert alert.party == "municipality"  # type: ignore[attr-defined]
    assert alert.source == "aftalen 2.1"  # type: ignore[attr-defined]
    assert "07.03.2025" in alert.text.da and "accept it or propose another" in alert.text.en  # type: ignore[attr-defined]


def test_a_municipal_counter_proposal_goes_back_to_the_hospital() -> None:
    snap = course(
        [
            ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-07", by="hospital"),
            ev("discharge_date_proposed", "2025-03-05 13:00", date="2025-03-10", by="municipality"),
        ]
    )
    [alert] = proposal_alerts(snap)
    assert alert.party == "hospital"  # type: ignore[attr-defined]
    assert "10.03.2025" in alert.text.da  # type: ignore[attr-defined]


def test_an_agreed_date_answers_the_proposal_and_a_later_proposal_reopens_it() -> None:
    answered = [
        ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-07", by="hospital"),
        agreed("2025-03-05 11:00", date="2025-03-07"),
    ]
    assert proposal_alerts(course(answered)) == []
    reopened = [
        *answered,
        ev("discharge_date_proposed", "2025-03-05 15:00", date="2025-03-08", by="hospital"),
    ]
    assert len(proposal_alerts(course(reopened))) == 1


def test_no_proposal_task_after_the_discharge() -> None:
    snap = course(
        [
            ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-06", by="hospital"),
            ev("discharged", "2025-03-06 08:00", destination="own_home"),
        ]
    )
    assert proposal_alerts(snap) == []


def test_the_proposal_becomes_a_task_for_the_answering_party() -> None:
    snap = course(
        [ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-07", by="hospital")],
        citizen=CitizenFacts(elderly_care=True),
    )
    tasks = [x for x in rules.tasks(snap, AT) if x.code == "alert:discharge_date_proposed"]
    assert [x.party for x in tasks] == ["municipality"]


@given(st.lists(st.sampled_from(["proposed", "agreed"]), min_size=1, max_size=8))
def test_there_is_a_proposal_task_exactly_when_the_last_date_event_is_a_proposal(kinds: list[str]) -> None:
    events = [
        ev("discharge_date_proposed", f"2025-03-05 {10 + n:02d}:00", date="2025-03-07", by="hospital")
        if kind == "proposed"
        else agreed(f"2025-03-05 {10 + n:02d}:00", date="2025-03-07")
        for n, kind in enumerate(kinds)
    ]
    assert bool(proposal_alerts(course(events))) == (kinds[-1] == "proposed")
