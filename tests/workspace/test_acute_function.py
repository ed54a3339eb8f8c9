"""The acute function's worklist: who is in the acute function now, who is the responsible doctor right now
and which phone to call, with the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sektorbro.agreement.model import CPH
from sektorbro.citizens import services as citizen_services
from sektorbro.courses import services
from sektorbro.organisations.models import OrganisationUnit
from sektorbro.workspace.acute import acute_worklist, decide

pytestmark = pytest.mark.django_db


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CPH)


@pytest.fixture
def acute_user(make_user: Any) -> Any:
    return make_user("akut.randers", "acute_function_nurse", "acute-function-730")


@pytest.fixture
def in_acute(make_citizen: Any, make_course: Any) -> dict[str, Any]:
    unit = OrganisationUnit.objects.get(key="acute-function-730")
    since = timezone.now() - dt.timedelta(hours=5)
    by_gp = make_citizen("730", "Akut Egen Læge", gp_key="laege-730-1")
    citizen_services.set_acute_function(actor=None, citizen=by_gp, unit=unit, referred_by="gp", since=since)
    by_hospital = make_citizen("730", "Akut Fra Hospital")
    course = make_course(by_hospital, admitted_at=timezone.now() - dt.timedelta(days=3))
    services.record_event(actor=None, course=course, event_type="discharged", occurred_at=timezone.now() - dt.timedelta(hours=6), data={"destination": "own_home"}, source="demo")  # fmt: skip
    citizen_services.set_acute_function(
        actor=None, citizen=by_hospital, unit=unit, referred_by="hospital", since=since
    )
    make_citizen("730", "Ikke Akut")
    viborg = make_citizen("791", "Akut Viborg")
    viborg_unit = OrganisationUnit.objects.filter(
        municipal_service="acute_function", municipality__code="791"
    ).first()
    if viborg_unit is not None:
        citizen_services.set_acute_function(actor=None, citizen=viborg, unit=viborg_unit, referred_by="gp")
    return {"gp": by_gp, "hospital": by_hospital, "course": course}


def test_the_list_shows_the_municipality_s_citizens_in_the_acute_function(
    in_acute: dict[str, Any], acute_user: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        rows, count = acute_worklist(acute_user, timezone.now(), 50)
    assert count == 2
    assert {r.citizen.name for r in rows} == {"Akut Egen Læge", "Akut Fra Hospital"}
    hospital = next(r for r in rows if r.citizen.name == "Akut Fra Hospital")
    assert hospital.party == "hospital" and hospital.phone_route == "hospital_24_7"
    assert hospital.course is not None and hospital.course.pk == in_acute["course"].pk
    assert "hospital" in hospital.reason.lower() and hospital.sources


@pytest.mark.parametrize(
    ("referred_by", "at", "party", "route"),
    [
        ("gp", "2025-03-04 10:00", "gp", "gp_direct_line"),  # Tuesday within 08-16
        ("gp", "2025-03-04 17:30", "gp", "out_of_hours"),  # Tuesday evening
        ("gp", "2025-03-08 10:00", "gp", "out_of_hours"),  # Saturday
        ("out_of_hours", "2025-03-04 10:00", "gp", "gp_direct_line"),
        ("hospital", "2025-03-08 03:00", "hospital", "hospital_24_7"),  # around the clock
    ],
)
def test_the_responsible_doctor_and_phone_route_follow_the_clock(
    make_citizen: Any, referred_by: str, at: str, party: str, route: str
) -> None:
    citizen = make_citizen("730", "Klokke", gp_key="laege-730-1")
    citizen.acute_function_referred_by = referred_by
    citizen.acute_function_since = local("2025-03-01 08:00")
    row = decide(citizen, None, local(at), "da")
    assert (row.party, row.phone_route) == (party, route)
    assert row.reason and row.sources


def test_an_admitted_citizen_is_the_hospital_doctor_s(
    in_acute: dict[str, Any], make_course: Any, acute_user: Any
) -> None:
    make_course(in_acute["gp"], admitted_at=timezone.now() - dt.timedelta(hours=1))
    rows, _ = acute_worklist(acute_user, timezone.now(), 50)
    gp_row = next(r for r in rows if r.citizen.name == "Akut Egen Læge")
    assert (gp_row.party, gp_row.phone_route) == ("hospital", "department")


def test_the_page_shows_the_list_only_to_the_acute_function(
    in_acute: dict[str, Any], acute_user: Any, personas: dict[str, Any], login: Any
) -> None:
    body = login(acute_user).get("/arbejdsliste/").content.decode()
    assert "Akut Egen Læge" in body and "Akut Fra Hospital" in body and "Ikke Akut" not in body
    assert "Akut Viborg" not in body
    other = login(personas["visitator_randers"]).get("/arbejdsliste/").content.decode()
    assert "acute-function" not in other


def test_a_page_of_one_offers_more(in_acute: dict[str, Any], acute_user: Any, login: Any) -> None:
    body = login(acute_user).get("/arbejdsliste/?akut=1").content.decode()
    assert "akut=26" in body  # one page (25) more


def test_a_citizen_change_reaches_courses_only_through_the_signal() -> None:
    """citizens knows no courses: the re-evaluation is the courses app's receiver of ``citizen_changed``."""
    from sektorbro.citizens.signals import citizen_changed
    from sektorbro.courses.apps import refresh_for_citizen

    receivers = [r[1]() for r in citizen_changed.receivers]
    assert refresh_for_citizen in receivers


def test_setting_the_acute_function_re_evaluates_the_citizen_s_open_courses(
    make_citizen: Any, make_course: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sektorbro.courses.state as state

    refreshed: list[Any] = []
    monkeypatch.setattr(state, "refresh_many", lambda queryset, **kw: refreshed.extend(queryset))
    citizen = make_citizen("730", "Akut Med Forløb")
    course = make_course(citizen, admitted_at=timezone.now() - dt.timedelta(days=1))
    unit = OrganisationUnit.objects.get(key="acute-function-730")
    citizen_services.set_acute_function(actor=None, citizen=citizen, unit=unit, referred_by="gp")
    assert [c.pk for c in refreshed] == [course.pk]


def test_every_call_shows_the_number_to_dial_and_each_citizen_links_onwards(
    in_acute: dict[str, Any], acute_user: Any, login: Any
) -> None:
    body = login(acute_user).get("/arbejdsliste/").content.decode()
    unit = in_acute["course"].department or in_acute["course"].hospital
    dial = "+" + "".join(ch for ch in unit.phone if ch.isdigit())
    assert f'href="tel:{dial}"' in body and "(eksempelnummer)" in body
    assert f"/forloeb/{in_acute['course'].public_id}/" in body
    assert f"/borgere/{in_acute['gp'].public_id}/" in body  # no course: the citizen's page


def test_the_course_page_gives_the_number_of_the_responsible_doctor(
    in_acute: dict[str, Any], personas: dict[str, Any], login: Any
) -> None:
    course = in_acute["course"]
    body = login(personas["visitator_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    assert "tel:+45" in body
