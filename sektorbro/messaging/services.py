"""Outbound correspondence: one service builds the MedCom CareCommunication, puts it in the outbox and records
the course event, in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.courses import services as course_services
from sektorbro.courses.models import Course
from sektorbro.messaging.medcom import build
from sektorbro.messaging.medcom.extract import Party
from sektorbro.messaging.medcom.validate import check
from sektorbro.messaging.models import InboxMessage, MessageKind, OutboxMessage
from sektorbro.messaging.selectors import stay_of
from sektorbro.organisations.models import OrganisationUnit


def _party(unit: OrganisationUnit) -> Party:
    if not unit.location_number or not unit.sor_code:
        raise DomainError(
            _("%(unit)s has no location number or SOR code, so MedCom messages cannot be addressed to it.")
            % {"unit": unit.name},
            field="receiver",
        )
    return Party(name=unit.name, sor=unit.sor_code, gln=unit.location_number)


def _sender_unit(actor: Any, course: Course) -> OrganisationUnit:
    for membership in actor.active_memberships():
        sector = sector_of(membership.role)
        unit = membership.unit
        if sector == Sector.MUNICIPALITY and unit.municipality_id == course.citizen.residence_municipality_id:
            return unit
        if sector == Sector.HOSPITAL and unit.hospital is not None and unit.hospital.pk == course.hospital_id:
            return unit
    raise NotPermitted(_("Only the hospital or the citizen's municipality can write in this course."))


def _receiver_unit(sender: OrganisationUnit, course: Course) -> OrganisationUnit:
    if sender.kind == "municipal_unit":
        return course.department or course.hospital
    visitation = OrganisationUnit.objects.filter(
        municipality_id=course.citizen.residence_municipality_id, municipal_service="visitation"
    ).first()
    if visitation is None:
        raise DomainError(
            _("The citizen's municipality has no visitation unit to write to."), field="receiver"
        )
    return visitation


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
    expected_version: int | None = None,
) -> OutboxMessage:
    sender = _sender_unit(actor, course)
    receiver = _receiver_unit(sender, course)
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
            receiver=_party(receiver),
            patient_cpr=course.citizen.cpr,
            patient_name=course.citizen.name,
            category=category,
            topic=topic,
            text=text,
            author_phone=phone,
            author=author,
            now=now,
            reply_to=received,
            encounter=stay_of(course),
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
            "to": "hospital" if receiver.kind in ("hospital", "department") else "municipality",
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
        receiver_gln=receiver.location_number,
        receiver_label=receiver.name,
        receiver_unit=receiver,
        citizen=course.citizen,
        course=course,
        in_reply_to=reply_to,
        summary={"title": topic or category, "texts": [text], "course_event": event.seq},
    )
    return outbox
