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
