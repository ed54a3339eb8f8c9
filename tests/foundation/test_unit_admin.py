"""The administration guides: a hospital department cannot be created without its hospital (#18, item 10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sektorbro.organisations.models import OrganisationUnit

pytestmark = pytest.mark.django_db


def _department(**extra: Any) -> OrganisationUnit:
    return OrganisationUnit(
        key="ny-afdeling", kind="department", name="Ny afdeling", valid_from=dt.date(2026, 1, 1), **extra
    )


def test_a_department_without_its_hospital_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        _department().full_clean()
    assert "parent" in refused.value.message_dict


def test_a_department_under_a_municipal_unit_is_refused() -> None:
    municipal = OrganisationUnit.objects.filter(kind="municipal_unit").first()
    with pytest.raises(ValidationError) as refused:
        _department(parent=municipal).full_clean()
    assert "parent" in refused.value.message_dict


def test_a_section_under_a_department_belongs_to_the_departments_hospital() -> None:
    ward = OrganisationUnit.objects.get(key="rhr-medicin")
    section = _department(parent=ward)
    section.full_clean()
    assert (
        section.hospital == ward.hospital and ward.hospital is not None and ward.hospital.kind == "hospital"
    )


def test_the_admin_form_says_what_is_missing(admin_client: Any) -> None:
    response = admin_client.post(
        "/admin/organisations/organisationunit/add/",
        {
            "key": "ny-afdeling",
            "kind": "department",
            "name": "Ny afdeling",
            "valid_from": "2026-01-01",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "hospital" in response.content.decode().lower()
    assert not OrganisationUnit.objects.filter(key="ny-afdeling").exists()
