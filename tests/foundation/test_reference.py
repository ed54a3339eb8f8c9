from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sektorbro.organisations import selectors
from sektorbro.organisations.models import Cluster, Municipality, OrganisationUnit

pytestmark = pytest.mark.django_db

EXPECTED = {
    "751": ("Aarhus", "Aarhusklyngen"), "741": ("Samsø", "Aarhusklyngen"),
    "615": ("Horsens", "Horsensklyngen"), "766": ("Hedensted", "Horsensklyngen"),
    "746": ("Skanderborg", "Horsensklyngen"), "727": ("Odder", "Horsensklyngen"),
    "730": ("Randers", "Randersklyngen"), "710": ("Favrskov", "Randersklyngen"),
    "707": ("Norddjurs", "Randersklyngen"), "706": ("Syddjurs", "Randersklyngen"),
    "791": ("Viborg", "Midtklyngen"), "740": ("Silkeborg", "Midtklyngen"), "779": ("Skive", "Midtklyngen"),
    "657": ("Herning", "Gødstrupklyngen"), "661": ("Holstebro", "Gødstrupklyngen"),
    "756": ("Ikast-Brande", "Gødstrupklyngen"), "760": ("Ringkøbing-Skjern", "Gødstrupklyngen"),
    "665": ("Lemvig", "Gødstrupklyngen"), "671": ("Struer", "Gødstrupklyngen"),
}  # fmt: skip


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_19_municipalities_print_as_code_name_cluster_lines() -> None:
    lines = run("reference", "municipalities").splitlines()
    assert len(lines) == 19
    assert "730\tRanders\tRandersklyngen" in lines
    parsed = {line.split("\t")[0]: tuple(line.split("\t")[1:]) for line in lines}
    assert parsed == EXPECTED


def test_municipalities_as_json() -> None:
    rows = json.loads(run("reference", "municipalities", "--json"))
    assert {"code": "791", "name": "Viborg", "cluster": "Midtklyngen"} in rows
    assert all(set(row) == {"code", "name", "cluster"} for row in rows)
    assert len(rows) == 19


def test_five_clusters_with_their_hospitals() -> None:
    assert Cluster.objects.count() == 5
    hospital_of = {
        (u.cluster.name if u.cluster else ""): u.name
        for u in OrganisationUnit.objects.filter(kind="hospital", cluster__isnull=False)
    }
    assert hospital_of["Randersklyngen"] == "Regionshospitalet Randers"
    assert hospital_of["Gødstrupklyngen"] == "Regionshospitalet Gødstrup"
    assert hospital_of["Midtklyngen"] == "Hospitalsenhed Midt"


def test_aliases_resolve_renamed_units_by_date() -> None:
    assert selectors.find_cluster("Vestklyngen").key == "goedstrupklyngen"  # type: ignore[union-attr]
    old = selectors.find_unit("Hospitalsenheden Vest", on=dt.date(2019, 6, 1))
    assert old is not None and old.key == "goedstrup"
    assert selectors.find_unit("Hospitalsenheden Vest", on=dt.date(2024, 6, 1)) is None


def test_departments_are_typed_ward_or_clinic_and_somatic_or_psychiatric() -> None:
    departments = OrganisationUnit.objects.filter(kind="department")
    assert departments.filter(department_type="").count() == 0
    assert departments.filter(area="psychiatric", parent__key="psykiatrien").exists()
    assert departments.filter(department_type="clinic").exists()


def test_every_municipality_has_each_kind_of_municipal_unit_and_gp_clinics() -> None:
    services = {"visitation", "home_care", "home_nursing", "acute_function", "nursing_home", "social_area"}
    services.add("children_youth")
    for municipality in Municipality.objects.all():
        found = set(
            municipality.units.filter(kind="municipal_unit").values_list("municipal_service", flat=True)
        )
        assert found == services, municipality.name
        assert municipality.units.filter(kind="gp_clinic").exists()
    assert OrganisationUnit.objects.filter(kind="regional_social_unit").count() >= 3


def test_demo_identifiers_are_marked_as_such() -> None:
    with_ids = OrganisationUnit.objects.exclude(location_number="")
    assert with_ids.exists()
    assert not with_ids.filter(identifiers_are_demo=False).exists()


def test_loading_twice_updates_instead_of_duplicating() -> None:
    before = OrganisationUnit.objects.count()
    report = json.loads(run("reference", "load"))
    assert report["created"] == {}
    assert OrganisationUnit.objects.count() == before


def test_units_and_clusters_listings(capsys: Any) -> None:
    hospitals = json.loads(run("reference", "units", "--kind", "hospital", "--json"))
    assert {h["key"] for h in hospitals} >= {"auh", "rhr", "rhh", "hem", "goedstrup", "psykiatrien"}
    clusters = json.loads(run("reference", "clusters", "--json"))
    gødstrup = next(c for c in clusters if c["key"] == "goedstrupklyngen")
    assert "Vestklyngen" in gødstrup["aliases"] and len(gødstrup["municipalities"]) == 6


def test_a_bad_date_is_refused_with_a_clear_message() -> None:
    with pytest.raises(CommandError, match="--on"):
        run("reference", "municipalities", "--on", "31-12-2024")
    assert len(run("reference", "municipalities", "--on", "2006-06-01").splitlines()) == 0
