"""P13 on the write path (issue 17, "Rules applied where they belong"): a weekend discharge the municipality
receives needs the agreement; a transfer to another hospital, or a citizen without municipal involvement, does
not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from sektorbro.core.errors import DomainError
from sektorbro.courses import services
from sektorbro.courses.snapshot import decisions_for
from tests.conftest import CPH

pytestmark = pytest.mark.django_db

SATURDAY = dt.datetime(2026, 11, 21, 11, 0, tzinfo=CPH)


def discharge(user: Any, course: Any, destination: str) -> Any:
    return services.record_event(
        actor=user,
        course=course,
        event_type="discharged",
        occurred_at=SATURDAY,
        data={"destination": destination},
    )


def test_a_weekend_transfer_to_another_hospital_needs_no_weekend_agreement(
    make_citizen: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    citizen = make_citizen("730", "Else Flyt", gp_key="laege-730-1", receives_elderly_care=True)
    course = make_course(citizen, admitted_at=dt.datetime(2026, 11, 16, 10, 0, tzinfo=CPH))
    nurse = personas["ward_nurse_randers"]
    with time_machine.travel(SATURDAY + dt.timedelta(minutes=5), tick=False):
        with pytest.raises(DomainError) as refused:
            discharge(nurse, course, "own_home")
        assert "weekend" in refused.value.message
        discharge(nurse, course, "other_hospital")
        course.refresh_from_db()
        assert "P13" not in {d["rule"] for d in decisions_for(course)["deadlines"]}


def test_a_weekend_discharge_without_municipal_involvement_needs_no_weekend_agreement(
    make_citizen: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    citizen = make_citizen("730", "Else Selv", gp_key="laege-730-1")
    course = make_course(citizen, admitted_at=dt.datetime(2026, 11, 16, 10, 0, tzinfo=CPH))
    with time_machine.travel(SATURDAY + dt.timedelta(minutes=5), tick=False):
        discharge(personas["ward_nurse_randers"], course, "own_home")
        course.refresh_from_db()
        assert course.discharged_at == SATURDAY
        assert "P13" not in {d["rule"] for d in decisions_for(course)["deadlines"]}
