"""The municipality marks a received care plan read on the course page; its NYT lines leave the worklist's
care-plan column and stay on the course's timeline. Only the citizen's municipality may do it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.courses import services
from sektorbro.courses.event_data import EventDataProblem, check_event_data
from sektorbro.workspace.worklists import worklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(make_citizen: Any, make_course: Any, personas: dict[str, Any]) -> Any:
    now = timezone.now()
    course = make_course(
        make_citizen("730", "Plan Læst", receives_elderly_care=True), admitted_at=now - dt.timedelta(days=2)
    )
    services.record_event(
        actor=personas["ward_nurse_randers"], course=course, event_type="care_plan_sent",
        occurred_at=now - dt.timedelta(hours=2),
        data={"changes": [{"dato": "06.12.2026", "nyt": "Har nu brug for ilt om natten"}]},
    )  # fmt: skip
    course.refresh_from_db()
    return course


def test_the_schema_takes_a_reference_to_the_plan_only() -> None:
    assert check_event_data("care_plan_acknowledged", {"ref_seq": 3}) == {"ref_seq": 3}
    with pytest.raises(EventDataProblem):
        check_event_data("care_plan_acknowledged", {"ref_seq": "x"})
    with pytest.raises(EventDataProblem):
        check_event_data("care_plan_acknowledged", {"changes": []})


def test_the_municipality_marks_the_plan_read_and_the_nyt_lines_leave_the_worklist(
    course: Any, personas: dict[str, Any], login: Any
) -> None:
    visitator = personas["visitator_randers"]
    client = login(visitator)
    page = client.get(f"/forloeb/{course.public_id}/").content.decode()
    assert 'id="care-plan-read-button"' in page
    plan = course.events.get(type="care_plan_sent")
    response = client.post(
        f"/forloeb/{course.public_id}/haendelse/",
        {"type": "care_plan_acknowledged", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
         "ref_seq": plan.seq, "version": course.version},
    )  # fmt: skip
    assert response.status_code == 302
    event = course.events.get(type="care_plan_acknowledged")
    assert event.data == {"ref_seq": plan.seq}
    [row] = [r for r in worklist(visitator)["admitted"] if r.course.pk == course.pk]
    assert row.care_plan is not None and row.care_plan["changes"] == [] and row.care_plan["acknowledged_at"]
    assert "Har nu brug for ilt om natten" not in client.get("/arbejdsliste/").content.decode()
    after = client.get(f"/forloeb/{course.public_id}/").content.decode()
    assert 'id="care-plan-read-button"' not in after
    assert "Har nu brug for ilt om natten" in after  # the timeline keeps the change


def test_the_hospital_cannot_mark_its_own_plan_read_nor_twice(course: Any, personas: dict[str, Any]) -> None:
    page_ward = personas["ward_nurse_randers"]
    with pytest.raises(NotPermitted):
        services.record_event(
            actor=page_ward, course=course, event_type="care_plan_acknowledged", occurred_at=timezone.now()
        )
    services.record_event(
        actor=personas["visitator_randers"], course=course, event_type="care_plan_acknowledged",
        occurred_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(DomainError):
        services.record_event(
            actor=personas["visitator_randers"], course=course, event_type="care_plan_acknowledged",
            occurred_at=timezone.now(),
        )  # fmt: skip
