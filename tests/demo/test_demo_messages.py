"""The demo's MedCom traffic: real messages through the real ingestion path, one in quarantine, made once."""

from __future__ import annotations

from typing import Any

import pytest

from sektorbro.accounts.models import User
from sektorbro.citizens.models import Citizen
from sektorbro.courses.models import Course
from sektorbro.demo.messages import STORIES, TRANSPORT, cpr
from sektorbro.demo.region import build_demo
from sektorbro.messaging import selectors
from sektorbro.messaging.medcom.validate import check
from sektorbro.messaging.models import InboxMessage, InboxStatus, OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


def _course(name: str) -> Course:
    return Course.objects.get(citizen__name=name, citizen__cpr__in=[cpr(s) for s in STORIES])


def test_demo_receives_messages_and_quarantines_exactly_one() -> None:
    result = build_demo(citizens=19)
    demo = InboxMessage.objects.filter(transport=TRANSPORT)
    assert (result.inbox, result.quarantine, result.outbox) == (11, 1, 13)  # 2 letters, 11 acknowledgements
    assert demo.count() == 11
    assert demo.filter(status=InboxStatus.ACCEPTED).count() == 10
    # Every message was stored raw, and is a valid MedCom message built by the project's builders.
    assert all(bytes(m.raw) and len(m.sha256) == 64 for m in demo)
    assert all(check(bytes(m.raw)).valid for m in demo)
    assert sorted(demo.values_list("event_code", flat=True)) == sorted(
        ["STIN", "STIN", "STIN", "STIN", "STIN", "STAA", "STOR", "SLOR", "SLHJ", "", ""]
    )
    assert demo.filter(kind="care_communication").count() == 2


def test_the_quarantined_message_has_a_clear_reason() -> None:
    build_demo(citizens=19)
    quarantined = InboxMessage.objects.get(transport=TRANSPORT, status__in=["rejected", "unapplicable"])
    assert quarantined.status == InboxStatus.UNAPPLICABLE and quarantined.event_code == "STIN"
    assert "afsendende hospital er ukendt" in quarantined.reason
    assert quarantined.citizen is None and quarantined.course is None
    assert not Course.objects.filter(citizen__name="Kaj Mølgaard").exists()
    visitator = User.objects.get(username="kommune.randers")
    assert list(selectors.quarantine_visible_to(visitator)) == [quarantined]
    assert selectors.inbox_visible_to(visitator).filter(transport=TRANSPORT).count() == 11


def test_the_courses_got_the_events() -> None:
    build_demo(citizens=19)
    types = {
        name: list(_course(name).events.order_by("seq").values_list("type", flat=True))
        for name in ("Gudrun Holm", "Svend Aagaard", "Ruth Krogh", "Aksel Brandt", "Birthe Vind")
    }
    assert types["Gudrun Holm"] == ["admitted"]
    assert _course("Gudrun Holm").track == "acute" and _course("Svend Aagaard").track == "planned"
    # The ward's letter, then the visitation's answer; answering the letter marked it read (A05 met).
    assert types["Svend Aagaard"] == [
        "admitted",
        "correspondence_sent",
        "correspondence_sent",
        "correspondence_read",
    ]
    assert types["Ruth Krogh"] == ["admitted", "leave_started", "leave_ended"]
    assert types["Aksel Brandt"] == ["admitted", "discharged"]
    assert _course("Aksel Brandt").ended_at is not None
    assert types["Birthe Vind"] == ["admitted", "correspondence_sent", "correspondence_sent"]
    # The municipality's two letters wait in the outbox; the ward's answer to one of them arrived.
    letters = OutboxMessage.objects.filter(kind="care_communication", status=OutboxStatus.PENDING)
    assert sorted(letters.values_list("event_code", flat=True)) == ["new-message", "reply-message"]
    reply = letters.get(event_code="reply-message")
    assert reply.in_reply_to is not None and reply.in_reply_to.transport == TRANSPORT
    answer = InboxMessage.objects.filter(transport=TRANSPORT, kind="care_communication").order_by("id").last()
    assert answer is not None and answer.citizen is not None and answer.citizen.name == "Birthe Vind"


def test_running_the_demo_twice_gives_the_same_counts() -> None:
    first = build_demo(citizens=19)
    totals = (Citizen.objects.count(), Course.objects.count(), InboxMessage.objects.count(), OutboxMessage.objects.count())  # fmt: skip
    second = build_demo(citizens=19)
    assert (second.inbox, second.quarantine, second.outbox, second.courses) == (
        first.inbox,
        first.quarantine,
        first.outbox,
        first.courses,
    )
    assert totals == (Citizen.objects.count(), Course.objects.count(), InboxMessage.objects.count(), OutboxMessage.objects.count())  # fmt: skip


def test_the_course_page_lists_its_medcom_messages_both_ways(client: Any, settings: Any) -> None:
    settings.DEMO_MODE = True  # demo accounts only log in in demo mode
    build_demo(citizens=19)
    course = _course("Birthe Vind")
    client.force_login(
        User.objects.get(username="kommune.randers"),
        backend="sektorbro.accounts.backends.SektorbroModelBackend",
    )
    body = client.get(f"/forloeb/{course.public_id}/").content.decode()
    section = body[body.index('id="messages-heading"') :]
    received = InboxMessage.objects.filter(course=course).exclude(kind="acknowledgement")
    sent = OutboxMessage.objects.filter(course=course).exclude(kind="acknowledgement")
    assert received.count() >= 2 and sent.count() >= 1
    for message in received:
        assert f"/beskeder/modtaget/{message.public_id}/" in section
    for letter in sent:
        assert f"/beskeder/sendt/{letter.public_id}/" in section
    assert "Modtaget" in section and "Sendt" in section


def test_the_start_page_points_to_the_quarantine(client: Any, settings: Any) -> None:
    settings.DEMO_MODE = True
    build_demo(citizens=19)
    client.force_login(
        User.objects.get(username="kommune.randers"),
        backend="sektorbro.accounts.backends.SektorbroModelBackend",
    )
    body = client.get("/").content.decode()
    assert "1 MedCom-meddelelse venter i karantænen" in body and 'href="/beskeder/karantaene/"' in body
    client.force_login(
        User.objects.get(username="kommune.viborg"),
        backend="sektorbro.accounts.backends.SektorbroModelBackend",
    )
    assert "karantænen" not in client.get("/").content.decode()  # not Viborg's message
