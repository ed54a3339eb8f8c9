"""The facts the platform acts on, read from a (validated) message: typed, domain-neutral, no Django.

``hospital_notification(msg)``, ``care_communication(msg)`` and ``acknowledgement(msg)`` read one message each;
``facts(msg)`` picks the right one. They read what is there and leave blanks for what is missing, so they can be
used on invalid messages too (e.g. to acknowledge them), but only a valid message's facts should be acted on."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sektorbro.messaging.medcom.identifiers import patient_identifier_kind
from sektorbro.messaging.medcom.message import (
    ParsedMessage,
    d,
    items,
    parse_instant,
    reference_id,
    s,
    strings,
)
from sektorbro.messaging.medcom.terminology import (
    ACK_CODES,
    AUTHOR_EXTENSION_URL,
    CC_CATEGORIES,
    CC_DEFINITION_4,
    CONTACT_EXTENSION_URL,
    CPR_SYSTEM,
    DATETIME_EXTENSION_URL,
    GLN_SYSTEMS,
    HN_ACTIVITIES,
    HN_BASE_EVENTS,
    HN_LABELS,
    IDENTIFIER_EXTENSION_URL,
    LEAVE_PERIOD_URL,
    LPR3_EPISODE_SYSTEM,
    REPORT_OF_ADMISSION_RECIPIENT_URL,
    REPORT_OF_ADMISSION_URL,
    SENDER_EXTENSION_URL,
    SOR_SYSTEM,
    SUPPORTED_EVENTS,
)


# --- shared facts -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Organisation:
    """A sending or receiving organisation: name, SOR id and EAN/GLN location number."""

    name: str
    sor: str
    gln: str


Party = Organisation  # the first version's name


@dataclass(frozen=True, slots=True)
class PatientIdentifier:
    kind: str  # "cpr", "x-ecpr", "d-ecpr" or "other"
    system: str
    value: str


@dataclass(frozen=True, slots=True)
class ProvenanceStep:
    """One message in the history a Bundle carries (oldest first; the last one is the message itself)."""

    message_id: str  # the MessageHeader id this step describes
    activity: str
    occurred_at: dt.datetime | None
    recorded_at: dt.datetime | None
    agent: Organisation | None
    role: str | None  # "revision" or "removal" when the step follows, corrects or cancels an earlier message
    refers_to: str | None  # the earlier message's MessageHeader id
    refers_to_letter: str | None  # an EDIFACT/OIOXML letter as "lokationsnummer#brevid" (CareCommunication)
    segments: tuple[str, ...] = ()  # CareCommunication: payload segments added by this step


@dataclass(frozen=True)
class MessageFacts:
    """What every MedCom message tells: ids, times, parties, patient and its place in the message history."""

    kind: str  # the event code, e.g. "hospital-notification-message"
    message_id: str  # MessageHeader.id: the letter id (duplicate detection)
    envelope_id: str  # Bundle.id: new on every send, also on a resend
    sent_at: dt.datetime | None  # Provenance.occurredDateTime of this message (else Bundle.timestamp)
    activity: str  # the activity code of this message's Provenance
    refers_to: (
        str | None
    )  # MessageHeader id of the earlier message this one follows, answers, corrects or cancels
    sender: Organisation | None
    receiver: Organisation | None
    patient_cpr: str | None  # the official CPR number (10 digits) if the patient has one
    patient_name: str
    deceased: bool
    standard: str | None = None  # "HospitalNotification", "CareCommunication", "Acknowledgement", "Messaging"
    version: str | None = None  # e.g. "5.0" / "4.0.0" for CareCommunication (from MessageHeader.definition)
    assembled_at: dt.datetime | None = None  # Bundle.timestamp
    recorded_at: dt.datetime | None = None  # Provenance.recorded of this message
    refers_to_letter: str | None = None
    refers_role: str | None = None  # "revision" or "removal"
    patient_identifiers: tuple[PatientIdentifier, ...] = ()
    patient_family: str = ""
    patient_given: tuple[str, ...] = ()
    history: tuple[ProvenanceStep, ...] = ()


Common = MessageFacts  # the first version's name


def _organisation(resource: dict[str, Any] | None) -> Organisation | None:
    if resource is None or resource.get("resourceType") != "Organization":
        return None
    ids = items(resource.get("identifier"))
    return Organisation(
        name=s(resource.get("name")) or "",
        sor=next((s(x.get("value")) or "" for x in ids if x.get("system") == SOR_SYSTEM), ""),
        gln=next((s(x.get("value")) or "" for x in ids if x.get("system") in GLN_SYSTEMS), ""),
    )


def _coding(value: Any) -> str:
    codings = items(d(value).get("coding"))
    return (s(codings[0].get("code")) or "") if codings else ""


def _describes(provenance: dict[str, Any], header_id: str | None) -> bool:
    return bool(header_id) and any(
        reference_id(t.get("reference"), "MessageHeader") == header_id
        for t in items(provenance.get("target"))
    )


def current_provenance(msg: ParsedMessage) -> dict[str, Any] | None:
    """The Provenance describing the message itself (else the latest one)."""
    header_id = msg.message_id
    provenances = msg.resources("Provenance")
    mine = [p for p in provenances if _describes(p, header_id)]
    if mine:
        return mine[-1]
    dated = [(parse_instant(p.get("occurredDateTime")), i, p) for i, p in enumerate(provenances)]
    dated.sort(key=lambda x: (x[0] is not None, x[0] or dt.datetime.min.replace(tzinfo=dt.UTC), x[1]))
    return dated[-1][2] if dated else None


def _step(msg: ParsedMessage, provenance: dict[str, Any]) -> ProvenanceStep:
    targets = items(provenance.get("target"))
    message_id = reference_id(targets[0].get("reference"), "MessageHeader") if targets else None
    role = refers = letter = None
    segments = []
    for entity in items(provenance.get("entity")):
        what = d(entity.get("what"))
        if entity.get("role") in ("revision", "removal"):
            role = str(entity["role"])
            refers = reference_id(what.get("reference"), "MessageHeader") or refers
            letter = s(d(what.get("identifier")).get("value")) or letter
        elif entity.get("role") == "source":
            value = s(d(what.get("identifier")).get("value"))
            if value:
                segments.append(value)
    agents = items(provenance.get("agent"))
    return ProvenanceStep(
        message_id=message_id or "",
        activity=_coding(provenance.get("activity")),
        occurred_at=parse_instant(provenance.get("occurredDateTime")),
        recorded_at=parse_instant(provenance.get("recorded")),
        agent=_organisation(msg.resolve_ref(agents[0].get("who"))) if agents else None,
        role=role,
        refers_to=refers,
        refers_to_letter=letter,
        segments=tuple(segments),
    )


def history(msg: ParsedMessage) -> tuple[ProvenanceStep, ...]:
    """The Provenance chain, oldest first, ending with the message itself."""
    current = current_provenance(msg)
    steps = [(_step(msg, p), p is current, i) for i, p in enumerate(msg.resources("Provenance"))]
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    steps.sort(key=lambda x: (x[1], x[0].occurred_at or floor, x[2]))
    return tuple(step for step, _, _ in steps)


def _patient(msg: ParsedMessage) -> dict[str, Any]:
    patients = msg.resources("Patient")
    return patients[0] if patients else {}


def _names(patient: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """(display name, family, given names) of the official (else first) name."""
    names = items(patient.get("name"))
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    family = s(name.get("family")) or ""
    given = tuple(strings(name.get("given")))
    display = s(name.get("text")) or " ".join([*given, family]).strip()
    return display, family, given


def patient_display_name(patient: dict[str, Any]) -> str:
    """The name of a Patient resource as Sektorbro shows it."""
    return _names(patient)[0]


def common(msg: ParsedMessage) -> MessageFacts:
    """The facts every message carries."""
    header = d(msg.header())
    bundle = d(msg.bundle)
    provenance = d(current_provenance(msg))
    step = _step(msg, provenance) if provenance else None
    patient = _patient(msg)
    identifiers = tuple(
        PatientIdentifier(
            patient_identifier_kind(s(x.get("system"))), s(x.get("system")) or "", s(x.get("value")) or ""
        )
        for x in items(patient.get("identifier"))
    )
    display, family, given = _names(patient)
    destinations = items(header.get("destination"))
    event = s(d(header.get("eventCoding")).get("code")) or ""
    return MessageFacts(
        kind=event,
        message_id=s(header.get("id")) or "",
        envelope_id=s(bundle.get("id")) or "",
        sent_at=(step.occurred_at if step else None) or parse_instant(bundle.get("timestamp")),
        activity=step.activity if step else "",
        refers_to=step.refers_to if step else None,
        sender=_organisation(msg.resolve_ref(header.get("sender"))),
        receiver=_organisation(msg.resolve_ref(destinations[0].get("receiver"))) if destinations else None,
        patient_cpr=next((x.value for x in identifiers if x.system == CPR_SYSTEM and x.value), None),
        patient_name=display,
        deceased=patient.get("deceasedBoolean") is True or bool(s(patient.get("deceasedDateTime"))),
        standard=SUPPORTED_EVENTS.get(event),
        version=_version(header),
        assembled_at=parse_instant(bundle.get("timestamp")),
        recorded_at=step.recorded_at if step else None,
        refers_to_letter=step.refers_to_letter if step else None,
        refers_role=step.role if step else None,
        patient_identifiers=identifiers,
        patient_family=family,
        patient_given=given,
        history=history(msg),
    )


def _version(header: dict[str, Any]) -> str | None:
    definition = s(header.get("definition"))
    if definition and "|" in definition:
        return (
            "4.0"
            if definition == CC_DEFINITION_4 or definition.endswith("|4.0.0")
            else definition.rsplit("|", 1)[1]
        )
    for profile in strings(d(header.get("meta")).get("profile")):
        if isinstance(profile, str) and "|" in profile:
            return profile.rsplit("|", 1)[1]
    return None


# --- HospitalNotification -----------------------------------------------------------------------------------
def event_label(code: str) -> tuple[str, str]:
    """Danish and English label of a notification code such as ``RE_STIN``."""
    base = code.split("_", 1)[-1]
    da, en = HN_LABELS.get(base, (code, code))
    if code.startswith("RE_"):
        return f"Rettelse: {da}", f"Correction: {en}"
    if code.startswith("AN_"):
        return f"Annullering: {da}", f"Cancellation: {en}"
    return da, en


def derive_event_code(
    activity: str,
    *,
    deceased: bool,
    chain: tuple[ProvenanceStep, ...] = (),
    previous_event_code: str | None = None,
) -> str:
    """The Danish notification code (STIN, RE_STIN, AN_STIN, ..., MORS, RE_MORS, AN_MORS) of a message.

    It follows the standard's code overview: the code is the combination of the newest Provenance activity, its
    entity role and Patient.deceased. A death (MORS) repeats the previous message's activity; its correction
    (RE_MORS, role revision) and cancellation (AN_MORS, role removal, deceased false) repeat it once more.
    Whether the message before was itself a death is known for sure only from that message: pass
    ``previous_event_code`` (the code extracted from the message this one follows) when it is known; otherwise the
    Provenance chain is read (the same activity three times in a row means a death followed by its correction;
    a dead-on-arrival MORS followed by RE_MORS cannot be told from STIN followed by MORS that way)."""
    entry = HN_ACTIVITIES.get(activity)
    if entry is None:
        return ""
    base = entry[0]
    code = (
        "RE_" if activity.startswith("revise-") else "AN_" if activity.startswith("cancel-") else ""
    ) + base
    steps = {step.message_id: step for step in chain if step.message_id}
    current = chain[-1] if chain else None
    previous = steps.get(current.refers_to or "") if current else None
    repeat = previous is not None and previous.activity == activity
    if deceased:
        if previous_event_code is not None:
            return "RE_MORS" if previous_event_code in ("MORS", "RE_MORS") else "MORS"
        before = steps.get(previous.refers_to or "") if previous else None
        twice = (
            repeat
            and before is not None
            and before.activity == activity
            and not activity.startswith("revise-")
        )
        return "RE_MORS" if twice else "MORS"
    removal = current is not None and current.role == "removal"
    if removal and not activity.startswith("cancel-"):
        if previous_event_code is None or previous_event_code in ("MORS", "RE_MORS"):
            return "AN_MORS"  # a removal without a cancel activity: the death is cancelled
    return code


@dataclass(frozen=True)
class HospitalNotificationFacts:
    common: MessageFacts
    event_code: (
        str  # STAA, STIN, STOR, SLOR, SLHJ, MORS, or one of these with RE_ (correction) / AN_ (cancellation)
    )
    encounter_class: str  # IMP (admitted) or EMER (acute ambulant)
    encounter_status: str
    start: dt.datetime | None  # Encounter.period.start: arrival
    end: dt.datetime | None  # Encounter.period.end: departure or time of death
    leave_start: dt.datetime | None
    leave_end: dt.datetime | None
    episode_ids: tuple[str, ...]  # episode-of-care identifier values (local id first, LPR3 last)
    service_provider: Organisation | None
    report_of_admission: bool  # the municipality is asked for a report of admission (XDIS16)
    event: str = (
        ""  # admission, acute_ambulant, leave_start, leave_end, discharge, death, correction, cancellation
    )
    amended_event: str | None = None  # for a correction or cancellation: the kind of event it amends
    amends: str | None = None  # for a correction or cancellation: the MessageHeader id of the amended message
    encounter_id: str = ""
    episodes: tuple[tuple[str, str], ...] = ()  # (system, value) of every episode-of-care identifier
    report_of_admission_recipient: Organisation | None = None

    @property
    def message_id(self) -> str:
        return self.common.message_id

    @property
    def episode_of_care_id(self) -> str:
        return self.episode_ids[0] if self.episode_ids else ""

    @property
    def labels(self) -> tuple[str, str]:
        return event_label(self.event_code)


def _meaning(code: str) -> tuple[str, str | None]:
    base = code.split("_", 1)[-1]
    kind = HN_BASE_EVENTS.get(base, "")
    if code.startswith("RE_"):
        return "correction", kind
    if code.startswith("AN_"):
        return "cancellation", kind
    return kind, None


def hospital_notification(
    msg: ParsedMessage, *, previous_event_code: str | None = None
) -> HospitalNotificationFacts:
    """The facts of a HospitalNotification. ``previous_event_code``: see ``derive_event_code``."""
    base = common(msg)
    header = d(msg.header())
    focus = items(header.get("focus"))
    encounter = d(msg.resolve_ref(focus[0])) if focus else {}
    if encounter.get("resourceType") != "Encounter":
        encounter = d(next(iter(msg.resources("Encounter")), {}))
    leave = next(
        (
            d(x.get("valuePeriod"))
            for x in items(encounter.get("extension"))
            if x.get("url") == LEAVE_PERIOD_URL
        ),
        {},
    )
    period = d(encounter.get("period"))
    code = derive_event_code(
        base.activity, deceased=base.deceased, chain=base.history, previous_event_code=previous_event_code
    )
    event, amended = _meaning(code)
    episodes = [
        (s(d(e.get("identifier")).get("system")) or "", s(d(e.get("identifier")).get("value")) or "")
        for e in items(encounter.get("episodeOfCare"))
    ]
    episodes = [e for e in episodes if e[1]]
    ordered = [v for sy, v in episodes if sy != LPR3_EPISODE_SYSTEM] + [
        v for sy, v in episodes if sy == LPR3_EPISODE_SYSTEM
    ]
    flag = next(
        (
            x.get("valueBoolean")
            for x in items(header.get("extension"))
            if x.get("url") == REPORT_OF_ADMISSION_URL
        ),
        None,
    )
    recipient = next(
        (
            msg.resolve_ref(x.get("valueReference"))
            for x in items(header.get("extension"))
            if x.get("url") == REPORT_OF_ADMISSION_RECIPIENT_URL
        ),
        None,
    )
    return HospitalNotificationFacts(
        common=base,
        event_code=code,
        encounter_class=s(d(encounter.get("class")).get("code")) or "",
        encounter_status=s(encounter.get("status")) or "",
        start=parse_instant(period.get("start")),
        end=parse_instant(period.get("end")),
        leave_start=parse_instant(leave.get("start")),
        leave_end=parse_instant(leave.get("end")),
        episode_ids=tuple(ordered),
        service_provider=_organisation(msg.resolve_ref(encounter.get("serviceProvider"))),
        report_of_admission=flag is True,
        event=event,
        amended_event=amended,
        amends=base.refers_to if amended else None,
        encounter_id=s(encounter.get("id")) or "",
        episodes=tuple(episodes),
        report_of_admission_recipient=_organisation(recipient),
    )


# --- CareCommunication --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Segment:
    """One message segment (text or attachment) of a CareCommunication thread."""

    identifier: str
    kind: str  # "text" or "attachment"
    date: dt.datetime | None
    text: str = ""
    author_name: str = ""
    author_role: str = ""
    author_phone: str = ""
    organisation: Organisation | None = None  # the organisation that added the segment (identifier assigner)
    title: str = ""
    content_type: str = ""
    size: int | None = None  # bytes of attached data
    url: str = ""
    has_content: bool = False  # data or url present (a reply keeps earlier attachments without their content)
    creation: dt.datetime | None = None
    new: bool = False  # added by this message


@dataclass(frozen=True)
class CareCommunicationFacts:
    common: MessageFacts
    category: str
    topic: str
    texts: tuple[str, ...]  # every text segment in payload order (the thread so far)
    attachments: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # JSON-ready attachment metadata
    thread_id: str = ""  # Communication.identifier: same in replies, new on a forward
    priority: str = ""
    segments: tuple[Segment, ...] = ()
    episode_ids: tuple[str, ...] = ()
    specific_sender: str = ""  # name of the sender's PractitionerRole or CareTeam, if given
    specific_recipient: str = ""

    @property
    def message_id(self) -> str:
        return self.common.message_id

    @property
    def activity(self) -> str:
        """new, reply or forward."""
        return self.common.activity.removesuffix("-message")

    @property
    def new_texts(self) -> tuple[str, ...]:
        return tuple(x.text for x in self.segments if x.kind == "text" and x.new)

    @property
    def category_labels(self) -> tuple[str, str]:
        return CC_CATEGORIES.get(self.category, (self.category, self.category))


def _party_name(msg: ParsedMessage, resource: dict[str, Any] | None) -> tuple[str, str]:
    """(display name, role) of a PractitionerRole (via its Practitioner) or CareTeam."""
    resource = d(resource)
    if resource.get("resourceType") == "CareTeam":
        return s(resource.get("name")) or "", ""
    if resource.get("resourceType") != "PractitionerRole":
        return "", ""
    practitioner = d(msg.resolve_ref(resource.get("practitioner")))
    names = items(practitioner.get("name"))
    name = names[0] if names else {}
    display = (
        s(name.get("text")) or " ".join([*strings(name.get("given")), s(name.get("family")) or ""]).strip()
    )
    codes = items(resource.get("code"))
    role = ""
    for concept in codes:
        coding = items(concept.get("coding"))
        role = s(concept.get("text")) or (
            s(coding[0].get("display")) or s(coding[0].get("code")) or "" if coding else ""
        )
        if role:
            break
    return display, role


def _extension(element: dict[str, Any], url: str) -> dict[str, Any]:
    return next((x for x in items(element.get("extension")) if x.get("url") == url), {})


def _size(data: Any) -> int | None:
    if not isinstance(data, str):
        return None
    compact = "".join(data.split())
    try:
        return len(base64.b64decode(compact, validate=True))
    except (binascii.Error, ValueError):
        return len(compact) * 3 // 4


def care_communication(msg: ParsedMessage) -> CareCommunicationFacts:
    base = common(msg)
    header = d(msg.header())
    focus = items(header.get("focus"))
    com = d(msg.resolve_ref(focus[0])) if focus else {}
    new_ids = set(base.history[-1].segments) if base.history else set()
    segments: list[Segment] = []
    texts: list[str] = []
    attachments: list[dict[str, Any]] = []
    for payload in items(com.get("payload")):
        identifier = d(_extension(payload, IDENTIFIER_EXTENSION_URL).get("valueIdentifier"))
        ident = s(identifier.get("value")) or ""
        author, role = _party_name(
            msg, msg.resolve_ref(_extension(payload, AUTHOR_EXTENSION_URL).get("valueReference"))
        )
        common_fields: dict[str, Any] = {
            "identifier": ident,
            "date": parse_instant(_extension(payload, DATETIME_EXTENSION_URL).get("valueDateTime")),
            "author_name": author,
            "author_role": role,
            "author_phone": s(
                d(_extension(payload, CONTACT_EXTENSION_URL).get("valueContactPoint")).get("value")
            )
            or "",
            "organisation": _organisation(msg.resolve_ref(identifier.get("assigner"))),
            "new": ident in new_ids,
        }
        if isinstance(payload.get("contentString"), str):
            texts.append(payload["contentString"])
            segments.append(Segment(kind="text", text=payload["contentString"], **common_fields))
            continue
        attachment = d(payload.get("contentAttachment"))
        if not attachment:
            continue
        segment = Segment(
            kind="attachment",
            title=s(attachment.get("title")) or "",
            content_type=s(attachment.get("contentType")) or "",
            size=attachment.get("size")
            if isinstance(attachment.get("size"), int)
            else _size(attachment.get("data")),
            url=s(attachment.get("url")) or "",
            has_content="data" in attachment or "url" in attachment,
            creation=parse_instant(attachment.get("creation")),
            **common_fields,
        )
        segments.append(segment)
        attachments.append(
            {
                "identifier": segment.identifier,
                "title": segment.title,
                "content_type": segment.content_type,
                "size": segment.size,
                "url": segment.url,
                "has_content": segment.has_content,
                "date": segment.date.isoformat() if segment.date else None,
                "new": segment.new,
            }
        )
    encounter = d(msg.resolve_ref(com.get("encounter")))
    sender_ext = _extension(com, SENDER_EXTENSION_URL)
    recipients = items(com.get("recipient"))
    return CareCommunicationFacts(
        common=base,
        category=_coding(next(iter(items(com.get("category"))), {})),
        topic=s(d(com.get("topic")).get("text")) or "",
        texts=tuple(texts),
        attachments=tuple(attachments),
        thread_id=next((s(x.get("value")) or "" for x in items(com.get("identifier"))), ""),
        priority=s(com.get("priority")) or "",
        segments=tuple(segments),
        episode_ids=tuple(
            v for e in items(encounter.get("episodeOfCare")) if (v := s(d(e.get("identifier")).get("value")))
        ),
        specific_sender=_party_name(msg, msg.resolve_ref(sender_ext.get("valueReference")))[0]
        if sender_ext
        else "",
        specific_recipient=_party_name(msg, msg.resolve_ref(recipients[0]))[0] if recipients else "",
    )


# --- Acknowledgement ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AcknowledgementIssue:
    severity: str
    code: str  # FHIR issue type, e.g. "structure"
    detail_system: str
    detail_code: str  # e.g. MSG_VALUESET_VALUE_UNKNOWN
    text: str
    expression: tuple[str, ...] = ()


@dataclass(frozen=True)
class AcknowledgementFacts:
    common: MessageFacts
    acknowledged_id: str  # MessageHeader.id of the acknowledged message
    code: str  # ok, transient-error or fatal-error
    problems: tuple[str, ...]  # a readable line per reported issue
    outcome: str = ""  # delivered (ok), retry (transient-error), rejected (fatal-error)
    issues: tuple[AcknowledgementIssue, ...] = ()

    @property
    def message_id(self) -> str:
        return self.common.message_id


def acknowledgement(msg: ParsedMessage) -> AcknowledgementFacts:
    base = common(msg)
    response = d(d(msg.header()).get("response"))
    outcome = d(msg.resolve_ref(response.get("details")))
    if outcome.get("resourceType") != "OperationOutcome":
        outcome = d(next(iter(msg.resources("OperationOutcome")), {}))
    found = []
    for issue in items(outcome.get("issue")):
        details = d(issue.get("details"))
        codings = items(details.get("coding"))
        found.append(
            AcknowledgementIssue(
                severity=s(issue.get("severity")) or "",
                code=s(issue.get("code")) or "",
                detail_system=(s(codings[0].get("system")) or "") if codings else "",
                detail_code=(s(codings[0].get("code")) or "") if codings else "",
                text=s(details.get("text")) or s(issue.get("diagnostics")) or "",
                expression=tuple(strings(issue.get("expression"))),
            )
        )
    code = s(response.get("code")) or ""
    return AcknowledgementFacts(
        common=base,
        acknowledged_id=s(response.get("identifier")) or "",
        code=code,
        problems=tuple(i.text or i.detail_code for i in found),
        outcome=ACK_CODES.get(code, ""),
        issues=tuple(found),
    )


Facts = HospitalNotificationFacts | CareCommunicationFacts | AcknowledgementFacts | MessageFacts


def facts(msg: ParsedMessage) -> Facts:
    """The facts of any supported message (MessageFacts for the generic empty message)."""
    event = msg.event
    if event == "hospital-notification-message":
        return hospital_notification(msg)
    if event == "care-communication-message":
        return care_communication(msg)
    if event == "acknowledgement-message":
        return acknowledgement(msg)
    return common(msg)
