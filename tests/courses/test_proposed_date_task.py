"""Who proposed a discharge date is recorded, and the answer lands on the other party's worklist."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sektorbro.courses import services
from sektorbro.workspace.worklists import worklist

pytestmark = pytest.mark.django_db


def _tasks(user: Any, course: Any) -> list[str]:
    rows = [r for r in worklist(user)["admitted"] if r.course.pk == course.pk]
    return [t["code"] for r in rows for t in r.tasks]


def test_hospital_proposal_is_answered_by_the_municipality_and_back(
    personas: dict[str, Any], make_citizen: Any, make_course: Any
) -> None:
    now = timezone.now()
    course = make_course(make_citizen("730"), admitted_at=now - dt.timedelta(days=2))
    nurse, visitator = personas["ward_nurse_randers"], personas["visitator_randers"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    proposal = services.record_event(
        actor=nurse,
        course=course,
        event_type="discharge_date_proposed",
        occurred_at=now,
        data={"date": tomorrow},
    )
    assert proposal.data["by"] == "hospital"
    assert "alert:discharge_date_proposed" in _tasks(visitator, course)
    assert "alert:discharge_date_proposed" not in _tasks(nurse, course)

    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    counter = services.record_event(
        actor=visitator,
        course=course,
        event_type="discharge_date_proposed",
        occurred_at=now,
        data={"date": later},
    )
    assert counter.data["by"] == "municipality"
    assert "alert:discharge_date_proposed" in _tasks(nurse, course)
    assert "alert:discharge_date_proposed" not in _tasks(visitator, course)

    accepted = services.record_event(
        actor=nurse, course=course, event_type="discharge_date_accepted", occurred_at=now, data={}
    )
    assert accepted.data == {"by": "hospital", "ref_seq": counter.seq, "date": later}
    assert "alert:discharge_date_proposed" not in _tasks(nurse, course) + _tasks(visitator, course)
