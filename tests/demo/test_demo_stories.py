"""The demo's scripted courses: every situation a newcomer should find, made once."""

from __future__ import annotations

import pytest

from sektorbro.courses.models import Course
from sektorbro.demo.region import build_demo
from sektorbro.demo.stories import SCRIPTED

pytestmark = pytest.mark.django_db


def _course(name: str) -> Course:
    return Course.objects.get(citizen__name=name, citizen__residence_municipality__code="730")


def test_the_demo_has_every_status_and_the_hard_cases() -> None:
    build_demo(citizens=19)
    statuses = set(Course.objects.values_list("state_status", flat=True))
    assert {
        "admitted",
        "on_leave",
        "ready_for_discharge",
        "treatment_resumed",
        "dead",
        "discharged",
    } <= statuses
    plan = _course("Karen Friis").state_documents["care_plan"]
    assert plan["versions"] == 2 and "ilt om natten" in plan["changes"][0]["nyt"]
    weekend = {t["code"] for t in _course("Edith Lund").state_tasks}
    assert any("P13" in code for code in weekend), weekend
    edith = _course("Edith Lund")
    ready = edith.events.get(
        type="ready_for_discharge"
    )  # aftalen 2.1's checklist, aftalen 2.2's named doctor
    assert ready.data["waiting_for"] == "home_measures" and ready.data["fmk_updated"] is True
    assert edith.state_doctor["name"] == "Overlæge Karen Dahl"
    proposal = [
        t for t in _course("Jens Mikkelsen").state_tasks if t["code"] == "alert:discharge_date_proposed"
    ]
    assert [t["party"] for t in proposal] == ["municipality"]
    assert _course("Viggo Toft").events.filter(type="terminal_assessed").exists()


def test_the_scripted_courses_are_made_once() -> None:
    build_demo(citizens=19)
    count = Course.objects.count()
    build_demo(citizens=19)
    assert Course.objects.count() == count
    assert Course.objects.filter(citizen__name__in=[s.name for s in SCRIPTED]).count() == len(SCRIPTED)


def test_the_demo_has_no_stale_proposals_and_agrees_dates_by_both_parties() -> None:
    """Aftalen 2.1: the hospital proposes and the municipality accepts; no proposal waits for a day gone by."""
    from django.utils import timezone

    from sektorbro.agreement import rules
    from sektorbro.courses.models import CourseEvent
    from sektorbro.courses.snapshot import build_snapshot

    build_demo(citizens=40)
    today = timezone.localdate()
    assert (
        not CourseEvent.objects.filter(type="discharge_date_agreed")
        .exclude(data__has_key="counterpart")
        .exists()
    )
    assert CourseEvent.objects.filter(type="discharge_date_accepted", data__by="municipality").exists()
    for course in Course.objects.filter(ended_at__isnull=True):
        pending = rules.pending_proposal(rules.effective_events(build_snapshot(course)))
        assert pending is None or pending.date is None or pending.date >= today, course.citizen.name
    saturday = _course("Edith Lund")
    assert rules.agreed_discharge_date(build_snapshot(saturday)) is not None


def test_the_demo_shows_a_transfer_between_two_hospitals_as_one_regional_stay() -> None:
    """Issue 17 (aftalen 2.2): Ingrid Holm moved from Randers to AUH; AUH's course continues Randers' stay."""
    from sektorbro.courses.snapshot import decisions_for

    build_demo(citizens=19)
    randers, auh = Course.objects.filter(citizen__name="Ingrid Holm").order_by("admitted_at")
    assert randers.hospital.key == "rhr" and auh.hospital.key == "auh"
    assert auh.previous_course == randers and randers.discharge_destination == "other_hospital"
    assert "admission_report" not in auh.state_documents["missing"]
    assert decisions_for(auh)["documents"]["short_stay"] is False  # 20 hours at AUH after almost six days
    assert randers.state_tasks == [] or {t["code"] for t in randers.state_tasks} <= {
        "document:fmk_update",
        "alert:S02",
    }


def test_every_demo_event_is_signed_by_the_acting_party_not_the_administrator() -> None:
    from sektorbro.courses.models import CourseEvent

    build_demo(citizens=19)
    events = CourseEvent.objects.filter(course__citizen__residence_municipality__code="730")
    assert events.exists()
    assert not CourseEvent.objects.filter(actor_label="admin").exists()
    assert not CourseEvent.objects.filter(actor__username="admin").exists()
    edith = _course("Edith Lund")
    ready = edith.events.get(type="ready_for_discharge")
    assert ready.actor_label == "hospital.randers" and ready.organisation is not None
    assert ready.organisation.key == "rhr-medicin"
    report = edith.events.get(type="admission_report_sent")
    assert report.actor_label == "kommune.randers" and report.organisation is not None
    assert report.organisation.key == "visitation-730"
    proposal = _course("Jens Mikkelsen").events.get(type="discharge_date_proposed")
    assert proposal.actor_label == "hospital.randers"
