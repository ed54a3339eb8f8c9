"""Validation issues and the registry of rule ids (each with what it checks, its source and the Acknowledgement
error code a violation is reported with)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Severity = Literal["error", "warning"]
MAX_MESSAGE = 500
MAX_PATH = 300


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One broken rule: the resource (``Type/id``, or ``Bundle``), the element path, the rule id and a message."""

    resource: str
    path: str
    rule: str
    message: str
    severity: Severity = "error"

    def __post_init__(self) -> None:  # an issue never carries megabytes of the input it quotes
        if len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", self.message[: MAX_MESSAGE - 1] + "…")
        if len(self.path) > MAX_PATH:
            object.__setattr__(self, "path", self.path[: MAX_PATH - 1] + "…")

    def as_dict(self) -> dict[str, str]:
        return {
            "resource": self.resource,
            "path": self.path,
            "rule": self.rule,
            "message": self.message,
            "severity": self.severity,
        }

    def line(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{prefix}{self.resource} {self.path} [{self.rule}] {self.message}"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    checks: str
    source: str
    # The detail code a violation is reported with in a negative acknowledgement: one of MedCom's acknowledgement
    # error codes (the only codes Acknowledgement 2.0.3's issue-details binding, terminology 1.4.0, admits in
    # practice, and the only ones MedCom's examples use); the rule line goes in details.text.
    ack_code: str = "MSG_Datatype_Wrong"


_R = Rule
_HN = "HospitalNotification 3.0.2"
_CC = "CareCommunication 5.0.2 (4.0.x alike)"
_ACK = "Acknowledgement 2.0.3"
_MSG = "Messaging 2.1.0/4.0.2"
_VS = "MSG_VALUESET_VALUE_UNKNOWN"

RULES: Final = {
    r.id: r
    for r in (
        # reading the message
        _R("mc-parse", "the input is well-formed JSON or XML holding a FHIR Bundle", "FHIR R4 JSON/XML", "MSG_Damaged_durin_transport"),
        _R("mc-size", "the message is not larger than the VANS limit (100 MB)", "MedCom network governance", "MSG_Element_To_Long"),
        _R("mc-fhir-structure", "FHIR R4 structure: known elements, data types, cardinality, required elements, choice types, primitive formats, no empty or null values", "FHIR R4 4.0.1 (fhir.resources R4B models)"),
        _R("mc-timestamp-range", "every date, dateTime and instant lies in the years 1800-2199", "Sektorbro (plausibility; programs cannot represent year 1 or 9999 in every time zone)", "MSG_Datatype_Wrong"),
        _R("mc-timestamp-zone", "every dateTime/instant with a time carries a time zone", "FHIR R4 dateTime; MedCom timestamp governance", "MSG_Datatype_Wrong"),
        # the message model
        _R("mc-bundle-type", "Bundle.type is 'message'", _MSG),
        _R("mc-bundle-id", "the Bundle has an id (envelope id)", _MSG, "MSG_Datatype_Wrong"),
        _R("mc-bundle-timestamp", "the Bundle has a timestamp", _MSG, "MSG_Datatype_Wrong"),
        _R("mc-header-first", "the first entry is the one and only MessageHeader", "FHIR messaging; " + _MSG),
        _R("mc-header-id", "the MessageHeader has an id (letter id)", _MSG, "MSG_Datatype_Wrong"),
        _R("mc-header-event", "eventCoding is a MedCom event code Sektorbro supports", _MSG + " (medcom-messaging-eventCodes)", "MSG_RECEIVER_UNABLE_TO_RECEIVE_MSG_TYPE"),
        _R("mc-header-profile", "MessageHeader.meta.profile (when given; always for CareCommunication) names the header profile of the event's standard", "medcom-careCommunication-1; profile canonicals", _VS),
        _R("mc-destination", "exactly one destination, marked primary (no cc receivers in these standards)", "medcom-hospitalNotification-5; destination:cc 0..0", "MSG_Receiver_Identifier_MISSING"),
        _R("mc-sender", "MessageHeader.sender refers to an Organization in the Bundle", _MSG, "MSG_Datatype_Wrong"),
        _R("mc-receiver", "destination.receiver refers to an Organization in the Bundle", _MSG, "MSG_Receiver_Identifier_MISSING"),
        _R("mc-resource-id", "every resource in the Bundle has an id", "MedCom id governance", "MSG_Datatype_Wrong"),
        _R("mc-entry-unique", "no two entries share a fullUrl or a resource type and id", "FHIR bdl-7", "MSG_Datatype_Wrong"),
        _R("mc-fullurl", "entry.fullUrl is present and agrees with the resource type and id (warning)", "FHIR Bundle.entry.fullUrl"),
        _R("mc-reference", "every reference of this message resolves inside the Bundle (references to earlier messages excepted)", "MedCom: everything referenced is bundled", "MSG_Datatype_Wrong"),
        _R("mc-reference-type", "a reference points at a resource of the type the profile allows", "profile targetProfile", "MSG_Datatype_Wrong"),
        _R("mc-resource-unexpected", "the Bundle holds only resource types the standard uses (warning)", "standard's bundle content"),
        _R("mc-narrative", "resources carry a narrative that is not empty (warning)", "MedCom narrative governance"),
        # organisations and patient
        _R("mc-org-ids", "sender, receiver and Provenance agents carry a SOR id and an EAN/GLN location number", "medcom-messaging-organization (identifier 2..*, EAN-ID 1..1, SOR-ID 1..1)", "MSG_Receiver_Identifier_MISSING"),
        _R("mc-sor", "a SOR id has at least 11 digits", "dk-core-sor-identifier"),
        _R("mc-gln", "an EAN/GLN location number has 13 digits and a valid GS1 check digit", "dk-core-gln-identifier; GS1"),
        _R("mc-patient-count", "exactly one Patient", "medcom-hospitalNotification-2, medcom-careCommunication-2", "MSG_Datatype_Wrong"),
        _R("mc-patient-id", "the Patient has an identifier", "medcom-core-patient (identifier 1..*)", "MSG_Datatype_Wrong"),
        _R("mc-cpr", "a CPR number is 10 digits holding a real date of birth (century from the 7th digit; no modulus 11)", "dk-core-cpr-identifier"),
        _R("mc-ecpr", "a replacement CPR (X-eCPR/D-eCPR) has the form DDMMYY + digit + 2 capital letters + digit", "dk-core-x-ecpr-identifier, dk-core-d-ecpr-identifier"),
        _R("mc-patient-name", "the Patient has an official name with a family name", "medcom-core-patient (name:official 1..1, family 1..1)", "MSG_Datatype_Wrong"),
        # provenance
        _R("mc-provenance", "at least one Provenance", "medcom-messaging-2", "MSG_Datatype_Wrong"),
        _R("mc-provenance-current", "exactly one Provenance describes this message (its target is this MessageHeader)", "MedCom Provenance model", "MSG_Datatype_Wrong"),
        _R("mc-provenance-target", "every Provenance has exactly one target, a MessageHeader reference", "medcom-messaging-provenance (target 1..1)"),
        _R("mc-provenance-activity", "Provenance.activity has one coding from the activity code system allowed by the standard", "medcom-hospitalNotification-3 (intended), medcom-careCommunication-messagingActivities", _VS),
        _R("mc-provenance-time", "Provenance.occurredDateTime is present", "medcom-messaging-provenance (occurred[x] 1..1)", "MSG_Datatype_Wrong"),
        _R("mc-provenance-entity", "entity roles and targets fit the activity (follow-ups revise, cancellations remove, the earlier message is referenced)", "MedCom Provenance model; HN/CC/Ack IGs"),
        _R("mc-provenance-chain", "every earlier message a Provenance refers to has its own Provenance in the Bundle (warning)", "MedCom: the bundle carries the whole history"),
        # HospitalNotification
        _R("mc-hn-focus", "MessageHeader.focus is exactly one reference to the Encounter", _HN, "MSG_Datatype_Wrong"),
        _R("mc-hn-cpr", "the Patient is identified by an official CPR number", "medcom-hospitalNotification-4"),
        _R("mc-hn-status", "Encounter.status is in-progress, onleave, finished or entered-in-error", _HN + " (required binding)", _VS),
        _R("mc-hn-class", "Encounter.class is IMP or EMER from v3-ActCode", _HN + " (required binding)", _VS),
        _R("mc-hn-period", "Encounter.period.start is present (and end at discharge/death), end not before start", _HN, "MSG_Datatype_Wrong"),
        _R("mc-hn-episode", "at least one episode-of-care identifier (identifier only, no reference); LPR3 ids are UUID v5", _HN + "; uuidv5", "MSG_Datatype_Wrong"),
        _R("mc-hn-subject", "Encounter.subject refers to the Patient", _HN, "MSG_Datatype_Wrong"),
        _R("mc-hn-service-provider", "Encounter.serviceProvider refers to an Organization in the Bundle", _HN + " (serviceProvider 1..1)", "MSG_Datatype_Wrong"),
        _R("mc-hn-prohibited", "no Encounter elements the profile prohibits (type, location, diagnosis, ...)", _HN + " (0..0 elements)"),
        _R("mc-hn-leave", "one leave period at most; its start is present when on leave and its end when the leave ends", "medcom-hospitalNotification-6; code overview", "MSG_Datatype_Wrong"),
        _R("mc-hn-state", "activity, Encounter.class, Encounter.status and Patient.deceased form one of the notification codes", _HN + " code overview", _VS),
        _R("mc-hn-report-of-admission", "the report-of-admission recipient is given exactly when the flag is true; the flag only on admissions (warning)", _HN + "; TouchStone asserts"),
        # CareCommunication
        _R("mc-cc-focus", "MessageHeader.focus is exactly one reference to the Communication", _CC, "MSG_Datatype_Wrong"),
        _R("mc-cc-definition", "MessageHeader.definition names the CareCommunication MessageDefinition 4.0.0 or 5.x", "medcom-carecommunication-definition-url", _VS),
        _R("mc-cc-status", "Communication.status is 'unknown'", _CC + " (pattern)", _VS),
        _R("mc-cc-identifier", "exactly one Communication.identifier: urn:uuid + lowercase UUID (the thread id)", "medcom-uuidv4"),
        _R("mc-cc-category", "exactly one category coding from the CareCommunication category code system", _CC + " (required binding)", _VS),
        _R("mc-cc-topic", "a topic text when the category is 'other'; topic.text whenever a topic is given", "medcom-careCommunication-6", "MSG_Datatype_Wrong"),
        _R("mc-cc-priority", "priority only with category regarding-referral, and routine or asap", "medcom-careCommunication-5", _VS),
        _R("mc-cc-subject", "Communication.subject refers to the Patient", _CC, "MSG_Datatype_Wrong"),
        _R("mc-cc-encounter", "an Encounter in the Bundle is referenced by Communication.encounter and carries an episode-of-care identifier, and vice versa", "medcom-careCommunication-9, -15", "MSG_Datatype_Wrong"),
        _R("mc-cc-payload", "at least one text segment; every segment has its date and identifier, text segments also author and author contact", _CC + " (payload slices)", "MSG_Datatype_Wrong"),
        _R("mc-cc-segment-id", "segment identifiers are urn:uuid + UUID with an assigning Organization", "medcom-assigned-identifier, medcom-uuidv4"),
        _R("mc-cc-author", "a segment author is a PractitionerRole with a role code or text (not both) and a named Practitioner", "medcom-careCommunication-4, -7, -8, -13", "MSG_Datatype_Wrong"),
        _R("mc-cc-contact", "an author contact is a phone number", "medcom-core-contact"),
        _R("mc-cc-attachment", "an attachment has a title, an allowed MIME type and data with contentType, or a url", _CC + "; medcom-core-attachmentMimeTypes", _VS),
        _R("mc-cc-sender-recipient", "a specific sender belongs to the sending and a specific recipient to the receiving organisation", "medcom-careCommunication-11, -12"),
        _R("mc-cc-provenance", "every Provenance uses the CareCommunication Provenance profile and lists the payload segments it added", "medcom-careCommunication-3; Provenance entity:payload 1..*"),
        _R("mc-cc-activity", "replies and forwards name the message they answer (role revision); a reply to an EDIFACT/OIOXML letter is a reply", _CC + " (entity:preceedingMessage)"),
        _R("mc-cc-thread", "thread rules between two messages: a reply keeps the thread id, history and earlier segments; a forward gets a new thread id", "MedCom CareCommunication governance (check_thread)"),
        # Acknowledgement
        _R("mc-ack-response", "MessageHeader.response is present", _ACK, "MSG_Datatype_Wrong"),
        _R("mc-ack-code", "response.code is ok, transient-error or fatal-error", _ACK, _VS),
        _R("mc-ack-identifier", "response.identifier holds the acknowledged MessageHeader id", _ACK, "MSG_Datatype_Wrong"),
        _R("mc-ack-details", "an OperationOutcome is referenced by response.details whenever the code is not ok", "medcom-acknowledgement-1", "MSG_Datatype_Wrong"),
        _R("mc-ack-provenance", "exactly two Provenances: the acknowledged message's newest and one 'acknowledgement' revising it", _ACK),
        _R("mc-ack-outcome", "OperationOutcome issue details come from the acknowledgement issue ValueSet (warning)", _ACK, _VS),
        # internal
        _R("mc-internal", "a rule could not be evaluated (the input is too malformed); treated as an error", "Sektorbro"),
    )
}  # fmt: skip


def ack_code(rule: str) -> str:
    found = RULES.get(rule)
    return found.ack_code if found else "MSG_Datatype_Wrong"
