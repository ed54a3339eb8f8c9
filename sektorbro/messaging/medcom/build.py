"""Building outbound MedCom messages from plain dataclasses (no Django): CareCommunication (new, reply,
forward), Acknowledgement (positive or negative) and HospitalNotification (for test and demo data).

Every built message passes ``validate_message``, carries fresh UUID v4 ids and round-trips between JSON and XML
(``to_json`` / ``to_xml``). Entries get absolute fullUrls (``BuildOptions.base_url``); references inside the
message are relative (``Organization/<id>``) except the MessageHeader references of Provenance.target and
Provenance.entity, which use the message's fullUrl so they are literally equal to it, as MedCom's TouchStone test
scripts require."""

from __future__ import annotations

import base64
import copy
import dataclasses
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sektorbro.messaging.medcom import fhirjson
from sektorbro.messaging.medcom.extract import Organisation, Party, current_provenance
from sektorbro.messaging.medcom.identifiers import gln_problem, sor_problem
from sektorbro.messaging.medcom.issues import ValidationIssue, ack_code
from sektorbro.messaging.medcom.message import (
    ParsedMessage,
    d,
    items,
    parse_instant,
    reference_id,
    s,
    xml_safe,
)
from sektorbro.messaging.medcom.narrative import narrative
from sektorbro.messaging.medcom.terminology import (
    ACK_ERROR_SYSTEM,
    ACT_CODE_SYSTEM,
    ACTIVITY_SYSTEM,
    ATTACHMENT_MIME_TYPES,
    AUTHOR_EXTENSION_URL,
    CATEGORY_SYSTEM,
    CC_CATEGORIES,
    CC_DEFINITION_4,
    CC_DEFINITION_5,
    CC_PRIORITIES,
    CONTACT_EXTENSION_URL,
    CPR_SYSTEM,
    DATETIME_EXTENSION_URL,
    DESTINATION_USE_SYSTEM,
    DESTINATION_USE_URL,
    EVENT_SYSTEM,
    GLN_SYSTEM,
    GLN_SYSTEMS,
    HN_ACTIVITIES,
    IDENTIFIER_EXTENSION_URL,
    LEAVE_PERIOD_URL,
    MESSAGING_ACTIVITIES,
    REPORT_OF_ADMISSION_RECIPIENT_URL,
    REPORT_OF_ADMISSION_URL,
    ROLE_SKS_SYSTEM,
    SENDER_EXTENSION_URL,
    SOR_SYSTEM,
    SOR_URL_PREFIX,
    Profiles,
)

__all__ = [
    "Attachment",
    "Author",
    "BuildOptions",
    "CannotAcknowledge",
    "CareCommunicationDraft",
    "EncounterRef",
    "ForwardDraft",
    "HospitalNotificationDraft",
    "Organisation",
    "Party",
    "Patient",
    "ReplyDraft",
    "acknowledgement",
    "acknowledgement_message",
    "care_communication",
    "care_communication_message",
    "forward_message",
    "hospital_notification_message",
    "phone_number",
    "reissue_acknowledgement",
    "reply_message",
    "to_json",
    "to_xml",
]


# --- inputs -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Patient:
    """The citizen: an official CPR number (or a replacement number with its system) and the official name."""

    cpr: str
    family: str
    given: tuple[str, ...] = ()
    identifier_system: str = CPR_SYSTEM  # X_ECPR_SYSTEM or D_ECPR_SYSTEM(+ region) for replacement numbers
    deceased: bool | None = None

    @classmethod
    def from_name(cls, cpr: str, name: str, **kwargs: Any) -> Patient:
        """From a display name: the last word is the family name, the rest the given names."""
        parts = name.split()
        if not parts:
            raise ValueError("the patient has no name")
        return cls(cpr=cpr, family=parts[-1], given=tuple(parts[:-1]), **kwargs)


@dataclass(frozen=True)
class Author:
    """The person writing a segment: name, phone and a role (a code from MedCom's role list, or free text)."""

    given: str
    family: str
    phone: str
    role_code: str = ""  # e.g. "sygeplejerske", "laege", "socialraadgiver"
    role_text: str = ""  # used when there is no role code


@dataclass(frozen=True)
class Attachment:
    """An attachment: bytes with a MIME type, or a web link (url)."""

    title: str
    content_type: str = ""
    data: bytes | None = None
    url: str = ""
    creation: dt.datetime | None = None
    with_author: bool = False  # add the author and contact (structured signature) to the attachment segment


@dataclass(frozen=True)
class EncounterRef:
    """The hospital stay a CareCommunication is about (sent with its episode-of-care identifier)."""

    episode_of_care_id: str
    system: str = ""  # default: the sender's SOR URL (a local episode-of-care id)
    status: str = "in-progress"
    class_code: str = "IMP"
    more: tuple[tuple[str, str], ...] = ()  # further (system, value) identifiers, e.g. the LPR3 one

    @classmethod
    def of_episodes(
        cls, episodes: Sequence[tuple[str, str]], *, status: str = "in-progress", class_code: str = "IMP"
    ) -> EncounterRef | None:
        """The stay as a HospitalNotification named it: its (system, value) episode-of-care identifiers in order
        (None when it named none)."""
        found = [(system, value) for system, value in episodes if value]
        if not found:
            return None
        (system, value), *rest = found
        return cls(value, system, status or "in-progress", class_code or "IMP", tuple(rest))


@dataclass(frozen=True)
class CareCommunicationDraft:
    """A new CareCommunication (new thread)."""

    sender: Organisation
    receiver: Organisation
    patient: Patient
    category: str
    text: str
    author: Author
    sent_at: dt.datetime
    topic: str = ""
    priority: str = ""  # routine or asap, only with category regarding-referral
    attachments: tuple[Attachment, ...] = ()
    encounter: EncounterRef | None = None
    sender_team: str = ""  # a specific sender: a CareTeam of the sending organisation
    recipient_team: str = ""  # a specific recipient: a CareTeam of the receiving organisation


@dataclass(frozen=True)
class ReplyDraft:
    """A reply in the thread of a received CareCommunication, to its sender."""

    sender: Organisation  # us (the receiver of the message answered)
    text: str
    author: Author
    sent_at: dt.datetime
    category: str = ""  # empty: keep the thread's category
    topic: str | None = None  # None: keep the thread's topic
    priority: str | None = None  # None: keep (dropped if the category no longer allows it)
    attachments: tuple[Attachment, ...] = ()
    resend_attachments: bool = False  # MedCom's rule: earlier attachments are kept without their content
    encounter: EncounterRef | None = None  # the stay, when the thread does not name one yet


@dataclass(frozen=True)
class ForwardDraft:
    """A forward of a received CareCommunication (or a part of its thread) to a new receiver, as a new thread."""

    sender: Organisation
    receiver: Organisation
    text: str  # the reason for forwarding (a new text segment)
    author: Author
    sent_at: dt.datetime
    segments: tuple[str, ...] | None = None  # segment identifiers to forward; None: all
    category: str = ""
    topic: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class BuildOptions:
    base_url: str = "https://sektorbro.invalid/fhir"  # the base of entry.fullUrl
    # "absolute": every reference to a resource in the message is its fullUrl (FHIR's own way of resolving
    # references in a Bundle; what MedCom's TouchStone test scripts compare literally). "relative": references
    # are Type/id as in MedCom's IG examples (the MessageHeader references of Provenance still use the fullUrl).
    reference_style: str = "absolute"
    narratives: bool = True  # MedCom requires narratives; leave out only for bulk test data
    care_communication_version: str = "5.0"  # "5.0" or "4.0" (MessageHeader.definition)


DEFAULT_OPTIONS = BuildOptions()


_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


class CannotAcknowledge(ValueError):
    """The received message does not tell whom to answer (no readable MessageHeader, id or sender)."""


# --- helpers ------------------------------------------------------------------------------------------------
def _new_id() -> str:
    return str(uuid.uuid4())


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.isoformat(timespec="seconds")


def _full_url(options: BuildOptions, resource: dict[str, Any]) -> str:
    return f"{options.base_url.rstrip('/')}/{resource['resourceType']}/{resource['id']}"


def _ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"{resource['resourceType']}/{resource['id']}"}


def _header_ref(msg: ParsedMessage) -> str:
    """How a later message refers to ``msg``: its MessageHeader fullUrl if that names the header, else relative."""
    header_id = msg.message_id or ""
    url = msg.header_full_url()
    if url and reference_id(url, "MessageHeader") == header_id:
        return url
    return f"MessageHeader/{header_id}"


_PHONE_SEPARATORS = re.compile(r"[\s\-./()]")
_PHONE = re.compile(r"\+?[0-9]+")


def phone_number(value: str) -> str:
    """A phone number as MedCom's contact extension wants it: an optional ``+`` and digits only (``+45 89 15 15 15``
    and ``+45-8915-1515`` become ``+4589151515``). Raises ``ValueError`` when anything else is left."""
    compact = _PHONE_SEPARATORS.sub("", value)
    if not _PHONE.fullmatch(compact):
        raise ValueError(f"the author's phone number {value.strip()!r} may only hold + and the digits 0-9")
    return compact


_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _organization(
    party: Organisation, *, messaging: bool = True, org_id: str | None = None
) -> dict[str, Any]:
    if not party.sor or not party.gln:
        raise ValueError(
            f"{party.name or 'the organisation'} needs both a SOR id and an EAN/GLN location number"
        )
    problem = sor_problem(party.sor) or gln_problem(party.gln)
    if problem:
        raise ValueError(f"{party.name or 'the organisation'}: {problem}")
    return {
        "resourceType": "Organization",
        "id": org_id or _new_id(),
        "meta": {"profile": [Profiles.ORGANIZATION if messaging else Profiles.CORE_ORGANIZATION]},
        "identifier": [
            {"system": GLN_SYSTEM, "value": party.gln},
            {"system": SOR_SYSTEM, "value": party.sor},
        ],
        "name": party.name if party.name.strip() and not _NOT_XML_TEXT.search(party.name) else "Ukendt",
    }


def _patient(patient: Patient) -> dict[str, Any]:
    if not patient.family.strip():
        raise ValueError("the patient needs a family name")
    identifier: dict[str, Any] = {"system": patient.identifier_system, "value": patient.cpr}
    if patient.identifier_system != CPR_SYSTEM:
        identifier = {"use": "temp", **identifier}
    name: dict[str, Any] = {"use": "official", "family": patient.family}
    if patient.given:
        name["given"] = list(patient.given)
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _new_id(),
        "meta": {"profile": [Profiles.PATIENT]},
        "identifier": [identifier],
        "name": [name],
    }
    if patient.deceased is not None:
        resource["deceasedBoolean"] = patient.deceased
    return resource


def _destination(receiver: dict[str, Any], party: Organisation) -> dict[str, Any]:
    return {
        "extension": [
            {"url": DESTINATION_USE_URL, "valueCoding": {"system": DESTINATION_USE_SYSTEM, "code": "primary"}}
        ],
        "endpoint": f"{SOR_URL_PREFIX}{party.sor}",
        "receiver": _ref(receiver),
    }


def _header(event: str, profile: str, sender_org: dict[str, Any], sender: Organisation,
            receiver_org: dict[str, Any], receiver: Organisation) -> dict[str, Any]:  # fmt: skip
    return {
        "resourceType": "MessageHeader",
        "id": _new_id(),
        "meta": {"profile": [profile]},
        "eventCoding": {"system": EVENT_SYSTEM, "code": event},
        "destination": [_destination(receiver_org, receiver)],
        "sender": _ref(sender_org),
        "source": {"endpoint": f"{SOR_URL_PREFIX}{sender.sor}"},
    }


def _provenance(
    profile: str, header_url: str, moment: dt.datetime, activity: str, agent: dict[str, Any],
    entities: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:  # fmt: skip
    provenance: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": _new_id(),
        "meta": {"profile": [profile]},
        "target": [{"reference": header_url}],
        "occurredDateTime": _stamp(moment),
        "recorded": _stamp(moment),
        "activity": {"coding": [{"system": ACTIVITY_SYSTEM, "code": activity}]},
        "agent": [{"who": _ref(agent)}],
    }
    if entities:
        provenance["entity"] = list(entities)
    return provenance


def _with_text(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource with a narrative placed after ``meta`` (resources that have one keep it)."""
    if "text" in resource:
        return resource
    ordered: dict[str, Any] = {}
    for key, value in resource.items():
        ordered[key] = value
        if key == "meta":
            ordered["text"] = narrative(resource)
    if "text" not in ordered:
        ordered = {
            "resourceType": resource["resourceType"],
            "id": resource["id"],
            "text": narrative(resource),
            **resource,
        }
    return ordered


def _absolute(value: Any, urls: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str) and item in urls:
                value[key] = urls[item]
            elif isinstance(item, dict | list):
                _absolute(item, urls)
    elif isinstance(value, list):
        for item in value:
            _absolute(item, urls)


def _bundle(
    resources: list[dict[str, Any]], profile: str, moment: dt.datetime, options: BuildOptions,
    copied: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:  # fmt: skip
    header = resources[0]
    header_url = _full_url(options, header)
    for resource in resources:  # Provenance targets name this message by its fullUrl
        if resource["resourceType"] == "Provenance":
            for target in resource.get("target", []):
                if target.get("reference") == "#self":
                    target["reference"] = header_url
    if options.reference_style == "absolute":  # copied history keeps its references as received
        urls = {f"{r['resourceType']}/{r['id']}": _full_url(options, r) for r in resources}
        skip = {id(r) for r in copied}
        for resource in resources:
            if id(resource) not in skip:
                _absolute(resource, urls)
    entries = []
    for resource in resources:
        final = _with_text(resource) if options.narratives else resource
        entries.append({"fullUrl": _full_url(options, resource), "resource": final})
    bundle_id = _new_id()
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "meta": {"profile": [profile]},
        "type": "message",
        "timestamp": _stamp(moment),
        "entry": entries,
    }


# --- CareCommunication --------------------------------------------------------------------------------------
def _check_cc_fields(category: str, topic: str, priority: str, text: str) -> None:
    if category not in CC_CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    if category == "other" and not topic.strip():
        raise ValueError("the category 'other' needs a topic")
    if priority and category != "regarding-referral":
        raise ValueError("a priority is only allowed with the category regarding-referral")
    if priority and priority not in CC_PRIORITIES:
        raise ValueError("the priority is routine or asap")
    if not text.strip():
        raise ValueError("the message has no text")


class _Segments:
    """Builds payload segments and the resources they need (author PractitionerRole + Practitioner)."""

    def __init__(
        self, organisation: dict[str, Any], moment: dt.datetime, *, require_contact: bool = True
    ) -> None:
        self.organisation = organisation
        self.require_contact = require_contact
        self.stamp = _stamp(moment)
        self.resources: list[dict[str, Any]] = []
        self.ids: list[str] = []
        self._roles: dict[Author, dict[str, Any]] = {}

    def role(self, author: Author) -> dict[str, Any]:
        if author in self._roles:
            return self._roles[author]
        if not author.family.strip() and not author.given.strip():
            raise ValueError("the author needs a name")
        if bool(author.role_code) == bool(author.role_text):
            raise ValueError("the author's role is given as a role code or as a role text (one of them)")
        practitioner = {
            "resourceType": "Practitioner",
            "id": _new_id(),
            "meta": {"profile": [Profiles.PRACTITIONER]},
            "name": [
                {
                    k: v
                    for k, v in (
                        ("family", author.family),
                        ("given", [author.given] if author.given else None),
                    )
                    if v
                }
            ],
        }
        code: dict[str, Any] = (
            {"coding": [{"system": ROLE_SKS_SYSTEM, "code": author.role_code}]}
            if author.role_code
            else {"text": author.role_text}
        )
        role = {
            "resourceType": "PractitionerRole",
            "id": _new_id(),
            "meta": {"profile": [Profiles.PRACTITIONER_ROLE]},
            "practitioner": _ref(practitioner),
            "organization": _ref(self.organisation),
            "code": [code],
        }
        self.resources += [role, practitioner]
        self._roles[author] = role
        return role

    def _extensions(self, author: Author | None) -> tuple[list[dict[str, Any]], str]:
        identifier = _urn()
        self.ids.append(identifier)
        extensions: list[dict[str, Any]] = [
            {"url": DATETIME_EXTENSION_URL, "valueDateTime": self.stamp},
            {
                "url": IDENTIFIER_EXTENSION_URL,
                "valueIdentifier": {"value": identifier, "assigner": _ref(self.organisation)},
            },
        ]
        if author is not None:
            if not author.phone.strip() and self.require_contact:
                raise ValueError("the author needs a phone number")
            extensions.append({"url": AUTHOR_EXTENSION_URL, "valueReference": _ref(self.role(author))})
            if author.phone.strip():
                extensions.append(
                    {
                        "url": CONTACT_EXTENSION_URL,
                        "valueContactPoint": {"system": "phone", "value": phone_number(author.phone)},
                    }
                )
        return extensions, identifier

    def text(self, text: str, author: Author) -> dict[str, Any]:
        extensions, _ = self._extensions(author)
        return {"extension": extensions, "contentString": xml_safe(text)}

    def attachment(self, attachment: Attachment, author: Author) -> dict[str, Any]:
        if not attachment.title.strip():
            raise ValueError("an attachment needs a title")
        if (attachment.data is None) == (not attachment.url):
            raise ValueError("an attachment carries either data or a url")
        content: dict[str, Any] = {}
        if attachment.data is not None:
            if attachment.content_type not in ATTACHMENT_MIME_TYPES:
                raise ValueError(f"{attachment.content_type!r} is not an allowed attachment type")
            content["contentType"] = attachment.content_type
            content["data"] = base64.b64encode(attachment.data).decode("ascii")
        else:
            content["url"] = attachment.url
        content["title"] = attachment.title
        if attachment.creation is not None:
            content["creation"] = _stamp(attachment.creation)
        extensions, _ = self._extensions(author if attachment.with_author else None)
        return {"extension": extensions, "contentAttachment": content}


def _encounter(ref: EncounterRef, patient: dict[str, Any], sender: Organisation) -> dict[str, Any]:
    """The Encounter a CareCommunication is about, with the episode-of-care identifiers of the stay."""
    identifiers = [(ref.system or f"{SOR_URL_PREFIX}{sender.sor}", ref.episode_of_care_id), *ref.more]
    return {
        "resourceType": "Encounter",
        "id": _new_id(),
        "meta": {"profile": [Profiles.ENCOUNTER]},
        "status": ref.status,
        "class": {"system": ACT_CODE_SYSTEM, "code": ref.class_code},
        "subject": _ref(patient),
        "episodeOfCare": [
            {"identifier": {"system": system, "value": value}} for system, value in identifiers
        ],
    }


def _definition(options: BuildOptions) -> str:
    return CC_DEFINITION_4 if options.care_communication_version.startswith("4") else CC_DEFINITION_5


def _care_team(name: str, organisation: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "CareTeam",
        "id": _new_id(),
        "meta": {"profile": [Profiles.CARE_TEAM]},
        "name": name,
        "managingOrganization": [_ref(organisation)],
    }


def care_communication_message(
    draft: CareCommunicationDraft, *, options: BuildOptions = DEFAULT_OPTIONS, _require_contact: bool = True
) -> dict[str, Any]:
    """A new CareCommunication (a new thread) from ``draft.sender`` to ``draft.receiver``."""
    draft = dataclasses.replace(draft, text=xml_safe(draft.text), topic=xml_safe(draft.topic).strip())
    _check_cc_fields(draft.category, draft.topic, draft.priority, draft.text)
    us, them = _organization(draft.sender), _organization(draft.receiver)
    patient = _patient(draft.patient)
    header = _header("care-communication-message", Profiles.CC_HEADER, us, draft.sender, them, draft.receiver)
    segments = _Segments(us, draft.sent_at, require_contact=_require_contact)
    payload = [segments.text(draft.text, draft.author)]
    payload += [segments.attachment(a, draft.author) for a in draft.attachments]
    communication: dict[str, Any] = {
        "resourceType": "Communication",
        "id": _new_id(),
        "meta": {"profile": [Profiles.CC_COMMUNICATION]},
        "identifier": [{"value": _urn()}],
        "status": "unknown",
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": draft.category}]}],
        "subject": _ref(patient),
    }
    if draft.priority:
        communication["priority"] = draft.priority
    if draft.topic:
        communication["topic"] = {"text": draft.topic}
    extra: list[dict[str, Any]] = []
    if draft.encounter is not None:
        encounter = _encounter(draft.encounter, patient, draft.sender)
        communication["encounter"] = _ref(encounter)
        extra.append(encounter)
    if draft.sender_team:
        team = _care_team(draft.sender_team, us)
        communication = {
            "extension": [{"url": SENDER_EXTENSION_URL, "valueReference": _ref(team)}],
            **communication,
        }
        extra.append(team)
    if draft.recipient_team:
        team = _care_team(draft.recipient_team, them)
        communication["recipient"] = [_ref(team)]
        extra.append(team)
    communication["payload"] = payload
    communication = _order_communication(communication)
    header["focus"] = [_ref(communication)]
    header["definition"] = _definition(options)
    provenance = _provenance(
        Profiles.CC_PROVENANCE, "#self", draft.sent_at, "new-message", us,
        [{"role": "source", "what": {"identifier": {"value": i}}} for i in segments.ids],
    )  # fmt: skip
    resources = [header, patient, communication, *extra, *segments.resources, us, them, provenance]
    return _bundle(resources, Profiles.CC_MESSAGE, draft.sent_at, options)


_COMMUNICATION_ORDER = (
    "resourceType", "id", "meta", "text", "extension", "identifier", "status", "category", "priority", "subject",
    "topic", "encounter", "recipient", "payload",
)  # fmt: skip


def _order_communication(communication: dict[str, Any]) -> dict[str, Any]:
    ordered = {k: communication[k] for k in _COMMUNICATION_ORDER if k in communication}
    ordered.update({k: v for k, v in communication.items() if k not in ordered})
    return ordered


def _received_cc(received: ParsedMessage) -> tuple[dict[str, Any], dict[str, Any]]:
    header = received.header()
    if header is None or received.event != "care-communication-message" or not received.message_id:
        raise ValueError("only a received CareCommunication can be answered or forwarded")
    focus = items(header.get("focus"))
    communication = received.resolve_ref(focus[0]) if focus else None
    if communication is None or communication.get("resourceType") != "Communication":
        raise ValueError("the received CareCommunication has no Communication")
    return header, communication


def _segment_id(payload: dict[str, Any]) -> str | None:
    for extension in items(payload.get("extension")):
        if extension.get("url") == IDENTIFIER_EXTENSION_URL:
            return s(d(extension.get("valueIdentifier")).get("value"))
    return None


def _find_org(received: ParsedMessage, party: Organisation) -> dict[str, Any] | None:
    for org in received.resources("Organization"):
        ids = {(x.get("system"), x.get("value")) for x in items(org.get("identifier"))}
        if (SOR_SYSTEM, party.sor) in ids and any((g, party.gln) in ids for g in GLN_SYSTEMS):
            return org
    return None


def _copy_resources(received: ParsedMessage, skip: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    skipped = {id(x) for x in skip}
    return [
        copy.deepcopy(r)
        for r in received.resources()
        if id(r) not in skipped and r.get("resourceType") != "MessageHeader"
    ]


def _continue_thread(
    received: ParsedMessage, *, activity: str, sender: Organisation, receiver_party: Organisation | None,
    text: str, author: Author, sent_at: dt.datetime, category: str, topic: str | None, priority: str | None,
    attachments: tuple[Attachment, ...], keep: set[str] | None, strip_attachments: bool, options: BuildOptions,
    require_contact: bool = True, encounter: EncounterRef | None = None,
    history: Sequence[ParsedMessage] = (),
) -> dict[str, Any]:  # fmt: skip
    header, received_com = _received_cc(received)
    com = copy.deepcopy(received_com)
    old_category = next(
        (str(c.get("code")) for cat in items(com.get("category")) for c in items(cat.get("coding"))), ""
    )
    category = category or old_category
    new_topic = s(d(com.get("topic")).get("text")) or "" if topic is None else xml_safe(topic).strip()
    text = xml_safe(text)
    new_priority = (s(com.get("priority")) or "") if priority is None else priority
    if category != "regarding-referral":
        new_priority = ""
    _check_cc_fields(category, new_topic, new_priority, text)
    resources = _copy_resources(received, [received_com])
    copied = list(resources)
    by_key = {f"{r['resourceType']}/{r.get('id')}": r for r in resources}
    sender_org_old = received.resolve_ref(header.get("sender"))
    # Our organisation: the one in the thread with our SOR id and location number, else a new one.
    found_us = _find_org(received, sender)
    us = by_key.get(f"Organization/{found_us['id']}") if found_us is not None else None
    if us is None:
        us = _organization(sender)
        resources.append(us)
    if activity == "reply-message":
        them_old = sender_org_old
        if them_old is not None and found_us is not None and them_old["id"] == found_us["id"]:
            # replying to our own latest message: it goes to that message's receiver again
            destinations = items(header.get("destination"))
            them_old = received.resolve_ref(destinations[0].get("receiver")) if destinations else None
        if them_old is None or them_old.get("resourceType") != "Organization":
            raise ValueError("the received message names no sender to reply to")
        them = by_key[f"Organization/{them_old['id']}"]
        them_party = Organisation(
            name=s(them.get("name")) or "",
            sor=next(
                (str(x.get("value")) for x in items(them.get("identifier")) if x.get("system") == SOR_SYSTEM),
                "",
            ),
            gln=next(
                (
                    str(x.get("value"))
                    for x in items(them.get("identifier"))
                    if x.get("system") in GLN_SYSTEMS
                ),
                "",
            ),
        )
        if not them_party.sor or not them_party.gln:
            raise ValueError("the sender of the received message has no SOR id or location number")
    else:
        assert receiver_party is not None
        found_them = _find_org(received, receiver_party)
        them_found = by_key.get(f"Organization/{found_them['id']}") if found_them is not None else None
        them = them_found if them_found is not None else _organization(receiver_party)
        if them_found is None:
            resources.append(them)
        them_party = receiver_party
    if encounter is not None and not com.get("encounter"):  # the stay the thread is about, when it names none
        subject = received.resolve_ref(com.get("subject"))
        patient = by_key.get(f"Patient/{d(subject).get('id')}")
        if patient is not None:
            stay = _encounter(encounter, patient, sender)
            com["encounter"] = _ref(stay)
            resources.append(stay)
    # Payload: earlier segments (all, or the chosen ones for a forward), then the new ones.
    payload = []
    kept_ids = set()
    for segment in items(com.get("payload")):
        identifier = _segment_id(segment)
        if keep is not None and identifier not in keep:
            continue
        kept_ids.add(identifier)
        if strip_attachments and "contentAttachment" in segment:
            segment["contentAttachment"] = {
                k: v for k, v in segment["contentAttachment"].items() if k not in ("data", "url")
            }
        elif "contentAttachment" in segment and not _has_content(segment):
            # a reply carries earlier attachments without their content; a forward sends it again, from the
            # message of the thread that still has it
            segment["contentAttachment"] = _attachment_content(identifier, [received, *history])
        payload.append(segment)
    segments = _Segments(us, sent_at, require_contact=require_contact)
    payload.append(segments.text(text, author))
    payload += [segments.attachment(a, author) for a in attachments]
    provenances = [r for r in resources if r["resourceType"] == "Provenance"]
    if keep is not None:  # a partial forward carries the Provenances of the segments it forwards
        wanted = [
            p for p in provenances
            if {s(d(d(e.get("what")).get("identifier")).get("value")) for e in items(p.get("entity"))} & kept_ids
        ]  # fmt: skip
        resources = [r for r in resources if r["resourceType"] != "Provenance" or r in wanted]
    com["id"] = _new_id()
    com.pop("text", None)
    com["category"] = [{"coding": [{"system": CATEGORY_SYSTEM, "code": category}]}]
    if new_topic:
        com["topic"] = {"text": new_topic}
    else:
        com.pop("topic", None)
    if new_priority:
        com["priority"] = new_priority
    else:
        com.pop("priority", None)
    if activity == "forward-message":
        com["identifier"] = [{"value": _urn()}]
        com.pop("recipient", None)
        com["extension"] = [x for x in items(com.get("extension")) if x.get("url") != SENDER_EXTENSION_URL]
        if not com["extension"]:
            com.pop("extension")
    else:
        # The reply's specific recipient is the received message's specific sender; its own sender is unnamed.
        previous_sender = next(
            (
                x.get("valueReference")
                for x in items(com.get("extension"))
                if x.get("url") == SENDER_EXTENSION_URL
            ),
            None,
        )
        com["extension"] = [x for x in items(com.get("extension")) if x.get("url") != SENDER_EXTENSION_URL]
        if not com["extension"]:
            com.pop("extension")
        com.pop("recipient", None)
        party = received.resolve_ref(previous_sender) if previous_sender else None
        if party is not None and party.get("resourceType") in ("PractitionerRole", "CareTeam"):
            com["recipient"] = [_ref(party)]
    com["payload"] = payload
    com = _order_communication(com)
    new_header = _header("care-communication-message", Profiles.CC_HEADER, us, sender, them, them_party)
    new_header["focus"] = [_ref(com)]
    new_header["definition"] = s(header.get("definition")) or _definition(options)
    entities = [{"role": "source", "what": {"identifier": {"value": i}}} for i in segments.ids]
    entities.append({"role": "revision", "what": {"reference": _header_ref(received)}})
    provenance = _provenance(Profiles.CC_PROVENANCE, "#self", sent_at, activity, us, entities)
    ordered = [new_header, *[r for r in resources if r["resourceType"] == "Patient"], com]
    ordered += [r for r in resources if r["resourceType"] not in ("Patient", "Provenance", "Organization")]
    ordered += segments.resources
    ordered += [r for r in resources if r["resourceType"] == "Organization"]
    ordered += [r for r in resources if r["resourceType"] == "Provenance"] + [provenance]
    ordered = _drop_unreferenced(ordered)
    return _bundle(ordered, Profiles.CC_MESSAGE, sent_at, options, copied)


def _has_content(segment: dict[str, Any]) -> bool:
    content = d(segment.get("contentAttachment"))
    return "data" in content or "url" in content


def _attachment_content(identifier: str | None, thread: Sequence[ParsedMessage]) -> dict[str, Any]:
    """The attachment of segment ``identifier`` with its content, from the first message of ``thread`` that has it."""
    for msg in thread:
        for communication in msg.resources("Communication"):
            for segment in items(communication.get("payload")):
                if _segment_id(segment) == identifier and _has_content(segment):
                    return copy.deepcopy(segment["contentAttachment"])
    raise ValueError(
        f"the content of attachment {identifier} is not in the thread: pass the earlier message that carried it"
    )


def _drop_unreferenced(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Leave out copied resources nothing points at any more (e.g. a forward's dropped segment authors)."""
    keep_types = {"MessageHeader", "Patient", "Communication", "Provenance", "Encounter"}
    while True:
        referenced: set[str] = set()
        for resource in resources:
            for value in _reference_values(resource):
                referenced.add(value)
        kept = [
            r for r in resources
            if r["resourceType"] in keep_types or f"{r['resourceType']}/{r['id']}" in referenced
        ]  # fmt: skip
        if len(kept) == len(resources):
            return kept
        resources = kept


def _reference_values(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                kind, _, rid = item.rstrip("/").rpartition("/")
                yield f"{kind.rpartition('/')[2]}/{rid}"
            elif key != "text":
                yield from _reference_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _reference_values(item)


def reply_message(
    received: ParsedMessage,
    draft: ReplyDraft,
    *,
    options: BuildOptions = DEFAULT_OPTIONS,
    _require_contact: bool = True,
) -> dict[str, Any]:
    """A reply to a received CareCommunication: same thread id, every earlier segment and Provenance kept,
    a new text segment (and attachments) added, the received message named with role revision."""
    return _continue_thread(
        received, activity="reply-message", sender=draft.sender, receiver_party=None, text=draft.text,
        author=draft.author, sent_at=draft.sent_at, category=draft.category, topic=draft.topic,
        priority=draft.priority, attachments=draft.attachments, keep=None,
        strip_attachments=not draft.resend_attachments, options=options, require_contact=_require_contact,
        encounter=draft.encounter,
    )  # fmt: skip


def forward_message(
    received: ParsedMessage,
    draft: ForwardDraft,
    *,
    options: BuildOptions = DEFAULT_OPTIONS,
    thread: Sequence[ParsedMessage] = (),
) -> dict[str, Any]:
    """A forward of a received CareCommunication to a new receiver: a new thread id, the chosen segments with
    their Provenances and attachment content, and a new text segment giving the reason.

    ``received`` is the latest message of the thread (received, or our own reply). A reply carries earlier
    attachments without their content; ``thread`` gives the earlier messages the forward takes it from (a
    ``ValueError`` names an attachment whose content none of them has)."""
    keep = set(draft.segments) if draft.segments is not None else None
    return _continue_thread(
        received, activity="forward-message", sender=draft.sender, receiver_party=draft.receiver, text=draft.text,
        author=draft.author, sent_at=draft.sent_at, category=draft.category, topic=draft.topic, priority=None,
        attachments=draft.attachments, keep=keep, strip_attachments=False, options=options, history=thread,
    )  # fmt: skip


# --- Acknowledgement ----------------------------------------------------------------------------------------
def _party(resource: dict[str, Any] | None) -> Organisation | None:
    if resource is None or resource.get("resourceType") != "Organization":
        return None
    ids = items(resource.get("identifier"))
    party = Organisation(
        name=s(resource.get("name")) or "",
        sor=next((s(x.get("value")) or "" for x in ids if x.get("system") == SOR_SYSTEM), ""),
        gln=next((s(x.get("value")) or "" for x in ids if x.get("system") in GLN_SYSTEMS), ""),
    )
    return party if party.sor and party.gln else None


_ISSUE_TYPE = {
    "mc-parse": "structure",
    "mc-size": "too-long",
    "mc-fhir-structure": "structure",
    "mc-timestamp-zone": "value",
    "mc-header-event": "not-supported",
    "mc-reference": "not-found",
}


def _outcome(issues: Sequence[ValidationIssue], code: str, notes: Sequence[str]) -> dict[str, Any] | None:
    found: list[dict[str, Any]] = []
    if code == "fatal-error":
        errors = [i for i in issues if i.severity == "error"][:50]
        for issue in errors:
            detail = ack_code(issue.rule)
            found.append(
                {
                    "severity": "error",
                    "code": _ISSUE_TYPE.get(issue.rule, "invalid"),
                    "details": {
                        "coding": [{"system": ACK_ERROR_SYSTEM, "code": detail}],
                        "text": xml_safe(issue.line())[:1000],
                    },
                    "expression": [xml_safe(issue.path)] if xml_safe(issue.path).strip() else None,
                }
            )
        if not found:
            found.append(
                {
                    "severity": "error",
                    "code": "invalid",
                    "details": {
                        "coding": [{"system": ACK_ERROR_SYSTEM, "code": "MSG_Datatype_Wrong"}],
                        "text": "the message is not valid",
                    },
                }
            )
    elif code == "transient-error":
        text = xml_safe("; ".join(notes)) or "the message could not be processed now; send it again later"
        found.append(
            {
                "severity": "error",
                "code": "transient",
                "details": {
                    "coding": [{"system": ACK_ERROR_SYSTEM, "code": "MSG_Mailbox_Out_Of_Operation"}],
                    "text": text,
                },
            }
        )
        notes = ()
    for note in notes:
        found.append(
            {"severity": "information", "code": "informational", "details": {"text": xml_safe(note)}}
        )
    for entry in found:
        if entry.get("expression") is None:
            entry.pop("expression", None)
    if not found:
        return None
    return {
        "resourceType": "OperationOutcome",
        "id": _new_id(),
        "meta": {"profile": [Profiles.ACK_OUTCOME]},
        "issue": found,
    }


def _copied_provenance(received: ParsedMessage, agent: dict[str, Any], acked_id: str) -> dict[str, Any]:
    """The newest Provenance of the acknowledged message, carried over (agent pointed at our copy of its sender
    organisation; anything unreadable replaced by what the acknowledgement itself knows)."""
    source = d(current_provenance(received))
    rid = s(source.get("id"))
    target = next((s(t.get("reference")) for t in items(source.get("target"))), None)
    if reference_id(target, "MessageHeader") != acked_id:
        target = f"MessageHeader/{acked_id}"

    def instant(value: Any) -> str | None:  # copied only when it is a valid instant as it stands
        return (
            value if parse_instant(value) and fhirjson.primitive_problem("instant", value) is None else None
        )

    occurred = instant(source.get("occurredDateTime"))
    recorded = instant(source.get("recorded"))
    fallback = instant(d(received.bundle).get("timestamp"))
    codings = items(d(source.get("activity")).get("coding"))
    activity = s(codings[0].get("code")) if codings else None
    copied: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": rid if rid and fhirjson.primitive_problem("id", rid) is None else _new_id(),
        "meta": {"profile": [Profiles.PROVENANCE]},
        "target": [{"reference": target}],
        "occurredDateTime": occurred or recorded or fallback,
        "recorded": recorded or occurred or fallback,
        "activity": {
            "coding": [
                {
                    "system": ACTIVITY_SYSTEM,
                    "code": activity if activity in MESSAGING_ACTIVITIES else "new-message",
                }
            ]
        },
        "agent": [{"who": _ref(agent)}],
    }
    entities = []
    for entity in items(source.get("entity")):
        what = d(entity.get("what"))
        reference = s(what.get("reference"))
        value = s(d(what.get("identifier")).get("value"))
        if entity.get("role") in ("revision", "removal", "source") and (reference or value):
            entities.append(
                {
                    "role": entity["role"],
                    "what": {"reference": reference} if reference else {"identifier": {"value": value}},
                }
            )
    if entities:
        copied["entity"] = entities
    if copied["occurredDateTime"] is None:
        raise CannotAcknowledge("the received message has no readable send time")
    return copied


def acknowledgement_message(
    received: ParsedMessage,
    *,
    code: str,
    now: dt.datetime,
    issues: Sequence[ValidationIssue] = (),
    our_organisation: Organisation | None = None,
    notes: Sequence[str] = (),
    options: BuildOptions = DEFAULT_OPTIONS,
) -> dict[str, Any]:
    """The Acknowledgement of a received message: ``ok``, ``transient-error`` or ``fatal-error``.

    A fatal-error carries the errors of ``issues`` in its OperationOutcome (each with the MedCom error code of its
    rule, the element path and a readable line). ``our_organisation`` answers when the received message does not
    name its receiver in a usable way. Raises ``CannotAcknowledge`` when there is nobody to answer."""
    if code not in ("ok", "transient-error", "fatal-error"):
        raise ValueError(f"unknown acknowledgement code {code!r}")
    _stamp(now)
    header = received.header() if received.bundle is not None else None
    acked_id = received.message_id
    if header is None or not acked_id:
        raise CannotAcknowledge("the received message has no readable MessageHeader id")
    if not _FHIR_ID.fullmatch(acked_id):  # response.identifier is a FHIR id; a malformed one cannot be quoted
        raise CannotAcknowledge(f"the received MessageHeader id {acked_id!r} is not a valid FHIR id")
    if received.event == "acknowledgement-message":
        raise CannotAcknowledge("an acknowledgement is never acknowledged")
    them_party = _party(received.resolve_ref(header.get("sender")))
    if them_party is None:
        raise CannotAcknowledge("the received message names no sender with a SOR id and location number")
    destinations = items(header.get("destination"))
    us_party = _party(received.resolve_ref(destinations[0].get("receiver"))) if destinations else None
    us_party = us_party or our_organisation
    if us_party is None:
        raise CannotAcknowledge(
            "the received message names no receiver, and no organisation was given to answer"
        )
    try:
        us, them = _organization(us_party), _organization(them_party)
    except ValueError as exc:  # a malformed SOR id or location number cannot be answered to or from
        raise CannotAcknowledge(f"the acknowledgement cannot be addressed: {exc}") from exc
    ack_header = _header("acknowledgement-message", Profiles.ACK_HEADER, us, us_party, them, them_party)
    endpoint = s(d(header.get("source")).get("endpoint"))
    if endpoint and fhirjson.primitive_problem("url", endpoint) is None:
        # answered where the acknowledged message came from (its source endpoint), not to its sender's SOR id
        ack_header["destination"][0]["endpoint"] = endpoint
    response: dict[str, Any] = {"identifier": acked_id, "code": code}
    outcome = _outcome(issues, code, notes)
    if outcome is not None:
        response["details"] = _ref(outcome)
    ack_header["response"] = response
    copied = _copied_provenance(received, them, acked_id)
    ours = _provenance(
        Profiles.PROVENANCE, "#self", now, "acknowledgement", us,
        [{"role": "revision", "what": {"reference": _header_ref(received)}}],
    )  # fmt: skip
    resources = [ack_header, copied, ours, us, them] + ([outcome] if outcome is not None else [])
    return _bundle(resources, Profiles.ACK_MESSAGE, now, options)


def addressee_gln(bundle: dict[str, Any]) -> str:
    """The location number (EAN/GLN) of the organisation a built message is addressed to ("" if none)."""
    resources = [d(e.get("resource")) for e in items(bundle.get("entry"))]
    header = resources[0] if resources else {}
    destinations = items(header.get("destination"))
    wanted = s(d(destinations[0].get("receiver")).get("reference")) if destinations else None
    for resource in resources:
        if wanted == f"{resource.get('resourceType')}/{resource.get('id')}":
            party = _party(resource)
            return party.gln if party else ""
    return ""


def reissue_acknowledgement(previous: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """The same acknowledgement again (for a duplicate of an already acknowledged message): identical content and
    MessageHeader id, a new Bundle id and timestamp."""
    bundle = copy.deepcopy(previous)
    bundle["id"] = _new_id()
    bundle["timestamp"] = _stamp(now)
    return bundle


# --- HospitalNotification (hospital side; used for test and demo data) -------------------------------------
_CODE_ACTIVITY = {
    ("STAA", ""): "admit-emergency", ("STAA", "RE_"): "revise-admit-emergency", ("STAA", "AN_"): "cancel-admit-emergency",
    ("STIN", ""): "admit-inpatient", ("STIN", "RE_"): "revise-admit-inpatient", ("STIN", "AN_"): "cancel-admit-inpatient",
    ("STOR", ""): "start-leave-inpatient", ("STOR", "RE_"): "revise-start-leave-inpatient", ("STOR", "AN_"): "cancel-start-leave-inpatient",
    ("SLOR", ""): "end-leave-inpatient", ("SLOR", "RE_"): "revise-end-leave-inpatient", ("SLOR", "AN_"): "cancel-end-leave-inpatient",
}  # fmt: skip


@dataclass(frozen=True)
class HospitalNotificationDraft:
    """One notification of a hospital stay. For every code but the first of a stay, pass the previous
    notification of the stay (``previous``): its Provenances are carried over and the new one points at it."""

    event_code: str  # STAA, STIN, STOR, SLOR, SLHJ, MORS, or RE_/AN_ + one of them
    sender: Organisation  # the hospital unit sending
    receiver: Organisation  # the citizen's home municipality
    patient: Patient
    episode_of_care_id: str
    start: dt.datetime  # arrival
    sent_at: dt.datetime
    encounter_class: str = "IMP"  # IMP (admitted) or EMER (acute ambulant); STAA implies EMER
    end: dt.datetime | None = None  # departure / time of death
    leave_start: dt.datetime | None = None
    leave_end: dt.datetime | None = None
    service_provider: Organisation | None = None  # the department, when it differs from the sender
    report_of_admission: bool | None = None  # default: requested on STIN/STAA
    episode_system: str = ""  # default: the sender's SOR URL
    previous: dict[str, Any] | None = None


def _activity_for(draft: HospitalNotificationDraft, previous: ParsedMessage | None) -> str:
    code = draft.event_code
    prefix = code[:3] if code[:3] in ("RE_", "AN_") else ""
    base = code[len(prefix) :]
    if base == "MORS":
        if previous is None:
            return "admit-emergency" if draft.encounter_class == "EMER" else "admit-inpatient"
        activity = ""
        provenance = current_provenance(previous)
        if provenance is not None:
            codings = items(d(provenance.get("activity")).get("coding"))
            activity = s(codings[0].get("code")) or "" if codings else ""
        if activity not in HN_ACTIVITIES:
            raise ValueError("the previous notification has no HospitalNotification activity")
        return activity
    if base == "SLHJ":
        kind = "emergency" if draft.encounter_class == "EMER" else "inpatient"
        return {"": "", "RE_": "revise-", "AN_": "cancel-"}[prefix] + f"discharge-{kind}-home"
    if (base, prefix) not in _CODE_ACTIVITY:
        raise ValueError(f"unknown notification code {code!r}")
    return _CODE_ACTIVITY[(base, prefix)]


def hospital_notification_message(
    draft: HospitalNotificationDraft, *, options: BuildOptions = DEFAULT_OPTIONS
) -> dict[str, Any]:
    """A HospitalNotification for one step of a stay (see ``HospitalNotificationDraft``)."""
    previous = ParsedMessage(draft.previous, "json") if draft.previous is not None else None
    base = draft.event_code.split("_", 1)[-1]
    first = previous is None
    if first and draft.event_code not in ("STIN", "STAA", "MORS"):
        raise ValueError(f"{draft.event_code} follows an earlier notification: pass it as previous")
    activity = _activity_for(draft, previous)
    _, klass, status = HN_ACTIVITIES[activity]
    deceased: bool | None = None
    if base == "MORS":
        deceased = not draft.event_code.startswith("AN_")
        if deceased:
            status = "finished"
    if draft.event_code == "STAA":
        klass = "EMER"
    # Resources of the stay: reuse the previous notification's Patient, Encounter and Organizations (same ids).
    old = {
        r["resourceType"]: r
        for r in (previous.resources() if previous else [])
        if r["resourceType"] in ("Patient", "Encounter")
    }
    patient = _patient(draft.patient)
    if "Patient" in old:
        patient["id"] = old["Patient"]["id"]
    if deceased is not None:
        patient["deceasedBoolean"] = deceased
    us = _organization(draft.sender)
    them = _organization(draft.receiver)
    if previous is not None:
        prev_header = d(previous.header())
        sender_old = previous.resolve_ref(prev_header.get("sender"))
        if sender_old is not None and _party(sender_old) == Organisation(
            draft.sender.name, draft.sender.sor, draft.sender.gln
        ):
            us["id"] = sender_old["id"]
        dest = items(prev_header.get("destination"))
        receiver_old = previous.resolve_ref(dest[0].get("receiver")) if dest else None
        if receiver_old is not None and _party(receiver_old) == Organisation(
            draft.receiver.name, draft.receiver.sor, draft.receiver.gln
        ):
            them["id"] = receiver_old["id"]
    provider = _organization(draft.service_provider, messaging=False) if draft.service_provider else us
    encounter: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": old["Encounter"]["id"] if "Encounter" in old else _new_id(),
        "meta": {"profile": [Profiles.HN_ENCOUNTER]},
    }
    if draft.leave_start or draft.leave_end:
        period = {k: _stamp(v) for k, v in (("start", draft.leave_start), ("end", draft.leave_end)) if v}
        encounter["extension"] = [{"url": LEAVE_PERIOD_URL, "valuePeriod": period}]
    elif "Encounter" in old and base not in ("STIN", "STAA"):  # a follow-up keeps the leave it knows of
        leave = [x for x in items(old["Encounter"].get("extension")) if x.get("url") == LEAVE_PERIOD_URL]
        if leave:
            encounter["extension"] = copy.deepcopy(leave)
    encounter["status"] = status
    encounter["class"] = {"system": ACT_CODE_SYSTEM, "code": klass}
    encounter["subject"] = _ref(patient)
    encounter["episodeOfCare"] = [
        {
            "identifier": {
                "system": draft.episode_system or f"{SOR_URL_PREFIX}{draft.sender.sor}",
                "value": draft.episode_of_care_id,
            }
        }
    ]
    encounter["period"] = {"start": _stamp(draft.start), **({"end": _stamp(draft.end)} if draft.end else {})}
    encounter["serviceProvider"] = _ref(provider)
    header = _header(
        "hospital-notification-message", Profiles.HN_HEADER, us, draft.sender, them, draft.receiver
    )
    flag = draft.report_of_admission
    if flag is None and draft.event_code in ("STIN", "STAA"):
        flag = True
    if flag is None and first:
        flag = False  # dead on arrival: no report of admission
    if flag is not None:
        header["extension"] = [{"url": REPORT_OF_ADMISSION_URL, "valueBoolean": flag}]
        if flag:
            header["extension"].append({"url": REPORT_OF_ADMISSION_RECIPIENT_URL, "valueReference": _ref(us)})
        header = {
            "resourceType": "MessageHeader",
            "id": header["id"],
            "meta": header["meta"],
            "extension": header["extension"],
            **header,
        }
    header["focus"] = [_ref(encounter)]
    entities = []
    if previous is not None:
        role = "removal" if draft.event_code.startswith("AN_") else "revision"
        entities.append({"role": role, "what": {"reference": _header_ref(previous)}})
    provenance = _provenance(Profiles.PROVENANCE, "#self", draft.sent_at, activity, us, entities)
    resources = [header, patient, encounter, us, them]
    if provider is not us:
        resources.append(provider)
    present = {f"{r['resourceType']}/{r['id']}" for r in resources}
    earlier = [copy.deepcopy(p) for p in (previous.resources("Provenance") if previous else [])]
    for (
        p
    ) in earlier:  # an earlier agent no longer in the Bundle: the sending unit, as far as this Bundle tells
        for agent in items(p.get("agent")):
            if (
                f"Organization/{reference_id(d(agent.get('who')).get('reference'), 'Organization')}"
                not in present
            ):
                agent["who"] = _ref(us)
    resources += [*earlier, provenance]
    return _bundle(resources, Profiles.HN_MESSAGE, draft.sent_at, options, earlier)


# --- serialisation ------------------------------------------------------------------------------------------
def to_json(bundle: dict[str, Any], *, indent: int | None = 2) -> str:
    return json.dumps(bundle, ensure_ascii=False, indent=indent)


def to_xml(bundle: dict[str, Any]) -> str:
    """FHIR XML (element order from the specification, primitive values exactly as in the JSON form)."""
    return fhirjson.json_to_xml(bundle).decode("utf-8")


# --- compatibility with the first version of this module ----------------------------------------------------
def acknowledgement(
    received: ParsedMessage,
    *,
    code: str,
    issues: Sequence[ValidationIssue] | None = None,
    now: dt.datetime,
    fallback_sender: Organisation | None = None,
) -> dict[str, Any]:
    return acknowledgement_message(
        received, code=code, now=now, issues=issues or (), our_organisation=fallback_sender
    )


def care_communication(
    *,
    sender: Organisation,
    receiver: Organisation,
    patient_cpr: str,
    patient_name: str,
    category: str,
    text: str,
    now: dt.datetime,
    topic: str = "",
    author_phone: str = "",
    author: Author | None = None,
    reply_to: ParsedMessage | None = None,
    encounter: EncounterRef | None = None,
) -> dict[str, Any]:
    """A new CareCommunication, or (``reply_to``) a reply in the received message's thread. Without an ``author``
    the segment is signed by the sending unit (its name as role text)."""
    _stamp(now)
    signer = author or Author(
        given="", family=sender.name or "Afsender", phone=author_phone, role_text="Afsender"
    )
    if reply_to is not None:
        draft_reply = ReplyDraft(
            sender=sender,
            text=text,
            author=signer,
            sent_at=now,
            category=category,
            topic=topic or None,
            encounter=encounter,
        )
        return reply_message(reply_to, draft_reply, _require_contact=False)
    draft = CareCommunicationDraft(
        sender=sender, receiver=receiver, patient=Patient.from_name(patient_cpr, patient_name), category=category,
        text=text, author=signer, sent_at=now, topic=topic, encounter=encounter,
    )  # fmt: skip
    return care_communication_message(draft, _require_contact=False)
