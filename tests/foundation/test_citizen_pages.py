from __future__ import annotations

from typing import Any

import pytest

from sektorbro.citizens.models import Citizen, Relative

pytestmark = pytest.mark.django_db


def test_register_form_shows_field_errors_in_danish(login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["visitator_randers"])
    response = client.post("/borgere/opret/", {"cpr": "320190-1234", "name": "", "municipality": "730"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "CPR-nummeret indeholder ikke en gyldig fødselsdato" in body
    assert "Dette felt er påkrævet" in body
    assert Citizen.objects.count() == 0


def test_register_a_citizen_through_the_form(login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["visitator_randers"])
    response = client.post(
        "/borgere/opret/",
        {"cpr": "0101401234", "name": "Else Madsen", "municipality": "730", "gp_clinic": "laege-730-1",
         "receives_elderly_care": "on"},
    )  # fmt: skip
    citizen = Citizen.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/borgere/{citizen.public_id}/"
    assert "0101401234" not in response["Location"]
    assert citizen.receives_elderly_care and citizen.gp_clinic.key == "laege-730-1"  # type: ignore[union-attr]


def test_a_duplicate_cpr_in_the_form_is_a_field_error(
    login: Any, personas: dict[str, Any], make_citizen: Any
) -> None:
    existing = make_citizen("730")
    client = login(personas["visitator_randers"])
    response = client.post("/borgere/opret/", {"cpr": existing.cpr, "name": "Kopi", "municipality": "730"})
    assert response.status_code == 400
    assert "allerede registreret" in response.content.decode()
    assert Citizen.objects.count() == 1


def test_cpr_search_is_a_post_and_redirects_to_the_opaque_url(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    citizen = randers_world["randers_home"]
    client = login(personas["visitator_randers"])
    response = client.post("/borgere/soeg-cpr/", {"cpr": citizen.cpr_formatted})
    assert response.status_code == 302
    assert response["Location"] == f"/borgere/{citizen.public_id}/"
    assert client.get(f"/borgere/soeg-cpr/?cpr={citizen.cpr}").status_code == 405
    bad = client.post("/borgere/soeg-cpr/", {"cpr": "abc"})
    assert bad.status_code == 400 and "DDMMÅÅ-XXXX" in bad.content.decode()


def test_masked_cpr_without_care_relation(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    home = randers_world["randers_home"]
    body = login(personas["visitator_randers"]).get(f"/borgere/{home.public_id}/").content.decode()
    assert home.cpr_masked in body and home.cpr_formatted not in body
    admitted = randers_world["randers_admitted"]
    body = login(personas["visitator_randers"]).get(f"/borgere/{admitted.public_id}/").content.decode()
    assert admitted.cpr_formatted in body


def test_relatives_and_consent_are_saved_and_a_stale_edit_is_refused(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    citizen = randers_world["randers_admitted"]
    client = login(personas["visitator_randers"])
    url = f"/borgere/{citizen.public_id}/paaroerende/"
    ok = client.post(url, {"name": "Kim Hansen", "relation": "søn", "may_be_involved": "on", "version": "1"},
                     HTTP_HX_REQUEST="true")  # fmt: skip
    assert ok.status_code == 200 and "Kim Hansen" in ok.content.decode()
    relative = Relative.objects.get(citizen=citizen)
    assert relative.may_be_involved and relative.consent_recorded_at is not None
    stale = client.post(
        url, {"name": "Another", "relation": "datter", "version": "1"}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 409
    assert "Nogen har ændret" in stale.content.decode()
    assert Relative.objects.filter(citizen=citizen).count() == 1


def test_the_language_switch_gives_english(login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["visitator_randers"])
    assert "Borgere" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="en"' in body and "Citizens" in body


def test_home_pages_per_role(login: Any, personas: dict[str, Any], randers_world: dict[str, Any]) -> None:
    nurse_home = login(personas["ward_nurse_randers"]).get("/").content.decode()
    assert "Randers Indlagt" in nurse_home and "Viborg Indlagt i Randers" in nurse_home
    gp_home = login(personas["gp_randers"]).get("/").content.decode()
    assert "Randers Indlagt" in gp_home and "Viborg Indlagt" not in gp_home
    analyst_home = login(personas["analyst"]).get("/").content.decode()
    assert "Randersklyngen" in analyst_home and "Randers Indlagt" not in analyst_home
