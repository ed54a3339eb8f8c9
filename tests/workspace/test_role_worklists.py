"""Each role's worklist shows what that role acts on (issue 18 §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sektorbro.courses import services
from sektorbro.workspace.worklists import role_view, worklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_citizen: Any, make_course: Any) -> dict[str, Any]:
    now = timezone.now()
    # Ready for discharge on the orthopaedic ward: a ward nurse on medicine does not see it, the coordinator does.
    waiting = make_course(
        make_citizen("730", "Venter Ortopædi", gp_key="laege-730-1", receives_elderly_care=True),
        department_key="rhr-ortopaedi",
        admitted_at=now - dt.timedelta(days=6),
    )
    services.record_event(
        actor=None, course=waiting, event_type="ready_for_discharge", occurred_at=now - dt.timedelta(days=2),
        source="demo",
    )  # fmt: skip
    fresh = make_course(
        make_citizen("730", "Ny Medicin", gp_key="laege-730-1", known_to_municipal_social_area=True),
        admitted_at=now - dt.timedelta(hours=3),
    )
    home = make_course(
        make_citizen("730", "Hjemme Igen", gp_key="laege-730-1", receives_elderly_care=True),
        admitted_at=now - dt.timedelta(days=4),
    )
    services.record_event(actor=None, course=home, event_type="ready_for_discharge", occurred_at=now - dt.timedelta(days=2), source="demo")  # fmt: skip
    services.record_event(actor=None, course=home, event_type="discharged", occurred_at=now - dt.timedelta(hours=10), data={"destination": "nursing_home"}, source="demo")  # fmt: skip
    return {"waiting": waiting, "fresh": fresh, "home": home}


def names(rows: Any) -> list[str]:
    return [r.course.citizen.name for r in rows]


def test_role_views_are_decided_from_the_roles() -> None:
    assert role_view({"discharge_coordinator"}).ready_first
    assert role_view({"acute_function_nurse"}).acute_only
    assert not role_view({"acute_function_nurse", "municipal_visitator"}).acute_only
    nurse = role_view({"home_nurse"})
    assert nurse.coming_home and not nurse.tasks and not nurse.billing
    assert not role_view({"gp"}).billing and role_view({"gp"}).window_section
    assert not role_view({"social_area_worker"}).billing and role_view({"social_area_worker"}).documents
    assert role_view({"municipal_visitator"}).billing and role_view({"ward_nurse"}).billing


def test_the_discharge_coordinator_sees_the_ready_patients_across_the_hospital_first(
    world: dict[str, Any], make_user: Any, login: Any
) -> None:
    coordinator = make_user("koordinator", "discharge_coordinator", "rhr")
    assert names(worklist(coordinator, ward="rhr-medicin")["ready"]) == ["Venter Ortopædi"]
    body = login(coordinator).get("/").content.decode()
    ready = body.index('id="wl-ready-heading"')
    assert "Færdigbehandlede" in body or "Ready for discharge, across the hospital" in body
    assert ready < body.index('id="wl-admitted-heading"')
    assert f'id="wl-ready-{world["waiting"].public_id}"' in body


def test_the_ward_nurse_has_no_coordinator_section(
    world: dict[str, Any], personas: dict[str, Any], login: Any
) -> None:
    body = login(personas["ward_nurse_randers"]).get("/").content.decode()
    assert 'id="wl-ready-heading"' not in body and 'id="wl-admitted-heading"' in body


def test_the_home_nurse_sees_discharges_to_her_area_and_who_comes_home_next(
    world: dict[str, Any], make_user: Any, login: Any
) -> None:
    nurse = make_user("sygeplejerske", "home_nurse", "home-nursing-730")
    wl = worklist(nurse)
    assert names(wl["admitted"]) == [
        "Venter Ortopædi"
    ]  # ready for discharge; the fresh admission is not hers yet
    assert names(wl["discharged"]) == ["Hjemme Igen"]
    body = login(nurse).get("/").content.decode()
    assert body.index('id="wl-discharged-heading"') < body.index('id="wl-admitted-heading"')
    assert 'class="next-task"' not in body  # the visitator's tasks are not hers
    assert "DKK" not in body and " kr." not in body


def test_the_acute_nurse_sees_only_the_acute_function(
    world: dict[str, Any], make_user: Any, login: Any
) -> None:
    nurse = make_user("akutsygeplejerske", "acute_function_nurse", "acute-function-730")
    body = login(nurse).get("/").content.decode()
    assert 'id="wl-admitted-heading"' not in body and 'id="wl-discharged-heading"' not in body
    assert "Venter Ortopædi" not in body


def test_the_gp_sees_admissions_discharges_and_72_hour_windows_but_no_tariffs(
    world: dict[str, Any], personas: dict[str, Any], login: Any
) -> None:
    gp = personas["gp_randers"]
    assert set(names(worklist(gp)["admitted"])) == {"Venter Ortopædi", "Ny Medicin"}
    body = login(gp).get("/").content.decode()
    assert 'id="wl-window-heading"' in body and f'id="wl-window-{world["home"].public_id}"' in body
    assert "DKK" not in body and "kr." not in body
    assert 'id="wl-ready-heading"' not in body


def test_the_social_area_worker_sees_her_citizens_with_their_letters_and_agreements(
    world: dict[str, Any], personas: dict[str, Any], login: Any
) -> None:
    from sektorbro.organisations.models import OrganisationUnit

    citizen = world["fresh"].citizen
    citizen.social_units.add(OrganisationUnit.objects.get(key="social-area-730"))
    worker = personas["social_randers"]
    assert names(worklist(worker)["admitted"]) == ["Ny Medicin"]
    body = login(worker).get("/").content.decode()
    assert 'class="documents"' in body and "DKK" not in body
    [row] = worklist(worker)["admitted"]
    assert {d["code"] for d in row.documents} == set(row.course.state_documents["required"])
