from __future__ import annotations

from typing import Any

import pytest

from sektorbro.organisations.models import OrganisationUnit


@pytest.fixture
def example_parties(db: Any) -> None:
    """The official examples are addressed to test organisations; map them onto Randers units."""
    OrganisationUnit.objects.filter(key="visitation-730").update(
        location_number="5790001348120", sor_code="953741000016009"
    )
    OrganisationUnit.objects.filter(key="rhr-medicin").update(
        location_number="5790000209354", sor_code="265161000016000"
    )
