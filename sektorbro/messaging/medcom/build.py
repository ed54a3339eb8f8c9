"""Building outbound messages: the Acknowledgement for a received message (positive or negative). Built
messages pass the same validator, carry fresh UUIDs and round-trip between JSON and XML."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sektorbro.messaging.medcom.extract import Party, common
from sektorbro.messaging.medcom.validate import EVENT_SYSTEM, GLN_SYSTEMS, SOR_SYSTEM, Checked, Issue, _tail

MESSAGING = "http://medcomfhir.dk/ig/messaging/StructureDefinition"
ACK = "http://medcomfhir.dk/ig/acknowledgement/StructureDefinition"
ACTIVITY_SYSTEM = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"
ERROR_SYSTEM = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-acknowledgement-error-codes"


class CannotAcknowledge(ValueError):
    """The received message does not say who sent it, so there is nobody to answer."""


def _organization(party: Party, org_id: str) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": org_id,
        "meta": {"profile": [f"{MESSAGING}/medcom-messaging-organization"]},
        "identifier": [
            {"system": GLN_SYSTEMS[0], "value": party.gln},
            {"system": SOR_SYSTEM, "value": party.sor},
        ],
        "name": party.name or "Ukendt",
    }


def _stamp(now: dt.datetime) -> str:
    return now.isoformat(timespec="seconds")


def acknowledgement(
    received: Checked,
    *,
    code: str,
    issues: list[Issue] | None = None,
    now: dt.datetime,
    fallback_sender: Party | None = None,
) -> dict[str, Any]:
    """The Acknowledgement of a received message: ``ok``, ``transient-error`` or ``fatal-error``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    facts = common(received) if received.bundle is not None else None
    if facts is None or facts.sender is None or not facts.message_id:
        raise CannotAcknowledge("the received message has no readable MessageHeader and sender")
    us = facts.receiver or fallback_sender
    if us is None:
        raise CannotAcknowledge("the received message names no receiver")
    header_id, bundle_id = str(uuid.uuid4()), str(uuid.uuid4())
    our_org, their_org = str(uuid.uuid4()), str(uuid.uuid4())
    header = received.header() or {}
    original = next(
        (
            r
            for r in received.resources()
            if r.get("resourceType") == "Provenance"
            and any(
                _tail(t.get("reference", "")) == f"MessageHeader/{header.get('id')}"
                for t in r.get("target", [])
            )
        ),
        None,
    )
    provenances: list[dict[str, Any]] = []
    if original is not None:
        copied = json.loads(json.dumps(original))
        copied["agent"] = [{"who": {"reference": f"Organization/{their_org}"}}]
        copied.pop("entity", None)
        copied.pop("text", None)
        copied["target"] = [{"reference": f"MessageHeader/{facts.message_id}"}]
        provenances.append(copied)
    provenances.append(
        {
            "resourceType": "Provenance",
            "id": str(uuid.uuid4()),
            "meta": {"profile": [f"{MESSAGING}/medcom-messaging-provenance"]},
            "target": [{"reference": f"MessageHeader/{header_id}"}],
            "occurredDateTime": _stamp(now),
            "recorded": _stamp(now),
            "activity": {"coding": [{"system": ACTIVITY_SYSTEM, "code": "acknowledgement"}]},
            "agent": [{"who": {"reference": f"Organization/{our_org}"}}],
            "entity": [{"role": "revision", "what": {"reference": f"MessageHeader/{facts.message_id}"}}],
        }
    )
    response: dict[str, Any] = {"identifier": facts.message_id, "code": code}
    entries: list[dict[str, Any]] = []
    outcome = None
    if code != "ok":
        outcome_id = str(uuid.uuid4())
        response["details"] = {"reference": f"OperationOutcome/{outcome_id}"}
        outcome = {
            "resourceType": "OperationOutcome",
            "id": outcome_id,
            "meta": {"profile": [f"{ACK}/medcom-acknowledgement-operationoutcome"]},
            "issue": [
                {
                    "severity": "error",
                    "code": "structure" if code == "fatal-error" else "transient",
                    "details": {
                        "coding": [
                            {
                                "system": ERROR_SYSTEM,
                                "code": "MSG_VALUESET_VALUE_UNKNOWN"
                                if code == "fatal-error"
                                else "MSG_Mailbox_Out_Of_Operation",
                            }
                        ],
                        "text": issue.line()[:1000],
                    },
                }
                for issue in (
                    issues or [Issue("Bundle", "Bundle", "mc-unknown", "the message could not be processed")]
                )[:20]
            ],
        }
    message_header = {
        "resourceType": "MessageHeader",
        "id": header_id,
        "meta": {"profile": [f"{ACK}/medcom-messaging-acknowledgementHeader"]},
        "eventCoding": {"system": EVENT_SYSTEM, "code": "acknowledgement-message"},
        "destination": [
            {
                "extension": [
                    {
                        "url": f"{MESSAGING}/medcom-messaging-destinationUseExtension",
                        "valueCoding": {
                            "system": "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-destinationUse",
                            "code": "primary",
                        },
                    }
                ],
                "endpoint": f"https://sor2.sum.dsdn.dk/#id={facts.sender.sor}",
                "receiver": {"reference": f"Organization/{their_org}"},
            }
        ],
        "sender": {"reference": f"Organization/{our_org}"},
        "source": {"endpoint": f"https://sor2.sum.dsdn.dk/#id={us.sor}"},
        "response": response,
    }
    for resource in [
        message_header,
        *provenances,
        _organization(us, our_org),
        _organization(facts.sender, their_org),
    ]:
        entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    if outcome is not None:
        entries.append({"fullUrl": f"urn:uuid:{outcome['id']}", "resource": outcome})
    for entry in entries:  # references by fullUrl style used in the bundle
        entry["fullUrl"] = (
            f"https://sektorbro.invalid/{entry['resource']['resourceType']}/{entry['resource']['id']}"
        )
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "meta": {"profile": [f"{ACK}/medcom-messaging-acknowledgement"]},
        "type": "message",
        "timestamp": _stamp(now),
        "entry": entries,
    }


def to_json(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, ensure_ascii=False, indent=2)


def to_xml(bundle: dict[str, Any]) -> str:
    from fhir.resources.R4B.bundle import Bundle

    xml = Bundle.model_validate(bundle).model_dump_xml()
    return xml.decode() if isinstance(xml, bytes) else str(xml)


CC = "http://medcomfhir.dk/ig/carecommunication/StructureDefinition"
CORE = "http://medcomfhir.dk/ig/core/StructureDefinition"
CC_DEFINITION = "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.0"
CATEGORY_SYSTEM = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-careCommunication-categoryCodes"


def care_communication(
    *,
    sender: Party,
    receiver: Party,
    patient_cpr: str,
    patient_name: str,
    category: str,
    text: str,
    now: dt.datetime,
    topic: str = "",
    author_phone: str = "",
    reply_to: Checked | None = None,
) -> dict[str, Any]:
    """A CareCommunication 5.0: a new message, or (``reply_to``) a reply in the received message's thread. A
    reply keeps the thread id and the earlier texts, and carries the earlier Provenances plus a new one."""
    from sektorbro.messaging.medcom.validate import CC_CATEGORIES, CPR_SYSTEM

    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if category not in CC_CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    if category == "other" and not topic:
        raise ValueError("the category 'other' needs a topic")
    if not text.strip():
        raise ValueError("the message has no text")
    ids = {
        k: str(uuid.uuid4())
        for k in ("header", "bundle", "patient", "communication", "us", "them", "provenance")
    }
    segment = str(uuid.uuid4())
    thread = f"urn:uuid:{uuid.uuid4()}"
    earlier_payload: list[dict[str, Any]] = []
    earlier_provenances: list[dict[str, Any]] = []
    activity, entity = (
        "new-message",
        [{"role": "source", "what": {"identifier": {"value": f"urn:uuid:{segment}"}}}],
    )
    if reply_to is not None:
        header = reply_to.header() or {}
        communication = (
            next((r for f in header.get("focus", []) if (r := reply_to.resolve(f.get("reference")))), {})
            or {}
        )
        thread = next((x.get("value", "") for x in communication.get("identifier", [])), thread)
        topic = topic or (communication.get("topic") or {}).get("text", "")
        for payload in communication.get("payload", []):
            if "contentString" not in payload:
                continue  # earlier attachments are not repeated
            kept = json.loads(json.dumps(payload))
            kept["extension"] = [x for x in kept.get("extension", []) if "valueReference" not in x]
            for extension in kept["extension"]:
                if "valueIdentifier" in extension:
                    extension["valueIdentifier"].pop("assigner", None)
            earlier_payload.append(kept)
        for provenance in reply_to.resources():
            if provenance.get("resourceType") == "Provenance":
                copied = json.loads(json.dumps(provenance))
                copied.pop("text", None)
                copied["agent"] = [{"who": {"reference": f"Organization/{ids['them']}"}}]
                earlier_provenances.append(copied)
        activity = "reply-message"
        entity = [{"role": "revision", "what": {"reference": f"MessageHeader/{header.get('id')}"}}]
    stamp = _stamp(now)
    payload = {
        "extension": [
            {"url": f"{CORE}/medcom-core-datetime-extension", "valueDateTime": stamp},
            {
                "url": f"{CORE}/medcom-core-identifier-extension",
                "valueIdentifier": {"value": f"urn:uuid:{segment}"},
            },
            *(
                [
                    {
                        "url": f"{CORE}/medcom-core-contact-extension",
                        "valueContactPoint": {"system": "phone", "value": author_phone},
                    }
                ]
                if author_phone
                else []
            ),
        ],
        "contentString": text,
    }
    family, _, given = patient_name.rpartition(" ")
    resources: list[dict[str, Any]] = [
        {
            "resourceType": "MessageHeader",
            "id": ids["header"],
            "meta": {"profile": [f"{CC}/medcom-careCommunication-messageHeader"]},
            "eventCoding": {"system": EVENT_SYSTEM, "code": "care-communication-message"},
            "destination": [
                {
                    "extension": [
                        {
                            "url": f"{MESSAGING}/medcom-messaging-destinationUseExtension",
                            "valueCoding": {
                                "system": "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-destinationUse",
                                "code": "primary",
                            },
                        }
                    ],
                    "endpoint": f"https://sor2.sum.dsdn.dk/#id={receiver.sor}",
                    "receiver": {"reference": f"Organization/{ids['them']}"},
                }
            ],
            "sender": {"reference": f"Organization/{ids['us']}"},
            "source": {"endpoint": f"https://sor2.sum.dsdn.dk/#id={sender.sor}"},
            "focus": [{"reference": f"Communication/{ids['communication']}"}],
            "definition": CC_DEFINITION,
        },
        {
            "resourceType": "Patient",
            "id": ids["patient"],
            "meta": {"profile": [f"{CORE}/medcom-core-patient"]},
            "identifier": [{"system": CPR_SYSTEM, "value": patient_cpr}],
            "name": [{"use": "official", "family": family or given, "given": [given] if family else []}],
        },
        {
            "resourceType": "Communication",
            "id": ids["communication"],
            "meta": {"profile": [f"{CC}/medcom-careCommunication-communication"]},
            "identifier": [{"value": thread}],
            "status": "unknown",
            "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": category}]}],
            "subject": {"reference": f"Patient/{ids['patient']}"},
            **({"topic": {"text": topic}} if topic else {}),
            "payload": [payload, *earlier_payload],
        },
        _organization(sender, ids["us"]),
        _organization(receiver, ids["them"]),
        *earlier_provenances,
        {
            "resourceType": "Provenance",
            "id": ids["provenance"],
            "meta": {"profile": [f"{CC}/medcom-careCommunication-provenance"]},
            "target": [{"reference": f"MessageHeader/{ids['header']}"}],
            "occurredDateTime": stamp,
            "recorded": stamp,
            "activity": {"coding": [{"system": ACTIVITY_SYSTEM, "code": activity}]},
            "agent": [{"who": {"reference": f"Organization/{ids['us']}"}}],
            "entity": entity,
        },
    ]
    return {
        "resourceType": "Bundle",
        "id": ids["bundle"],
        "meta": {"profile": [f"{CC}/medcom-careCommunication-message"]},
        "type": "message",
        "timestamp": stamp,
        "entry": [
            {"fullUrl": f"https://sektorbro.invalid/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
