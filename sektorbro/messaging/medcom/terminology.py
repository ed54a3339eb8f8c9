"""Canonical URLs, identifier systems and code tables of the MedCom FHIR standards Sektorbro supports.

Values are taken from the published packages (HospitalNotification 3.0.2, CareCommunication 5.0.2 and 4.0.x,
Acknowledgement 2.0.3, Messaging 2.1.0/4.0.2, Terminology 1.1.1/1.4.0/2.0.1); ``tests/messaging`` checks the
code tables against the packages in ``shared/medcom-examples/packages``."""

from __future__ import annotations

from typing import Final

# --- identifier systems -------------------------------------------------------------------------------------
CPR_SYSTEM: Final = "urn:oid:1.2.208.176.1.2"
X_ECPR_SYSTEM: Final = "urn:oid:1.2.208.176.1.6.1.1"
D_ECPR_SYSTEM: Final = "urn:oid:1.2.208.176.1.6.1.3"  # regional sub-OIDs: D_ECPR_SYSTEM + ".177" etc.
SOR_SYSTEM: Final = "urn:oid:1.2.208.176.1.1"
GLN_SYSTEM: Final = "https://www.gs1.org/gln"  # the form every current MedCom IG uses (dk-core <= 3.4)
GLN_SYSTEMS: Final = ("https://www.gs1.org/gln", "http://www.gs1.org/gln", "urn:oid:1.3.88")
LPR3_EPISODE_SYSTEM: Final = "https://www.esundhed.dk/Registre/Landspatientregisteret"
SOR_URL_PREFIX: Final = "https://sor2.sum.dsdn.dk/#id="

# --- canonical URLs -----------------------------------------------------------------------------------------
MESSAGING: Final = "http://medcomfhir.dk/ig/messaging/StructureDefinition"
CORE: Final = "http://medcomfhir.dk/ig/core/StructureDefinition"
HN: Final = "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition"
CC: Final = "http://medcomfhir.dk/ig/carecommunication/StructureDefinition"
ACK: Final = "http://medcomfhir.dk/ig/acknowledgement/StructureDefinition"
TERMINOLOGY_CS: Final = "http://medcomfhir.dk/ig/terminology/CodeSystem"

EVENT_SYSTEM: Final = f"{TERMINOLOGY_CS}/medcom-messaging-eventCodes"
ACTIVITY_SYSTEM: Final = f"{TERMINOLOGY_CS}/medcom-messaging-activityCodes"
DESTINATION_USE_SYSTEM: Final = f"{TERMINOLOGY_CS}/medcom-messaging-destinationUse"
DESTINATION_USE_URL: Final = f"{MESSAGING}/medcom-messaging-destinationUseExtension"
CATEGORY_SYSTEM: Final = f"{TERMINOLOGY_CS}/medcom-careCommunication-categoryCodes"
ACK_ERROR_SYSTEM: Final = f"{TERMINOLOGY_CS}/medcom-acknowledgement-error-codes"
ACK_ISSUE_DETAILS_SYSTEM: Final = f"{TERMINOLOGY_CS}/medcom-acknowledgement-issue-details"
OPERATION_OUTCOME_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/operation-outcome"
ACT_CODE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
MIME_SYSTEM: Final = "urn:ietf:bcp:13"
ROLE_SKS_SYSTEM: Final = f"{TERMINOLOGY_CS}/medcom-core-PractitionerRolesSKSadministrativ"

LEAVE_PERIOD_URL: Final = f"{HN}/medcom-hospitalnotifiation-leave-period-extension"  # sic, "notifiation"
REPORT_OF_ADMISSION_URL: Final = f"{HN}/medcom-messaging-reportOfAdmissionExtension"
REPORT_OF_ADMISSION_RECIPIENT_URL: Final = f"{HN}/medcom-messaging-reportOfAdmissionRecipientExtension"
SENDER_EXTENSION_URL: Final = f"{CORE}/medcom-core-sender-extension"
DATETIME_EXTENSION_URL: Final = f"{CORE}/medcom-core-datetime-extension"
IDENTIFIER_EXTENSION_URL: Final = f"{CORE}/medcom-core-identifier-extension"
AUTHOR_EXTENSION_URL: Final = f"{CORE}/medcom-core-practitioner-extension"
CONTACT_EXTENSION_URL: Final = f"{CORE}/medcom-core-contact-extension"

CC_DEFINITION_5: Final = "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.0"
CC_DEFINITION_4: Final = (
    "http://medcomfhir.dk/ig/carecommunication/medcom-careCommunication-message-definition|4.0.0"
)


class Profiles:
    """Profile canonicals (``meta.profile``; received values may carry a ``|version`` suffix)."""

    MESSAGE: Final = f"{MESSAGING}/medcom-messaging-message"
    HEADER: Final = f"{MESSAGING}/medcom-messaging-messageHeader"
    ORGANIZATION: Final = f"{MESSAGING}/medcom-messaging-organization"
    PROVENANCE: Final = f"{MESSAGING}/medcom-messaging-provenance"
    CORE_ORGANIZATION: Final = f"{CORE}/medcom-core-organization"
    PATIENT: Final = f"{CORE}/medcom-core-patient"
    ENCOUNTER: Final = f"{CORE}/medcom-core-encounter"
    PRACTITIONER: Final = f"{CORE}/medcom-core-practitioner"
    PRACTITIONER_ROLE: Final = f"{CORE}/medcom-core-practitionerrole"
    CARE_TEAM: Final = f"{CORE}/medcom-core-careteam"
    HN_MESSAGE: Final = f"{HN}/medcom-hospitalNotification-message"
    HN_HEADER: Final = f"{HN}/medcom-hospitalNotification-messageHeader"
    HN_ENCOUNTER: Final = f"{HN}/medcom-hospitalNotification-encounter"
    CC_MESSAGE: Final = f"{CC}/medcom-careCommunication-message"
    CC_HEADER: Final = f"{CC}/medcom-careCommunication-messageHeader"
    CC_COMMUNICATION: Final = f"{CC}/medcom-careCommunication-communication"
    CC_PROVENANCE: Final = f"{CC}/medcom-careCommunication-provenance"
    ACK_MESSAGE: Final = f"{ACK}/medcom-messaging-acknowledgement"
    ACK_HEADER: Final = f"{ACK}/medcom-messaging-acknowledgementHeader"
    ACK_OUTCOME: Final = f"{ACK}/medcom-acknowledgement-operationoutcome"


# --- message events -----------------------------------------------------------------------------------------
HOSPITAL_NOTIFICATION: Final = "hospital-notification-message"
CARE_COMMUNICATION: Final = "care-communication-message"
ACKNOWLEDGEMENT: Final = "acknowledgement-message"
EMPTY_MESSAGE: Final = "empty-message"
HOMECARE_OBSERVATION: Final = "homecareobservation-message"
EVENT_CODES: Final = frozenset(
    {HOSPITAL_NOTIFICATION, CARE_COMMUNICATION, ACKNOWLEDGEMENT, EMPTY_MESSAGE, HOMECARE_OBSERVATION}
)
SUPPORTED_EVENTS: Final = {
    HOSPITAL_NOTIFICATION: "HospitalNotification",
    CARE_COMMUNICATION: "CareCommunication",
    ACKNOWLEDGEMENT: "Acknowledgement",
    EMPTY_MESSAGE: "Messaging",
}
HEADER_PROFILE: Final = {
    HOSPITAL_NOTIFICATION: Profiles.HN_HEADER,
    CARE_COMMUNICATION: Profiles.CC_HEADER,
    ACKNOWLEDGEMENT: Profiles.ACK_HEADER,
    EMPTY_MESSAGE: Profiles.HEADER,
}
MESSAGE_PROFILE: Final = {
    HOSPITAL_NOTIFICATION: Profiles.HN_MESSAGE,
    CARE_COMMUNICATION: Profiles.CC_MESSAGE,
    ACKNOWLEDGEMENT: Profiles.ACK_MESSAGE,
    EMPTY_MESSAGE: Profiles.MESSAGE,
}

# --- Provenance activities ----------------------------------------------------------------------------------
MESSAGING_ACTIVITIES: Final = frozenset(
    {
        "new-message", "forward-message", "reply-message", "retract-message", "modified-message",
        "carboncopy-message", "acknowledgement",
        "admit-emergency", "revise-admit-emergency", "cancel-admit-emergency",
        "admit-inpatient", "revise-admit-inpatient", "cancel-admit-inpatient",
        "start-leave-inpatient", "revise-start-leave-inpatient", "cancel-start-leave-inpatient",
        "end-leave-inpatient", "revise-end-leave-inpatient", "cancel-end-leave-inpatient",
        "discharge-emergency-home", "discharge-inpatient-home",
        "revise-discharge-emergency-home", "revise-discharge-inpatient-home",
        "cancel-discharge-emergency-home", "cancel-discharge-inpatient-home",
    }
)  # fmt: skip
CC_ACTIVITIES: Final = frozenset({"new-message", "reply-message", "forward-message"})

# HospitalNotification: activity -> (Danish base code, expected Encounter.class, expected Encounter.status).
# The code is RE_<base> for revise-*, AN_<base> for cancel-*. Death (MORS) has no activity of its own: it repeats
# the previous activity and sets Patient.deceased (see extract.derive_event_code).
HN_ACTIVITIES: Final = {
    "admit-emergency": ("STAA", "EMER", "in-progress"),
    "revise-admit-emergency": ("STAA", "EMER", "in-progress"),
    "cancel-admit-emergency": ("STAA", "EMER", "entered-in-error"),
    "admit-inpatient": ("STIN", "IMP", "in-progress"),
    "revise-admit-inpatient": ("STIN", "IMP", "in-progress"),
    "cancel-admit-inpatient": ("STIN", "IMP", "entered-in-error"),
    "start-leave-inpatient": ("STOR", "IMP", "onleave"),
    "revise-start-leave-inpatient": ("STOR", "IMP", "onleave"),
    "cancel-start-leave-inpatient": ("STOR", "IMP", "in-progress"),
    "end-leave-inpatient": ("SLOR", "IMP", "in-progress"),
    "revise-end-leave-inpatient": ("SLOR", "IMP", "in-progress"),
    "cancel-end-leave-inpatient": ("SLOR", "IMP", "onleave"),
    "discharge-emergency-home": ("SLHJ", "EMER", "finished"),
    "revise-discharge-emergency-home": ("SLHJ", "EMER", "finished"),
    "cancel-discharge-emergency-home": ("SLHJ", "EMER", "in-progress"),
    "discharge-inpatient-home": ("SLHJ", "IMP", "finished"),
    "revise-discharge-inpatient-home": ("SLHJ", "IMP", "finished"),
    "cancel-discharge-inpatient-home": ("SLHJ", "IMP", "in-progress"),
}
HN_ENCOUNTER_STATUSES: Final = frozenset({"in-progress", "onleave", "finished", "entered-in-error"})
HN_ENCOUNTER_CLASSES: Final = frozenset({"IMP", "EMER"})
HN_PROHIBITED_ENCOUNTER_ELEMENTS: Final = (
    "type", "serviceType", "priority", "basedOn", "participant", "appointment", "length", "reasonCode",
    "reasonReference", "diagnosis", "account", "hospitalization", "location", "partOf",
)  # fmt: skip

# Danish notification codes: meaning (domain-neutral word) and labels.
HN_BASE_EVENTS: Final = {
    "STAA": "acute_ambulant",
    "STIN": "admission",
    "STOR": "leave_start",
    "SLOR": "leave_end",
    "SLHJ": "discharge",
    "MORS": "death",
}
HN_LABELS: Final = {
    "STAA": ("Start sygehusophold – akut ambulant", "Acute ambulant stay started"),
    "STIN": ("Start sygehusophold – indlagt", "Admitted"),
    "STOR": ("Start orlov", "Leave started"),
    "SLOR": ("Slut orlov", "Back from leave"),
    "SLHJ": ("Slut sygehusophold", "Discharged"),
    "MORS": ("Død", "Died"),
}
HN_EVENT_CODES: Final = tuple(
    prefix + base for base in HN_BASE_EVENTS for prefix in ("", "RE_", "AN_")
)  # the 18 codes of the standard's code overview
# Envelope postfixes (statistical codes) per base code.
HN_STATISTICAL_CODES: Final = {
    "STAA": "AcuteAmbulant",
    "STIN": "AdmissionInpatient",
    "STOR": "OnLeave",
    "SLOR": "EndOfLeave",
    "SLHJ": "EndHospitalStay",
    "MORS": "EndHospitalStay",
}

# --- CareCommunication --------------------------------------------------------------------------------------
CC_CATEGORIES: Final = {
    "alcohol-and-drug-treatment": ("Rusmiddelbehandling", "Alcohol and drug treatment"),
    "assistive-devices": ("Hjælpemidler", "Assistive technology"),
    "carecoordination": ("Forløbskoordinering", "Care Coordination"),
    "decease": ("Dødsfald", "Decease"),
    "discharge": ("Udskrivelse", "Discharge"),
    "examination-results": ("Undersøgelsessvar", "Examination Results"),
    "healthcare": ("Sundhedspleje", "Healthcare"),
    "home-care-assessment": ("Visitation", "Home care assessment"),
    "medicine": ("Medicin", "Medicine"),
    "nursing": ("Sygepleje", "Nursing"),
    "outpatient": ("Ambulant", "Outpatient"),
    "psychiatry-social-disability": ("Psykiatri, social, handicap", "Psychiatry, Social, Disability"),
    "regarding-referral": ("Vedr. henvisning", "Regarding Referral"),
    "telemedicine": ("Telemedicin", "Telemedicine"),
    "training": ("Træning", "Training"),
    "acute-ambulant": ("Akut ambulant", "Acute ambulant"),
    "extended-care-responsibility": ("Udvidet behandlingsansvar", "Extended care responsibility"),
    "other": ("Andet", "Other"),
}
CC_PRIORITIES: Final = frozenset({"routine", "asap"})
ATTACHMENT_MIME_TYPES: Final = frozenset(
    {"application/pdf", "image/gif", "image/jpeg", "image/png", "image/tiff", "image/bmp"}
)

# --- Acknowledgement ----------------------------------------------------------------------------------------
ACK_CODES: Final = {
    "ok": "delivered",  # received, valid and loaded
    "transient-error": "retry",  # technical problem at the receiver: the sender may resend
    "fatal-error": "rejected",  # invalid: do not resend unchanged
}
ACK_OPERATION_OUTCOME_CODES: Final = frozenset(
    {
        "MSG_ID_INVALID", "MSG_ID_TOO_LONG", "MSG_BAD_FORMAT", "MSG_BAD_SYNTAX", "MSG_DATE_FORMAT",
        "MSG_DUPLICATE_ID", "MSG_INVALID_ID", "MSG_JSON_OBJECT", "MSG_LOCAL_FAIL", "MSG_NO_MATCH", "MSG_NO_EXIST",
        "MSG_NO_SUMMARY", "MSG_PARAM_INVALID", "MSG_PARAM_NO_REPEAT", "MSG_PARAM_UNKNOWN",
        "MSG_RESOURCE_ID_MISMATCH", "MSG_RESOURCE_ID_FAIL", "MSG_RESOURCE_ID_MISSING", "MSG_RESOURCE_NOT_ALLOWED",
        "MSG_RESOURCE_REQUIRED", "MSG_RESOURCE_TYPE_MISMATCH", "MSG_TRANSACTION_DUPLICATE_ID",
        "MSG_TRANSACTION_MISSING_ID", "MSG_UNKNOWN_TYPE", "MSG_VERSION_AWARE", "MSG_VERSION_AWARE_CONFLICT",
        "MSG_VERSION_AWARE_URL", "MSG_WRONG_NS",
    }
)  # fmt: skip
ACK_MEDCOM_ERROR_CODES: Final = frozenset(
    {
        "MSG_Receiver_Identifier_UNKNOWN", "MSG_Receiver_Identifier_MISSING",
        "MSG_RECEIVER_UNABLE_TO_RECEIVE_MSG_TYPE", "MSG_VALUESET_VALUE_UNKNOWN", "MSG_CodeSystem_VALUE_UNKNOWN",
        "MSG_Element_To_Long", "MSG_Datatype_Wrong", "MSG_Mailbox_Out_Of_Operation", "MSG_Damaged_durin_transport",
    }
)  # fmt: skip
# Terminology 1.1.1 had two temporary codes in a code system of its own; Ack fixtures still use them.
ACK_TEMPORARY_CODES: Final = frozenset({"message-development-error", "message-delivery-error"})
ACK_ISSUE_DETAIL_CODES: Final = {
    OPERATION_OUTCOME_SYSTEM: ACK_OPERATION_OUTCOME_CODES,
    "http://hl7.org/fhir/ValueSet/operation-outcome": ACK_OPERATION_OUTCOME_CODES,  # as published in 1.4.0
    ACK_ERROR_SYSTEM: ACK_MEDCOM_ERROR_CODES,
    ACK_ISSUE_DETAILS_SYSTEM: ACK_TEMPORARY_CODES,
}
