"""The stored course state is a pure function of the rules core's evaluate() output (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.agreement import rules
from sektorbro.agreement.evaluate import evaluate
from sektorbro.agreement.model import AcuteFunction, CitizenFacts, Event
from sektorbro.courses.state import HOSPITAL_PARTIES, MUNICIPAL_PARTIES, STATE_FIELDS, derive_state
from tests.agreement.helpers import course, t

KINDS = [
    "admission_report_sent",
    "ready_for_discharge",
    "treatment_resumed",
    "leave_started",
    "leave_ended",
    "discharge_date_agreed",
    "discharge_report_sent",
    "discharged",
    "died",
    "care_plan_sent",
]


def _history(steps: list[tuple[str, int]]) -> tuple[list[Event], dt.datetime]:
    events: list[Event] = []
    moment = t("2025-03-03 10:00")
    for kind, hours in steps:
        moment += dt.timedelta(hours=hours)
        day = (moment + dt.timedelta(days=1)).date() if kind == "discharge_date_agreed" else None
        event = Event(kind, moment, day, None, {})
        if rules.check_transition(course(events), kind, moment, source="message").value:
            events.append(event)
    return events, moment


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(KINDS), st.integers(1, 50)), max_size=10),
    st.integers(0, 24 * 8),
    st.sampled_from([None, "gp", "out_of_hours", "hospital"]),
    st.booleans(),
)
def test_the_stored_state_agrees_with_evaluate(
    steps: list[tuple[str, int]], later: int, referred_by: str | None, elderly: bool
) -> None:
    events, last = _history(steps)
    at = last + dt.timedelta(hours=later)
    acute = AcuteFunction(referred_by=referred_by, since=t("2025-03-01 08:00")) if referred_by else None
    snapshot = course(events, citizen=CitizenFacts(elderly_care=elderly, acute_function=acute))
    decisions = evaluate(snapshot, at)
    state = derive_state(decisions)

    assert set(state) == set(STATE_FIELDS)
    assert state["state_status"] == decisions["status"]
    assert state["state_evaluated_at"] == at
    tasks = decisions["tasks"]
    assert [(s["code"], s["party"], s["due"]) for s in state["state_tasks"]] == [
        (x["code"], x["party"], x["due"]) for x in tasks
    ]
    # "Overdue" is decided at read time from the stored due time; it must agree with the rules core.
    for stored, task in zip(state["state_tasks"], tasks, strict=True):
        due = dt.datetime.fromisoformat(stored["due"]) if stored["due"] else None
        assert (due is not None and due < at) == task["overdue"], task

    def earliest(parties: frozenset[str] | None) -> dt.datetime | None:
        dues = [
            dt.datetime.fromisoformat(x["due"])
            for x in tasks
            if x["due"] and (parties is None or x["party"] in parties)
        ]
        return min(dues) if dues else None

    assert state["state_next_due"] == earliest(None)
    assert state["state_hospital_due"] == earliest(HOSPITAL_PARTIES)
    assert state["state_municipality_due"] == earliest(MUNICIPAL_PARTIES)
    window = decisions["extended_responsibility_72h"]
    assert (state["state_window_until"] is not None) == bool(window["active"] and window["until"])
    ready = decisions["ready_for_discharge"]["date"]
    assert state["state_ready_since"] == (dt.date.fromisoformat(ready) if ready else None)
    assert state["state_doctor"]["party"] == decisions["responsible_doctor"]["party"]
    assert state["state_doctor"]["phone_route"] == decisions["responsible_doctor"]["phone_route"]
    assert state["state_billing"]["billable_days"] == decisions["billable_days"]


@pytest.mark.django_db
def test_the_migration_fill_gives_existing_courses_their_state(make_citizen: Any, make_course: Any) -> None:
    from django.apps import apps

    from sektorbro.courses.migrations import _fill
    from sektorbro.courses.models import Course
    from sektorbro.courses.services import record_event

    course = make_course(make_citizen("730", receives_elderly_care=True))
    record_event(
        actor=None, course=course, event_type="care_plan_sent", occurred_at=course.admitted_at, source="demo"
    )
    Course.objects.update(state_status="", state_tasks=[], state_documents={})

    _fill.fill(apps, None)

    course.refresh_from_db()
    assert course.state_status == "admitted" and course.state_tasks
    assert course.state_documents["care_plan"]["versions"] == 1
    assert "admission_report" in course.state_documents["missing"]
