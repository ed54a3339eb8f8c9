"""Narratives (``Resource.text``) for built messages: a short XHTML summary naming the resource id, the
resources it references and its must-support content, in Danish with English in brackets. Attachment data is
never put in a narrative.

Every element MedCom's profiles mark as shown in the narrative (the obligation ``SHALL:in-narrative``) is in it
when the resource has it: for a MessageHeader the event, destination endpoint and use, receiver, sender and
source endpoint; for a Communication its status, category code, priority, topic, the references (subject,
encounter, sender, recipient) and of every segment its date, author, author telephone and text, or for an
attachment its title, type, link and date. ``tests/messaging/test_built_conformance.py`` checks this against the
StructureDefinitions."""

from __future__ import annotations

from html import escape
from typing import Any

from sektorbro.messaging.medcom.message import d, items, s, xml_safe
from sektorbro.messaging.medcom.terminology import (
    AUTHOR_EXTENSION_URL,
    CC_CATEGORIES,
    CONTACT_EXTENSION_URL,
    DATETIME_EXTENSION_URL,
    DESTINATION_USE_URL,
    GLN_SYSTEMS,
    SOR_SYSTEM,
)

XHTML = "http://www.w3.org/1999/xhtml"


def _text(value: Any) -> str:
    text = xml_safe(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(text, quote=False).replace("\n", "<br/>")


def _refs(resource: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "reference" and isinstance(item, str):
                    found.append(item)
                elif key not in ("text",):
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk({k: v for k, v in resource.items() if k != "text"})
    return found


def _segment(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """A Communication.payload segment: its date, author and author telephone, then its text or attachment."""
    values = {x.get("url"): x for x in items(payload.get("extension"))}
    written = s(values.get(DATETIME_EXTENSION_URL, {}).get("valueDateTime")) or ""
    author = s(d(values.get(AUTHOR_EXTENSION_URL, {}).get("valueReference")).get("reference")) or ""
    phone = s(d(values.get(CONTACT_EXTENSION_URL, {}).get("valueContactPoint")).get("value")) or ""
    signed = ", ".join(x for x in (written, author, f"tlf. (phone) {phone}" if phone else "") if x)
    lines = [("Skrevet (written)", signed)]
    if "contentString" in payload:
        lines.append(("Tekst (text)", str(payload["contentString"])))
    else:
        attachment = d(payload.get("contentAttachment"))
        parts = [
            str(attachment.get(key))
            for key in ("title", "contentType", "url", "creation")
            if attachment.get(key) is not None
        ]
        lines.append(("Bilag (attachment)", " ".join(parts)))
    return lines


def _lines(resource: dict[str, Any]) -> list[tuple[str, str]]:
    kind = resource.get("resourceType")
    lines: list[tuple[str, str]] = []
    if kind == "MessageHeader":
        lines.append(("Meddelelsestype (event)", str(d(resource.get("eventCoding")).get("code", ""))))
        for destination in items(resource.get("destination")):
            use = next(
                (
                    str(d(x.get("valueCoding")).get("code", ""))
                    for x in items(destination.get("extension"))
                    if x.get("url") == DESTINATION_USE_URL
                ),
                "",
            )
            label = f"Modtager (destination, {use})" if use else "Modtager (destination)"
            where = s(destination.get("endpoint")) or ""
            receiver = s(d(destination.get("receiver")).get("reference")) or ""
            lines.append((label, f"{where} {receiver}".strip()))
        lines.append(("Afsender (sender)", s(d(resource.get("sender")).get("reference")) or ""))
        lines.append(("Afsenderadresse (source)", s(d(resource.get("source")).get("endpoint")) or ""))
        response = d(resource.get("response"))
        if response:
            lines.append(
                ("Kvittering for (acknowledges)", f"{response.get('identifier')} ({response.get('code')})")
            )
    elif kind == "Patient":
        for identifier in items(resource.get("identifier")):
            lines.append(("Id (identifier)", f"{identifier.get('value')} ({identifier.get('system')})"))
        for name in items(resource.get("name")):
            lines.append(
                ("Navn (name)", " ".join([*name.get("given", []), s(name.get("family")) or ""]).strip())
            )
        if "deceasedBoolean" in resource:
            lines.append(("Død (deceased)", "ja (yes)" if resource["deceasedBoolean"] else "nej (no)"))
    elif kind == "Organization":
        lines.append(("Navn (name)", s(resource.get("name")) or ""))
        for identifier in items(resource.get("identifier")):
            what = (
                "SOR"
                if identifier.get("system") == SOR_SYSTEM
                else "EAN/GLN"
                if identifier.get("system") in GLN_SYSTEMS
                else str(identifier.get("system"))
            )
            lines.append((what, str(identifier.get("value"))))
    elif kind == "Encounter":
        lines.append(("Status", str(resource.get("status"))))
        lines.append(("Klasse (class)", str(d(resource.get("class")).get("code"))))
        period = d(resource.get("period"))
        lines.append(("Periode (period)", f"{period.get('start', '')} – {period.get('end', '')}"))
        for episode in items(resource.get("episodeOfCare")):
            lines.append(("Forløbs-id (episode of care)", str(d(episode.get("identifier")).get("value"))))
        for extension in items(resource.get("extension")):
            if "valuePeriod" in extension:
                leave = d(extension["valuePeriod"])
                lines.append(("Orlov (leave)", f"{leave.get('start', '')} – {leave.get('end', '')}"))
    elif kind == "Communication":
        code = next(
            (str(c.get("code")) for cat in items(resource.get("category")) for c in items(cat.get("coding"))),
            "",
        )
        da, en = CC_CATEGORIES.get(code, (code, code))
        lines.append(("Status", str(resource.get("status", ""))))
        lines.append(("Kategori (category)", f"{da} ({en}; {code})"))
        if d(resource.get("topic")).get("text"):
            lines.append(("Emne (topic)", str(resource["topic"]["text"])))
        if resource.get("priority"):
            lines.append(("Prioritet (priority)", str(resource["priority"])))
        for identifier in items(resource.get("identifier")):
            lines.append(("Tråd (thread)", str(identifier.get("value"))))
        for payload in items(resource.get("payload")):
            lines += _segment(payload)
    elif kind == "Provenance":
        code = next((str(c.get("code")) for c in items(d(resource.get("activity")).get("coding"))), "")
        lines.append(("Aktivitet (activity)", code))
        lines.append(("Tidspunkt (occurred)", str(resource.get("occurredDateTime", ""))))
        for entity in items(resource.get("entity")):
            target = d(entity.get("what"))
            lines.append(
                (
                    f"Entitet (entity, {entity.get('role')})",
                    str(target.get("reference") or d(target.get("identifier")).get("value")),
                )
            )
    elif kind == "OperationOutcome":
        for issue in items(resource.get("issue")):
            codes = ", ".join(str(c.get("code")) for c in items(d(issue.get("details")).get("coding")))
            lines.append(
                (
                    f"Fejl (issue, {issue.get('severity')})",
                    f"{codes} {d(issue.get('details')).get('text', '')}".strip(),
                )
            )
    elif kind in ("Practitioner",):
        for name in items(resource.get("name")):
            lines.append(
                ("Navn (name)", " ".join([*name.get("given", []), s(name.get("family")) or ""]).strip())
            )
    elif kind == "PractitionerRole":
        for concept in items(resource.get("code")):
            role = concept.get("text") or next((c.get("code") for c in items(concept.get("coding"))), "")
            lines.append(("Rolle (role)", str(role)))
    elif kind == "CareTeam":
        lines.append(("Navn (name)", s(resource.get("name")) or ""))
    return lines


def narrative(resource: dict[str, Any]) -> dict[str, str]:
    """``Resource.text`` for a resource (status generated)."""
    kind = _text(resource.get("resourceType"))
    rid = _text(resource.get("id"))
    rows = "".join(f"<tr><td>{_text(k)}</td><td>{_text(v)}</td></tr>" for k, v in _lines(resource) if v)
    refs = "".join(f"<li>{_text(r)}</li>" for r in _refs(resource))
    div = f'<div xmlns="{XHTML}"><p><b>{kind} {rid}</b></p>'
    if rows:
        div += f"<table>{rows}</table>"
    if refs:
        div += f"<p>Referencer (references):</p><ul>{refs}</ul>"
    div += "</div>"
    return {"status": "generated", "div": div}
