from __future__ import annotations

from typing import Any

import pytest

from sektorbro.accounts.models import ApiToken
from sektorbro.messaging.models import InboxMessage, InboxStatus
from sektorbro.organisations.models import OrganisationUnit
from tests.corpus import examples_dir

pytestmark = pytest.mark.django_db
EXAMPLES = examples_dir()
VALID = EXAMPLES / "hospitalnotification/ig-examples/Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.xml"
INVALID = (
    EXAMPLES
    / "carecommunication/test-examples/receive/Bundle-R-Tek-M-dublicate-inv-260a3cc1-38eb-454a-a57b-9e32eabb54a3.json"
)


@pytest.fixture
def token(make_user: Any, example_parties: None) -> str:
    """A message gateway delivering for Regionshospitalet Randers (VALID's sender) and for AUH's geriatric
    department (given the identifiers of INVALID's sender)."""
    OrganisationUnit.objects.filter(key="auh-geriatri").update(
        location_number="5790001987244", sor_code="441211000016000"
    )
    system = make_user("gateway.system")
    units = OrganisationUnit.objects.filter(key__in=["rhr", "auh-geriatri"])
    return ApiToken.issue(user=system, name="EPJ gateway", senders=units)[1]


@pytest.mark.usefixtures("medcom_examples")
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


@pytest.mark.usefixtures("medcom_examples")
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


def test_reading_a_quarantined_message_about_an_unknown_person_is_logged_without_the_cpr(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    """#16: the page shows the patient the message names; the access log says which message and whose (keyed)."""
    import hashlib

    from sektorbro.citizens.access import person_key
    from sektorbro.citizens.models import AccessLogEntry
    from sektorbro.messaging.medcom import synthetic
    from sektorbro.messaging.selectors import patient_cpr_of

    raw = next(synthetic.notifications(1, seed=3))
    message = InboxMessage.objects.create(
        raw=raw, sha256=hashlib.sha256(raw).hexdigest(), transport="test", status="unapplicable",
        receiver_unit=randers_world["quarantined"].receiver_unit, reason="Ukendt borger",
        summary={"patient_name": "Ukendt Person"},
    )  # fmt: skip
    cpr = patient_cpr_of(message)
    assert len(cpr.replace("-", "")) == 10
    page = login(personas["visitator_randers"]).get(f"/beskeder/modtaget/{message.public_id}/")
    assert page.status_code == 200 and "Ukendt Person" in page.content.decode()
    row = AccessLogEntry.objects.get(subject_message=str(message.public_id))
    assert (
        row.citizen is None and row.action == "messaging.inbox_detail" and row.username == "visitator.randers"
    )
    assert row.person_key == person_key(cpr) and len(row.person_key) == 64
    assert cpr.replace("-", "") not in " ".join(str(v) for v in AccessLogEntry.objects.values_list())
    # The same person read again gives the same key, so an audit can follow one person across messages.
    assert person_key(cpr) == person_key(cpr.replace("-", ""))


def test_an_access_log_row_must_name_a_citizen_or_a_message() -> None:
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from sektorbro.citizens.models import AccessLogEntry

    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLogEntry.objects.create(at=timezone.now(), username="x", action="y")


def test_the_administrator_resolves_the_quarantine_of_every_organisation(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    """#16: the role that fixes quarantined messages sees them all; each message read is logged."""
    from sektorbro.citizens.models import AccessLogEntry

    quarantined = randers_world["quarantined"]
    admin = login(personas["administrator"])
    assert str(quarantined.public_id) in admin.get("/beskeder/karantaene/").content.decode()
    assert admin.get(f"/beskeder/modtaget/{quarantined.public_id}/").status_code == 200
    assert AccessLogEntry.objects.filter(
        subject_message=str(quarantined.public_id), username="administrator"
    ).exists()
    assert "karantæne" in admin.get("/").content.decode().lower()
    # An accepted message of a citizen stays out of the administrator's sight.
    assert admin.get(f"/beskeder/modtaget/{randers_world['inbox'].public_id}/").status_code == 404
