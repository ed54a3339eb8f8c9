"""MedCom FHIR messaging (HospitalNotification, CareCommunication, Acknowledgement): read, validate, extract,
build. Plain Python, no Django.

    result = validate_message(raw_bytes)          # JSON or XML; never raises on bad input
    if result.valid:
        facts = extract_facts(result)             # HospitalNotificationFacts | CareCommunicationFacts | ...
    ack = build_acknowledgement(result, code="ok" if result.valid else "fatal-error", issues=result.issues, now=now)
    to_json(ack) / to_xml(ack)

The submodules ``validate``, ``extract`` and ``build`` keep the names of the first version (``check``,
``extract.common``, ``build.acknowledgement`` ...)."""

from sektorbro.messaging.medcom.build import (
    Attachment,
    Author,
    BuildOptions,
    CannotAcknowledge,
    CareCommunicationDraft,
    EncounterRef,
    ForwardDraft,
    HospitalNotificationDraft,
    Patient,
    ReplyDraft,
    reissue_acknowledgement,
    to_json,
    to_xml,
)
from sektorbro.messaging.medcom.build import acknowledgement_message as build_acknowledgement
from sektorbro.messaging.medcom.build import care_communication_message as build_care_communication
from sektorbro.messaging.medcom.build import forward_message as build_forward
from sektorbro.messaging.medcom.build import hospital_notification_message as build_hospital_notification
from sektorbro.messaging.medcom.build import reply_message as build_reply
from sektorbro.messaging.medcom.extract import (
    AcknowledgementFacts,
    AcknowledgementIssue,
    CareCommunicationFacts,
    HospitalNotificationFacts,
    MessageFacts,
    Organisation,
    PatientIdentifier,
    ProvenanceStep,
    Segment,
    derive_event_code,
    event_label,
)
from sektorbro.messaging.medcom.extract import acknowledgement as extract_acknowledgement
from sektorbro.messaging.medcom.extract import care_communication as extract_care_communication
from sektorbro.messaging.medcom.extract import common as extract_common
from sektorbro.messaging.medcom.extract import facts as extract_facts
from sektorbro.messaging.medcom.extract import hospital_notification as extract_hospital_notification
from sektorbro.messaging.medcom.fhirjson import warm_up
from sektorbro.messaging.medcom.issues import RULES, ValidationIssue
from sektorbro.messaging.medcom.message import ParsedMessage, parse_message
from sektorbro.messaging.medcom.validate import ValidationResult, check_thread, validate_message

__all__ = [
    "RULES",
    "AcknowledgementFacts",
    "AcknowledgementIssue",
    "Attachment",
    "Author",
    "BuildOptions",
    "CannotAcknowledge",
    "CareCommunicationDraft",
    "CareCommunicationFacts",
    "EncounterRef",
    "ForwardDraft",
    "HospitalNotificationDraft",
    "HospitalNotificationFacts",
    "MessageFacts",
    "Organisation",
    "ParsedMessage",
    "Patient",
    "PatientIdentifier",
    "ProvenanceStep",
    "ReplyDraft",
    "Segment",
    "ValidationIssue",
    "ValidationResult",
    "build_acknowledgement",
    "build_care_communication",
    "build_forward",
    "build_hospital_notification",
    "build_reply",
    "check_thread",
    "derive_event_code",
    "event_label",
    "extract_acknowledgement",
    "extract_care_communication",
    "extract_common",
    "extract_facts",
    "extract_hospital_notification",
    "parse_message",
    "reissue_acknowledgement",
    "to_json",
    "to_xml",
    "validate_message",
    "warm_up",
]
