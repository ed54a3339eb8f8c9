"""One regional stay across hospitals (issue 17, aftalen 2.2): ``open_course`` and a recorded discharge link a
transfer's courses, the rules judge the whole stay, and the course pages show the transfer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sektorbro.courses import services
from sektorbro.courses.snapshot import decisions_for
from tests.conftest import CPH

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=CPH)


@pytest.fixture
def randers(make_citizen: Any, make_course: Any, personas: dict[str, Any]) -> Any:
    """Five days at Randers; the municipality sent the admission report on the first day."""
    citizen = make_citizen("730", "Else Overflyttet", gp_key="laege-730-1", receives_elderly_care=True)
    course = make_course(citizen, admitted_at=at(5))
    record(personas["visitator_randers"], course, "admission_report_sent", at(5, 12))
    return course


def record(user: Any, course: Any, kind: str, when: dt.datetime, **kw: Any) -> Any:
    return services.record_event(actor=user, course=course, event_type=kind, occurred_at=when, **kw)


def discharge(user: Any, course: Any, when: dt.datetime) -> None:
    record(user, course, "discharged", when, data={"destination": "own_home", "municipal_nursing": True})


def test_an_admission_within_the_gap_continues_the_stay(
    randers: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    discharge(personas["ward_nurse_randers"], randers, at(10))
    auh = make_course(randers.citizen, "auh", "auh-akut", admitted_at=at(10, 11))
    assert auh.previous_course == randers
    randers.refresh_from_db()
    assert randers.discharge_destination == "other_hospital"
    first = decisions_for(randers, at(10, 12))
    assert {t["code"] for t in first["tasks"]} <= {"document:fmk_update", "alert:S02"}, first["tasks"]
    assert first["missed"] == []
    second = decisions_for(auh, at(10, 12))
    assert "admission_report" not in second["missing_documents"]  # sent for Randers: not demanded again
    assert {"care_plan", "discharge_report"} <= set(second["required_documents"])
    auh.refresh_from_db()
    services.record_event(
        actor=None, course=auh, event_type="discharged", occurred_at=at(11, 9), source="system",
        data={"destination": "own_home", "municipal_nursing": True},
    )  # fmt: skip
    auh.refresh_from_db()
    after = decisions_for(auh, at(11, 10))
    assert after["documents"]["short_stay"] is False
    assert after["extended_responsibility_72h"]["applies"] is True, after["extended_responsibility_72h"][
        "reasons"
    ]


def test_an_admission_beyond_the_gap_is_a_stay_of_its_own(
    randers: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    discharge(personas["ward_nurse_randers"], randers, at(10))
    auh = make_course(randers.citizen, "auh", "auh-akut", admitted_at=at(10, 15))
    assert auh.previous_course is None
    assert "admission_report" in decisions_for(auh, at(10, 16))["required_documents"]


def test_a_discharge_recorded_after_the_receiving_admission_links_it(
    randers: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    auh = make_course(randers.citizen, "auh", "auh-akut", admitted_at=at(10, 10, 30))
    assert auh.previous_course is None
    discharge(personas["ward_nurse_randers"], randers, at(10, 10))
    auh.refresh_from_db()
    randers.refresh_from_db()
    assert auh.previous_course == randers and randers.discharge_destination == "other_hospital"
    assert auh.state_documents["missing"].count("admission_report") == 0


def test_the_same_hospital_or_another_area_is_not_a_transfer(
    randers: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    discharge(personas["ward_nurse_randers"], randers, at(10))
    again = make_course(randers.citizen, admitted_at=at(10, 11))
    assert again.previous_course is None
    psych = make_course(randers.citizen, "auh", None, admitted_at=at(10, 11), area="psychiatric")
    assert psych.previous_course is None


def test_the_timelines_show_the_transfer(
    randers: Any, make_course: Any, personas: dict[str, Any], login: Any
) -> None:
    discharge(personas["ward_nurse_randers"], randers, at(10))
    auh = make_course(randers.citizen, "auh", "auh-akut", admitted_at=at(10, 11))
    visitator = login(personas["visitator_randers"])  # sees both courses of the resident
    second = visitator.get(f"/forloeb/{auh.public_id}/").content.decode()
    assert 'id="transfer-from"' in second and "Regionshospitalet Randers 10.03.2025 10:00" in second
    assert f"/forloeb/{randers.public_id}/" in second
    first = visitator.get(f"/forloeb/{randers.public_id}/").content.decode()
    assert 'id="transfer-to"' in first and "Aarhus Universitetshospital 10.03.2025 11:00" in first
    nurse = login(personas["ward_nurse_randers"])  # Randers' ward does not see AUH's course: no link
    page = nurse.get(f"/forloeb/{randers.public_id}/").content.decode()
    assert 'id="transfer-to"' in page and f"/forloeb/{auh.public_id}/" not in page
