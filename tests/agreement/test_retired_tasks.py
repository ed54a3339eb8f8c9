"""Only work someone can still do is a task: after a discharge or death, work that belonged before the
discharge (P04, P05, P09, A02, P10, P13, P14 and their documents) is retired and listed as missed, while the
reading rules and the documents that follow a discharge stay open (sektorbro.agreement.tasks.BEFORE_DISCHARGE)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.agreement import rules
from sektorbro.agreement.evaluate import evaluate
from sektorbro.agreement.model import CitizenFacts, CourseSnapshot, Event, Task
from sektorbro.agreement.tasks import BEFORE_DISCHARGE, BEFORE_DISCHARGE_DOCUMENTS
from tests.agreement.helpers import agreed, course, ev, t

ELDERLY = CitizenFacts(elderly_care=True)


def codes(tasks: list[Task]) -> set[str]:
    return {task.code for task in tasks}


def weekend_discharge_without_anything() -> CourseSnapshot:
    """Elderly care, admitted Monday 03.03.2025, ready Thursday, discharged on Saturday 08.03 by a message
    (no weekend agreement, no care plan, no admission report, no phone call)."""
    return course(
        [
            ev("ready_for_discharge", "2025-03-06 09:00"),
            agreed("2025-03-06 10:00", date="2025-03-08"),
            ev("discharged", "2025-03-08 11:00", destination="own_home"),
        ],
        citizen=ELDERLY,
    )


def test_before_the_discharge_the_same_work_is_open_and_overdue() -> None:
    snap = weekend_discharge_without_anything()
    before = rules.tasks(snap, t("2025-03-08 10:30"))
    assert {"deadline:P04", "deadline:P10", "deadline:P13"} <= codes(before)
    assert rules.missed(snap, t("2025-03-08 10:30")) == []


def test_after_the_discharge_before_discharge_work_is_missed_not_open() -> None:
    snap = weekend_discharge_without_anything()
    after = rules.tasks(snap, t("2025-03-08 12:00"))
    gone = rules.missed(snap, t("2025-03-08 12:00"))
    assert not {"deadline:P04", "deadline:P10", "deadline:P13", "deadline:P14"} & codes(after)
    assert {"deadline:P04", "deadline:P10", "deadline:P13", "deadline:P14"} <= codes(gone)
    assert all(task.overdue is False for task in gone)  # history, not red
    # The municipality has nothing left it could do about its P04.
    assert not [task for task in after if task.party == "municipality" and task.rule == "P04"]
    # What follows a discharge is still work: the discharge report, FMK, the epikrise and S02.
    assert {
        "document:discharge_report",
        "document:fmk_update",
        "document:discharge_summary",
        "alert:S02",
    } <= codes(after)


def test_after_a_death_in_hospital_the_admission_report_is_missed() -> None:
    snap = course([ev("died", "2025-03-03 20:00")], citizen=ELDERLY)
    assert "deadline:P04" not in codes(rules.tasks(snap, t("2025-03-05 12:00")))
    assert codes(rules.missed(snap, t("2025-03-05 12:00"))) == {"deadline:P04"}


def test_a_letter_still_has_to_be_read_after_the_discharge() -> None:
    snap = course(
        [
            ev("correspondence_sent", "2025-03-04 10:00", to="hospital"),
            ev("discharged", "2025-03-04 12:00", destination="own_home"),
        ]
    )
    assert "deadline:P18" in codes(rules.tasks(snap, t("2025-03-04 16:00")))


def test_evaluate_lists_the_missed_work_and_the_discharge_date() -> None:
    snap = weekend_discharge_without_anything()
    result = evaluate(snap, t("2025-03-08 12:00"))
    assert "deadline:P13" in {m["code"] for m in result["missed"]}
    assert "deadline:P13" not in {m["code"] for m in result["tasks"]}
    agreed_date = result["discharge_date"]["agreed"]
    assert agreed_date["date"] == "2025-03-08" and agreed_date["how"] == "phone"
    assert agreed_date["counterpart"] == "Visitator Lene Holm"


def test_discharge_date_status_names_who_proposed_and_who_accepted() -> None:
    proposed = course([ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-07", by="hospital")])
    status = rules.discharge_date_status(proposed, t("2025-03-06 09:00"))
    assert status["agreed"] is None
    assert status["proposal"] == {"date": "2025-03-07", "by": "hospital", "seq": 1, "passed": False}
    stale = rules.discharge_date_status(proposed, t("2025-03-08 09:00"))
    assert stale["proposal"]["passed"] is True
    accepted = course(
        [
            ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-07", by="hospital"),
            ev("discharge_date_accepted", "2025-03-05 11:00", ref_seq=1, by="municipality"),
        ]
    )
    status = rules.discharge_date_status(accepted, t("2025-03-06 09:00"))
    assert status["proposal"] is None
    assert status["agreed"]["date"] == "2025-03-07"
    assert (status["agreed"]["proposed_by"], status["agreed"]["accepted_by"]) == ("hospital", "municipality")


@settings(max_examples=80, deadline=None)
@given(
    elderly=st.booleans(),
    track=st.sampled_from(["acute", "planned"]),
    stay=st.integers(1, 24 * 8),
    kinds=st.lists(
        st.sampled_from(["ready_for_discharge", "care_plan_sent", "phone_contact_logged", "fmk_updated"]),
        max_size=4,
    ),
    died=st.booleans(),
    after=st.integers(0, 24 * 4),
)
def test_after_the_end_no_open_task_is_work_before_the_discharge(
    elderly: bool, track: str, stay: int, kinds: list[str], died: bool, after: int
) -> None:
    start = t("2025-03-03 10:00")
    end = start + dt.timedelta(hours=stay)
    steps = [
        Event(kind, start + dt.timedelta(hours=stay * (i + 1) / (len(kinds) + 2)))
        for i, kind in enumerate(kinds)
    ]
    ending = Event("died", end) if died else Event("discharged", end, data={"destination": "own_home"})
    snap = course([*steps, ending], track=track, citizen=CitizenFacts(elderly_care=elderly))
    moment = end + dt.timedelta(hours=after)
    open_work, gone = rules.tasks(snap, moment), rules.missed(snap, moment)
    for task in open_work:
        kind, _, name = task.code.partition(":")
        assert not (kind == "deadline" and name in BEFORE_DISCHARGE)
        assert not (kind == "document" and name in BEFORE_DISCHARGE_DOCUMENTS)
    assert all(not task.overdue for task in gone)
    assert not codes(open_work) & codes(gone)
