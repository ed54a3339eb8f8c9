"""MedCom delivery that hospitals and municipalities can trust (#15): a token delivers only what its organisations
send; a resend is recognised whatever became of the first copy and gets the first answer; and on PostgreSQL the
same delivery racing itself, or two admissions of a new citizen racing, are applied exactly once."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from sektorbro.accounts.models import ApiToken
from sektorbro.citizens.models import Citizen
from sektorbro.core.models import AuditEvent
from sektorbro.courses.models import Course, CourseEvent
from sektorbro.messaging.medcom import synthetic
from sektorbro.messaging.medcom.build import to_json
from sektorbro.messaging.models import InboxMessage, InboxStatus
from sektorbro.organisations.models import OrganisationUnit

URL = "/api/v1/medcom/messages"
CPH = synthetic.COPENHAGEN


def stay(codes: tuple[str, ...], serial: int = 1, day: int = 2) -> list[bytes]:
    """The notifications of one stay, sent by the example ward (mapped onto Randers' medical ward)."""
    patient = synthetic.fictitious_patient(random.Random(serial), serial)
    messages = synthetic.stay(
        codes, patient=patient, admitted_at=dt.datetime(2026, 11, day, 9, 0, tzinfo=CPH)
    )
    return [to_json(m, indent=None).encode("utf-8") for m in messages]


def token_for(*unit_keys: str, user: str = "system") -> str:
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.create_user(username=f"{user}-{'-'.join(unit_keys) or 'personal'}")
    units = OrganisationUnit.objects.filter(key__in=unit_keys)
    return ApiToken.issue(user=owner, name="integration", senders=units)[1]


def post(client: Client, raw: bytes, key: str) -> Any:
    return client.post(URL, raw, content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.django_db
def test_a_municipality_s_token_cannot_deliver_an_admission_in_a_hospital_s_name(
    client: Client, example_parties: None
) -> None:
    admission = stay(("STIN",))[0]
    response = post(client, admission, token_for("visitation-730"))
    assert response.status_code == 403
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "265161000016000" in json.dumps(outcome) or "5790000209354" in json.dumps(outcome)
    assert InboxMessage.objects.count() == 0 and Course.objects.count() == 0
    assert AuditEvent.objects.filter(action="security.medcom_sender_refused").count() == 1


@pytest.mark.django_db
def test_a_personal_token_delivers_no_medcom_messages(client: Client, example_parties: None) -> None:
    response = post(client, stay(("STIN",))[0], token_for())
    assert response.status_code == 403
    assert InboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_hospital_token_covers_its_departments(client: Client, example_parties: None) -> None:
    response = post(client, stay(("STIN",))[0], token_for("rhr"))
    assert response.status_code == 202 and response.json()["status"] == InboxStatus.ACCEPTED
    assert Course.objects.count() == 1


@pytest.mark.django_db
def test_a_resend_is_answered_as_the_first_copy_and_applied_once(
    client: Client, example_parties: None
) -> None:
    key = token_for("rhr")
    admission = stay(("STIN",))[0]
    first, again = post(client, admission, key), post(client, admission, key)
    assert first.status_code == again.status_code == 202
    assert CourseEvent.objects.filter(type="admitted").count() == 1
    original = InboxMessage.objects.get(status=InboxStatus.ACCEPTED)
    copy = InboxMessage.objects.get(status=InboxStatus.DUPLICATE)
    assert copy.duplicate_of_id == original.pk


@pytest.mark.django_db
def test_a_resend_of_a_quarantined_message_is_not_applied_again(
    client: Client, example_parties: None
) -> None:
    key = token_for("rhr")
    _admission, discharge = stay(("STIN", "SLHJ"))
    first = post(client, discharge, key)  # the discharge before its admission: it cannot be applied yet
    quarantined = InboxMessage.objects.get()
    assert quarantined.status in (InboxStatus.UNAPPLICABLE, InboxStatus.QUEUED)
    again = post(client, discharge, key)
    assert again.status_code == first.status_code
    assert InboxMessage.objects.filter(status=InboxStatus.DUPLICATE, duplicate_of=quarantined).count() == 1
    assert CourseEvent.objects.filter(type="discharged").count() == 0


@pytest.mark.django_db
def test_a_duplicate_of_a_rejected_message_gets_the_same_negative_answer(
    client: Client, example_parties: None
) -> None:
    key = token_for("rhr")
    bundle = json.loads(stay(("STIN",))[0])
    bundle.pop("timestamp", None)  # a Bundle without its timestamp is invalid (the header can still be read)
    raw = json.dumps(bundle).encode()
    first, again = post(client, raw, key), post(client, raw, key)
    assert first.status_code == again.status_code == 400
    assert first.json() == again.json()
    assert InboxMessage.objects.filter(status=InboxStatus.REJECTED).count() == 1
    assert InboxMessage.objects.filter(status=InboxStatus.DUPLICATE).count() == 1
    assert Course.objects.count() == 0


def _race(bodies: list[bytes], key: str) -> list[int]:
    """Post every body at once from its own thread (its own database connection); the answers' status codes."""
    start = threading.Barrier(len(bodies))
    answers: list[int] = [0] * len(bodies)

    def deliver(i: int, raw: bytes) -> None:
        try:
            client = Client()
            start.wait()
            answers[i] = post(client, raw, key).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(i, raw)) for i, raw in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def reference_data(transactional_db: Any, django_db_blocker: Any) -> Any:
    """Transactional tests empty the database when they end, the reference data included: load it before the
    test and put it back after, for the tests that follow."""
    from tests.browser.conftest import _restore_migrated_data

    _restore_migrated_data()
    yield
    with django_db_blocker.unblock():
        _restore_migrated_data()
        connections.close_all()


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent connections: run on PostgreSQL"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_racing_itself_is_applied_exactly_once(
    reference_data: None, example_parties: None
) -> None:
    key = token_for("rhr")
    admission = stay(("STIN",), serial=11)[0]
    answers = _race([admission] * 8, key)
    assert answers == [202] * 8
    assert CourseEvent.objects.filter(type="admitted").count() == 1
    assert InboxMessage.objects.exclude(status=InboxStatus.DUPLICATE).count() == 1
    assert InboxMessage.objects.filter(status=InboxStatus.RECEIVED).count() == 0


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_admissions_of_a_new_citizen_racing_make_one_citizen(
    reference_data: None, example_parties: None
) -> None:
    key = token_for("rhr")
    # Two stays of the same new person (the same CPR), delivered at the same moment.
    first = stay(("STIN",), serial=21, day=2)[0]
    raw_second = stay(("STIN",), serial=21, day=3)[0]
    assert json.loads(first)["id"] != json.loads(raw_second)["id"]
    answers = _race([first, raw_second], key)
    assert all(code in (202, 400) for code in answers), answers
    assert Citizen.objects.count() == 1
    assert InboxMessage.objects.filter(status=InboxStatus.RECEIVED).count() == 0
