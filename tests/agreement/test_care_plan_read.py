"""The municipality marks the latest care plan (and its NYT changes) read: ``care_plan_acknowledged``."""

from __future__ import annotations

from sektorbro.agreement.rules import care_plan_to_acknowledge, check_transition
from sektorbro.courses.state import care_plan_summary
from tests.agreement.helpers import course, ev, t

PLAN = ev("care_plan_sent", "2025-03-04 10:00")
UPDATE = ev("care_plan_sent", "2025-03-05 09:00", changes=[{"dato": "05.03.2025", "nyt": "Ilt om natten"}])


def allowed(events: list, **data: object) -> bool:
    return check_transition(course(events), "care_plan_acknowledged", t("2025-03-05 12:00"), data=data).value


def test_only_a_received_care_plan_can_be_marked_read_and_only_once() -> None:
    admitted = ev("admitted", "2025-03-03 10:00")
    assert not allowed([admitted])  # nothing to read
    assert allowed([admitted, PLAN]) and allowed([admitted, PLAN], ref_seq=2)
    read = ev("care_plan_acknowledged", "2025-03-04 11:00", ref_seq=2)
    assert not allowed([admitted, PLAN, read])  # already read
    assert allowed([admitted, PLAN, read, UPDATE], ref_seq=4)  # a new version is unread again
    assert not allowed([admitted, PLAN, read, UPDATE], ref_seq=2)  # only the latest plan


def test_the_refusal_says_why_in_danish_and_english() -> None:
    decision = check_transition(
        course([ev("admitted", "2025-03-03 10:00")]), "care_plan_acknowledged", t("2025-03-05 12:00")
    )
    assert "plejeforløbsplan" in decision.reasons[0].da and "care plan" in decision.reasons[0].en


def test_the_plan_to_acknowledge_is_the_latest_unread_one() -> None:
    events = list(course([ev("admitted", "2025-03-03 10:00"), PLAN, UPDATE]).events)
    assert care_plan_to_acknowledge(events) == events[2]
    read = ev("care_plan_acknowledged", "2025-03-05 10:00", ref_seq=3)
    assert care_plan_to_acknowledge([*events, read]) is None


def test_the_worklist_summary_drops_the_nyt_lines_once_the_plan_is_read() -> None:
    events = list(course([ev("admitted", "2025-03-03 10:00"), PLAN, UPDATE]).events)
    unread = care_plan_summary(events)
    assert unread is not None and unread["changes"] == [{"dato": "05.03.2025", "nyt": "Ilt om natten"}]
    assert unread["acknowledged_at"] is None
    read = care_plan_summary([*events, ev("care_plan_acknowledged", "2025-03-05 10:00", ref_seq=3)])
    assert read is not None and read["changes"] == [] and read["versions"] == 2
    assert read["acknowledged_at"] == t("2025-03-05 10:00").isoformat()
    # Reading an earlier version does not hide the changes of a later one.
    earlier = care_plan_summary(
        [*events[:2], ev("care_plan_acknowledged", "2025-03-04 11:00", ref_seq=2), events[2]]
    )
    assert earlier is not None and earlier["changes"] != []
