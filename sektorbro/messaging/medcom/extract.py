"""The facts the platform acts on, read from a checked message (domain-neutral, no Django)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sektorbro.messaging.medcom.validate import CPR_SYSTEM, GLN_SYSTEMS, SOR_SYSTEM, Checked, _tail

ACTIVITY_CODES = {
    "admit-emergency": "STAA",
    "revise-admit-emergency": "RE_STAA",
    "cancel-admit-emergency": "AN_STAA",
    "admit-inpatient": "STIN",
    "revise-admit-inpatient": "RE_STIN",
    "cancel-admit-inpatient": "AN_STIN",
    "start-leave-inpatient": "STOR",
    "revise-start-leave-inpatient": "RE_STOR",
    "cancel-start-leave-inpatient": "AN_STOR",
    "end-leave-inpatient": "SLOR",
    "revise-end-leave-inpatient": "RE_SLOR",
    "cancel-end-leave-inpatient": "AN_SLOR",
    "discharge-emergency-home": "SLHJ",
    "discharge-inpatient-home": "SLHJ",
    "revise-discharge-emergency-home": "RE_SLHJ",
    "revise-discharge-inpatient-home": "RE_SLHJ",
    "cancel-discharge-emergency-home": "AN_SLHJ",
    "cancel-discharge-inpatient-home": "AN_SLHJ",
}
EVENT_LABELS = {
    "STAA": ("Start sygehusophold – akut ambulant", "Acute outpatient stay started"),
    "STIN": ("Start sygehusophold – indlagt", "Admitted"),
    "STOR": ("Start orlov", "Leave started"),
    "SLOR": ("Slut orlov", "Back from leave"),
    "SLHJ": ("Slut sygehusophold", "Discharged"),
    "MORS": ("Død", "Died"),
}


def event_label(code: str) -> tuple[str, str]:
    base = code.split("_", 1)[-1]
    da, en = EVENT_LABELS.get(base, (code, code))
    if code.startswith("RE_"):
        return f"Rettelse: {da}", f"Correction: {en}"
    if code.startswith("AN_"):
        return f"Annullering: {da}", f"Cancellation: {en}"
    return da, en


def _time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


@dataclass(frozen=True)
class Party:
    name: str
    sor: str
    gln: str


def _party(resource: dict[str, Any] | None) -> Party | None:
    if resource is None:
        return None
    ids = resource.get("identifier") or []
    return Party(
        name=resource.get("name", ""),
        sor=next((x.get("value", "") for x in ids if x.get("system") == SOR_SYSTEM), ""),
        gln=next((x.get("value", "") for x in ids if x.get("system") in GLN_SYSTEMS), ""),
    )


@dataclass(frozen=True)
class Common:
    kind: str
    message_id: str
    envelope_id: str
    sent_at: dt.datetime | None
    activity: str
    refers_to: str | None  # the MessageHeader id of the earlier message this one follows, corrects or cancels
    sender: Party | None
    receiver: Party | None
    patient_cpr: str | None
    patient_name: str
    deceased: bool


@dataclass(frozen=True)
class HospitalNotificationFacts:
    common: Common
    event_code: str
    encounter_class: str
    encounter_status: str
    start: dt.datetime | None
    end: dt.datetime | None
    leave_start: dt.datetime | None
    leave_end: dt.datetime | None
    episode_ids: tuple[str, ...]
    service_provider: Party | None
    report_of_admission: bool


@dataclass(frozen=True)
class CareCommunicationFacts:
    common: Common
    category: str
    topic: str
    texts: tuple[str, ...]
    attachments: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    thread_id: str = ""
    priority: str = ""


@dataclass(frozen=True)
class AcknowledgementFacts:
    common: Common
    acknowledged_id: str
    code: str
    problems: tuple[str, ...]


def _current_provenance(checked: Checked, header: dict[str, Any]) -> dict[str, Any] | None:
    mine = [
        r
        for r in checked.resources()
        if r.get("resourceType") == "Provenance"
        and any(
            _tail(t.get("reference", "")) == f"MessageHeader/{header.get('id')}" for t in r.get("target", [])
        )
    ]
    return mine[-1] if mine else None


def _patient_name(patient: dict[str, Any]) -> str:
    for name in patient.get("name") or []:
        if name.get("text"):
            return str(name["text"])
        parts = [*name.get("given", []), name.get("family", "")]
        text = " ".join(p for p in parts if p)
        if text:
            return text
    return ""


def common(checked: Checked) -> Common:
    header = checked.header() or {}
    provenance = _current_provenance(checked, header) or {}
    activity = next((c.get("code", "") for c in (provenance.get("activity") or {}).get("coding", [])), "")
    refers = None
    for entity in provenance.get("entity", []):
        reference = (entity.get("what") or {}).get("reference")
        if reference:
            refers = _tail(reference).split("/")[-1]
    patient = next((r for r in checked.resources() if r.get("resourceType") == "Patient"), {})
    cpr = next((x.get("value") for x in patient.get("identifier", []) if x.get("system") == CPR_SYSTEM), None)
    destination = (header.get("destination") or [{}])[0]
    return Common(
        kind=(header.get("eventCoding") or {}).get("code", ""),
        message_id=str(header.get("id", "")),
        envelope_id=str((checked.bundle or {}).get("id", "")),
        sent_at=_time(provenance.get("occurredDateTime")) or _time((checked.bundle or {}).get("timestamp")),
        activity=activity,
        refers_to=refers,
        sender=_party(checked.resolve((header.get("sender") or {}).get("reference"))),
        receiver=_party(checked.resolve((destination.get("receiver") or {}).get("reference"))),
        patient_cpr=cpr,
        patient_name=_patient_name(patient),
        deceased=bool(patient.get("deceasedBoolean")) or bool(patient.get("deceasedDateTime")),
    )


def hospital_notification(checked: Checked) -> HospitalNotificationFacts:
    header = checked.header() or {}
    base = common(checked)
    encounter = (
        next(
            (
                checked.resolve(f.get("reference"))
                for f in header.get("focus", [])
                if checked.resolve(f.get("reference"))
            ),
            {},
        )
        or {}
    )
    leave = next(
        (
            x.get("valuePeriod") or {}
            for x in encounter.get("extension", [])
            if "leave-period" in (x.get("url") or "")
        ),
        {},
    )
    code = ACTIVITY_CODES.get(base.activity, "")
    if base.deceased:
        code = "MORS"
    elif not code:
        code = "AN_MORS" if encounter.get("status") in ("in-progress", "onleave") else "MORS"
    flag = next(
        (
            x.get("valueBoolean")
            for x in header.get("extension", [])
            if "reportOfAdmissionExtension" in (x.get("url") or "")
        ),
        False,
    )
    return HospitalNotificationFacts(
        common=base,
        event_code=code,
        encounter_class=(encounter.get("class") or {}).get("code", ""),
        encounter_status=encounter.get("status", ""),
        start=_time((encounter.get("period") or {}).get("start")),
        end=_time((encounter.get("period") or {}).get("end")),
        leave_start=_time(leave.get("start")),
        leave_end=_time(leave.get("end")),
        episode_ids=tuple(
            (e.get("identifier") or {}).get("value", "")
            for e in encounter.get("episodeOfCare", [])
            if (e.get("identifier") or {}).get("value")
        ),
        service_provider=_party(checked.resolve((encounter.get("serviceProvider") or {}).get("reference"))),
        report_of_admission=bool(flag),
    )


def care_communication(checked: Checked) -> CareCommunicationFacts:
    header = checked.header() or {}
    communication = (
        next((r for f in header.get("focus", []) if (r := checked.resolve(f.get("reference")))), {}) or {}
    )
    texts: list[str] = []
    attachments: list[dict[str, Any]] = []
    for payload in communication.get("payload", []):
        if payload.get("contentString"):
            texts.append(str(payload["contentString"]))
        attachment = payload.get("contentAttachment")
        if attachment:
            data = attachment.get("data")
            size = attachment.get("size") or (len(base64.b64decode(data, validate=False)) if data else None)
            attachments.append(
                {
                    "title": attachment.get("title", ""),
                    "content_type": attachment.get("contentType", ""),
                    "size": size,
                    "url": attachment.get("url", ""),
                }
            )
    category = next(
        (c.get("code", "") for cat in communication.get("category", []) for c in cat.get("coding", [])), ""
    )
    topic = (communication.get("topic") or {}).get("text", "")
    thread = next((x.get("value", "") for x in communication.get("identifier", [])), "")
    return CareCommunicationFacts(
        common=common(checked),
        category=category,
        topic=topic,
        texts=tuple(texts),
        attachments=tuple(attachments),
        thread_id=thread,
        priority=communication.get("priority", ""),
    )


def acknowledgement(checked: Checked) -> AcknowledgementFacts:
    header = checked.header() or {}
    response = header.get("response") or {}
    outcome = checked.resolve((response.get("details") or {}).get("reference")) or {}
    problems = tuple(
        (i.get("details") or {}).get("text")
        or next((c.get("code", "") for c in (i.get("details") or {}).get("coding", [])), "")
        for i in outcome.get("issue", [])
    )
    return AcknowledgementFacts(
        common=common(checked),
        acknowledged_id=str(response.get("identifier", "")),
        code=response.get("code", ""),
        problems=problems,
    )
