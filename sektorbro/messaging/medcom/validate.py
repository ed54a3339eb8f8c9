"""Parsing and validating MedCom FHIR messages.

Structure is checked with the FHIR R4B models of ``fhir.resources``; on top, the MedCom profile rules that
matter for safe processing. Every issue names the resource, the element path and the rule id (see
docs/medcom.md for the list)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sektorbro.citizens.cpr import InvalidCpr, parse_cpr

EVENT_SYSTEM = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes"
EVENTS = {
    "hospital-notification-message": "hospitalnotification",
    "care-communication-message": "carecommunication",
    "acknowledgement-message": "acknowledgement",
    "empty-message": "messaging",
}
CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
SOR_SYSTEM = "urn:oid:1.2.208.176.1.1"
GLN_SYSTEMS = ("https://www.gs1.org/gln", "urn:oid:1.3.88")
DESTINATION_USE = "medcom-messaging-destinationUseExtension"
CC_CATEGORIES = frozenset(
    {
        "alcohol-and-drug-treatment", "assistive-devices", "carecoordination", "decease", "discharge",
        "examination-results", "healthcare", "home-care-assessment", "medicine", "nursing", "outpatient",
        "psychiatry-social-disability", "regarding-referral", "telemedicine", "training", "acute-ambulant",
        "extended-care-responsibility", "other",
    }
)  # fmt: skip
ENCOUNTER_STATUSES = frozenset({"in-progress", "onleave", "finished", "entered-in-error"})
ACK_CODES = frozenset({"ok", "transient-error", "fatal-error"})
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ZONE = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Issue:
    resource: str
    path: str
    rule: str
    message: str
    severity: str = "error"

    def as_dict(self) -> dict[str, str]:
        return {"resource": self.resource, "path": self.path, "rule": self.rule, "message": self.message}

    def line(self) -> str:
        return f"{self.resource} {self.path} [{self.rule}] {self.message}"


@dataclass
class Checked:
    """The outcome of checking one message: its JSON form (when it could be parsed) and the issues."""

    bundle: dict[str, Any] | None
    content_type: str
    issues: list[Issue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.bundle is not None and not any(i.severity == "error" for i in self.issues)

    def resources(self) -> list[dict[str, Any]]:
        return [e.get("resource", {}) for e in (self.bundle or {}).get("entry", []) if isinstance(e, dict)]

    def header(self) -> dict[str, Any] | None:
        entries = (self.bundle or {}).get("entry") or []
        first = entries[0].get("resource") if entries and isinstance(entries[0], dict) else None
        return first if isinstance(first, dict) and first.get("resourceType") == "MessageHeader" else None

    def resolve(self, reference: str | None) -> dict[str, Any] | None:
        if not reference:
            return None
        return _index(self.bundle or {}).get(reference) or _index(self.bundle or {}).get(_tail(reference))


def _tail(reference: str) -> str:
    parts = reference.rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference


def _index(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    index: dict[str, dict[str, Any]] = {}
    for entry in bundle.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        resource = entry.get("resource") or {}
        key = f"{resource.get('resourceType')}/{resource.get('id')}"
        index[key] = resource
        if entry.get("fullUrl"):
            index[entry["fullUrl"]] = resource
    return index


def _label(resource: dict[str, Any]) -> str:
    return f"{resource.get('resourceType', '?')}/{resource.get('id', '?')}"


def parse(raw: bytes) -> Checked:
    """Parse JSON or XML into the R4B Bundle model and return its JSON form, or a parse issue."""
    if len(raw) > MAX_BYTES:
        return Checked(
            None, "", [Issue("Bundle", "Bundle", "mc-size", f"the message is larger than {MAX_BYTES} bytes")]
        )
    text = raw.lstrip()
    content_type = "xml" if text[:1] == b"<" else "json" if text[:1] == b"{" else ""
    if not content_type:
        return Checked(None, "", [Issue("Bundle", "Bundle", "mc-parse", "neither JSON nor XML")])
    from fhir.resources.R4B.bundle import Bundle

    try:
        if content_type == "json":
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
                return Checked(
                    None,
                    content_type,
                    [Issue("Bundle", "Bundle.resourceType", "mc-bundle", "the message is not a FHIR Bundle")],
                )
            model = Bundle.model_validate(data)
        else:
            model = Bundle.model_validate_xml(raw)
    except json.JSONDecodeError as exc:
        return Checked(
            None,
            content_type,
            [
                Issue(
                    "Bundle",
                    "Bundle",
                    "mc-parse",
                    f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                )
            ],
        )
    except ValidationError as exc:
        issues = []
        for error in exc.errors()[:50]:
            loc = ".".join(str(p) for p in error.get("loc", ()))
            issues.append(
                Issue(
                    "Bundle",
                    f"Bundle.{loc}" if loc else "Bundle",
                    "mc-fhir-structure",
                    error.get("msg", "invalid"),
                )
            )
        return Checked(None, content_type, issues)
    except Exception as exc:  # lxml and the model raise many kinds for broken XML
        return Checked(
            None,
            content_type,
            [Issue("Bundle", "Bundle", "mc-parse", f"cannot be read: {exc}".strip()[:300])],
        )
    if content_type == "json":
        return Checked(data, content_type)  # the model accepted it; rules read the original JSON
    bundle = json.loads(model.model_dump_json(by_alias=True, exclude_none=True))
    return Checked(bundle, content_type)


def _walk(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    else:
        yield path, value


def _gln_ok(value: str) -> bool:
    if not re.fullmatch(r"\d{13}", value):
        return False
    digits = [int(c) for c in value]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def check(raw: bytes) -> Checked:
    checked = parse(raw)
    if checked.bundle is None:
        return checked
    bundle = checked.bundle
    issues = checked.issues
    if bundle.get("type") != "message":
        issues.append(Issue("Bundle", "Bundle.type", "mc-bundle-type", "must be 'message'"))
    if not bundle.get("id"):
        issues.append(Issue("Bundle", "Bundle.id", "mc-bundle-id", "a Bundle id is required"))
    if not bundle.get("timestamp"):
        issues.append(Issue("Bundle", "Bundle.timestamp", "mc-bundle-timestamp", "a timestamp is required"))
    header = checked.header()
    if header is None:
        issues.append(
            Issue("Bundle", "Bundle.entry[0]", "mc-header-first", "the first entry must be the MessageHeader")
        )
        return checked
    hlabel = _label(header)
    coding = header.get("eventCoding") or {}
    event = coding.get("code")
    if coding.get("system") != EVENT_SYSTEM or event not in EVENTS:
        issues.append(
            Issue(hlabel, "MessageHeader.eventCoding", "mc-header-event", f"unknown message event {event!r}")
        )
    else:
        profiles = " ".join(header.get("meta", {}).get("profile", [])).lower()
        if profiles and EVENTS[event] not in profiles:
            issues.append(
                Issue(
                    hlabel,
                    "MessageHeader.meta.profile",
                    "mc-header-profile",
                    f"the profile does not match the event {event}",
                )
            )
    destinations = header.get("destination") or []
    primaries = [
        d for d in destinations
        if any(DESTINATION_USE in (x.get("url") or "") and (x.get("valueCoding") or {}).get("code") == "primary" for x in d.get("extension", []))
    ]  # fmt: skip
    if len(primaries) != 1 or len(destinations) != 1:
        issues.append(
            Issue(
                hlabel,
                "MessageHeader.destination",
                "mc-destination",
                "exactly one primary destination is required (no cc)",
            )
        )
    # References inside the bundle must resolve (Provenance targets and entities point at earlier messages).
    for resource in checked.resources():
        label = _label(resource)
        for path, value in _walk(resource, resource.get("resourceType", "?")):
            if not path.endswith(".reference") or not isinstance(value, str):
                continue
            if resource.get("resourceType") == "Provenance" and (
                ".target[" in path
                or ".entity[" in path
                or not any(
                    _tail(t.get("reference", "")) == f"MessageHeader/{header.get('id')}"
                    for t in resource.get("target", [])
                )
            ):
                continue  # earlier messages' Provenances point at resources of those messages
            if value.startswith("#") or checked.resolve(value) is not None:
                continue
            issues.append(
                Issue(
                    label, path, "mc-reference", f"the reference {value!r} does not resolve inside the Bundle"
                )
            )
        for path, value in _walk(resource, resource.get("resourceType", "?")):
            if isinstance(value, str) and _DATETIME.match(value) and not _ZONE.search(value):
                issues.append(Issue(label, path, "mc-timestamp-zone", f"{value!r} has no time zone"))
    for role in ("sender",):
        org = checked.resolve((header.get(role) or {}).get("reference"))
        if org is None:
            issues.append(
                Issue(hlabel, f"MessageHeader.{role}", "mc-sender", "the sender organisation is missing")
            )
    for i, destination in enumerate(destinations):
        if checked.resolve((destination.get("receiver") or {}).get("reference")) is None:
            issues.append(
                Issue(
                    hlabel,
                    f"MessageHeader.destination[{i}].receiver",
                    "mc-receiver",
                    "the receiver organisation is missing",
                )
            )
    for resource in checked.resources():
        kind = resource.get("resourceType")
        label = _label(resource)
        if kind == "Organization":
            ids = resource.get("identifier") or []
            sor = [x.get("value", "") for x in ids if x.get("system") == SOR_SYSTEM]
            gln = [x.get("value", "") for x in ids if x.get("system") in GLN_SYSTEMS]
            is_messaging = any(
                "medcom-messaging-organization" in p for p in resource.get("meta", {}).get("profile", [])
            )
            for value in sor:
                if not re.fullmatch(r"\d{1,18}", value):
                    issues.append(
                        Issue(
                            label,
                            "Organization.identifier:SOR",
                            "mc-sor",
                            f"{value!r} is not a SOR code (digits)",
                        )
                    )
            for value in gln:
                if not _gln_ok(value):
                    issues.append(
                        Issue(
                            label,
                            "Organization.identifier:GLN",
                            "mc-gln",
                            f"{value!r} is not a valid location number (13 digits, GS1 check digit)",
                        )
                    )
            if is_messaging and (not sor or not gln):
                issues.append(
                    Issue(
                        label,
                        "Organization.identifier",
                        "mc-org-ids",
                        "a messaging organisation needs both a SOR code and a location number",
                    )
                )
        elif kind == "Patient":
            ids = resource.get("identifier") or []
            if not ids:
                issues.append(
                    Issue(label, "Patient.identifier", "mc-patient-id", "the patient has no identifier")
                )
            for x in ids:
                if x.get("system") == CPR_SYSTEM:
                    try:
                        parse_cpr(str(x.get("value", "")))
                    except InvalidCpr as exc:
                        issues.append(Issue(label, "Patient.identifier:cpr", "mc-cpr", str(exc)))
    provenances = [r for r in checked.resources() if r.get("resourceType") == "Provenance"]
    if not provenances:
        issues.append(Issue("Bundle", "Bundle.entry", "mc-provenance", "at least one Provenance is required"))
    elif not any(
        _tail(t.get("reference", "")) == f"MessageHeader/{header.get('id')}"
        for p in provenances
        for t in p.get("target", [])
    ):
        issues.append(
            Issue(
                "Bundle",
                "Provenance.target",
                "mc-provenance-current",
                "no Provenance describes this message (target = its MessageHeader)",
            )
        )
    if event == "hospital-notification-message":
        _check_hospital_notification(checked, header, issues)
    elif event == "care-communication-message":
        _check_care_communication(checked, header, issues)
    elif event == "acknowledgement-message":
        _check_acknowledgement(header, issues)
    return checked


def _check_hospital_notification(checked: Checked, header: dict[str, Any], issues: list[Issue]) -> None:
    focus = [checked.resolve(f.get("reference")) for f in header.get("focus", [])]
    encounter = next((f for f in focus if f and f.get("resourceType") == "Encounter"), None)
    hlabel = _label(header)
    if encounter is None:
        issues.append(Issue(hlabel, "MessageHeader.focus", "mc-hn-focus", "the focus must be the Encounter"))
        return
    label = _label(encounter)
    if encounter.get("status") not in ENCOUNTER_STATUSES:
        issues.append(
            Issue(
                label,
                "Encounter.status",
                "mc-hn-status",
                f"status {encounter.get('status')!r} is not allowed",
            )
        )
    code = (encounter.get("class") or {}).get("code")
    if code not in ("IMP", "EMER"):
        issues.append(Issue(label, "Encounter.class", "mc-hn-class", f"class {code!r} is not IMP or EMER"))
    if not (encounter.get("period") or {}).get("start"):
        issues.append(
            Issue(label, "Encounter.period.start", "mc-hn-period", "the start of the stay is required")
        )
    if not any((e.get("identifier") or {}).get("value") for e in encounter.get("episodeOfCare", [])):
        issues.append(
            Issue(
                label,
                "Encounter.episodeOfCare.identifier",
                "mc-hn-episode",
                "an episode-of-care identifier is required",
            )
        )
    patients = [r for r in checked.resources() if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        issues.append(Issue("Bundle", "Bundle.entry", "mc-hn-patient", "exactly one Patient is required"))


def _check_care_communication(checked: Checked, header: dict[str, Any], issues: list[Issue]) -> None:
    focus = [checked.resolve(f.get("reference")) for f in header.get("focus", [])]
    communication = next((f for f in focus if f and f.get("resourceType") == "Communication"), None)
    if communication is None:
        issues.append(
            Issue(_label(header), "MessageHeader.focus", "mc-cc-focus", "the focus must be the Communication")
        )
        return
    label = _label(communication)
    codes = [c.get("code") for cat in communication.get("category", []) for c in cat.get("coding", [])]
    if not codes or not codes[0]:
        issues.append(
            Issue(
                label, "Communication.category.coding.code", "mc-cc-category", "the category code is required"
            )
        )
    elif codes[0] not in CC_CATEGORIES:
        issues.append(
            Issue(
                label,
                "Communication.category.coding.code",
                "mc-cc-category",
                f"unknown category {codes[0]!r}",
            )
        )
    if not communication.get("payload"):
        issues.append(Issue(label, "Communication.payload", "mc-cc-payload", "the message has no content"))


def _check_acknowledgement(header: dict[str, Any], issues: list[Issue]) -> None:
    response = header.get("response") or {}
    if response.get("code") not in ACK_CODES:
        issues.append(
            Issue(
                _label(header),
                "MessageHeader.response.code",
                "mc-ack-code",
                f"response code {response.get('code')!r} is not ok, transient-error or fatal-error",
            )
        )
    if not response.get("identifier"):
        issues.append(
            Issue(
                _label(header),
                "MessageHeader.response.identifier",
                "mc-ack-identifier",
                "the acknowledged message id is required",
            )
        )


def normalized(raw: bytes) -> dict[str, Any]:
    """The message as the FHIR model reads it (JSON and XML of the same message give the same result)."""
    from fhir.resources.R4B.bundle import Bundle

    model = Bundle.model_validate_xml(raw) if raw.lstrip()[:1] == b"<" else Bundle.model_validate_json(raw)
    result: dict[str, Any] = json.loads(model.model_dump_json(by_alias=True, exclude_none=True))
    return result
