"""A letter (MedCom CareCommunication) received about a course, built and ingested the way a hospital's or a
municipality's system would send it: for the inbox, read/unread and reply tests."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sektorbro.messaging import ingest
from sektorbro.messaging.medcom import build
from sektorbro.messaging.medcom.extract import Party
from sektorbro.messaging.models import InboxMessage, InboxStatus
from sektorbro.organisations.models import OrganisationUnit


def party(key: str) -> Party:
    unit = OrganisationUnit.objects.get(key=key)
    return Party(name=unit.name, sor=unit.sor_code, gln=unit.location_number)


def received_letter(
    citizen: Any,
    *,
    sender: str = "rhr-medicin",
    receiver: str = "visitation-730",
    text: str = "Hvornår kan I modtage borgeren?",
    topic: str = "Udskrivelse",
) -> InboxMessage:
    letter = build.care_communication(
        sender=party(sender), receiver=party(receiver), patient_cpr=citizen.cpr, patient_name=citizen.name,
        category="discharge", topic=topic, text=text, author_phone="78411100",
        now=timezone.now().replace(microsecond=0),
    )  # fmt: skip
    message = ingest.ingest(build.to_json(letter).encode(), transport="test")
    assert message.status == InboxStatus.ACCEPTED, message.reason
    return message
