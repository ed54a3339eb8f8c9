"""Beskeder as an inbox (issue 18, item 5): a letter is unread for the organisation it is addressed to until somebody
of it opens it; the reply goes from the message into the letter's thread; the letter form names the recipient
before sending and offers the valid ones."""

from __future__ import annotations

from typing import Any

import pytest

from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.messaging import addressing, selectors
from sektorbro.messaging.medcom import extract
from sektorbro.messaging.medcom.validate import check
from sektorbro.messaging.models import MessageRead, OutboxMessage
from sektorbro.messaging.services import mark_read, send_correspondence
from tests.letters import received_letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(make_citizen: Any, make_course: Any) -> Any:
    return make_course(make_citizen("730", "Bruno Elmer", gp_key="laege-730-1", receives_elderly_care=True))


@pytest.fixture
def home_nurse(make_user: Any) -> Any:
    return make_user("hjemmesygeplejerske", "home_nurse", "home-nursing-730")


# --- read / unread per organisation -------------------------------------------------------------------------
def test_a_letter_is_unread_for_its_addressee_until_somebody_of_the_organisation_opens_it(
    course: Any, personas: dict[str, Any], home_nurse: Any, login: Any
) -> None:
    letter = received_letter(course.citizen)
    visitator, nurse = personas["visitator_randers"], personas["ward_nurse_randers"]
    assert selectors.unread_count(visitator) == 1 and selectors.unread_count(home_nurse) == 1
    assert selectors.unread_count(nurse) == 0  # the sender's own letter is not unread for it
    assert selectors.unread_count(personas["visitator_viborg"]) == 0

    page = login(home_nurse).get(f"/beskeder/modtaget/{letter.public_id}/")
    assert page.status_code == 200
    read = MessageRead.objects.get()
    assert read.organisation.key == "visitation-730" and read.read_by == home_nurse
    # Read for the whole municipality: the visitator sees it read, by whom.
    assert selectors.unread_count(visitator) == 0 and selectors.unread_count(home_nurse) == 0
    body = login(visitator).get(f"/beskeder/modtaget/{letter.public_id}/").content.decode()
    assert 'id="message-read"' in body and "Visitationen, Randers Kommune" in body
    assert MessageRead.objects.count() == 1  # opened again: still one read


def test_opening_a_letter_records_that_the_addressee_read_it_on_the_course(
    course: Any, personas: dict[str, Any], login: Any
) -> None:
    letter = received_letter(course.citizen)
    sent = course.events.get(type="correspondence_sent")
    login(personas["visitator_randers"]).get(f"/beskeder/modtaget/{letter.public_id}/")
    reading = course.events.get(type="correspondence_read")
    assert reading.data == {"ref_seq": sent.seq} and reading.organisation.key == "visitation-730"
    course.refresh_from_db()
    assert not any(t["code"] == "deadline:A05" for t in course.state_tasks)  # read once per shift: met
    # The sender opening its own letter neither marks it read nor records a reading.
    assert mark_read(actor=personas["ward_nurse_randers"], message=letter) is None
    assert course.events.filter(type="correspondence_read").count() == 1


def test_at_the_hospital_a_letter_to_a_ward_is_unread_for_that_ward_only(
    course: Any, personas: dict[str, Any]
) -> None:
    received_letter(course.citizen, sender="visitation-730", receiver="rhr-medicin")
    assert selectors.unread_count(personas["ward_nurse_randers"]) == 1
    assert selectors.unread_count(personas["ortho_nurse_randers"]) == 0  # another ward: not its letter
    assert selectors.unread_count(personas["visitator_randers"]) == 0


def test_notifications_are_never_unread_and_others_may_not_mark_letters_read(
    course: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    notification = randers_world["inbox"]  # a HospitalNotification to Randers' visitation
    assert mark_read(actor=personas["visitator_randers"], message=notification) is None
    letter = received_letter(course.citizen)
    assert mark_read(actor=personas["gp_randers"], message=letter) is None  # not addressed to the GP
    assert selectors.unread_count(personas["visitator_randers"]) == 1


def test_the_inbox_shows_unread_letters_bold_counts_them_and_filters_them(
    course: Any, personas: dict[str, Any], randers_world: dict[str, Any], login: Any
) -> None:
    received_letter(course.citizen, topic="Første brev")
    second = received_letter(course.citizen, topic="Andet brev", text="Og et spørgsmål mere.")
    client = login(personas["visitator_randers"])
    client.get(f"/beskeder/modtaget/{second.public_id}/")
    body = client.get("/beskeder/").content.decode()
    assert body.count('<tr class="unread">') == 1
    assert body.count('class="badge badge-unread"') >= 3  # the menu, the tab and the row
    only_unread = client.get("/beskeder/?unread=1").content.decode()
    assert "Første brev" in only_unread and "Andet brev" not in only_unread
    assert "Randers Indlagt" not in only_unread  # the notification is not a letter to read
    assert 'id="id_unread" name="unread" value="1" checked' in only_unread


def test_the_unread_count_is_one_query(
    course: Any, personas: dict[str, Any], django_assert_num_queries: Any
) -> None:
    received_letter(course.citizen)
    visitator = personas["visitator_randers"]
    visitator.active_memberships()  # cached on the user for the request, as the middleware leaves it
    with django_assert_num_queries(1):
        assert selectors.unread_count(visitator) == 1


# --- reply from the message ---------------------------------------------------------------------------------
def test_the_visitation_answers_a_letter_from_its_page_in_the_thread(
    course: Any, personas: dict[str, Any], login: Any
) -> None:
    letter = received_letter(course.citizen)
    client = login(personas["visitator_randers"])
    course_page = client.get(f"/forloeb/{course.public_id}/").content.decode()
    assert course_page.count("badge badge-unread") == 2  # the menu and the letter in the course's messages
    page = client.get(f"/beskeder/modtaget/{letter.public_id}/").content.decode()
    assert (
        'id="reply-recipient"' in page and "Medicinsk Afdeling, Randers" in page and "5790001990107" in page
    )
    assert f"/forloeb/{course.public_id}/" in page  # the link to the course
    assert "badge-unread" not in client.get(f"/forloeb/{course.public_id}/").content.decode()
    empty = client.post(f"/beskeder/modtaget/{letter.public_id}/svar/", {"text": "", "phone": ""})
    assert empty.status_code == 400 and OutboxMessage.objects.filter(kind="care_communication").count() == 0
    sent = client.post(
        f"/beskeder/modtaget/{letter.public_id}/svar/", {"text": "Vi kan modtage ham fredag.", "phone": ""}
    )
    assert sent.status_code == 302
    reply = OutboxMessage.objects.get(kind="care_communication")
    assert reply.event_code == "reply-message" and reply.in_reply_to == letter
    assert reply.receiver_unit is not None and reply.receiver_unit.key == "rhr-medicin"
    assert reply.sender_unit is not None and reply.sender_unit.key == "visitation-730"
    checked = check(reply.content.encode())
    assert checked.valid, [i.line() for i in checked.issues]
    facts = extract.care_communication(checked)
    assert facts.thread_id == extract.care_communication(check(bytes(letter.raw))).thread_id
    assert course.events.filter(type="correspondence_sent", data__to="hospital").exists()
    assert (
        f"/beskeder/sendt/{reply.public_id}/"
        in client.get(f"/beskeder/modtaget/{letter.public_id}/").content.decode()
    )


def test_answering_a_letter_marks_it_read(course: Any, personas: dict[str, Any]) -> None:
    letter = received_letter(course.citizen)
    course.refresh_from_db()
    send_correspondence(
        actor=personas["visitator_randers"], course=course, reply_to=letter, text="Fredag.", category="",
        phone="89151515", expected_version=course.version,
    )  # fmt: skip
    assert selectors.unread_count(personas["visitator_randers"]) == 0
    assert [e.type for e in course.events.order_by("seq")][-2:] == [
        "correspondence_sent",
        "correspondence_read",
    ]


def test_only_a_letter_of_the_course_can_be_answered(
    course: Any, make_citizen: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    other = make_course(make_citizen("730", "Anden Borger"))
    letter = received_letter(course.citizen)
    with pytest.raises(DomainError) as err:
        send_correspondence(
            actor=personas["visitator_randers"], course=other, reply_to=letter, text="x", category="",
            phone="89151515",
        )  # fmt: skip
    assert err.value.field == "reply_to"
    with pytest.raises(NotPermitted):
        send_correspondence(
            actor=personas["gp_randers"],
            course=course,
            reply_to=letter,
            text="x",
            category="",
            phone="89151515",
        )
    # The ward sees the letter it sent, but only the addressee answers it.
    ward = personas["ward_nurse_randers"]
    with pytest.raises(NotPermitted):
        send_correspondence(
            actor=ward, course=course, reply_to=letter, text="x", category="", phone="78411100"
        )


def test_the_sender_sees_its_letter_without_a_reply_form(
    course: Any, personas: dict[str, Any], login: Any
) -> None:
    letter = received_letter(course.citizen)
    page = login(personas["ward_nurse_randers"]).get(f"/beskeder/modtaget/{letter.public_id}/")
    assert page.status_code == 200 and 'id="reply-recipient"' not in page.content.decode()


# --- the recipient chosen before sending --------------------------------------------------------------------
def test_the_hospital_chooses_the_municipal_unit_or_the_gp_visitation_by_default(
    course: Any, personas: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    sender = addressing.sender_unit(nurse, course)
    assert sender is not None
    keys = [r.unit.key for r in addressing.recipients(sender, course)]
    assert keys[0] == "visitation-730" and {"home-nursing-730", "laege-730-1"} <= set(keys)
    assert all(k.endswith("730") or k == "laege-730-1" for k in keys)
    default = send_correspondence(actor=nurse, course=course, text="Plan følger.", category="nursing")
    assert default.receiver_unit is not None and default.receiver_unit.key == "visitation-730"
    nursing = send_correspondence(
        actor=nurse, course=course, text="Sårpleje.", category="nursing", receiver="home-nursing-730"
    )
    assert nursing.receiver_unit is not None and nursing.receiver_unit.key == "home-nursing-730"
    assert extract.care_communication(check(nursing.content.encode())).common.receiver.gln == "5790001990824"  # type: ignore[union-attr]
    gp = send_correspondence(
        actor=nurse, course=course, text="Til egen læge.", category="medicine", receiver="laege-730-1"
    )
    assert [e.data["to"] for e in course.events.filter(type="correspondence_sent").order_by("seq")] == [
        "municipality",
        "municipality",
        "gp",
    ]
    assert gp.receiver_label == "Lægehuset Randers"
    with pytest.raises(DomainError) as err:
        send_correspondence(
            actor=nurse, course=course, text="x", category="nursing", receiver="visitation-791"
        )
    assert err.value.field == "receiver"


def test_the_municipality_writes_to_the_ward_by_default_or_the_hospital(
    course: Any, personas: dict[str, Any]
) -> None:
    sender = addressing.sender_unit(personas["visitator_randers"], course)
    assert sender is not None
    assert [r.unit.key for r in addressing.recipients(sender, course)] == [
        "rhr-medicin",
        "rhr",
        "laege-730-1",
    ]
    assert addressing.sender_unit(personas["gp_randers"], course) is None


def test_the_letter_form_names_the_recipients_and_is_not_offered_to_who_may_not_send(
    course: Any, personas: dict[str, Any], login: Any
) -> None:
    page = login(personas["ward_nurse_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    assert 'name="receiver"' in page and "5790001990800" in page
    assert '<option value="visitation-730" selected>' in page
    client = login(personas["ward_nurse_randers"])
    chosen = client.post(
        f"/forloeb/{course.public_id}/korrespondance/",
        {"receiver": "home-nursing-730", "category": "nursing", "text": "Sårpleje.", "phone": "78411100",
         "version": course.version},
    )  # fmt: skip
    assert chosen.status_code == 302
    assert OutboxMessage.objects.get(kind="care_communication").receiver_unit.key == "home-nursing-730"  # type: ignore[union-attr]
    gp = login(personas["gp_randers"])
    assert 'name="receiver"' not in gp.get(f"/forloeb/{course.public_id}/").content.decode()
    refused = gp.post(
        f"/forloeb/{course.public_id}/korrespondance/",
        {"category": "nursing", "text": "x", "phone": "86101200", "version": course.version},
    )
    assert refused.status_code == 403


def test_the_database_keeps_one_read_per_message_and_organisation(
    course: Any, personas: dict[str, Any]
) -> None:
    from django.db import IntegrityError, transaction

    letter = received_letter(course.citizen)
    read = mark_read(actor=personas["visitator_randers"], message=letter)
    assert read is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageRead.objects.create(message=letter, organisation=read.organisation)
    assert mark_read(actor=personas["visitator_randers"], message=letter) is None
