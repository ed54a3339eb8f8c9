"""Ingestion: every received message is stored first, then processed in one transaction that either applies
it completely (course events, an acknowledgement in the outbox) or changes nothing but its own status.

Outcomes: accepted, duplicate (same MessageHeader id as an earlier message: answered again, applied once),
rejected (invalid: negative acknowledgement), queued (follows a message not received yet: waits), unapplicable
(valid, but Sektorbro cannot place it, e.g. an unknown sending hospital: kept in quarantine for staff to fix
and process again)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sektorbro.citizens.cpr import InvalidCpr, parse_cpr
from sektorbro.citizens.models import Citizen
from sektorbro.courses import services as course_services
from sektorbro.courses.models import Course, CourseEvent
from sektorbro.messaging.medcom import build, extract
from sektorbro.messaging.medcom.validate import Checked, check
from sektorbro.messaging.models import InboxMessage, InboxStatus, MessageKind, OutboxMessage
from sektorbro.organisations.models import OrganisationUnit

log = logging.getLogger(__name__)

KINDS = {
    "hospital-notification-message": MessageKind.HOSPITAL_NOTIFICATION,
    "care-communication-message": MessageKind.CARE_COMMUNICATION,
    "acknowledgement-message": MessageKind.ACKNOWLEDGEMENT,
}
CORRECTS = {
    "STIN": "admitted",
    "STAA": "admitted",
    "STOR": "leave_started",
    "SLOR": "leave_ended",
    "SLHJ": "discharged",
    "MORS": "died",
}


class Unapplicable(Exception):
    pass


class WaitFor(Exception):
    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id


@dataclass
class Applied:
    description: str
    citizen: Citizen | None = None
    course: Course | None = None
    events: list[CourseEvent] | None = None


def receive(raw: bytes, *, transport: str, sender_label: str = "") -> InboxMessage:
    """Store the raw message durably before anything else happens to it."""
    with transaction.atomic():
        return InboxMessage.objects.create(
            raw=raw,
            sha256=hashlib.sha256(raw).hexdigest(),
            transport=transport,
            sender_label=sender_label[:300],
        )


_UNIT_CACHE: dict[tuple[str, str], tuple[float, int | None]] = {}
UNIT_CACHE_SECONDS = 60.0


def clear_unit_cache() -> None:
    _UNIT_CACHE.clear()


def _unit(party: extract.Party | None) -> OrganisationUnit | None:
    """The organisation unit with this location number or SOR code (cached briefly: ingestion asks often)."""
    if party is None:
        return None
    key = (party.gln, party.sor)
    cached = _UNIT_CACHE.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < UNIT_CACHE_SECONDS:
        if cached[1] is None:
            return None
        found = OrganisationUnit.objects.filter(pk=cached[1]).select_related("parent", "municipality").first()
        if found is not None:
            return found
    unit = _lookup_unit(party)
    _UNIT_CACHE[key] = (now, unit.pk if unit else None)
    return unit


def _lookup_unit(party: extract.Party) -> OrganisationUnit | None:
    condition = Q(pk__in=[])
    if party.gln:
        condition |= Q(location_number=party.gln)
    if party.sor:
        condition |= Q(sor_code=party.sor)
    return OrganisationUnit.objects.filter(condition).select_related("parent", "municipality").first()


def _summary(checked: Checked) -> dict[str, Any]:
    facts = extract.common(checked)
    summary: dict[str, Any] = {
        "sender_name": facts.sender.name if facts.sender else "",
        "receiver_name": facts.receiver.name if facts.receiver else "",
        "patient_name": facts.patient_name,
        "sent_at": facts.sent_at.astimezone(timezone.get_current_timezone()).strftime("%d.%m.%Y %H:%M")
        if facts.sent_at
        else "",
        "facts": [],
        "texts": [],
    }
    local = timezone.get_current_timezone()

    def show(value: dt.datetime | None) -> str:
        return value.astimezone(local).strftime("%d.%m.%Y %H:%M") if value else "–"

    if facts.kind == "hospital-notification-message":
        hn = extract.hospital_notification(checked)
        da, en = extract.event_label(hn.event_code)
        summary["event_label"] = da
        summary["event_label_en"] = en
        summary["facts"] = [
            {"label": "Kode", "value": hn.event_code},
            {"label": "Start", "value": show(hn.start)},
            {"label": "Slut", "value": show(hn.end)},
        ]
        if hn.leave_start or hn.leave_end:
            summary["facts"].append(
                {"label": "Orlov", "value": f"{show(hn.leave_start)} – {show(hn.leave_end)}"}
            )
    elif facts.kind == "care-communication-message":
        cc = extract.care_communication(checked)
        summary["event_label"] = cc.topic or cc.category
        summary["title"] = cc.topic or cc.category
        summary["texts"] = list(cc.texts)
        summary["attachments"] = list(cc.attachments)
        summary["facts"] = [
            {"label": "Kategori", "value": cc.category},
            {"label": "Aktivitet", "value": facts.activity},
        ]
    elif facts.kind == "acknowledgement-message":
        ack = extract.acknowledgement(checked)
        summary["event_label"] = ack.code
        summary["facts"] = [{"label": "Kvitterer for", "value": ack.acknowledged_id}]
        summary["texts"] = list(ack.problems)
    return summary


def _citizen(facts: extract.Common, receiver: OrganisationUnit | None, *, create: bool) -> Citizen:
    if not facts.patient_cpr:
        raise Unapplicable(
            "Patienten har intet CPR-nummer (kun erstatnings-CPR); borgeren kan ikke identificeres."
        )
    try:
        cpr = parse_cpr(facts.patient_cpr)
    except InvalidCpr as exc:
        raise Unapplicable(str(exc)) from exc
    citizen = Citizen.objects.filter(cpr=cpr.digits).first()
    if citizen is not None:
        return citizen
    if not create or receiver is None or receiver.municipality_id is None:
        raise Unapplicable("Borgeren er ukendt i Sektorbro.")
    return Citizen.objects.create(
        cpr=cpr.digits,
        name=facts.patient_name or "Ukendt navn",
        birth_date=cpr.birth_date,
        residence_municipality_id=receiver.municipality_id,
    )


def _event(course: Course, event_type: str) -> CourseEvent | None:
    return (
        course.events.filter(type=event_type)
        .exclude(superseded_by__type="cancelled")
        .order_by("-seq")
        .first()
    )


def _apply_hospital_notification(message: InboxMessage, checked: Checked) -> Applied:
    hn = extract.hospital_notification(checked)
    facts = hn.common
    receiver = message.receiver_unit
    if receiver is None:
        return Applied(
            "Modtageren er ikke en enhed i Sektorbro; advis for borgere, vi ikke betjener, kvitteres og kasseres."
        )
    if receiver.kind != "municipal_unit":
        raise Unapplicable(f"Modtageren ({receiver.name}) er ikke en kommunal enhed.")
    sender = _unit(hn.service_provider) or message.sender_unit
    if sender is None or sender.hospital is None:
        raise Unapplicable(
            "Det afsendende hospital er ukendt i Sektorbro (SOR-kode/lokationsnummer). Opret enheden og behandl igen."
        )
    hospital = sender.hospital
    department = sender if sender.kind == "department" else None
    base = hn.event_code.split("_", 1)[-1]
    episode = hn.episode_ids[0] if hn.episode_ids else ""
    opening = hn.event_code in ("STIN", "STAA")
    waiting = (
        bool(facts.refers_to)
        and not InboxMessage.objects.filter(message_id=facts.refers_to, status=InboxStatus.ACCEPTED).exists()
    )
    try:
        citizen = _citizen(facts, receiver, create=opening)
    except Unapplicable:
        if not opening and waiting and facts.refers_to:
            raise WaitFor(facts.refers_to) from None
        raise
    course = (
        Course.objects.filter(citizen=citizen, hospital=hospital, episode_of_care_id__in=list(hn.episode_ids))
        .order_by("-admitted_at")
        .first()
    )
    actor = f"MedCom: {facts.sender.name if facts.sender else 'hospital'}"
    area = (
        "psychiatric"
        if (department and department.area == "psychiatric") or hospital.area == "psychiatric"
        else "somatic"
    )
    if opening:
        if course is not None:
            return Applied(
                "Forløbet findes allerede for dette episode-id; intet ændret.", citizen, course, []
            )
        assert hn.start is not None
        course = course_services.open_course(
            actor=None,
            citizen=citizen,
            hospital=hospital,
            department=department,
            area=area,
            track="acute" if hn.event_code == "STAA" else "planned",
            admitted_at=hn.start,
            episode_of_care_id=episode,
            source_message_id=facts.message_id,
        )
        return Applied(
            "Nyt forløb oprettet ved indlæggelse."
            if base == "STIN"
            else "Nyt forløb oprettet ved akut ambulant ophold.",
            citizen,
            course,
            list(course.events.all()),
        )
    if course is None:
        if (
            facts.refers_to
            and not InboxMessage.objects.filter(
                message_id=facts.refers_to, status=InboxStatus.ACCEPTED
            ).exists()
        ):
            raise WaitFor(facts.refers_to)
        raise Unapplicable("Der findes intet forløb for dette episode-id hos afsenderen.")
    if hn.event_code.startswith("AN_"):
        target = _event(course, CORRECTS[base])
        if target is None:
            raise Unapplicable(f"Der er ingen hændelse at annullere ({CORRECTS[base]}).")
        event = course_services.record_event(
            actor=actor, course=course, event_type="cancelled", occurred_at=facts.sent_at or timezone.now(),
            supersedes=target, source="message", source_message_id=facts.message_id, data={"code": hn.event_code},
        )  # fmt: skip
        return Applied(f"Annullerede {CORRECTS[base]} (hændelse {target.seq}).", citizen, course, [event])
    if hn.event_code.startswith("RE_"):
        target = _event(course, CORRECTS[base])
        if target is None:
            raise Unapplicable(f"Der er ingen hændelse at rette ({CORRECTS[base]}).")
        when = {"STIN": hn.start, "STAA": hn.start, "STOR": hn.leave_start, "SLOR": hn.leave_end}.get(
            base, hn.end
        )
        event = course_services.record_event(
            actor=actor, course=course, event_type="corrected", occurred_at=when or target.occurred_at,
            supersedes=target, source="message", source_message_id=facts.message_id, data={"code": hn.event_code},
        )  # fmt: skip
        return Applied(f"Rettede {CORRECTS[base]} (hændelse {target.seq}).", citizen, course, [event])
    mapping = {
        "STOR": ("leave_started", hn.leave_start),
        "SLOR": ("leave_ended", hn.leave_end),
        "SLHJ": ("discharged", hn.end),
        "MORS": ("died", hn.end),
    }
    if hn.event_code not in mapping:
        raise Unapplicable(f"Koden {hn.event_code} kan ikke anvendes.")
    event_type, when = mapping[hn.event_code]
    data: dict[str, Any] = {"code": hn.event_code}
    if event_type == "discharged":
        data["destination"] = "own_home"
    try:
        event = course_services.record_event(
            actor=actor, course=course, event_type=event_type, occurred_at=when or facts.sent_at or timezone.now(),
            data=data, source="message", source_message_id=facts.message_id,
        )  # fmt: skip
    except course_services.DomainError as exc:
        raise Unapplicable(exc.message) from exc
    return Applied(extract.event_label(hn.event_code)[0] + " registreret.", citizen, course, [event])


def _apply_care_communication(message: InboxMessage, checked: Checked) -> Applied:
    cc = extract.care_communication(checked)
    receiver = message.receiver_unit
    if receiver is None:
        raise Unapplicable("Modtageren er ikke en enhed i Sektorbro.")
    citizen = _citizen(cc.common, receiver, create=False)
    course = Course.objects.filter(citizen=citizen, ended_at__isnull=True).order_by("-admitted_at").first()
    if course is None:
        return Applied(
            "Korrespondancen er knyttet til borgeren; der er intet åbent forløb.", citizen, None, []
        )
    to = "hospital" if receiver.kind in ("hospital", "department") else "municipality"
    event = course_services.record_event(
        actor=f"MedCom: {cc.common.sender.name if cc.common.sender else ''}",
        course=course,
        event_type="correspondence_sent",
        occurred_at=cc.common.sent_at or timezone.now(),
        data={
            "to": to,
            "category": cc.category,
            "topic": cc.topic,
            "from": cc.common.sender.name if cc.common.sender else "",
        },
        source="message",
        source_message_id=cc.common.message_id,
    )
    return Applied("Korrespondance registreret på forløbet.", citizen, course, [event])


def _apply_acknowledgement(message: InboxMessage, checked: Checked) -> Applied:
    ack = extract.acknowledgement(checked)
    updated = OutboxMessage.objects.filter(message_id=ack.acknowledged_id).update(
        ack_code=ack.code, acknowledged_at=timezone.now()
    )
    if not updated:
        return Applied("Kvitteringen gælder en meddelelse, Sektorbro ikke har sendt; den er gemt.")
    return Applied(f"Kvittering ({ack.code}) registreret på den sendte meddelelse.")


def _enqueue_ack(message: InboxMessage, checked: Checked, code: str) -> OutboxMessage | None:
    if message.kind == MessageKind.ACKNOWLEDGEMENT:
        return None  # acknowledgements are never acknowledged
    try:
        bundle = build.acknowledgement(checked, code=code, issues=checked.issues, now=timezone.now())
    except build.CannotAcknowledge:
        return None
    facts = extract.common(checked)
    return OutboxMessage.objects.create(
        message_id=bundle["entry"][0]["resource"]["id"],
        kind=MessageKind.ACKNOWLEDGEMENT,
        event_code=code,
        content=build.to_json(bundle),
        receiver_gln=facts.sender.gln if facts.sender else "",
        receiver_label=facts.sender.name if facts.sender else "",
        receiver_unit=message.sender_unit,
        sender_unit=message.receiver_unit,
        citizen=message.citizen,
        course=message.course,
        in_reply_to=message,
        summary={"title": "Positiv kvittering" if code == "ok" else "Negativ kvittering"},
    )


def process(message: InboxMessage, *, worker: str = "ingest", reprocessing: bool = False) -> InboxMessage:
    """Process one stored message. Returns the row with its outcome."""
    allowed = [InboxStatus.RECEIVED, InboxStatus.QUEUED] + (
        [InboxStatus.UNAPPLICABLE] if reprocessing else []
    )
    released: list[int] = []
    with transaction.atomic():
        won = InboxMessage.objects.filter(pk=message.pk, status__in=allowed).update(
            claimed_by=worker, attempts=F("attempts") + 1
        )
        message = InboxMessage.objects.select_for_update().get(pk=message.pk)
        if not won:
            return message
        checked = check(bytes(message.raw))
        message.content_type = checked.content_type
        message.errors = [i.as_dict() for i in checked.issues]
        message.processed_at = timezone.now()
        if checked.bundle is not None and checked.header() is not None:
            facts = extract.common(checked)
            message.message_id = facts.message_id[:100]
            message.envelope_id = facts.envelope_id[:100]
            message.kind = KINDS.get(facts.kind, MessageKind.UNKNOWN)
            message.sender_gln = facts.sender.gln if facts.sender else ""
            message.receiver_gln = facts.receiver.gln if facts.receiver else ""
            message.sender_unit = _unit(facts.sender)
            message.receiver_unit = _unit(facts.receiver)
            message.summary = _summary(checked)
            if message.kind == MessageKind.HOSPITAL_NOTIFICATION:
                message.event_code = extract.hospital_notification(checked).event_code
        earlier = (
            InboxMessage.objects.filter(message_id=message.message_id)
            .exclude(pk=message.pk)
            .exclude(status__in=[InboxStatus.RECEIVED, InboxStatus.DUPLICATE])
            .order_by("id")
            .first()
            if message.message_id
            else None
        )
        if earlier is not None and earlier.status in (InboxStatus.ACCEPTED, InboxStatus.REJECTED):
            message.status = InboxStatus.DUPLICATE
            message.duplicate_of = earlier
            message.reason = "Samme meddelelse (MessageHeader.id) er modtaget før; den anvendes ikke igen."
            message.citizen, message.course = earlier.citizen, earlier.course
            message.save()
            _enqueue_ack(message, checked, "ok" if earlier.status == InboxStatus.ACCEPTED else "fatal-error")
            return message
        if not checked.valid:
            message.status = InboxStatus.REJECTED
            message.reason = "Meddelelsen er ugyldig og er afvist med en negativ kvittering."
            message.save()
            _enqueue_ack(message, checked, "fatal-error")
            return message
        try:
            with transaction.atomic():
                if message.kind == MessageKind.HOSPITAL_NOTIFICATION:
                    applied = _apply_hospital_notification(message, checked)
                elif message.kind == MessageKind.CARE_COMMUNICATION:
                    applied = _apply_care_communication(message, checked)
                elif message.kind == MessageKind.ACKNOWLEDGEMENT:
                    applied = _apply_acknowledgement(message, checked)
                else:
                    applied = Applied("Meddelelsestypen kræver ingen handling.")
        except WaitFor as wait:
            message.status = InboxStatus.QUEUED
            message.waiting_for = wait.message_id[:100]
            message.reason = "Venter på en tidligere meddelelse, der endnu ikke er modtaget."
            message.save()
            return message
        except Unapplicable as exc:
            message.status = InboxStatus.UNAPPLICABLE
            message.reason = str(exc)
            message.save()
            return message
        message.status = InboxStatus.ACCEPTED
        message.reason = ""
        message.waiting_for = ""
        message.citizen = applied.citizen
        message.course = applied.course
        message.effect = {
            "description": applied.description,
            "events": [
                {
                    "seq": e.seq,
                    "type": e.type,
                    "label": e.type,
                    "at": timezone.localtime(e.occurred_at).strftime("%d.%m.%Y %H:%M"),
                }
                for e in applied.events or []
            ],
        }
        message.save()
        _enqueue_ack(message, checked, "ok")
        if message.message_id:
            released = list(
                InboxMessage.objects.filter(status=InboxStatus.QUEUED, waiting_for=message.message_id)
                .order_by("id")
                .values_list("pk", flat=True)
            )
    for pk in released:
        process(InboxMessage.objects.get(pk=pk), worker=worker)
    return InboxMessage.objects.get(pk=message.pk)


def reprocess(message: InboxMessage, *, actor: Any = None) -> InboxMessage:
    """Staff process a quarantined message again after fixing its cause."""
    clear_unit_cache()
    if message.status == InboxStatus.REJECTED:
        InboxMessage.objects.filter(pk=message.pk).update(status=InboxStatus.RECEIVED)
    return process(message, worker=f"reprocess:{getattr(actor, 'username', 'system')}", reprocessing=True)


def ingest(raw: bytes, *, transport: str, sender_label: str = "") -> InboxMessage:
    return process(receive(raw, transport=transport, sender_label=sender_label))


def process_pending(limit: int = 10000) -> int:
    """Process stored messages that were never processed (e.g. after a crash), in arrival order."""
    count = 0
    for pk in (
        InboxMessage.objects.filter(status=InboxStatus.RECEIVED)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    ):
        process(InboxMessage.objects.get(pk=pk))
        count += 1
    return count
