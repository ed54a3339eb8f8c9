from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sektorbro.courses import services
from sektorbro.workspace.worklists import worklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(make_citizen: Any, make_course: Any, personas: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    waiting = make_course(
        make_citizen("730", "Venter Færdig", receives_elderly_care=True),
        admitted_at=now - dt.timedelta(days=6),
    )
    services.record_event(
        actor=None,
        course=waiting,
        event_type="ready_for_discharge",
        occurred_at=now - dt.timedelta(days=3),
        source="demo",
    )
    services.record_event(actor=None, course=waiting, event_type="discharge_date_agreed", occurred_at=now - dt.timedelta(days=3), data={"date": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, source="demo")  # fmt: skip
    fresh = make_course(
        make_citizen("730", "Ny Indlagt", receives_elderly_care=True), admitted_at=now - dt.timedelta(hours=2)
    )
    home = make_course(
        make_citizen("730", "Hjemme Igen", receives_elderly_care=True), admitted_at=now - dt.timedelta(days=5)
    )
    services.record_event(
        actor=None,
        course=home,
        event_type="ready_for_discharge",
        occurred_at=now - dt.timedelta(days=2),
        source="demo",
    )
    services.record_event(actor=None, course=home, event_type="discharged", occurred_at=now - dt.timedelta(hours=20), data={"destination": "nursing_home"}, source="demo")  # fmt: skip
    return {"waiting": waiting, "fresh": fresh, "home": home}


def names(rows: list[Any]) -> list[str]:
    return [r.course.citizen.name for r in rows]


def test_the_municipal_worklist_shows_days_accruing_tasks_and_the_72_hour_window(
    courses: dict[str, Any], personas: dict[str, Any]
) -> None:
    wl = worklist(personas["visitator_randers"])
    assert names(wl["admitted"])[0] == "Venter Færdig"  # overdue admission report first
    waiting = wl["admitted"][0]
    assert waiting.decisions["billing"]["accruing_days"] == 3 and waiting.decisions["billable_days"] == 3
    assert {t["party"] for t in waiting.tasks} <= {"municipality", "hospital+municipality"}
    assert names(wl["window_72h"]) == ["Hjemme Igen"]


def test_the_ward_worklist_filters_by_ward_and_polls(
    courses: dict[str, Any], personas: dict[str, Any], login: Any
) -> None:
    wl = worklist(personas["ward_nurse_randers"], ward="rhr-medicin")
    assert set(names(wl["admitted"])) == {"Venter Færdig", "Ny Indlagt"}
    assert worklist(personas["ward_nurse_randers"], ward="rhr-akut")["admitted"] == []
    body = login(personas["ward_nurse_randers"]).get("/arbejdsliste/?afsnit=rhr-medicin").content.decode()
    assert 'hx-trigger="every 60s"' in body and "Venter Færdig" in body


def test_the_gp_and_outsiders(courses: dict[str, Any], personas: dict[str, Any]) -> None:
    assert worklist(personas["gp_randers"])["admitted"] == []  # none of them are listed with this clinic
    assert worklist(personas["visitator_viborg"])["admitted"] == []
