"""Outbound correspondence: one service builds the MedCom CareCommunication, puts it in the outbox and records
the course event, in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sektorbro.core import audit
from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.courses import services as course_services
from sektorbro.courses.models import Course
from sektorbro.messaging import addressing, selectors
from sektorbro.messaging.medcom import build
from sektorbro.messaging.medcom.extract import Party
from sektorbro.messaging.medcom.validate import check
from sektorbro.messaging.models import InboxMessage, MessageKind, MessageRead, OutboxMessage
from sektorbro.organisations.models import OrganisationUnit


def _party(unit: OrganisationUnit) -> Party:
    if not unit.location_number or not unit.sor_code:
        raise DomainError(
            _("%(unit)s has no location number or SOR code, so MedCom messages cannot be addressed to it.")
            % {"unit": unit.name},
            field="receiver",
        )
    return Party(name=unit.name, sor=unit.sor_code, gln=unit.location_number)


def _sender_unit(actor: Any, course: Course, reply_to: InboxMessage | None) -> OrganisationUnit:
    if reply_to is not None:
        sender = addressing.reply_sender(actor, course, reply_to.receiver_unit)
    else:
        sender = addressing.sender_unit(actor, course)
    if sender is None:
        raise NotPermitted(_("Only the hospital or the citizen's municipality can write in this course."))
    return sender


def _receiver_unit(
    sender: OrganisationUnit, course: Course, receiver: OrganisationUnit | str | None
) -> OrganisationUnit:
    """The chosen recipient, which must be one of the valid ones; none chosen: the default (the first)."""
    valid = addressing.recipients(sender, course)
    if not valid:
        raise DomainError(
            _("There is nobody this course's letters can be addressed to (no unit with a location number)."),
            field="receiver",
        )
    if receiver is None or receiver == "":
        return valid[0].unit
    key = receiver if isinstance(receiver, str) else receiver.key
    for recipient in valid:
        if recipient.unit.key == key:
            return recipient.unit
    raise DomainError(_("Choose one of the recipients offered."), field="receiver")


def _reply_receiver(reply_to: InboxMessage, course: Course) -> OrganisationUnit:
    """A reply goes to the sender of the letter it answers; the letter must be a received letter of the course."""
    if reply_to.kind != MessageKind.CARE_COMMUNICATION or reply_to.course_id != course.pk:
        raise DomainError(_("Only a letter received in this course can be answered here."), field="reply_to")
    sender = reply_to.sender_unit
    if not addressing.addressable(sender):
        raise DomainError(
            _("The sender of the letter is not an organisation Sektorbro can write to."), field="reply_to"
        )
    assert sender is not None
    return sender


@transaction.atomic
def send_correspondence(
    *,
    actor: Any,
    course: Course,
    text: str,
    category: str,
    topic: str = "",
    phone: str = "",
    reply_to: InboxMessage | None = None,
    receiver: OrganisationUnit | str | None = None,
    expected_version: int | None = None,
) -> OutboxMessage:
    """A letter about ``course`` from the user's unit to ``receiver`` (a unit or its key; one of
    ``addressing.recipients``; None: the default), or (``reply_to``) a reply in the thread of a received letter,
    to its sender."""
    sender = _sender_unit(actor, course, reply_to)
    if reply_to is not None:
        reply_receiver = _reply_receiver(reply_to, course)
        if receiver is not None and receiver != "" and receiver not in (reply_receiver, reply_receiver.key):
            raise DomainError(_("A reply goes to the sender of the letter it answers."), field="receiver")
        addressee = reply_receiver
    else:
        addressee = _receiver_unit(sender, course, receiver)
    phone = (phone or sender.phone).strip()
    if not phone:
        raise DomainError(
            _("Give your phone number: MedCom requires one on every correspondence message."), field="phone"
        )
    try:
        phone = build.phone_number(phone)  # MedCom writes it as + and digits: +4589151515
    except ValueError as exc:
        raise DomainError(
            _("A phone number holds only digits, spaces and a leading +, e.g. +45 89 15 15 15."),
            field="phone",
        ) from exc
    author = build.Author(
        given=getattr(actor, "first_name", "") or actor.get_username(),
        family=getattr(actor, "last_name", "") or "",
        phone=phone,
        role_text=str(next(iter(actor.active_memberships())).get_role_display()),
    )
    now = timezone.now()
    received = check(bytes(reply_to.raw)) if reply_to is not None else None
    if received is not None and not received.valid:
        raise DomainError(_("Only a valid received message can be answered."), field="reply_to")
    try:
        bundle = build.care_communication(
            sender=_party(sender),
            receiver=_party(addressee),
            patient_cpr=course.citizen.cpr,
            patient_name=course.citizen.name,
            category=category,
            topic=topic,
            text=text,
            author_phone=phone,
            author=author,
            now=now,
            reply_to=received,
            encounter=selectors.stay_of(course),
        )
    except ValueError as exc:
        problem = str(exc)
        field = "phone" if "phone" in problem else "text" if "text" in problem else "category"
        raise DomainError(problem, field=field) from exc
    built = check(build.to_json(bundle).encode())
    if not built.valid:  # never put a message in the outbox that the receiver would reject
        raise DomainError(
            _("The message could not be built: %(problem)s") % {"problem": built.issues[0].line()},
            field="text",
        )
    event = course_services.record_event(
        actor=actor,
        course=course,
        event_type="correspondence_sent",
        occurred_at=now,
        data={
            "to": addressing.party_of(addressee),
            "category": category,
            "topic": topic,
        },
        expected_version=expected_version,
        organisation=sender,
        source="outbox",  # the letter is sent: the event is the outbox's record of it
    )
    header = bundle["entry"][0]["resource"]
    outbox = OutboxMessage.objects.create(
        message_id=header["id"],
        kind=MessageKind.CARE_COMMUNICATION,
        event_code="reply-message" if reply_to else "new-message",
        content=build.to_json(bundle),
        sender_unit=sender,
        receiver_gln=addressee.location_number,
        receiver_label=addressee.name,
        receiver_unit=addressee,
        citizen=course.citizen,
        course=course,
        in_reply_to=reply_to,
        summary={
            "title": topic or category or (reply_to.summary.get("title", "") if reply_to else ""),
            "texts": [text],
            "course_event": event.seq,
        },
    )
    if reply_to is not None:  # whoever answers a letter has read it
        mark_read(actor=actor, message=reply_to)
    return outbox


@transaction.atomic
def mark_read(*, actor: Any, message: InboxMessage) -> MessageRead | None:
    """The user opened ``message``: when it is a letter addressed to the user's organisation that nobody of it has
    opened, it becomes read for that organisation, and the course records that the addressee read it
    (``correspondence_read`` naming the letter's event: the reading deadlines P18/P19/A05 are met). Returns the new
    read, or None when there was nothing to mark (already read, not addressed to the user's organisation).
    Concurrent openings are safe: the unique constraint keeps one read, and only its writer records the event."""
    if not selectors.addressed_to_user(actor, message):
        return None
    assert message.receiver_unit is not None
    try:
        with transaction.atomic():
            read, created = MessageRead.objects.get_or_create(
                message=message, organisation=message.receiver_unit, defaults={"read_by": actor}
            )
    except IntegrityError:  # somebody of the organisation opened it at the same moment
        return None
    if not created:
        return None
    audit.record(
        actor=actor,
        action="messaging.message_read",
        subject_type="inbox_message",
        subject_id=str(message.public_id),
        data={"organisation": message.receiver_unit.key},
    )
    _record_reading(actor, message)
    return read


def _record_reading(actor: Any, message: InboxMessage) -> None:
    course = message.course
    if course is None or not message.message_id:
        return
    letter = course.events.filter(type="correspondence_sent", source_message_id=message.message_id).first()
    if letter is None or not course_services.may_record(actor, course, "correspondence_read"):
        return
    try:
        with transaction.atomic():
            course_services.record_event(
                actor=actor,
                course=course,
                event_type="correspondence_read",
                occurred_at=timezone.now(),
                data={"ref_seq": letter.seq},
                organisation=message.receiver_unit,
            )
    except DomainError:  # e.g. a cancelled course takes no events: the letter is read all the same
        return
