"""The færdigbehandlet registration's checklist (aftalen 2.1) and the named patient-responsible doctor (aftalen
2.2) on the course page: the ward records them with the event form, the municipality sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from sektorbro.courses.event_data import EventDataProblem, check_event_data
from sektorbro.courses.models import CourseEvent
from tests.conftest import CPH

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(make_citizen: Any, make_course: Any) -> Any:
    citizen = make_citizen("730", "Else Liste", gp_key="laege-730-1", receives_elderly_care=True)
    return make_course(citizen, admitted_at=dt.datetime(2026, 11, 16, 10, 0, tzinfo=CPH))


def test_the_event_form_offers_the_checklist_only_for_a_ready_registration(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    page = login(personas["ward_nurse_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    for name in (
        "fmk_updated",
        "rehab_plan_made",
        "patient_informed",
        "discharge_time_agreed",
        "waiting_for",
    ):
        assert f'name="{name}"' in page
    assert page.count('data-for-type="ready_for_discharge"') == 6
    assert 'data-for-type="admitted transferred ready_for_discharge treatment_resumed"' in page


def test_the_ward_records_the_checklist_and_the_municipality_sees_it(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    url = f"/forloeb/{course.public_id}/haendelse/"
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=CPH), tick=False):
        done = login(personas["ward_nurse_randers"]).post(
            url,
            {
                "type": "ready_for_discharge",
                "occurred_at": "2026-11-20T09:00",
                "version": course.version,
                "fmk_updated": "on",
                "patient_informed": "on",
                "waiting_for": "nursing_home",
                "waiting_reason": "Plejehjemsplads fra 25.11.",
                "responsible_doctor": "Overlæge Anne Berg",
            },
        )
        assert done.status_code == 302
        event = CourseEvent.objects.get(course=course, type="ready_for_discharge")
        assert event.data == {
            "fmk_updated": True,
            "rehab_plan_made": False,
            "patient_informed": True,
            "discharge_time_agreed": False,
            "waiting_for": "nursing_home",
            "waiting_reason": "Plejehjemsplads fra 25.11.",
            "responsible_doctor": "Overlæge Anne Berg",
        }
        worklist = login(personas["ward_nurse_randers"]).get("/").content.decode()
        page = login(personas["visitator_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    assert "Overlæge Anne Berg" in worklist  # the named doctor in the worklist's responsible-doctor column
    assert "☑ FMK er ajourført" in page and "☐ Udskrivelsestidspunktet er aftalt med kommunen" in page
    assert "Plejehjemsplads fra 25.11." in page and "en plejehjemsplads" in page
    assert "Overlæge Anne Berg" in page  # the named doctor, in the decision and on the timeline


def test_the_waiting_reason_belongs_to_a_ready_registration_only(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    wrong = login(personas["ward_nurse_randers"]).post(
        f"/forloeb/{course.public_id}/haendelse/",
        {"type": "fmk_updated", "occurred_at": "2026-11-20T09:00", "version": course.version,
         "waiting_reason": "x", "responsible_doctor": "Overlæge Anne Berg"},
    )  # fmt: skip
    assert wrong.status_code == 400
    assert not CourseEvent.objects.filter(course=course, type="fmk_updated").exists()


def test_the_event_data_schema_checks_the_checklist() -> None:
    ok = check_event_data("ready_for_discharge", {"fmk_updated": True, "waiting_for": "home_measures"})
    assert ok == {"fmk_updated": True, "waiting_for": "home_measures"}
    with pytest.raises(EventDataProblem) as err:
        check_event_data("ready_for_discharge", {"fmk_updated": "yes"})
    assert err.value.field == "data.fmk_updated"
    with pytest.raises(EventDataProblem) as err:
        check_event_data("ready_for_discharge", {"waiting_for": "a bed"})
    assert err.value.code == "not_choice"
    assert check_event_data("admitted", {"responsible_doctor": "Overlæge Anne Berg"})
    with pytest.raises(EventDataProblem):
        check_event_data("fmk_updated", {"responsible_doctor": "Overlæge Anne Berg"})


def test_the_municipality_is_not_offered_the_hospitals_fields(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    page = login(personas["visitator_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    assert 'name="waiting_for"' not in page and 'name="responsible_doctor"' not in page
