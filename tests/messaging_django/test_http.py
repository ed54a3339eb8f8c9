from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sektorbro.accounts.models import ApiToken
from sektorbro.messaging.models import InboxMessage, InboxStatus

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "medcom-examples"
VALID = EXAMPLES / "hospitalnotification/ig-examples/Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.xml"
INVALID = (
    EXAMPLES
    / "carecommunication/test-examples/receive/Bundle-R-Tek-M-dublicate-inv-260a3cc1-38eb-454a-a57b-9e32eabb54a3.json"
)


@pytest.fixture
def token(make_user: Any) -> str:
    system = make_user("hospital.system", "ward_nurse", "rhr")
    return ApiToken.issue(user=system, name="EPJ gateway")[1]


def test_the_http_endpoint_accepts_with_202_and_rejects_with_an_operation_outcome(
    client: Any, token: str
) -> None:
    ok = client.post(
        "/api/v1/medcom/messages",
        VALID.read_bytes(),
        content_type="application/fhir+xml",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert ok.status_code == 202 and ok.json()["status"] == InboxStatus.ACCEPTED
    bad = client.post(
        "/api/v1/medcom/messages",
        INVALID.read_bytes(),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bad.status_code == 400
    outcome = bad.json()
    assert (
        outcome["resourceType"] == "OperationOutcome"
        and "[mc-cc-category]" in outcome["issue"][0]["diagnostics"]
    )
    assert InboxMessage.objects.count() == 2  # the rejected message is kept too


def test_the_http_endpoint_needs_a_token(client: Any, login: Any, personas: dict[str, Any]) -> None:
    assert (
        client.post(
            "/api/v1/medcom/messages", VALID.read_bytes(), content_type="application/fhir+xml"
        ).status_code
        == 401
    )
    session = login(personas["ward_nurse_randers"])
    assert (
        session.post(
            "/api/v1/medcom/messages", VALID.read_bytes(), content_type="application/fhir+xml"
        ).status_code
        == 401
    )
    assert InboxMessage.objects.count() == 0


def test_message_pages_show_content_and_quarantine(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    client = login(personas["visitator_randers"])
    assert (
        "Ukendt afsender"
        in client.get(f"/beskeder/modtaget/{randers_world['quarantined'].public_id}/").content.decode()
    )
    quarantine = client.get("/beskeder/karantaene/").content.decode()
    assert (
        str(randers_world["quarantined"].public_id) in quarantine
        and str(randers_world["inbox"].public_id) not in quarantine
    )
    other = login(personas["visitator_viborg"]).get("/beskeder/").content.decode()
    assert str(randers_world["inbox"].public_id) not in other
