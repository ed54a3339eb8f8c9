from __future__ import annotations

import json
from typing import Any

import pytest

from sektorbro.accounts.models import ApiToken
from sektorbro.citizens.models import AccessLogEntry, Citizen

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_published(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert "/api/v1/citizens/" in schema["paths"]


def test_the_citizen_list_is_paginated_with_opaque_ids(
    login: Any, personas: dict[str, Any], make_citizen: Any
) -> None:
    for i in range(55):
        make_citizen("730", f"Person {i:02d}")
    client = login(personas["visitator_randers"])
    first = client.get("/api/v1/citizens/").json()
    assert first["count"] == 55 and len(first["items"]) == 50
    second = client.get("/api/v1/citizens/?page=2").json()
    assert len(second["items"]) == 5
    item = first["items"][0]
    assert item["municipality_code"] == "730"
    assert item["cpr"].endswith("-xxxx") and item["cpr_masked"] is True
    assert Citizen.objects.filter(public_id=item["id"]).exists()
    assert AccessLogEntry.objects.filter(channel="api-session").count() == 55


def test_token_authentication_for_systems(client: Any, personas: dict[str, Any], randers_world: Any) -> None:
    _token, key = ApiToken.issue(user=personas["visitator_randers"], name="EOJ integration")
    response = client.get("/api/v1/citizens/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert {i["name"] for i in response.json()["items"]} == {
        "Randers Indlagt",
        "Randers Hjemme",
        "Randers Social",
    }
    assert AccessLogEntry.objects.filter(channel="api-token").count() == 3
    assert client.get("/api/v1/citizens/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_a_revoked_token_is_refused(client: Any, personas: dict[str, Any]) -> None:
    from django.utils import timezone

    token, key = ApiToken.issue(user=personas["visitator_randers"], name="old")
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_citizen_detail_with_relatives(login: Any, personas: dict[str, Any], randers_world: Any) -> None:
    citizen = randers_world["randers_admitted"]
    citizen.relatives.create(name="Kim", relation="søn", may_be_involved=True)
    data = login(personas["visitator_randers"]).get(f"/api/v1/citizens/{citizen.public_id}/").json()
    assert data["cpr"] == citizen.cpr_formatted and data["cpr_masked"] is False
    assert data["relatives"] == [{"name": "Kim", "relation": "søn", "phone": "", "may_be_involved": True}]


def post(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/citizens/", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"cpr": "12345", "name": "X", "municipality_code": "730"}, "cpr", "cpr_format"),
        ({"cpr": "320190-1234", "name": "X", "municipality_code": "730"}, "cpr", "cpr_date"),
        ({"cpr": "010190-1234", "name": "X", "municipality_code": "999"}, "municipality_code", "unknown"),
        ({"cpr": "010190-1234", "name": " ", "municipality_code": "730"}, "name", "required"),
    ],
)
def test_bad_input_gets_400_naming_the_field(
    login: Any, personas: dict[str, Any], body: dict[str, Any], field: str, code: str
) -> None:
    response = post(login(personas["administrator"]), body)
    assert response.status_code == 400
    assert response.json()["field"] == field and response.json()["code"] == code
    assert Citizen.objects.count() == 0


def test_a_missing_field_is_named(login: Any, personas: dict[str, Any]) -> None:
    response = post(login(personas["administrator"]), {"cpr": "010190-1234", "name": "X"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "municipality_code"


def test_a_duplicate_cpr_is_refused_and_nothing_is_written(login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["visitator_randers"])
    body = {"cpr": "010190-1234", "name": "Første", "municipality_code": "730"}
    assert post(client, body).status_code == 201
    again = post(client, {**body, "name": "Anden"})
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    assert list(Citizen.objects.values_list("name", flat=True)) == ["Første"]


def test_municipal_staff_cannot_register_another_municipalitys_resident(
    login: Any, personas: dict[str, Any]
) -> None:
    response = post(
        login(personas["visitator_randers"]), {"cpr": "010190-1234", "name": "X", "municipality_code": "791"}
    )
    assert response.status_code == 403
    assert Citizen.objects.count() == 0


def test_registering_writes_an_audit_row(login: Any, personas: dict[str, Any]) -> None:
    from sektorbro.core.models import AuditEvent

    response = post(
        login(personas["visitator_randers"]), {"cpr": "010190-1234", "name": "X", "municipality_code": "730"}
    )
    event = AuditEvent.objects.get(action="citizen.registered")
    assert event.subject_id == response.json()["id"]
    assert event.actor_label == "visitator.randers"
    assert "0101901234" not in json.dumps(event.data)


def test_the_openapi_description_documents_every_answer_with_its_body(client: Any) -> None:
    """#16: clients are generated from the description, so the refusals are in it, not only 200/201."""
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    events = paths["/api/v1/courses/{course_id}/events/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(events)
    assert events["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    medcom = paths["/api/v1/medcom/messages"]["post"]["responses"]
    assert "200" not in medcom and {"202", "400", "401", "403", "413"} <= set(medcom)
    assert medcom["400"]["content"]["application/fhir+json"]["schema"]["$ref"].endswith("/OperationOutcome")
    assert {"Error", "OperationOutcome", "DeliveryReceipt"} <= set(schema["components"]["schemas"])
    listing = paths["/api/v1/citizens/"]["get"]["responses"]
    assert {"200", "400", "401"} <= set(listing)
