"""Ingestion: every received message is stored first, then processed in one transaction that either applies
it completely (course events, an acknowledgement in the outbox) or changes nothing but its own status.

Outcomes: accepted, duplicate (the same MessageHeader id from the same sender as an earlier message, whatever
became of that one: answered as it was, never applied again),
rejected (invalid: negative acknowledgement), queued (follows a message not received yet: waits), unapplicable
(valid, but Sektorbro cannot place it, e.g. an unknown sending hospital: kept in quarantine for staff to fix
and process again)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from sektorbro.citizens.cpr import InvalidCpr, parse_cpr
from sektorbro.citizens.models import Citizen
from sektorbro.core.bulk import update_rows
from sektorbro.courses import services as course_services
from sektorbro.courses.models import Course, CourseEvent
from sektorbro.messaging.medcom import build, extract
from sektorbro.messaging.medcom.issues import ValidationIssue
from sektorbro.messaging.medcom.validate import Checked, check, unreadable
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
class Facts:
    """What a valid-enough message says, extracted once and shared by the summary and the course update."""

    common: extract.MessageFacts
    notification: extract.HospitalNotificationFacts | None = None
    correspondence: extract.CareCommunicationFacts | None = None
    acknowledgement: extract.AcknowledgementFacts | None = None

    @classmethod
    def of(cls, checked: Checked) -> Facts:
        if checked.event == "hospital-notification-message":
            hn = extract.hospital_notification(checked)
            return cls(hn.common, notification=hn)
        if checked.event == "care-communication-message":
            cc = extract.care_communication(checked)
            return cls(cc.common, correspondence=cc)
        if checked.event == "acknowledgement-message":
            ack = extract.acknowledgement(checked)
            return cls(ack.common, acknowledgement=ack)
        return cls(extract.common(checked))


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


_UNIT_CACHE: dict[tuple[str, str], tuple[float, OrganisationUnit | None]] = {}
UNIT_CACHE_SECONDS = 60.0


def clear_unit_cache() -> None:
    _UNIT_CACHE.clear()


def _unit(party: extract.Party | None) -> OrganisationUnit | None:
    """The organisation unit with this location number or SOR code. Kept for a minute: every message names two
    or three units and they seldom change (staff fixing a unit and reprocessing clears the cache)."""
    if party is None:
        return None
    key = (party.gln, party.sor)
    cached = _UNIT_CACHE.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < UNIT_CACHE_SECONDS:
        return cached[1]
    unit = _lookup_unit(party)
    _UNIT_CACHE[key] = (now, unit)
    return unit


def _lookup_unit(party: extract.Party) -> OrganisationUnit | None:
    condition = Q(pk__in=[])
    if party.gln:
        condition |= Q(location_number=party.gln)
    if party.sor:
        condition |= Q(sor_code=party.sor)
    return (
        OrganisationUnit.objects.filter(condition)
        .select_related("parent", "parent__cluster", "municipality", "cluster")
        .first()
    )


def _summary(extracted: Facts) -> dict[str, Any]:
    facts = extracted.common
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

    if extracted.notification is not None:
        hn = extracted.notification
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
    elif extracted.correspondence is not None:
        cc = extracted.correspondence
        summary["event_label"] = cc.topic or cc.category
        summary["title"] = cc.topic or cc.category
        summary["texts"] = list(cc.texts)
        summary["attachments"] = list(cc.attachments)
        summary["facts"] = [
            {"label": "Kategori", "value": cc.category},
            {"label": "Aktivitet", "value": facts.activity},
        ]
    elif extracted.acknowledgement is not None:
        ack = extracted.acknowledgement
        summary["event_label"] = ack.code
        summary["facts"] = [{"label": "Kvitterer for", "value": ack.acknowledged_id}]
        summary["texts"] = list(ack.problems)
    return summary


@dataclass
class Context:
    """What the messages of one batch share: the course changes staged so far and the ids accepted so far."""

    courses: course_services.CourseBatch
    accepted: set[str]

    def is_accepted(self, message_id: str | None) -> bool:
        if not message_id:
            return False
        return (
            message_id in self.accepted
            or InboxMessage.objects.filter(message_id=message_id, status=InboxStatus.ACCEPTED).exists()
        )


def _cpr(facts: extract.MessageFacts) -> str:
    if not facts.patient_cpr:
        raise Unapplicable(
            "Patienten har intet CPR-nummer (kun erstatnings-CPR); borgeren kan ikke identificeres."
        )
    try:
        return parse_cpr(facts.patient_cpr).digits
    except InvalidCpr as exc:
        raise Unapplicable(str(exc)) from exc


def _citizen(
    context: Context, facts: extract.MessageFacts, receiver: OrganisationUnit | None, *, create: bool
) -> Citizen:
    digits = _cpr(facts)
    citizen = context.courses.citizen(digits)
    if citizen is not None:
        return citizen
    if not create or receiver is None or receiver.municipality_id is None:
        raise Unapplicable("Borgeren er ukendt i Sektorbro.")
    return context.courses.add_citizen(
        Citizen(
            cpr=digits,
            name=facts.patient_name or "Ukendt navn",
            birth_date=parse_cpr(digits).birth_date,
            residence_municipality_id=receiver.municipality_id,
        )
    )


def _event(context: Context, course: Course, event_type: str) -> CourseEvent | None:
    """The newest event of this type that has not been cancelled."""
    events = context.courses.events_of(course)
    cancelled = {id(e.supersedes) for e in events if e.type == "cancelled" and e.supersedes is not None}
    return next((e for e in reversed(events) if e.type == event_type and id(e) not in cancelled), None)


def _apply_hospital_notification(message: InboxMessage, extracted: Facts, context: Context) -> Applied:
    hn = extracted.notification
    assert hn is not None
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
    try:
        citizen = _citizen(context, facts, receiver, create=opening)
    except Unapplicable:
        if opening or not facts.refers_to:
            raise
        if not context.is_accepted(facts.refers_to):
            raise WaitFor(facts.refers_to) from None
        # The earlier message was accepted by another worker after this batch began: look again.
        context.courses.load({_cpr(facts)}, again=True)
        citizen = _citizen(context, facts, receiver, create=False)

    def episode_course() -> Course | None:
        return next(
            (
                c
                for c in context.courses.courses_of(citizen)
                if c.hospital_id == hospital.pk and c.episode_of_care_id in hn.episode_ids
            ),
            None,
        )

    course = episode_course()
    if (
        course is None
        and not opening
        and citizen.pk is not None
        and facts.refers_to
        and facts.refers_to not in context.accepted
        and context.is_accepted(facts.refers_to)
    ):  # the admission was accepted by another worker after this batch began: look again
        context.courses.load({citizen.cpr}, again=True)
        course = episode_course()
    actor = f"MedCom: {facts.sender.name if facts.sender else 'hospital'}"
    area = (
        "psychiatric"
        if (department and department.area == "psychiatric") or hospital.area == "psychiatric"
        else "somatic"
    )
    courses = context.courses
    if opening:
        if course is not None:
            return Applied(
                "Forløbet findes allerede for dette episode-id; intet ændret.", citizen, course, []
            )
        assert hn.start is not None
        course = courses.open_course(
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
        transfer = (
            f" Overflyttet fra {course.previous_course.hospital.name}: fortsætter opholdet (ét ophold i regionen)."
            if course.previous_course is not None
            else ""
        )
        return Applied(
            (
                "Nyt forløb oprettet ved indlæggelse."
                if base == "STIN"
                else "Nyt forløb oprettet ved akut ambulant ophold."
            )
            + transfer,
            citizen,
            course,
            list(courses.events_of(course)),
        )
    if course is None:
        if facts.refers_to and not context.is_accepted(facts.refers_to):
            raise WaitFor(facts.refers_to)
        raise Unapplicable("Der findes intet forløb for dette episode-id hos afsenderen.")
    if hn.event_code.startswith(("AN_", "RE_")):
        target = _event(context, course, CORRECTS[base])
        cancelling = hn.event_code.startswith("AN_")
        if target is None:
            raise Unapplicable(
                f"Der er ingen hændelse at {'annullere' if cancelling else 'rette'} ({CORRECTS[base]})."
            )
        when = (
            facts.sent_at
            if cancelling
            else {"STIN": hn.start, "STAA": hn.start, "STOR": hn.leave_start, "SLOR": hn.leave_end}.get(
                base, hn.end
            )
        )
        event = courses.record_event(
            actor=actor, course=course, event_type="cancelled" if cancelling else "corrected",
            occurred_at=when or (timezone.now() if cancelling else target.occurred_at),
            supersedes=target, source_message_id=facts.message_id, data={"code": hn.event_code},
        )  # fmt: skip
        verb = "Annullerede" if cancelling else "Rettede"
        return Applied(f"{verb} {CORRECTS[base]} (hændelse {target.seq}).", citizen, course, [event])
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
        event = courses.record_event(
            actor=actor, course=course, event_type=event_type, occurred_at=when or facts.sent_at or timezone.now(),
            data=data, source_message_id=facts.message_id,
        )  # fmt: skip
    except course_services.DomainError as exc:
        raise Unapplicable(exc.message) from exc
    moved = event.data.get("transferred_to") if event_type == "discharged" else None
    return Applied(
        extract.event_label(hn.event_code)[0]
        + (
            f" registreret som overflytning til {moved} (ét ophold i regionen)." if moved else " registreret."
        ),
        citizen,
        course,
        [event],
    )


def _apply_care_communication(message: InboxMessage, extracted: Facts, context: Context) -> Applied:
    cc = extracted.correspondence
    assert cc is not None
    receiver = message.receiver_unit
    if receiver is None:
        raise Unapplicable("Modtageren er ikke en enhed i Sektorbro.")
    citizen = _citizen(context, cc.common, receiver, create=False)
    course = next((c for c in context.courses.courses_of(citizen) if c.ended_at is None), None)
    if course is None:
        return Applied(
            "Korrespondancen er knyttet til borgeren; der er intet åbent forløb.", citizen, None, []
        )
    to = "hospital" if receiver.kind in ("hospital", "department") else "municipality"
    event = context.courses.record_event(
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
        source_message_id=cc.common.message_id,
    )
    return Applied("Korrespondance registreret på forløbet.", citizen, course, [event])


def _apply_acknowledgement(message: InboxMessage, extracted: Facts, context: Context) -> Applied:
    ack = extracted.acknowledgement
    assert ack is not None
    updated = OutboxMessage.objects.filter(message_id=ack.acknowledged_id).update(
        ack_code=ack.code, acknowledged_at=timezone.now()
    )
    if not updated:
        return Applied("Kvitteringen gælder en meddelelse, Sektorbro ikke har sendt; den er gemt.")
    return Applied(f"Kvittering ({ack.code}) registreret på den sendte meddelelse.")


def _ack(
    message: InboxMessage,
    checked: Checked,
    extracted: Facts | None,
    code: str,
    issues: list[ValidationIssue] | None = None,
) -> OutboxMessage | None:
    """The acknowledgement for a processed message, not yet saved (the batch inserts them together).
    ``issues``: those to answer with instead of the message's own (a duplicate gets its first copy's)."""
    if message.kind == MessageKind.ACKNOWLEDGEMENT:
        return None  # acknowledgements are never acknowledged
    try:
        bundle = build.acknowledgement(
            checked, code=code, issues=checked.issues if issues is None else issues, now=timezone.now()
        )
    except build.CannotAcknowledge:
        return None
    sender = extracted.common.sender if extracted is not None else None
    return OutboxMessage(
        message_id=bundle["entry"][0]["resource"]["id"],
        kind=MessageKind.ACKNOWLEDGEMENT,
        event_code=code,
        content=build.to_json(bundle, indent=None),
        receiver_gln=build.addressee_gln(bundle)[:20],
        receiver_label=(sender.name if sender else "")[:300],
        receiver_unit=message.sender_unit,
        sender_unit=message.receiver_unit,
        citizen=message.citizen,
        course=message.course,
        in_reply_to=message,
        summary={"title": "Positiv kvittering" if code == "ok" else "Negativ kvittering"},
    )


def delivery_key(facts: extract.MessageFacts) -> str:
    """What identifies one delivery: the sender (location number, else SOR code) and the MessageHeader id. Every
    copy of a message has the same key; the first copy processed holds it (unique in the database)."""
    if not facts.message_id:
        return ""
    sender = facts.sender
    who = (sender.gln or (f"sor:{sender.sor}" if sender.sor else "")) if sender else ""
    return f"{who[:60] or '-'}|{facts.message_id[:120]}"


# Everything about an inbox row except the raw bytes (never rewritten) and the arrival facts.
PROCESSED_FIELDS = [
    "content_type",
    "message_id",
    "envelope_id",
    "kind",
    "event_code",
    "sender_gln",
    "receiver_gln",
    "sender_unit",
    "receiver_unit",
    "citizen",
    "course",
    "duplicate_of",
    "delivery_key",
    "status",
    "reason",
    "errors",
    "effect",
    "summary",
    "waiting_for",
    "attempts",
    "claimed_by",
    "processed_at",
]


def _read(message: InboxMessage) -> tuple[Checked, Facts | None]:
    """Validate a claimed message and record what it says on its row (in memory)."""
    checked = check(bytes(message.raw))
    message.content_type = checked.content_type
    message.errors = [i.as_dict() for i in checked.issues]
    message.processed_at = timezone.now()
    if checked.bundle is None or checked.header() is None:
        return checked, None
    try:
        extracted = Facts.of(checked)
        summary = _summary(extracted)
    except (
        Exception
    ) as exc:  # the validator passed what cannot be read: rejected with a rule id, never a crash
        log.error("inbox message %s could not be read", message.pk, exc_info=exc)  # ids only: no CPR in logs
        checked.issues.insert(0, unreadable(exc))
        message.errors = [i.as_dict() for i in checked.issues]
        return checked, None
    facts = extracted.common
    message.message_id = facts.message_id[:100]
    message.envelope_id = facts.envelope_id[:100]
    message.kind = KINDS.get(facts.kind, MessageKind.UNKNOWN)
    message.sender_gln = facts.sender.gln[:20] if facts.sender else ""
    message.receiver_gln = facts.receiver.gln[:20] if facts.receiver else ""
    message.sender_unit = _unit(facts.sender)
    message.receiver_unit = _unit(facts.receiver)
    message.summary = summary
    if extracted.notification is not None:
        message.event_code = extracted.notification.event_code[:40]
    return checked, extracted


def _decide(
    message: InboxMessage,
    checked: Checked,
    extracted: Facts | None,
    earlier: InboxMessage | None,
    context: Context,
) -> str | None:
    """Decide and stage one message; returns the acknowledgement code to answer with. A valid message is
    acknowledged positively when it is received, also when it waits for an earlier one or is quarantined for
    staff to place it; it is not acknowledged again when it is applied later (one answer per message).

    ``earlier`` is the first copy of the same delivery, in whatever state (accepted, rejected, queued,
    quarantined): this copy is then a duplicate, answered as the first copy was and never applied."""
    if earlier is not None:
        message.status = InboxStatus.DUPLICATE
        message.duplicate_of = earlier
        message.delivery_key = ""
        message.reason = "Samme meddelelse (MessageHeader.id) er modtaget før; den anvendes ikke igen."
        message.citizen, message.course = earlier.citizen, earlier.course
        return "fatal-error" if earlier.status == InboxStatus.REJECTED else "ok"
    if not checked.valid or extracted is None:
        message.status = InboxStatus.REJECTED
        message.reason = "Meddelelsen er ugyldig og er afvist med en negativ kvittering."
        return "fatal-error"
    mark = context.courses.mark()
    try:
        if message.kind == MessageKind.HOSPITAL_NOTIFICATION:
            applied = _apply_hospital_notification(message, extracted, context)
        elif message.kind == MessageKind.CARE_COMMUNICATION:
            applied = _apply_care_communication(message, extracted, context)
        elif message.kind == MessageKind.ACKNOWLEDGEMENT:
            applied = _apply_acknowledgement(message, extracted, context)
        else:
            applied = Applied("Meddelelsestypen kræver ingen handling.")
    except WaitFor as wait:
        context.courses.rollback(mark)
        message.status = InboxStatus.QUEUED
        message.waiting_for = wait.message_id[:100]
        message.reason = "Venter på en tidligere meddelelse, der endnu ikke er modtaget."
        return "ok"  # received, valid and stored: the sender must not send it again
    except Unapplicable as exc:
        context.courses.rollback(mark)
        message.status = InboxStatus.UNAPPLICABLE
        message.reason = str(exc)
        return "ok"  # received and valid; placing it is Sektorbro's own work (the quarantine)
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
    if message.message_id:
        context.accepted.add(message.message_id)
    return "ok"


ATTEMPTS = 5


def _conflict(exc: Exception) -> bool:
    """A conflict with another worker's commit that taking the batch again resolves: a unique key it wrote first
    (the same delivery, a new citizen with the same CPR number) or a deadlock PostgreSQL broke."""
    if isinstance(exc, IntegrityError):
        return True
    return getattr(getattr(exc, "__cause__", None), "sqlstate", None) in ("40P01", "40001")


def process_batch(
    pks: list[int], *, worker: str = "ingest", reprocessing: bool = False
) -> list[InboxMessage]:
    """Claim and process stored messages in arrival order, all in one transaction.

    Each message applies completely or not at all (what it staged is undone when it cannot be applied); if the
    process dies part-way, the whole batch rolls back and every message in it is still stored as received, to
    be processed again. Messages another worker holds are skipped. Messages that were waiting for one accepted
    here are processed right after the batch commits. Returns the processed rows with their outcome.

    Exactly once, also between workers: the citizens a batch names are locked (and their courses), so two
    workers applying messages for one citizen take turns and the second sees what the first did; the first copy
    of a delivery holds its key (unique in the database) and a new citizen's CPR number is unique, so when two
    workers race to write either, the database makes the second wait for the first and refuses its write; the
    second batch is then rolled back and taken again, and finds the first copy (a duplicate) or the citizen."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            rows, released = _process_batch_once(pks, worker=worker, reprocessing=reprocessing)
        except (IntegrityError, OperationalError) as exc:
            if attempt == ATTEMPTS or not _conflict(exc):
                raise
            log.info("inbox batch conflicted with another worker (%s); taking it again", type(exc).__name__)
            continue
        if released:
            process_batch(released, worker=worker)
        return rows
    raise AssertionError("unreachable")  # pragma: no cover


def _process_batch_once(
    pks: list[int], *, worker: str, reprocessing: bool
) -> tuple[list[InboxMessage], list[int]]:
    allowed = [InboxStatus.RECEIVED, InboxStatus.QUEUED] + (
        [InboxStatus.UNAPPLICABLE] if reprocessing else []
    )
    with transaction.atomic():
        rows = list(
            InboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk__in=pks, status__in=allowed)
            .order_by("id")
        )
        if not rows:
            return [], []
        read = [_read(message) for message in rows]
        keys = {
            message.pk: delivery_key(extracted.common) if extracted is not None else ""
            for message, (_checked, extracted) in zip(rows, read, strict=True)
        }
        context = Context(course_services.CourseBatch(), set())
        cprs: set[str] = set()
        for _checked, extracted in read:
            if extracted is not None and extracted.common.patient_cpr:
                with contextlib.suppress(InvalidCpr):  # such a message is refused with its reason below
                    cprs.add(parse_cpr(extracted.common.patient_cpr).digits)
        context.courses.load(cprs)  # locks the citizens: a worker busy with one of them is waited for
        # The first copy of each delivery stored before this batch, whatever became of it (read after the locks,
        # so what a worker that held them committed is seen).
        earlier: dict[str, InboxMessage] = {
            found.delivery_key: found
            for found in InboxMessage.objects.filter(delivery_key__in=[k for k in keys.values() if k])
            .exclude(pk__in=[m.pk for m in rows])
            .select_related("citizen", "course")
        }
        answers: list[tuple[InboxMessage, Checked, Facts | None, str, InboxMessage | None]] = []
        for message, (checked, extracted) in zip(rows, read, strict=True):
            message.claimed_by = worker
            message.attempts += 1
            key = keys[message.pk]
            first = earlier.get(key) if key else None
            code = _decide(message, checked, extracted, first, context)
            if code is not None:
                answers.append((message, checked, extracted, code, first))
            if key and first is None:
                message.delivery_key = key  # this copy is the first: it holds the delivery
                earlier[key] = message
        context.courses.flush()
        update_rows(rows, PROCESSED_FIELDS)
        answered = set(
            OutboxMessage.objects.filter(
                in_reply_to__in=[m for m, *_ in answers], kind=MessageKind.ACKNOWLEDGEMENT
            ).values_list("in_reply_to_id", flat=True)
        )  # queued or quarantined earlier and acknowledged then
        OutboxMessage.objects.bulk_create(
            ack
            for ack in (
                _ack(m, c, e, code, first_issues(first) if first is not None else None)
                for m, c, e, code, first in answers
                if m.pk not in answered
            )
            if ack is not None
        )
        accepted = sorted(context.accepted)
        released = (
            list(
                InboxMessage.objects.filter(status=InboxStatus.QUEUED, waiting_for__in=accepted)
                .exclude(pk__in=[m.pk for m in rows])
                .order_by("id")
                .values_list("pk", flat=True)
            )
            if accepted
            else []
        )
    return rows, released


def first_issues(first: InboxMessage) -> list[ValidationIssue]:
    """The problems the first copy of a delivery was answered with (a duplicate is answered the same)."""
    return [
        ValidationIssue(
            str(e.get("resource", "")),
            str(e.get("path", "")),
            str(e.get("rule", "")),
            str(e.get("message", "")),
            "warning" if e.get("severity") == "warning" else "error",
        )
        for e in first.errors or []
        if isinstance(e, dict)
    ]


def process(message: InboxMessage, *, worker: str = "ingest", reprocessing: bool = False) -> InboxMessage:
    """Process one stored message. Returns the row with its outcome."""
    process_batch([message.pk], worker=worker, reprocessing=reprocessing)
    return InboxMessage.objects.get(pk=message.pk)


def reprocess(message: InboxMessage, *, actor: Any = None) -> InboxMessage:
    """Staff process a quarantined message again after fixing its cause."""
    clear_unit_cache()
    if message.status == InboxStatus.REJECTED:
        InboxMessage.objects.filter(pk=message.pk).update(status=InboxStatus.RECEIVED)
    return process(message, worker=f"reprocess:{getattr(actor, 'username', 'system')}", reprocessing=True)


def ingest(raw: bytes, *, transport: str, sender_label: str = "") -> InboxMessage:
    """Store and process one message. An unexpected error while processing it never escapes: the message goes to
    the quarantine with the reason (and is answered, see ``_quarantine_failure``)."""
    message = receive(raw, transport=transport, sender_label=sender_label)
    process_isolating_failures([message.pk], worker="ingest")
    return InboxMessage.objects.get(pk=message.pk)


def receive_many(items: list[tuple[bytes, str]], *, transport: str) -> list[InboxMessage]:
    """Store several raw messages (bytes, sender label) durably in one transaction (a folder drop, a batch)."""
    with transaction.atomic():
        return InboxMessage.objects.bulk_create(
            InboxMessage(
                raw=raw,
                sha256=hashlib.sha256(raw).hexdigest(),
                transport=transport,
                sender_label=label[:300],
            )
            for raw, label in items
        )


BATCH_SIZE = 200


FAILURE_REASON = (
    "Intern fejl under behandlingen ({error}); meddelelsen er ikke anvendt. Fejlen er logget for driften. "
    "Behandl meddelelsen igen, når fejlen er rettet."
)


def _quarantine_failure(pk: int, exc: Exception) -> None:
    """Park a message whose processing fails unexpectedly, so it does not stop every message behind it, and
    answer it once as any stored message is answered (``ok`` if valid: placing it is now Sektorbro's work;
    ``fatal-error`` with its errors if not)."""
    log.error("inbox message %s failed during processing", pk, exc_info=exc)  # ids only: no CPR in logs
    with transaction.atomic():
        parked = InboxMessage.objects.filter(
            pk=pk, status__in=[InboxStatus.RECEIVED, InboxStatus.QUEUED]
        ).update(
            status=InboxStatus.UNAPPLICABLE,
            reason=FAILURE_REASON.format(error=type(exc).__name__),
            processed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    if parked:
        _answer_parked(pk)


def _answer_parked(pk: int) -> None:
    try:
        with transaction.atomic():
            message = InboxMessage.objects.select_related("sender_unit", "receiver_unit").get(pk=pk)
            if OutboxMessage.objects.filter(in_reply_to=message, kind=MessageKind.ACKNOWLEDGEMENT).exists():
                return
            checked = check(bytes(message.raw))
            if checked.bundle is None or checked.header() is None:
                return
            ack = _ack(message, checked, None, "ok" if checked.valid else "fatal-error")
            if ack is not None:
                ack.save()
    except Exception as exc:  # the answer is owed but must not stop the worker: logged for the operators
        log.error("inbox message %s could not be answered", pk, exc_info=exc)


def process_isolating_failures(pks: list[int], *, worker: str = "ingest") -> int:
    """Process stored messages as one batch; if the batch fails unexpectedly, message by message, parking a
    message that still fails in the quarantine (answered). Never raises for what a message contains."""
    return _process_isolating_failures(pks, worker)


def _process_isolating_failures(pks: list[int], worker: str) -> int:
    """A batch that fails unexpectedly is rolled back and taken again one message at a time; the message that
    still fails goes to the quarantine with the reason, the others are applied as usual."""
    try:
        return len(process_batch(pks, worker=worker))
    except Exception as exc:
        if len(pks) == 1:
            _quarantine_failure(pks[0], exc)
            return 1
    return sum(_process_isolating_failures([pk], worker) for pk in pks)


def process_pending(
    limit: int = 10000,
    *,
    worker: str = "ingest",
    batch_size: int = BATCH_SIZE,
    quarantine_failures: bool = False,
) -> int:
    """Process stored messages that were never processed (e.g. after a crash), in arrival order and in
    batches, and any waiting message whose predecessor has been accepted meanwhile (by another worker).

    ``quarantine_failures`` (the worker command): an unexpected error in one message puts that message in the
    quarantine instead of stopping; without it the error is raised and the batch stays as received."""
    count = 0
    while count < limit:
        stuck = (
            InboxMessage.objects.filter(status=InboxStatus.QUEUED)
            .filter(
                Exists(
                    InboxMessage.objects.filter(
                        message_id=OuterRef("waiting_for"), status=InboxStatus.ACCEPTED
                    )
                )
            )
            .order_by("id")
            .values_list("pk", flat=True)
        )
        pks = list(stuck[:batch_size]) or list(
            InboxMessage.objects.filter(status=InboxStatus.RECEIVED)
            .order_by("id")
            .values_list("pk", flat=True)[: min(batch_size, limit - count)]
        )
        if not pks:
            break
        done = (
            _process_isolating_failures(pks, worker)
            if quarantine_failures
            else len(process_batch(pks, worker=worker))
        )
        if not done:
            break  # everything left is held by another worker
        count += done
    return count
