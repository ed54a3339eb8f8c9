"""Course services: one write path that asks the rules core, refuses clearly, detects conflicts and audits."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.core.models import AuditEvent
from sektorbro.courses import services
from sektorbro.courses.models import CourseEvent
from sektorbro.courses.snapshot import decisions_for
from tests.conftest import CPH

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=CPH)


@pytest.fixture
def course(make_citizen: Any, make_course: Any) -> Any:
    citizen = make_citizen("730", "Else Forløb", gp_key="laege-730-1", receives_elderly_care=True)
    return make_course(citizen, admitted_at=at(3))


def record(user: Any, course: Any, kind: str, when: dt.datetime, **kw: Any) -> Any:
    return services.record_event(actor=user, course=course, event_type=kind, occurred_at=when, **kw)


def test_a_course_plays_out_and_the_municipality_is_billed(course: Any, personas: dict[str, Any]) -> None:
    nurse, visitator = personas["ward_nurse_randers"], personas["visitator_randers"]
    record(nurse, course, "care_plan_sent", at(4))  # the services number the versions
    record(nurse, course, "ready_for_discharge", at(7, 9))
    phone = {"counterpart": "Sygeplejerske Ida Sand", "call_at": at(7, 10, 50).isoformat()}
    record(visitator, course, "discharge_date_agreed", at(7, 11), data={"date": "2025-03-10", **phone})
    record(
        nurse, course, "discharged", at(10, 11), data={"destination": "own_home", "municipal_nursing": True}
    )
    course.refresh_from_db()
    assert course.discharged_at == at(10, 11) and course.ended_at == at(10, 11)
    assert course.discharge_destination == "own_home" and course.municipal_nursing_after_discharge
    result = decisions_for(course, at(11, 12))
    assert result["status"] == "discharged"
    assert result["billable_days"] == 3 and result["billable_amount_dkk"] == 6900.0
    assert result["extended_responsibility_72h"]["applies"] is True
    assert list(course.events.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_refused_transitions_explain_themselves_and_write_nothing(
    course: Any, personas: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    record(nurse, course, "ready_for_discharge", at(5))
    with pytest.raises(DomainError) as err:
        record(nurse, course, "ready_for_discharge", at(6))
    assert err.value.code == "transition_refused" and "behandling genoptaget" in err.value.message
    with pytest.raises(DomainError):
        record(nurse, course, "leave_ended", at(6))
    assert (
        course.events.count() == 2
        and AuditEvent.objects.filter(action="course.ready_for_discharge").count() == 1
    )


def test_weekend_discharge_is_blocked_until_the_agreement_is_recorded(
    course: Any, personas: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    saturday = at(15, 11)
    with pytest.raises(DomainError, match="weekend"):
        record(nurse, course, "discharged", saturday, data={"destination": "own_home"})
    with pytest.raises(DomainError, match="telefon"):  # the hospital alone: who agreed, and when?
        record(
            nurse, course, "weekend_discharge_agreed", at(14, 10), data={"note": "Aftalt med visitationen"}
        )
    record(
        nurse,
        course,
        "weekend_discharge_agreed",
        at(14, 10),
        data={"counterpart": "Visitator Lene Holm", "call_at": at(14, 9, 45).isoformat()},
    )
    record(nurse, course, "discharged", saturday, data={"destination": "own_home"})
    course.refresh_from_db()
    assert course.discharged_at == saturday


def test_a_stale_version_is_a_conflict_and_nothing_is_overwritten(
    course: Any, personas: dict[str, Any]
) -> None:
    nurse, visitator = personas["ward_nurse_randers"], personas["visitator_randers"]
    seen = course.version
    with time_machine.travel(at(5), tick=True):
        record(
            visitator,
            course,
            "discharge_date_proposed",
            at(5),
            data={"date": "2025-03-08"},
            expected_version=seen,
        )
    with pytest.raises(ConflictError):
        record(
            nurse,
            course,
            "discharge_date_agreed",
            at(5, 11),
            data={"date": "2025-03-09"},
            expected_version=seen,
        )
    assert not course.events.filter(type="discharge_date_agreed").exists()


def test_roles_can_only_record_their_own_partys_events(course: Any, personas: dict[str, Any]) -> None:
    with pytest.raises(NotPermitted):
        record(personas["visitator_randers"], course, "ready_for_discharge", at(5))
    with pytest.raises(NotPermitted):
        record(personas["visitator_viborg"], course, "phone_contact_logged", at(5))
    record(personas["gp_randers"], course, "phone_contact_logged", at(5), data={"with": "afdelingen"})


def test_cancellation_undoes_exactly_the_cancelled_event(course: Any, personas: dict[str, Any]) -> None:
    nurse = personas["ward_nurse_randers"]
    discharge = record(nurse, course, "discharged", at(6), data={"destination": "own_home"})
    course.refresh_from_db()
    assert course.ended_at is not None
    record(nurse, course, "cancelled", at(6, 12), supersedes=discharge, data={"reason": "wrong patient"})
    course.refresh_from_db()
    assert course.ended_at is None and course.discharged_at is None
    assert decisions_for(course, at(7))["status"] == "admitted"
    assert CourseEvent.objects.filter(course=course).count() == 3  # nothing deleted


def test_every_write_has_an_audit_row_in_the_same_transaction(course: Any, personas: dict[str, Any]) -> None:
    event = record(personas["ward_nurse_randers"], course, "fmk_updated", at(5))
    row = AuditEvent.objects.get(action="course.fmk_updated")
    assert row.subject_id == str(course.public_id) and row.data["seq"] == event.seq
    assert row.actor_label == "ward.randers"


def test_the_rules_command_evaluates_a_scenario_file(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "elderly-home-nursing-billable.json"
    out = StringIO()
    call_command("rules", "evaluate", str(example), stdout=out)
    assert json.loads(out.getvalue())["billable_days"] == 3
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "at": "2025-01-01T10:00:00+01:00",
                "course": {"area": "x", "admitted_at": "2025-01-01T09:00:00+01:00"},
            }
        )
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("rules", "evaluate", str(bad), stdout=StringIO(), stderr=err)
    assert "course.area" in err.getvalue()


def test_api_course_detail_and_posting_events(login: Any, course: Any, personas: dict[str, Any]) -> None:
    client = login(personas["ward_nurse_randers"])
    listing = client.get("/api/v1/courses/").json()
    assert [c["id"] for c in listing["items"]] == [str(course.public_id)]
    detail = client.get(f"/api/v1/courses/{course.public_id}/").json()
    assert detail["status"] == "admitted" and detail["decisions"]["responsible_doctor"]["party"] == "hospital"
    body = {
        "type": "ready_for_discharge",
        "occurred_at": "2025-03-05T09:00:00+01:00",
        "expected_version": detail["version"],
    }
    created = client.post(
        f"/api/v1/courses/{course.public_id}/events/", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["seq"] == 2
    again = client.post(
        f"/api/v1/courses/{course.public_id}/events/", json.dumps(body), content_type="application/json"
    )
    assert again.status_code == 409
    body["expected_version"] = created_version = detail["version"] + 1
    refused = client.post(
        f"/api/v1/courses/{course.public_id}/events/", json.dumps(body), content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "transition_refused"
    assert created_version == course.__class__.objects.get(pk=course.pk).version
    other = login(personas["visitator_viborg"]).get(f"/api/v1/courses/{course.public_id}/")
    assert other.status_code == 404


def test_care_plans_are_versioned_and_updates_mark_their_changes(
    course: Any, personas: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    first = record(nurse, course, "care_plan_sent", at(4))
    assert first.data["version"] == 1
    with pytest.raises(DomainError) as err:
        record(nurse, course, "care_plan_sent", at(5))
    assert err.value.field == "changes"
    with pytest.raises(DomainError):
        record(nurse, course, "care_plan_sent", at(5), data={"changes": [{"dato": "2025-03-05", "nyt": " "}]})
    second = record(
        nurse,
        course,
        "care_plan_sent",
        at(5),
        data={"changes": [{"dato": "2025-03-05", "nyt": "Behov for lift"}]},
    )
    assert second.data["version"] == 2 and second.data["changes"][0]["nyt"] == "Behov for lift"
