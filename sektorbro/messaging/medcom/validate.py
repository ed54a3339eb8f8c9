"""Validating MedCom messages: FHIR R4 structure plus the MedCom profile rules that matter for safe processing.

``validate_message(raw)`` reads JSON or XML and returns a ``ValidationResult``: the Bundle in FHIR JSON form and
every issue found, each naming the resource, the element path and the rule id (``issues.RULES`` lists them;
docs/medcom.md explains them). It never raises on bad input. Errors make a message invalid (negative
acknowledgement); warnings do not."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sektorbro.messaging.medcom import extract, fhirjson
from sektorbro.messaging.medcom.extract import patient_display_name
from sektorbro.messaging.medcom.identifiers import (
    URN_UUID_LOWER_RE,
    UUID_V5_URN_RE,
    cpr_problem,
    ecpr_problem,
    gln_problem,
    patient_identifier_kind,
    sor_problem,
)
from sektorbro.messaging.medcom.issues import Severity, ValidationIssue
from sektorbro.messaging.medcom.message import (
    ParsedMessage,
    d,
    items,
    parse_instant,
    parse_message,
    reference_id,
    s,
    strings,
    tail,
)
from sektorbro.messaging.medcom.terminology import (
    ACK_CODES,
    ACK_ISSUE_DETAIL_CODES,
    ACKNOWLEDGEMENT,
    ACT_CODE_SYSTEM,
    ACTIVITY_SYSTEM,
    ATTACHMENT_MIME_TYPES,
    AUTHOR_EXTENSION_URL,
    CARE_COMMUNICATION,
    CATEGORY_SYSTEM,
    CC_ACTIVITIES,
    CC_CATEGORIES,
    CC_PRIORITIES,
    CONTACT_EXTENSION_URL,
    CPR_SYSTEM,
    DATETIME_EXTENSION_URL,
    DESTINATION_USE_SYSTEM,
    DESTINATION_USE_URL,
    EMPTY_MESSAGE,
    EVENT_CODES,
    EVENT_SYSTEM,
    GLN_SYSTEMS,
    HEADER_PROFILE,
    HN_ACTIVITIES,
    HN_ENCOUNTER_CLASSES,
    HN_ENCOUNTER_STATUSES,
    HN_PROHIBITED_ENCOUNTER_ELEMENTS,
    HOSPITAL_NOTIFICATION,
    IDENTIFIER_EXTENSION_URL,
    LEAVE_PERIOD_URL,
    LPR3_EPISODE_SYSTEM,
    MESSAGE_PROFILE,
    MESSAGING_ACTIVITIES,
    REPORT_OF_ADMISSION_RECIPIENT_URL,
    REPORT_OF_ADMISSION_URL,
    SENDER_EXTENSION_URL,
    SOR_SYSTEM,
    SUPPORTED_EVENTS,
    Profiles,
)

__all__ = [
    "CC_CATEGORIES",
    "CPR_SYSTEM",
    "EVENT_SYSTEM",
    "GLN_SYSTEMS",
    "SOR_SYSTEM",
    "Checked",
    "Issue",
    "ValidationIssue",
    "ValidationResult",
    "check",
    "check_thread",
    "normalized",
    "validate_message",
]

_CC_DEFINITION = re.compile(
    r"http://medcomfhir\.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition\|5\.[0-9]{1,2}"
    r"|http://medcomfhir\.dk/ig/carecommunication/medcom-careCommunication-message-definition\|4\.0\.[0-9]{1,2}"
)
_PHONE_LOOSE = re.compile(r"[+]?[-0-9]")  # the published invariant (unanchored)
_PHONE = re.compile(r"\+?[0-9][0-9 -]*")
_ALLOWED_TYPES = {
    HOSPITAL_NOTIFICATION: {"MessageHeader", "Patient", "Encounter", "Organization", "Provenance"},
    CARE_COMMUNICATION: {
        "MessageHeader", "Patient", "Encounter", "Organization", "Provenance", "Communication", "Practitioner",
        "PractitionerRole", "CareTeam",
    },
    ACKNOWLEDGEMENT: {"MessageHeader", "Organization", "Provenance", "OperationOutcome"},
    EMPTY_MESSAGE: {"MessageHeader", "Organization", "Provenance", "Patient"},
}  # fmt: skip


class ValidationResult(ParsedMessage):
    """A read and validated message. ``valid`` is true when no issue is an error."""

    @classmethod
    def of(cls, parsed: ParsedMessage) -> ValidationResult:
        if isinstance(parsed, ValidationResult):
            return parsed
        return cls(parsed.bundle, parsed.content_type, list(parsed.issues), parsed.size)


# Compatibility aliases for the first version of the API.
Checked = ValidationResult
Issue = ValidationIssue


MAX_NAME = 200  # a citizen's name as Sektorbro keeps it
MAX_EPISODE_ID = 100  # an episode-of-care id as a course keeps it


def _profiles(resource: dict[str, Any]) -> list[str]:
    return strings(d(resource.get("meta")).get("profile"))


def has_profile(resource: dict[str, Any], canonical: str) -> bool:
    """True if ``meta.profile`` names ``canonical`` (with or without a ``|version``)."""
    return any(p == canonical or p.startswith(canonical + "|") for p in _profiles(resource))


def label(resource: dict[str, Any]) -> str:
    return fhirjson.label_of(resource)


def extension_value(element: dict[str, Any], url: str, key: str) -> Any:
    for extension in items(element.get("extension")):
        if extension.get("url") == url:
            return extension.get(key)
    return None


def extensions(element: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [x for x in items(element.get("extension")) if x.get("url") == url]


def _references(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, reference) for every Reference.reference under ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield f"{path}.reference", item
            elif isinstance(item, dict | list):
                yield from _references(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _references(item, f"{path}[{i}]")


class _Checker:
    def __init__(self, msg: ValidationResult) -> None:
        self.msg = msg
        self.issues = msg.issues
        self.header: dict[str, Any] = {}
        self.hlabel = "MessageHeader"
        self.event: str | None = None
        self.current: dict[str, Any] | None = None
        self.provenances: list[dict[str, Any]] = []

    def add(self, resource: str, path: str, rule: str, message: str, severity: Severity = "error") -> None:
        self.issues.append(ValidationIssue(resource, path, rule, message, severity))

    # --- the Bundle and its entries ---
    def run(self) -> None:
        bundle = d(self.msg.bundle)
        if bundle.get("type") != "message":
            self.add(
                "Bundle", "Bundle.type", "mc-bundle-type", f"must be 'message', not {bundle.get('type')!r}"
            )
        if not s(bundle.get("id")):
            self.add("Bundle", "Bundle.id", "mc-bundle-id", "the Bundle has no id")
        if not s(bundle.get("timestamp")):
            self.add("Bundle", "Bundle.timestamp", "mc-bundle-timestamp", "the Bundle has no timestamp")
        self.entries()
        header = self.msg.header()
        if header is None:
            self.add(
                "Bundle", "Bundle.entry[0]", "mc-header-first", "the first entry must be the MessageHeader"
            )
            return
        headers = self.msg.resources("MessageHeader")
        if len(headers) != 1:
            self.add(
                "Bundle",
                "Bundle.entry",
                "mc-header-first",
                f"exactly one MessageHeader, found {len(headers)}",
            )
        self.header, self.hlabel = header, label(header)
        if not s(header.get("id")):
            self.add(self.hlabel, "MessageHeader.id", "mc-header-id", "the MessageHeader has no id")
        self.event = self.check_event()
        self.provenances = self.msg.resources("Provenance")
        self.check_destination()
        self.check_sender()
        self.check_references()
        self.check_narratives()
        self.check_organisations()
        self.check_provenances()
        if self.event in (HOSPITAL_NOTIFICATION, CARE_COMMUNICATION, EMPTY_MESSAGE):
            self.check_patient()
        if self.event == HOSPITAL_NOTIFICATION:
            _HospitalNotification(self).run()
        elif self.event == CARE_COMMUNICATION:
            _CareCommunication(self).run()
        elif self.event == ACKNOWLEDGEMENT:
            _Acknowledgement(self).run()

    def entries(self) -> None:
        seen_urls: dict[str, int] = {}
        seen_keys: dict[str, int] = {}
        for i, entry in enumerate(items(d(self.msg.bundle).get("entry"))):
            resource = d(entry.get("resource"))
            if not resource:
                continue
            kind, rid = s(resource.get("resourceType")) or "?", s(resource.get("id"))
            lbl = label(resource)
            if rid is None:
                self.add(lbl, f"{kind}.id", "mc-resource-id", f"entry {i}: the {kind} has no id")
            else:
                key = f"{kind}/{rid}"
                if key in seen_keys:
                    self.add(
                        lbl,
                        f"Bundle.entry[{i}]",
                        "mc-entry-unique",
                        f"{key} occurs twice (entries {seen_keys[key]} and {i})",
                    )
                seen_keys.setdefault(key, i)
            url = s(entry.get("fullUrl"))
            if url is None:
                self.add(
                    lbl, f"Bundle.entry[{i}].fullUrl", "mc-fullurl", "the entry has no fullUrl", "warning"
                )
                continue
            if url in seen_urls:
                self.add(
                    lbl, f"Bundle.entry[{i}].fullUrl", "mc-entry-unique", f"fullUrl {url!r} occurs twice"
                )
            seen_urls.setdefault(url, i)
            if rid is not None and not (tail(url) == f"{kind}/{rid}" or url == f"urn:uuid:{rid}"):
                self.add(
                    lbl,
                    f"Bundle.entry[{i}].fullUrl",
                    "mc-fullurl",
                    f"fullUrl {url!r} does not end with {kind}/{rid}",
                    "warning",
                )

    # --- MessageHeader ---
    def check_event(self) -> str | None:
        coding = d(self.header.get("eventCoding"))
        code, system = s(coding.get("code")), s(coding.get("system"))
        if system != EVENT_SYSTEM or code not in EVENT_CODES:
            self.add(
                self.hlabel,
                "MessageHeader.eventCoding",
                "mc-header-event",
                f"{system}#{code} is not a MedCom message event",
            )
            return None
        if code not in SUPPORTED_EVENTS:
            self.add(
                self.hlabel,
                "MessageHeader.eventCoding.code",
                "mc-header-event",
                f"Sektorbro does not receive {code!r}",
            )
            return None
        expected = HEADER_PROFILE[code]
        profiles = _profiles(self.header)
        if code == CARE_COMMUNICATION and not profiles:
            self.add(
                self.hlabel,
                "MessageHeader.meta.profile",
                "mc-header-profile",
                f"a CareCommunication MessageHeader must declare {expected}",
            )
        elif (
            profiles
            and not has_profile(self.header, expected)
            and not has_profile(self.header, Profiles.HEADER)
        ):
            self.add(
                self.hlabel,
                "MessageHeader.meta.profile",
                "mc-header-profile",
                f"the profile {profiles[0]} does not belong to {code}",
            )
        bundle_profiles = _profiles(d(self.msg.bundle))
        if (
            bundle_profiles
            and not has_profile(d(self.msg.bundle), MESSAGE_PROFILE[code])
            and not has_profile(d(self.msg.bundle), Profiles.MESSAGE)
        ):
            self.add(
                "Bundle",
                "Bundle.meta.profile",
                "mc-header-profile",
                f"the Bundle profile {bundle_profiles[0]} does not belong to {code}",
            )
        return code

    def check_destination(self) -> None:
        destinations = items(self.header.get("destination"))
        uses = []
        for i, destination in enumerate(destinations):
            use = [
                d(x.get("valueCoding"))
                for x in items(destination.get("extension"))
                if x.get("url") == DESTINATION_USE_URL
            ]
            code = (
                s(use[0].get("code"))
                if len(use) == 1 and use[0].get("system") == DESTINATION_USE_SYSTEM
                else None
            )
            if code not in ("primary", "cc"):
                self.add(
                    self.hlabel,
                    f"MessageHeader.destination[{i}].extension",
                    "mc-destination",
                    "the destination must be marked primary or cc (destinationUse extension)",
                )
            uses.append(code)
            receiver = self.msg.resolve_ref(destination.get("receiver"))
            if receiver is None:
                self.add(
                    self.hlabel,
                    f"MessageHeader.destination[{i}].receiver",
                    "mc-receiver",
                    "the receiver organisation is not in the Bundle",
                )
            elif receiver.get("resourceType") != "Organization":
                self.add(
                    self.hlabel,
                    f"MessageHeader.destination[{i}].receiver",
                    "mc-reference-type",
                    f"the receiver must be an Organization, not {receiver.get('resourceType')}",
                )
        if uses.count("primary") != 1:
            self.add(
                self.hlabel,
                "MessageHeader.destination",
                "mc-destination",
                f"exactly one primary destination is required, found {uses.count('primary')}",
            )
        if "cc" in uses and self.event != EMPTY_MESSAGE:
            self.add(
                self.hlabel,
                "MessageHeader.destination",
                "mc-destination",
                "cc receivers are not allowed in this standard",
            )

    def check_sender(self) -> None:
        sender = self.msg.resolve_ref(self.header.get("sender"))
        if sender is None:
            self.add(
                self.hlabel,
                "MessageHeader.sender",
                "mc-sender",
                "the sender organisation is not in the Bundle",
            )
        elif sender.get("resourceType") != "Organization":
            self.add(
                self.hlabel,
                "MessageHeader.sender",
                "mc-reference-type",
                f"the sender must be an Organization, not {sender.get('resourceType')}",
            )

    # --- references and narrative ---
    def describes_this_message(self, provenance: dict[str, Any]) -> bool:
        header_id = s(self.header.get("id"))
        targets = items(provenance.get("target"))
        return bool(header_id) and any(
            reference_id(t.get("reference"), "MessageHeader") == header_id for t in targets
        )

    def check_references(self) -> None:
        for resource in self.msg.resources():
            kind = s(resource.get("resourceType")) or "?"
            lbl = label(resource)
            earlier = kind == "Provenance" and not self.describes_this_message(resource)
            for path, reference in _references(
                {
                    k: v
                    for k, v in resource.items()
                    if not (kind == "Provenance" and k in ("target", "entity"))
                },
                kind,
            ):
                if reference.startswith("#") or self.msg.resolve(reference) is not None:
                    continue
                if earlier:
                    self.add(
                        lbl,
                        path,
                        "mc-reference",
                        f"{reference!r} (in the history of an earlier message) is not in the Bundle",
                        "warning",
                    )
                else:
                    self.add(
                        lbl,
                        path,
                        "mc-reference",
                        f"the reference {reference!r} does not resolve inside the Bundle",
                    )
            allowed = _ALLOWED_TYPES.get(self.event or "")
            if allowed is not None and kind not in allowed:
                self.add(
                    lbl,
                    kind,
                    "mc-resource-unexpected",
                    f"a {kind} is not part of this standard's messages",
                    "warning",
                )

    def check_narratives(self) -> None:
        for resource in self.msg.resources():
            text = d(resource.get("text"))
            if not text:
                continue  # many senders leave narratives out; not reported one by one
            if text.get("status") == "empty":
                self.add(
                    label(resource),
                    f"{resource.get('resourceType')}.text.status",
                    "mc-narrative",
                    "the narrative must not be empty",
                    "warning",
                )

    # --- organisations ---
    def check_organisations(self) -> None:
        messaging = set()
        for ref in [
            self.header.get("sender"),
            *[x.get("receiver") for x in items(self.header.get("destination"))],
        ]:
            org = self.msg.resolve_ref(ref)
            if org is not None:
                messaging.add(id(org))
        for provenance in self.provenances:
            if self.describes_this_message(provenance) or self.event != ACKNOWLEDGEMENT:
                for agent in items(provenance.get("agent")):
                    org = self.msg.resolve_ref(agent.get("who"))
                    if org is not None and org.get("resourceType") == "Organization":
                        messaging.add(id(org))
        for org in self.msg.resources("Organization"):
            lbl = label(org)
            ids = items(org.get("identifier"))
            sor = [(i, s(x.get("value")) or "") for i, x in enumerate(ids) if x.get("system") == SOR_SYSTEM]
            gln = [(i, s(x.get("value")) or "") for i, x in enumerate(ids) if x.get("system") in GLN_SYSTEMS]
            for i, value in sor:
                problem = sor_problem(value)
                if problem:
                    self.add(lbl, f"Organization.identifier[{i}].value", "mc-sor", f"{value!r}: {problem}")
            for i, value in gln:
                problem = gln_problem(value)
                if problem:
                    self.add(lbl, f"Organization.identifier[{i}].value", "mc-gln", f"{value!r}: {problem}")
            if (id(org) in messaging or has_profile(org, Profiles.ORGANIZATION)) and (not sor or not gln):
                missing = " and ".join(
                    n for n, v in (("a SOR id", sor), ("an EAN/GLN location number", gln)) if not v
                )
                self.add(
                    lbl,
                    "Organization.identifier",
                    "mc-org-ids",
                    f"a sending or receiving organisation needs {missing}",
                )

    # --- patient ---
    def check_patient(self) -> None:
        patients = self.msg.resources("Patient")
        if self.event != EMPTY_MESSAGE and len(patients) != 1:
            self.add(
                "Bundle",
                "Bundle.entry",
                "mc-patient-count",
                f"exactly one Patient is required, found {len(patients)}",
            )
        for patient in patients:
            lbl = label(patient)
            ids = items(patient.get("identifier"))
            if not ids:
                self.add(lbl, "Patient.identifier", "mc-patient-id", "the patient has no identifier")
            for i, identifier in enumerate(ids):
                value = s(identifier.get("value")) or ""
                kind = patient_identifier_kind(s(identifier.get("system")))
                if kind == "cpr":
                    problem = cpr_problem(value)
                    if problem:
                        self.add(lbl, f"Patient.identifier[{i}].value", "mc-cpr", problem)
                elif kind in ("x-ecpr", "d-ecpr"):
                    problem = ecpr_problem(value, regional=kind == "d-ecpr")
                    if problem:
                        self.add(lbl, f"Patient.identifier[{i}].value", "mc-ecpr", f"{value!r}: {problem}")
            official = [n for n in items(patient.get("name")) if n.get("use") == "official"]
            if len(official) != 1 or not (s(official[0].get("family")) or official[0].get("_family")):
                self.add(
                    lbl,
                    "Patient.name",
                    "mc-patient-name",
                    "exactly one official name with a family name is required",
                )
            if len(patient_display_name(patient)) > MAX_NAME:
                self.add(
                    lbl,
                    "Patient.name",
                    "mc-patient-name",
                    f"the name is longer than {MAX_NAME} characters (no real name is)",
                )

    # --- provenance ---
    def check_provenances(self) -> None:
        if not self.provenances:
            self.add("Bundle", "Bundle.entry", "mc-provenance", "at least one Provenance is required")
            return
        allowed = {
            HOSPITAL_NOTIFICATION: frozenset(HN_ACTIVITIES),
            CARE_COMMUNICATION: CC_ACTIVITIES,
        }.get(self.event or "", MESSAGING_ACTIVITIES)
        current = []
        described: set[str] = set()
        for provenance in self.provenances:
            lbl = label(provenance)
            targets = items(provenance.get("target"))
            target_ids = [reference_id(t.get("reference"), "MessageHeader") for t in targets]
            if len(targets) != 1 or target_ids[0] is None:
                self.add(
                    lbl,
                    "Provenance.target",
                    "mc-provenance-target",
                    "a Provenance has exactly one target, a MessageHeader reference",
                )
            described.update(t for t in target_ids if t)
            if self.describes_this_message(provenance):
                current.append(provenance)
            if not s(provenance.get("occurredDateTime")):
                self.add(
                    lbl,
                    "Provenance.occurredDateTime",
                    "mc-provenance-time",
                    "the time the message was sent (occurredDateTime) is required",
                )
            codings = items(d(provenance.get("activity")).get("coding"))
            code = s(codings[0].get("code")) if len(codings) == 1 else None
            mine = self.describes_this_message(provenance)
            ok_codes = MESSAGING_ACTIVITIES if self.event == ACKNOWLEDGEMENT and not mine else allowed
            if self.event == ACKNOWLEDGEMENT and mine:
                ok_codes = frozenset({"acknowledgement"})
            if len(codings) != 1 or codings[0].get("system") != ACTIVITY_SYSTEM or code not in ok_codes:
                self.add(
                    lbl,
                    "Provenance.activity.coding",
                    "mc-provenance-activity",
                    f"{code!r} is not an allowed activity here (one coding from {ACTIVITY_SYSTEM})",
                )
            for j, agent in enumerate(items(provenance.get("agent"))):
                who = self.msg.resolve_ref(agent.get("who"))
                if who is not None and who.get("resourceType") != "Organization":
                    self.add(
                        lbl,
                        f"Provenance.agent[{j}].who",
                        "mc-reference-type",
                        "the agent must be an Organization",
                    )
        if len(current) != 1:
            self.add(
                "Bundle",
                "Provenance.target",
                "mc-provenance-current",
                f"exactly one Provenance must describe this message (target = its MessageHeader), found {len(current)}",
            )
        self.current = current[-1] if current else None
        if self.event != ACKNOWLEDGEMENT:
            for provenance in self.provenances:
                for j, entity in enumerate(items(provenance.get("entity"))):
                    earlier = reference_id(d(entity.get("what")).get("reference"), "MessageHeader")
                    if earlier and earlier not in described:
                        self.add(
                            label(provenance),
                            f"Provenance.entity[{j}].what",
                            "mc-provenance-chain",
                            f"the earlier message {earlier} has no Provenance in this Bundle",
                            "warning",
                        )

    def revision_entities(self, provenance: dict[str, Any]) -> list[dict[str, Any]]:
        return [e for e in items(provenance.get("entity")) if e.get("role") in ("revision", "removal")]


class _HospitalNotification:
    def __init__(self, checker: _Checker) -> None:
        self.c = checker
        self.msg = checker.msg

    def run(self) -> None:
        c = self.c
        focus = items(c.header.get("focus"))
        encounter = self.msg.resolve_ref(focus[0]) if len(focus) == 1 else None
        if encounter is None or encounter.get("resourceType") != "Encounter":
            c.add(
                c.hlabel,
                "MessageHeader.focus",
                "mc-hn-focus",
                "the focus must be exactly one reference to the Encounter in the Bundle",
            )
        patients = self.msg.resources("Patient")
        for patient in patients:
            if not any(
                x.get("system") == CPR_SYSTEM and s(x.get("value")) for x in items(patient.get("identifier"))
            ):
                c.add(
                    label(patient),
                    "Patient.identifier",
                    "mc-hn-cpr",
                    "a HospitalNotification is only sent for patients with an official CPR number",
                )
        self.report_of_admission()
        if encounter is None or encounter.get("resourceType") != "Encounter":
            return
        self.encounter(encounter, patients[0] if len(patients) == 1 else None)

    def report_of_admission(self) -> None:
        c = self.c
        flags = extensions(c.header, REPORT_OF_ADMISSION_URL)
        recipients = extensions(c.header, REPORT_OF_ADMISSION_RECIPIENT_URL)
        flag = flags[0].get("valueBoolean") if flags else None
        if len(flags) > 1 or len(recipients) > 1:
            c.add(
                c.hlabel,
                "MessageHeader.extension",
                "mc-hn-report-of-admission",
                "the report-of-admission flag and recipient may occur once each",
            )
        if flags and not isinstance(flag, bool):
            c.add(
                c.hlabel,
                "MessageHeader.extension:reportOfAdmissionFlag",
                "mc-hn-report-of-admission",
                "the report-of-admission flag must be a boolean",
            )
        for recipient in recipients:
            target = self.msg.resolve_ref(recipient.get("valueReference"))
            if target is not None and target.get("resourceType") != "Organization":
                c.add(
                    c.hlabel,
                    "MessageHeader.extension:reportOfAdmissionRecipient",
                    "mc-reference-type",
                    "the report-of-admission recipient must be an Organization",
                )
        if flag is True and not recipients:
            c.add(
                c.hlabel,
                "MessageHeader.extension:reportOfAdmissionRecipient",
                "mc-hn-report-of-admission",
                "the flag requests a report of admission but names no recipient",
                "warning",
            )
        if recipients and flag is not True:
            c.add(
                c.hlabel,
                "MessageHeader.extension:reportOfAdmissionRecipient",
                "mc-hn-report-of-admission",
                "a report-of-admission recipient is given although the flag is not true",
                "warning",
            )
        activity = self.activity()
        if flag is True and activity is not None and not activity.startswith("admit-"):
            c.add(
                c.hlabel,
                "MessageHeader.extension:reportOfAdmissionFlag",
                "mc-hn-report-of-admission",
                f"a report of admission is only requested on admissions, not with {activity}",
                "warning",
            )

    def activity(self) -> str | None:
        current = self.c.current
        codings = items(d(d(current).get("activity")).get("coding"))
        return s(codings[0].get("code")) if codings else None

    def encounter(self, encounter: dict[str, Any], patient: dict[str, Any] | None) -> None:
        c = self.c
        lbl = label(encounter)
        status = s(encounter.get("status"))
        if status not in HN_ENCOUNTER_STATUSES:
            c.add(
                lbl,
                "Encounter.status",
                "mc-hn-status",
                f"status {status!r} is not in-progress, onleave, finished or entered-in-error",
            )
        klass = d(encounter.get("class"))
        class_code = s(klass.get("code"))
        if klass.get("system") != ACT_CODE_SYSTEM or class_code not in HN_ENCOUNTER_CLASSES:
            c.add(
                lbl,
                "Encounter.class",
                "mc-hn-class",
                f"class {klass.get('system')}#{class_code} is not IMP or EMER from {ACT_CODE_SYSTEM}",
            )
        subject = self.msg.resolve_ref(encounter.get("subject"))
        if subject is None or subject is not patient:
            c.add(lbl, "Encounter.subject", "mc-hn-subject", "the subject must be the Patient of the message")
        provider = self.msg.resolve_ref(encounter.get("serviceProvider"))
        if provider is None or provider.get("resourceType") != "Organization":
            c.add(
                lbl,
                "Encounter.serviceProvider",
                "mc-hn-service-provider",
                "the service provider must be an Organization in the Bundle",
            )
        for element in HN_PROHIBITED_ENCOUNTER_ELEMENTS:
            if element in encounter:
                c.add(
                    lbl,
                    f"Encounter.{element}",
                    "mc-hn-prohibited",
                    f"{element} is not allowed in a HospitalNotification",
                )
        episodes = items(encounter.get("episodeOfCare"))
        if not episodes:
            c.add(
                lbl, "Encounter.episodeOfCare", "mc-hn-episode", "an episode-of-care identifier is required"
            )
        for i, episode in enumerate(episodes):
            identifier = d(episode.get("identifier"))
            if "reference" in episode:
                c.add(
                    lbl,
                    f"Encounter.episodeOfCare[{i}].reference",
                    "mc-hn-episode",
                    "the episode of care is given by identifier only",
                )
            if not s(identifier.get("value")):
                c.add(
                    lbl,
                    f"Encounter.episodeOfCare[{i}].identifier.value",
                    "mc-hn-episode",
                    "the episode-of-care identifier has no value",
                )
            elif len(str(identifier["value"])) > MAX_EPISODE_ID:
                c.add(
                    lbl,
                    f"Encounter.episodeOfCare[{i}].identifier.value",
                    "mc-hn-episode",
                    f"an episode-of-care identifier is at most {MAX_EPISODE_ID} characters",
                )
            elif identifier.get("system") == LPR3_EPISODE_SYSTEM and not UUID_V5_URN_RE.fullmatch(
                str(identifier["value"])
            ):
                c.add(
                    lbl,
                    f"Encounter.episodeOfCare[{i}].identifier.value",
                    "mc-hn-episode",
                    "an LPR3 episode-of-care id is urn:uuid + a version 5 UUID",
                )
        period = d(encounter.get("period"))
        start, end = parse_instant(period.get("start")), parse_instant(period.get("end"))
        if not s(period.get("start")):
            c.add(lbl, "Encounter.period.start", "mc-hn-period", "the start of the stay is required")
        leaves = extensions(encounter, LEAVE_PERIOD_URL)
        leave = d(leaves[0].get("valuePeriod")) if leaves else {}
        for path, value in (
            ("Encounter.period.start", period.get("start")),
            ("Encounter.period.end", period.get("end")),
            ("Encounter.extension:leavePeriod.valuePeriod.start", leave.get("start")),
            ("Encounter.extension:leavePeriod.valuePeriod.end", leave.get("end")),
        ):
            if s(value) and parse_instant(value) is None:
                c.add(
                    lbl,
                    path,
                    "mc-hn-period",
                    "a time of the stay is a date with a time and a time zone (a date alone says too little)",
                )
        if start and end and end < start:
            c.add(lbl, "Encounter.period.end", "mc-hn-period", "the stay ends before it starts")
        if len(leaves) > 1:
            c.add(lbl, "Encounter.extension:leavePeriod", "mc-hn-leave", "one leave period per notification")
        if leaves and not leave:
            c.add(
                lbl,
                "Encounter.extension:leavePeriod",
                "mc-hn-leave",
                "the leave period extension must carry a valuePeriod",
            )
        leave_start, leave_end = parse_instant(leave.get("start")), parse_instant(leave.get("end"))
        if status == "onleave" and not s(leave.get("start")):
            c.add(
                lbl,
                "Encounter.extension:leavePeriod.valuePeriod.start",
                "mc-hn-leave",
                "on leave: the start of the leave is required (medcom-hospitalNotification-6)",
            )
        if leave_start and leave_end and leave_end < leave_start:
            c.add(
                lbl,
                "Encounter.extension:leavePeriod.valuePeriod.end",
                "mc-hn-leave",
                "the leave ends before it starts",
            )
        self.state(lbl, status, class_code, patient, bool(leave.get("end")), bool(period.get("end")))

    def repeats_previous(self, activity: str) -> bool:
        """True if the message this one follows had the same activity (as for MORS, RE_MORS and AN_MORS)."""
        c = self.c
        earlier = [
            reference_id(d(e.get("what")).get("reference"), "MessageHeader")
            for e in c.revision_entities(d(c.current))
        ]
        for provenance in c.provenances:
            if provenance is c.current:
                continue
            targets = [
                reference_id(t.get("reference"), "MessageHeader") for t in items(provenance.get("target"))
            ]
            codings = items(d(provenance.get("activity")).get("coding"))
            if set(targets) & set(earlier) and codings and codings[0].get("code") == activity:
                return True
        return False

    def state(
        self, lbl: str, status: str | None, class_code: str | None, patient: dict[str, Any] | None,
        leave_end: bool, period_end: bool,
    ) -> None:  # fmt: skip
        c = self.c
        activity = self.activity()
        if activity not in HN_ACTIVITIES:
            return  # reported by mc-provenance-activity
        _, expected_class, expected_status = HN_ACTIVITIES[activity]
        deceased = d(patient).get("deceasedBoolean") is True or bool(d(patient).get("deceasedDateTime"))
        if class_code in HN_ENCOUNTER_CLASSES and class_code != expected_class:
            c.add(
                lbl,
                "Encounter.class",
                "mc-hn-state",
                f"{activity} is sent for class {expected_class}, not {class_code}",
            )
        revision = c.revision_entities(d(c.current))
        if deceased:
            if status == "in-progress" and activity.startswith("admit-") and not revision:
                c.add(
                    lbl,
                    "Encounter.status",
                    "mc-hn-state",
                    "dead on arrival: the code overview expects status finished (TouchStone uses in-progress)",
                    "warning",
                )
            elif status != "finished":
                c.add(
                    lbl,
                    "Encounter.status",
                    "mc-hn-state",
                    f"a death notification (MORS) has status finished, not {status}",
                )
            if not period_end:
                c.add(
                    lbl,
                    "Encounter.period.end",
                    "mc-hn-period",
                    "a death notification gives the time of death in period.end",
                )
            return
        if status in HN_ENCOUNTER_STATUSES and status != expected_status:
            c.add(
                lbl,
                "Encounter.status",
                "mc-hn-state",
                f"{activity} is sent with status {expected_status}, not {status}",
            )
        if expected_status == "finished" and not period_end:
            c.add(
                lbl,
                "Encounter.period.end",
                "mc-hn-period",
                "a discharge notification gives the end of the stay in period.end",
            )
        if activity in ("end-leave-inpatient", "revise-end-leave-inpatient") and not leave_end:
            c.add(
                lbl,
                "Encounter.extension:leavePeriod.valuePeriod.end",
                "mc-hn-leave",
                "the end of the leave is required when the leave ends",
            )
        roles = [e.get("role") for e in revision]
        current_label = label(d(c.current))
        if activity.startswith("cancel-"):
            if roles != ["removal"]:
                c.add(
                    current_label,
                    "Provenance.entity",
                    "mc-provenance-entity",
                    "a cancellation names the cancelled message with role removal",
                )
        elif roles == ["removal"] and self.repeats_previous(activity):
            pass  # AN_MORS: the death is cancelled, the activity of the stay is repeated
        elif not activity.startswith("admit-") and roles != ["revision"]:
            c.add(
                current_label,
                "Provenance.entity",
                "mc-provenance-entity",
                "a follow-up or correction names the message it follows with role revision",
            )
        for entity in revision:
            if not reference_id(d(entity.get("what")).get("reference"), "MessageHeader"):
                c.add(
                    current_label,
                    "Provenance.entity.what",
                    "mc-provenance-entity",
                    "the earlier message is referenced as MessageHeader/<id>",
                )


class _CareCommunication:
    def __init__(self, checker: _Checker) -> None:
        self.c = checker
        self.msg = checker.msg

    def run(self) -> None:
        c = self.c
        definition = s(c.header.get("definition"))
        if definition is None or not _CC_DEFINITION.fullmatch(definition):
            c.add(
                c.hlabel,
                "MessageHeader.definition",
                "mc-cc-definition",
                f"{definition!r} is not the CareCommunication MessageDefinition (4.0.0 or 5.x)",
            )
        focus = items(c.header.get("focus"))
        communication = self.msg.resolve_ref(focus[0]) if len(focus) == 1 else None
        if communication is None or communication.get("resourceType") != "Communication":
            c.add(
                c.hlabel,
                "MessageHeader.focus",
                "mc-cc-focus",
                "the focus must be exactly one reference to the Communication in the Bundle",
            )
            communication = None
        for provenance in c.provenances:
            if not has_profile(provenance, Profiles.CC_PROVENANCE):
                c.add(
                    label(provenance),
                    "Provenance.meta.profile",
                    "mc-cc-provenance",
                    f"every Provenance must declare {Profiles.CC_PROVENANCE} (medcom-careCommunication-3)",
                )
            if not [
                e
                for e in items(provenance.get("entity"))
                if e.get("role") == "source" and s(d(d(e.get("what")).get("identifier")).get("value"))
            ]:
                c.add(
                    label(provenance),
                    "Provenance.entity",
                    "mc-cc-provenance",
                    "a Provenance lists the payload segments it added (role source, what.identifier)",
                )
        if communication is not None:
            self.communication(communication)
        self.activity(communication)
        self.people()

    def communication(self, com: dict[str, Any]) -> None:
        c = self.c
        lbl = label(com)
        if com.get("status") != "unknown":
            c.add(
                lbl,
                "Communication.status",
                "mc-cc-status",
                f"the status is fixed to 'unknown', not {com.get('status')!r}",
            )
        identifiers = items(com.get("identifier"))
        if len(identifiers) != 1 or not URN_UUID_LOWER_RE.fullmatch(s(identifiers[0].get("value")) or ""):
            c.add(
                lbl,
                "Communication.identifier",
                "mc-cc-identifier",
                "exactly one identifier urn:uuid:<lowercase UUID> (the thread id) is required",
            )
        categories = items(com.get("category"))
        codings = items(categories[0].get("coding")) if len(categories) == 1 else []
        code = s(codings[0].get("code")) if len(codings) == 1 else None
        if (
            len(categories) != 1
            or len(codings) != 1
            or codings[0].get("system") != CATEGORY_SYSTEM
            or code not in CC_CATEGORIES
        ):
            reason = (
                "the category has no code"
                if len(codings) == 1 and code is None
                else f"{code!r} is not a CareCommunication category"
            )
            c.add(
                lbl,
                "Communication.category.coding.code",
                "mc-cc-category",
                f"exactly one category coding from {CATEGORY_SYSTEM} is required: {reason}",
            )
        topic = com.get("topic")
        if topic is not None and not s(d(topic).get("text")):
            c.add(lbl, "Communication.topic.text", "mc-cc-topic", "a topic needs a text")
        if code == "other" and not s(d(topic).get("text")):
            c.add(
                lbl,
                "Communication.topic",
                "mc-cc-topic",
                "the category 'other' requires a topic (medcom-careCommunication-6)",
            )
        priority = com.get("priority")
        if priority is not None:
            if code != "regarding-referral":
                c.add(
                    lbl,
                    "Communication.priority",
                    "mc-cc-priority",
                    "a priority is only allowed with the category regarding-referral",
                )
            if not isinstance(priority, str) or priority not in CC_PRIORITIES:
                c.add(
                    lbl,
                    "Communication.priority",
                    "mc-cc-priority",
                    f"the priority {priority!r} is not routine or asap",
                )
        subject = self.msg.resolve_ref(com.get("subject"))
        if subject is None or subject.get("resourceType") != "Patient":
            c.add(
                lbl,
                "Communication.subject",
                "mc-cc-subject",
                "the subject must be the Patient of the message",
            )
        encounters = self.msg.resources("Encounter")
        reference = d(com.get("encounter"))
        if encounters and not s(reference.get("reference")):
            c.add(
                lbl,
                "Communication.encounter",
                "mc-cc-encounter",
                "an Encounter is in the Bundle, so Communication.encounter must reference it (medcom-careCommunication-15)",
            )
        if reference and not encounters:
            c.add(
                lbl,
                "Communication.encounter",
                "mc-cc-encounter",
                "Communication.encounter is given but no Encounter is in the Bundle",
            )
        target = self.msg.resolve_ref(reference) if reference else None
        if target is not None:
            if target.get("resourceType") != "Encounter":
                c.add(
                    lbl,
                    "Communication.encounter",
                    "mc-reference-type",
                    "Communication.encounter must reference an Encounter",
                )
            elif not any(s(d(e.get("identifier")).get("value")) for e in items(target.get("episodeOfCare"))):
                c.add(
                    label(target),
                    "Encounter.episodeOfCare.identifier",
                    "mc-cc-encounter",
                    "the Encounter must carry an episode-of-care identifier (medcom-careCommunication-9)",
                )
        recipients = items(com.get("recipient"))
        if len(recipients) > 1:
            c.add(lbl, "Communication.recipient", "mc-fhir-structure", "at most one specific recipient")
        for recipient in recipients:
            self.specific_party(
                lbl, "Communication.recipient", self.msg.resolve_ref(recipient), receiving=True
            )
        for sender in extensions(com, SENDER_EXTENSION_URL):
            self.specific_party(
                lbl,
                "Communication.extension:sender",
                self.msg.resolve_ref(sender.get("valueReference")),
                receiving=False,
            )
        self.payload(com, lbl)

    def specific_party(self, lbl: str, path: str, party: dict[str, Any] | None, *, receiving: bool) -> None:
        c = self.c
        if party is None:
            return  # an unresolved reference is reported by mc-reference
        kind = party.get("resourceType")
        if kind not in ("PractitionerRole", "CareTeam"):
            c.add(
                lbl, path, "mc-reference-type", f"must reference a PractitionerRole or CareTeam, not {kind}"
            )
            return
        refs = (
            [d(party.get("organization"))]
            if kind == "PractitionerRole"
            else items(party.get("managingOrganization"))
        )
        orgs = [self.msg.resolve_ref(r) for r in refs]
        if receiving:
            expected = [self.msg.resolve_ref(x.get("receiver")) for x in items(c.header.get("destination"))]
        else:
            expected = [self.msg.resolve_ref(c.header.get("sender"))]
        if not any(o is not None and any(o is e for e in expected) for o in orgs):
            who = "receiving" if receiving else "sending"
            c.add(
                lbl,
                path,
                "mc-cc-sender-recipient",
                f"the specific {'recipient' if receiving else 'sender'} must belong to the {who} organisation (medcom-careCommunication-{12 if receiving else 11})",
            )

    def payload(self, com: dict[str, Any], lbl: str) -> None:
        c = self.c
        segments = items(com.get("payload"))
        if not any("contentString" in p for p in segments):
            c.add(lbl, "Communication.payload", "mc-cc-payload", "at least one text segment is required")
        for i, segment in enumerate(segments):
            path = f"Communication.payload[{i}]"
            text = "contentString" in segment
            attachment = d(segment.get("contentAttachment"))
            required = [DATETIME_EXTENSION_URL, IDENTIFIER_EXTENSION_URL]
            if text:
                required += [AUTHOR_EXTENSION_URL, CONTACT_EXTENSION_URL]
            for url in required:
                found = extensions(segment, url)
                if len(found) != 1:
                    c.add(
                        lbl,
                        f"{path}.extension",
                        "mc-cc-payload",
                        f"the segment needs exactly one {url.rsplit('/', 1)[-1]}",
                    )
            for url in (AUTHOR_EXTENSION_URL, CONTACT_EXTENSION_URL):
                if len(extensions(segment, url)) > 1:
                    c.add(lbl, f"{path}.extension", "mc-cc-payload", f"at most one {url.rsplit('/', 1)[-1]}")
            date = extension_value(segment, DATETIME_EXTENSION_URL, "valueDateTime")
            if extensions(segment, DATETIME_EXTENSION_URL) and not s(date):
                c.add(
                    lbl, f"{path}.extension:date", "mc-cc-payload", "the segment date must be a valueDateTime"
                )
            identifier = d(extension_value(segment, IDENTIFIER_EXTENSION_URL, "valueIdentifier"))
            if extensions(segment, IDENTIFIER_EXTENSION_URL):
                if not URN_UUID_LOWER_RE.fullmatch(s(identifier.get("value")) or ""):
                    c.add(
                        lbl,
                        f"{path}.extension:identifier",
                        "mc-cc-segment-id",
                        f"{identifier.get('value')!r} is not urn:uuid:<lowercase UUID>",
                    )
                assigner = self.msg.resolve_ref(identifier.get("assigner"))
                if assigner is None or assigner.get("resourceType") != "Organization":
                    c.add(
                        lbl,
                        f"{path}.extension:identifier.assigner",
                        "mc-cc-segment-id",
                        "the segment identifier needs an assigner Organization in the Bundle",
                    )
            for author in extensions(segment, AUTHOR_EXTENSION_URL):
                self.author(
                    lbl, f"{path}.extension:author", self.msg.resolve_ref(author.get("valueReference"))
                )
            for contact in extensions(segment, CONTACT_EXTENSION_URL):
                point = d(contact.get("valueContactPoint"))
                value = s(point.get("value")) or ""
                if point.get("system") != "phone" or not _PHONE_LOOSE.search(value):
                    c.add(
                        lbl,
                        f"{path}.extension:authorContact",
                        "mc-cc-contact",
                        f"the author contact must be a phone number, not {point.get('system')}:{value!r}",
                    )
                elif not _PHONE.fullmatch(value):
                    c.add(
                        lbl,
                        f"{path}.extension:authorContact",
                        "mc-cc-contact",
                        f"{value!r} does not look like a phone number (digits, optional leading +)",
                        "warning",
                    )
            if attachment:
                apath = f"{path}.contentAttachment"
                if not s(attachment.get("title")):
                    c.add(lbl, f"{apath}.title", "mc-cc-attachment", "an attachment needs a title")
                content_type = attachment.get("contentType")
                if content_type is not None and (
                    not isinstance(content_type, str) or content_type not in ATTACHMENT_MIME_TYPES
                ):
                    c.add(
                        lbl,
                        f"{apath}.contentType",
                        "mc-cc-attachment",
                        f"{content_type!r} is not an allowed attachment type (pdf, gif, jpeg, png, tiff, bmp)",
                    )
                if "data" in attachment and content_type is None:
                    c.add(
                        lbl, f"{apath}.contentType", "mc-cc-attachment", "attached data needs its contentType"
                    )
                if "data" in attachment and "url" in attachment:
                    c.add(
                        lbl, apath, "mc-cc-attachment", "an attachment carries either data or a url, not both"
                    )
            elif not text:
                c.add(
                    lbl,
                    path,
                    "mc-cc-payload",
                    "a segment is text (contentString) or an attachment (contentAttachment)",
                )

    def author(self, lbl: str, path: str, role: dict[str, Any] | None) -> None:
        c = self.c
        if role is None:
            return
        if role.get("resourceType") != "PractitionerRole":
            c.add(lbl, path, "mc-reference-type", "the author must be a PractitionerRole")
            return
        codes = items(role.get("code"))
        has_code = any(s(x.get("code")) for cc in codes for x in items(cc.get("coding")))
        has_text = any(s(cc.get("text")) for cc in codes)
        if has_code == has_text:
            c.add(
                label(role),
                "PractitionerRole.code",
                "mc-cc-author",
                "the author's role is given as a code or as text, not both or neither (medcom-careCommunication-7)",
            )

    def people(self) -> None:
        c = self.c
        for role in self.msg.resources("PractitionerRole"):
            practitioner = self.msg.resolve_ref(role.get("practitioner"))
            if practitioner is None:
                if not s(d(role.get("practitioner")).get("reference")):
                    c.add(
                        label(role),
                        "PractitionerRole.practitioner",
                        "mc-cc-author",
                        "a PractitionerRole must reference a Practitioner (medcom-careCommunication-13)",
                    )
            elif practitioner.get("resourceType") != "Practitioner":
                c.add(
                    label(role),
                    "PractitionerRole.practitioner",
                    "mc-reference-type",
                    "must reference a Practitioner",
                )
            organization = self.msg.resolve_ref(role.get("organization"))
            if organization is not None and organization.get("resourceType") != "Organization":
                c.add(
                    label(role),
                    "PractitionerRole.organization",
                    "mc-reference-type",
                    "must reference an Organization",
                )
        for practitioner in self.msg.resources("Practitioner"):
            if not items(practitioner.get("name")):
                c.add(
                    label(practitioner),
                    "Practitioner.name",
                    "mc-cc-author",
                    "a Practitioner must have a name (medcom-careCommunication-4)",
                )
        for team in self.msg.resources("CareTeam"):
            if not s(team.get("name")):
                c.add(label(team), "CareTeam.name", "mc-cc-author", "a CareTeam must have a name")

    def activity(self, com: dict[str, Any] | None) -> None:
        c = self.c
        current = c.current
        if current is None:
            return
        codings = items(d(current.get("activity")).get("coding"))
        activity = s(codings[0].get("code")) if codings else None
        revisions = [e for e in items(current.get("entity")) if e.get("role") == "revision"]
        lbl = label(current)
        if activity in ("reply-message", "forward-message"):
            if len(revisions) != 1:
                c.add(
                    lbl,
                    "Provenance.entity",
                    "mc-cc-activity",
                    f"a {activity.split('-')[0]} names the message it answers (exactly one entity with role revision)",
                )
            for entity in revisions:
                what = d(entity.get("what"))
                if reference_id(what.get("reference"), "MessageHeader") is None:
                    letter = s(d(what.get("identifier")).get("value"))
                    if letter is None:
                        c.add(
                            lbl,
                            "Provenance.entity.what",
                            "mc-cc-activity",
                            "the earlier message is referenced as MessageHeader/<id> or by a 'lokationsnummer#brevid' identifier",
                        )
                    elif activity != "reply-message":
                        c.add(
                            lbl,
                            "Provenance.entity.what.identifier",
                            "mc-cc-activity",
                            "only a reply may point at an EDIFACT/OIOXML letter",
                        )
        elif activity == "new-message" and revisions:
            c.add(
                lbl,
                "Provenance.entity",
                "mc-cc-activity",
                "a new message does not revise an earlier one",
                "warning",
            )
        if com is not None:
            segment_ids = {
                s(d(extension_value(p, IDENTIFIER_EXTENSION_URL, "valueIdentifier")).get("value"))
                for p in items(com.get("payload"))
            }
            listed = [
                s(d(d(e.get("what")).get("identifier")).get("value"))
                for e in items(current.get("entity"))
                if e.get("role") == "source"
            ]
            unknown = [x for x in listed if x not in segment_ids]
            if unknown:
                c.add(
                    lbl,
                    "Provenance.entity.what.identifier",
                    "mc-cc-provenance",
                    f"segments {', '.join(map(str, unknown))} are listed but not in the payload",
                    "warning",
                )


class _Acknowledgement:
    def __init__(self, checker: _Checker) -> None:
        self.c = checker
        self.msg = checker.msg

    def run(self) -> None:
        c = self.c
        response = d(c.header.get("response"))
        if not response:
            c.add(
                c.hlabel, "MessageHeader.response", "mc-ack-response", "an Acknowledgement carries a response"
            )
            return
        code = s(response.get("code"))
        if code not in ACK_CODES:
            c.add(
                c.hlabel,
                "MessageHeader.response.code",
                "mc-ack-code",
                f"{code!r} is not ok, transient-error or fatal-error",
            )
        acked = s(response.get("identifier"))
        if acked is None:
            c.add(
                c.hlabel,
                "MessageHeader.response.identifier",
                "mc-ack-identifier",
                "the id of the acknowledged MessageHeader is required",
            )
        outcome = self.msg.resolve_ref(response.get("details")) if response.get("details") else None
        if response.get("details") and (outcome is None or outcome.get("resourceType") != "OperationOutcome"):
            c.add(
                c.hlabel,
                "MessageHeader.response.details",
                "mc-reference-type",
                "response.details must reference an OperationOutcome in the Bundle",
            )
        if code in ("transient-error", "fatal-error") and not self.msg.resources("OperationOutcome"):
            c.add(
                c.hlabel,
                "MessageHeader.response.details",
                "mc-ack-details",
                f"a {code} acknowledgement carries an OperationOutcome (medcom-acknowledgement-1)",
            )
        if len(c.provenances) != 2:
            c.add(
                "Bundle",
                "Bundle.entry",
                "mc-ack-provenance",
                f"an Acknowledgement carries exactly two Provenances, found {len(c.provenances)}",
            )
        current = c.current
        if current is not None:
            revisions = [e for e in items(current.get("entity")) if e.get("role") == "revision"]
            ids = [reference_id(d(e.get("what")).get("reference"), "MessageHeader") for e in revisions]
            if len(revisions) != 1 or ids[0] is None:
                c.add(
                    label(current),
                    "Provenance.entity",
                    "mc-ack-provenance",
                    "the acknowledgement Provenance revises the acknowledged MessageHeader (one entity, role revision)",
                )
            elif acked is not None and ids[0] != acked:
                c.add(
                    label(current),
                    "Provenance.entity.what",
                    "mc-ack-provenance",
                    f"response.identifier {acked} and the Provenance entity {ids[0]} differ",
                    "warning",
                )
        for outcome_resource in self.msg.resources("OperationOutcome"):
            for i, issue in enumerate(items(outcome_resource.get("issue"))):
                for coding in items(d(issue.get("details")).get("coding")):
                    known = ACK_ISSUE_DETAIL_CODES.get(str(coding.get("system")))
                    if known is None or s(coding.get("code")) not in known:
                        c.add(
                            label(outcome_resource),
                            f"OperationOutcome.issue[{i}].details.coding",
                            "mc-ack-outcome",
                            f"{coding.get('system')}#{coding.get('code')} is not an acknowledgement issue code",
                            "warning",
                        )


def _sorted(issues: list[ValidationIssue]) -> list[ValidationIssue]:
    return [i for i in issues if i.severity == "error"] + [i for i in issues if i.severity != "error"]


def validate_message(raw: bytes | str | ParsedMessage, *, model_check: bool = False) -> ValidationResult:
    """Read (if given bytes) and validate a MedCom message. Never raises on bad input.

    ``model_check=True`` also builds the fhir.resources R4B model (about 2 ms for a HospitalNotification) and
    reports what it rejects; the built-in structure check already covers what matters for MedCom messages."""
    parsed = raw if isinstance(raw, ParsedMessage) else parse_message(raw)
    result = ValidationResult.of(parsed)
    if result.bundle is None:
        result.issues = _sorted(result.issues)
        return result
    structural = {(i.resource, i.path) for i in result.issues}
    try:
        for lbl, path, message, rule in fhirjson.check_structure(result.bundle):
            if (lbl, path) not in structural:
                result.issues.append(ValidationIssue(lbl, path, rule, message))
    except RecursionError:
        result.issues.append(
            ValidationIssue("Bundle", "Bundle", "mc-fhir-structure", "the message is nested too deeply")
        )
    if model_check:
        result.issues.extend(_model_issues(result.bundle, result.issues))
    try:
        _Checker(result).run()
    except Exception as exc:  # a rule met input too malformed to read: reported, never raised
        result.issues.append(
            ValidationIssue(
                "Bundle",
                "Bundle",
                "mc-internal",
                f"could not check the message: {type(exc).__name__}: {exc}"[:300],
            )
        )
    if result.valid:  # what passes is what the extraction can read (ingestion relies on it)
        try:
            extract.facts(result)
        except Exception as exc:
            result.issues.append(unreadable(exc))
    result.issues = _sorted(result.issues)
    return result


def unreadable(exc: BaseException) -> ValidationIssue:
    """The issue for a message the rules passed but the extraction cannot read (a gap in the rules)."""
    return ValidationIssue(
        "Bundle", "Bundle", "mc-internal", f"the message cannot be read: {type(exc).__name__}: {exc}"[:300]
    )


def _model_issues(bundle: dict[str, Any], known: list[ValidationIssue]) -> list[ValidationIssue]:
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        found = []
        for error in exc.errors()[:50]:
            loc = ".".join(str(p) for p in error.get("loc", ()))
            found.append(
                ValidationIssue(
                    "Bundle",
                    f"Bundle.{loc}" if loc else "Bundle",
                    "mc-fhir-structure",
                    f"fhir.resources: {error.get('msg', 'invalid')}",
                )
            )
        return found
    except (ValueError, TypeError, RecursionError) as exc:
        return [ValidationIssue("Bundle", "Bundle", "mc-fhir-structure", f"fhir.resources: {exc}"[:300])]
    return []


def check(raw: bytes | str) -> ValidationResult:
    """Compatibility name for ``validate_message``."""
    return validate_message(raw)


def normalized(raw: bytes | str) -> dict[str, Any]:
    """The message as the fhir.resources R4B model reads it (JSON and XML of one message give the same)."""
    from fhir.resources.R4B.bundle import Bundle

    data = raw.encode() if isinstance(raw, str) else raw
    model = Bundle.model_validate_xml(data) if data.lstrip()[:1] == b"<" else Bundle.model_validate_json(data)
    result: dict[str, Any] = json.loads(model.model_dump_json(by_alias=True, exclude_none=True))
    return result


# --- thread rules between two CareCommunications ------------------------------------------------------------
def _segments(msg: ParsedMessage) -> dict[str, dict[str, Any]]:
    header = d(msg.header())
    focus = items(header.get("focus"))
    com = d(msg.resolve_ref(focus[0])) if focus else {}
    found = {}
    for segment in items(com.get("payload")):
        value = s(d(extension_value(segment, IDENTIFIER_EXTENSION_URL, "valueIdentifier")).get("value"))
        if value:
            found[value] = segment
    return found


def _thread_id(msg: ParsedMessage) -> str | None:
    focus = items(d(msg.header()).get("focus"))
    com = d(msg.resolve_ref(focus[0])) if focus else {}
    ids = items(com.get("identifier"))
    return s(ids[0].get("value")) if ids else None


def _activity(msg: ParsedMessage) -> tuple[str | None, dict[str, Any]]:
    header_id = msg.message_id
    for provenance in msg.resources("Provenance"):
        if any(
            reference_id(t.get("reference"), "MessageHeader") == header_id
            for t in items(provenance.get("target"))
        ):
            codings = items(d(provenance.get("activity")).get("coding"))
            return (s(codings[0].get("code")) if codings else None), provenance
    return None, {}


def check_thread(earlier: ParsedMessage, later: ParsedMessage) -> list[ValidationIssue]:
    """Thread rules between a received CareCommunication and the reply or forward made from it (rule
    ``mc-cc-thread``): the later message points at the earlier one; a reply keeps the thread id, all earlier
    Provenances and text segments and does not resend attachment content; a forward starts a new thread id and
    keeps the content of the attachments it forwards."""
    issues: list[ValidationIssue] = []
    header_label = label(d(later.header()))

    def add(path: str, message: str, severity: Severity = "error") -> None:
        issues.append(ValidationIssue(header_label, path, "mc-cc-thread", message, severity))

    activity, provenance = _activity(later)
    if activity not in ("reply-message", "forward-message"):
        add("Provenance.activity", f"the later message is a {activity}, not a reply or forward")
        return issues
    refs = [
        reference_id(d(e.get("what")).get("reference"), "MessageHeader")
        for e in items(provenance.get("entity"))
        if e.get("role") == "revision"
    ]
    if refs != [earlier.message_id]:
        add("Provenance.entity.what", f"the {activity} must point at MessageHeader/{earlier.message_id}")
    same_thread = _thread_id(earlier) == _thread_id(later)
    if activity == "reply-message" and not same_thread:
        add("Communication.identifier", "a reply keeps the thread id (Communication.identifier)")
    if activity == "forward-message" and same_thread:
        add("Communication.identifier", "a forward starts a new thread id")
    before, after = _segments(earlier), _segments(later)
    earlier_targets = {
        reference_id(t.get("reference"), "MessageHeader")
        for p in earlier.resources("Provenance")
        for t in items(p.get("target"))
    }
    later_targets = {
        reference_id(t.get("reference"), "MessageHeader")
        for p in later.resources("Provenance")
        for t in items(p.get("target"))
    }
    if activity == "reply-message":
        missing = earlier_targets - later_targets
        if missing:
            add(
                "Provenance",
                f"a reply carries every earlier Provenance; missing for {', '.join(sorted(map(str, missing)))}",
            )
        for key, segment in before.items():
            if "contentString" in segment and key not in after:
                add("Communication.payload", f"a reply repeats every earlier text segment; {key} is missing")
            if "contentAttachment" in segment and key in after:
                content = d(after[key].get("contentAttachment"))
                if "data" in content or "url" in content:
                    add(
                        "Communication.payload",
                        f"attachment {key} was sent before; a reply keeps its segment without the content",
                        "warning",
                    )
        if not [k for k, v in after.items() if k not in before and "contentString" in v]:
            add("Communication.payload", "a reply adds a text segment")
    else:
        for key, segment in after.items():
            if key in before and "contentAttachment" in segment:
                content = d(segment.get("contentAttachment"))
                if "data" not in content and "url" not in content:
                    add(
                        "Communication.payload",
                        f"a forward includes the content of forwarded attachment {key}",
                        "warning",
                    )
    return issues
