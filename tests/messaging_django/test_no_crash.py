"""Nothing delivered may crash ingestion (#15): every message is applied or rejected with a rule id, and every one
gets exactly one acknowledgement; a rejected message writes nothing but its inbox row."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sektorbro.accounts.models import ApiToken
from sektorbro.courses.models import Course, CourseEvent
from sektorbro.messaging import api as medcom_api
from sektorbro.messaging import ingest
from sektorbro.messaging.medcom import build, mutate, synthetic
from sektorbro.messaging.medcom.build import to_json
from sektorbro.messaging.medcom.validate import check
from sektorbro.messaging.models import InboxMessage, InboxStatus, MessageKind, OutboxMessage
from sektorbro.organisations.models import OrganisationUnit

URL = "/api/v1/medcom/messages"
ADMITTED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=synthetic.COPENHAGEN)


def admission(serial: int = 1) -> dict[str, Any]:
    patient = synthetic.fictitious_patient(random.Random(serial), serial)
    return synthetic.stay(("STIN",), patient=patient, admitted_at=ADMITTED)[0]


def resource(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


@pytest.fixture
def key(example_parties: None) -> str:
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.create_user(username="rhr.system")
    return ApiToken.issue(user=owner, name="EPJ", senders=OrganisationUnit.objects.filter(key="rhr"))[1]


def post(client: Client, raw: bytes, key: str) -> Any:
    return client.post(URL, raw, content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {key}")


def acknowledgements_of(message: InboxMessage) -> int:
    return OutboxMessage.objects.filter(in_reply_to=message, kind=MessageKind.ACKNOWLEDGEMENT).count()


def partial_start(bundle: dict[str, Any]) -> bytes:
    resource(bundle, "Encounter")["period"]["start"] = "2026"
    return json.dumps(bundle).encode()


def far_future(bundle: dict[str, Any]) -> bytes:
    resource(bundle, "Encounter")["period"]["start"] = "9999-12-31T23:59:59+14:00"
    return json.dumps(bundle).encode()


def lone_surrogate(bundle: dict[str, Any]) -> bytes:
    resource(bundle, "Patient")["name"][0]["family"] = "PLACEHOLDER"
    return json.dumps(bundle).encode().replace(b"PLACEHOLDER", b"\\ud800")


def duplicate_key(bundle: dict[str, Any]) -> bytes:
    text = json.dumps(bundle)
    return text.replace('"resourceType": "Bundle"', '"resourceType": "Bundle", "type": "message"', 1).encode()


@pytest.mark.django_db
@pytest.mark.parametrize("broken", [partial_start, far_future, lone_surrogate, duplicate_key])
def test_the_known_crashes_are_rejected_with_a_rule_and_answered_once(
    client: Client, key: str, broken: Any
) -> None:
    response = post(client, broken(admission()), key)
    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["diagnostics"].startswith("[mc-")
    message = InboxMessage.objects.get()
    assert message.status == InboxStatus.REJECTED
    assert Course.objects.count() == 0 and CourseEvent.objects.count() == 0
    assert acknowledgements_of(message) == 1


@pytest.mark.django_db
def test_a_body_above_the_limit_gets_413_with_an_operation_outcome_and_nothing_is_stored(
    client: Client, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(medcom_api, "MAX_BYTES", 1000)
    response = post(client, json.dumps(admission()).encode(), key)
    assert response.status_code == 413
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "[mc-size]" in response.json()["issue"][0]["diagnostics"]
    assert InboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_body_above_django_s_form_limit_but_within_mc_size_is_processed(client: Client, key: str) -> None:
    """Django refuses request bodies over 2.5 MB for forms; a MedCom letter with a PDF may be larger."""
    bundle = admission()
    resource(bundle, "Patient")["name"][0]["text"] = (
        "x" * 3_000_000
    )  # valid JSON, invalid name: rejected, not 400-HTML
    response = post(client, json.dumps(bundle).encode(), key)
    assert response.status_code in (202, 400)
    assert response["Content-Type"].startswith("application/json")
    assert InboxMessage.objects.count() == 1
    assert len(response.content) < 100_000  # the answer never echoes megabytes of the input


KINDS = [k for k in mutate.KINDS if k != "huge"]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(KINDS))
def test_no_mutation_of_a_valid_message_escapes_ingestion(
    seed: int, kind: str, example_parties: None
) -> None:
    raw = mutate.mutant(to_json_dict(admission(seed % 50)), random.Random(seed), kind)
    before_events = CourseEvent.objects.count()
    message = ingest.ingest(raw, transport="test")  # must not raise
    message.refresh_from_db()
    assert message.status in {
        InboxStatus.ACCEPTED, InboxStatus.REJECTED, InboxStatus.UNAPPLICABLE, InboxStatus.QUEUED,
        InboxStatus.DUPLICATE,
    }  # fmt: skip
    if message.status == InboxStatus.REJECTED:
        assert CourseEvent.objects.count() == before_events
        assert message.errors and all(e["rule"].startswith("mc-") for e in message.errors if "rule" in e)
    if message.status == InboxStatus.ACCEPTED:
        assert CourseEvent.objects.filter(source_message_id=message.message_id).count() == 1
    # One acknowledgement each, unless MedCom's rules leave nobody to address it to (no readable header id or
    # no sender with SOR and GLN; such a message is answered by the transport: HTTP 400, the folder's failed/).
    expected = 1 if can_acknowledge(raw) and message.kind != MessageKind.ACKNOWLEDGEMENT else 0
    if message.status in (InboxStatus.QUEUED, InboxStatus.DUPLICATE):
        expected = min(expected, acknowledgements_of(message))
    assert acknowledgements_of(message) == expected


def can_acknowledge(raw: bytes) -> bool:
    try:
        build.acknowledgement(check(raw), code="ok", issues=[], now=timezone.now())
    except build.CannotAcknowledge:
        return False
    return True


def to_json_dict(bundle: dict[str, Any]) -> dict[str, Any]:
    return json.loads(to_json(bundle, indent=None))
