"""Registering a CPR number that belongs to a citizen outside one's scope tells nothing about whom Sektorbro knows:
the registration is held for an administrator and written as a security event, and nothing else changes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sektorbro.citizens.access import person_key
from sektorbro.citizens.models import Citizen
from sektorbro.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _post(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/citizens/", data=json.dumps(body), content_type="application/json")


def test_a_cpr_known_outside_the_callers_scope_is_held_without_a_hint(
    login: Any, personas: dict[str, Any], make_citizen: Any
) -> None:
    elsewhere = make_citizen("791", "Borger i Viborg")
    response = _post(
        login(personas["visitator_randers"]),
        {"cpr": elsewhere.cpr, "name": "Nyt navn", "municipality_code": "730"},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["code"] == "held"
    text = response.content.decode()
    assert "duplicate" not in text and "already" not in text and "Viborg" not in text
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Borger i Viborg" and elsewhere.residence_municipality.code == "791"
    assert Citizen.objects.count() == 1
    event = AuditEvent.objects.get(action="security.citizen_registration_held")
    assert event.subject_type == "person" and event.subject_id == person_key(elsewhere.cpr)
    assert elsewhere.cpr not in json.dumps(event.data) and elsewhere.cpr not in event.subject_id
    assert event.actor_label == personas["visitator_randers"].username


def test_a_cpr_the_caller_already_sees_is_still_named_a_duplicate(
    login: Any, personas: dict[str, Any], make_citizen: Any
) -> None:
    own = make_citizen("730")
    response = _post(
        login(personas["visitator_randers"]), {"cpr": own.cpr, "name": "Kopi", "municipality_code": "730"}
    )
    assert response.status_code == 400 and response.json()["code"] == "duplicate"
    assert not AuditEvent.objects.filter(action="security.citizen_registration_held").exists()


def test_the_form_holds_the_registration_with_a_neutral_message(
    login: Any, personas: dict[str, Any], make_citizen: Any
) -> None:
    elsewhere = make_citizen("791")
    client = login(personas["visitator_randers"])
    response = client.post(
        "/borgere/opret/", {"cpr": elsewhere.cpr, "name": "Kopi", "municipality": "730"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/borgere/"
    assert "administrator" in page and "allerede registreret" not in page
    assert Citizen.objects.count() == 1
    assert AuditEvent.objects.filter(action="security.citizen_registration_held").count() == 1


def test_the_openapi_description_documents_the_held_answer(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/citizens/"]["post"]["responses"]
    assert {"201", "202", "400", "403"} <= set(responses)
