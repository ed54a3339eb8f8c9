"""Aftalen 2.2 names "en navngiven læge": the citizen's own GP clinic records its named doctor, and the rules
carry the name when the GP is patient-responsible."""

from __future__ import annotations

from typing import Any

import pytest

from sektorbro.citizens import services
from sektorbro.core.errors import ConflictError, NotPermitted
from sektorbro.core.models import AuditEvent
from sektorbro.courses.snapshot import citizen_facts

pytestmark = pytest.mark.django_db


def test_the_citizens_gp_names_the_doctor_on_the_citizen_page(
    login: Any, personas: dict[str, Any], make_citizen: Any
) -> None:
    citizen = make_citizen("730", gp_key="laege-730-1")
    client = login(personas["gp_randers"])
    page = client.get(f"/borgere/{citizen.public_id}/").content.decode()
    assert 'name="gp_doctor_name"' in page
    response = client.post(
        f"/borgere/{citizen.public_id}/laege/",
        {"gp_doctor_name": "Læge Karen Poulsen", "version": citizen.version},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.gp_doctor_name == "Læge Karen Poulsen"
    assert AuditEvent.objects.filter(action="citizen.named_gp_set").count() == 1
    assert "Læge Karen Poulsen" in client.get(f"/borgere/{citizen.public_id}/").content.decode()


def test_only_the_own_clinic_may_name_the_doctor(
    login: Any, personas: dict[str, Any], make_citizen: Any
) -> None:
    citizen = make_citizen("730", gp_key="laege-730-1")
    visitator = personas["visitator_randers"]
    assert not services.may_name_gp(visitator, citizen)
    with pytest.raises(NotPermitted):
        services.set_named_gp(actor=visitator, citizen=citizen, name="Dr. X")
    page = login(visitator).get(f"/borgere/{citizen.public_id}/").content.decode()
    assert 'name="gp_doctor_name"' not in page
    response = login(visitator).post(f"/borgere/{citizen.public_id}/laege/", {"gp_doctor_name": "Dr. X"})
    assert response.status_code == 403
    citizen.refresh_from_db()
    assert citizen.gp_doctor_name == ""


def test_a_stale_form_is_refused_and_the_rules_see_the_name(
    personas: dict[str, Any], make_citizen: Any, make_course: Any
) -> None:
    citizen = make_citizen("730", gp_key="laege-730-1")
    course = make_course(citizen)
    gp = personas["gp_randers"]
    services.set_named_gp(actor=gp, citizen=citizen, name="Læge A", expected_version=citizen.version)
    with pytest.raises(ConflictError):
        services.set_named_gp(actor=gp, citizen=citizen, name="Læge B", expected_version=citizen.version)
    course.refresh_from_db()
    assert citizen_facts(course).gp_doctor == "Læge A"
