"""Who may deliver a message: a transport (an API token, a drop folder) acts for named sender organisations,
and a message that speaks for anyone else is refused before it is stored.

A message speaks for its ``MessageHeader.sender`` and, in a HospitalNotification, for the
``Encounter.serviceProvider`` (the hospital department a course is opened at). Each of them must be one of the
transport's organisations or one of their sub-units (a hospital covers its departments), recognised by SOR code or
location number (GLN); an identifier that belongs to an organisation outside them refuses the message too, so a
known identifier cannot be paired with a foreign one. A message that cannot be read that far is not refused here:
it is stored and rejected as invalid with its negative acknowledgement as before."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from sektorbro.core import audit
from sektorbro.messaging.medcom import extract
from sektorbro.messaging.medcom.message import d, parse_message
from sektorbro.organisations.models import OrganisationUnit

security_log = logging.getLogger("sektorbro.security")


@dataclass(frozen=True)
class Refusal:
    """Why a delivery is refused: the sender it names and a reason for the sender and the security log."""

    sender: str  # e.g. "Regionshospitalet Randers (SOR 123, GLN 579…)" or "" when it names none
    reason: str


def label(party: extract.Organisation) -> str:
    ids = ", ".join(
        x for x in (f"SOR {party.sor}" if party.sor else "", f"GLN {party.gln}" if party.gln else "") if x
    )
    return f"{party.name or 'uden navn'} ({ids or 'uden SOR-kode og lokationsnummer'})"


def with_sub_units(units: Iterable[OrganisationUnit]) -> list[OrganisationUnit]:
    """The units and every unit below them (a hospital's departments, a region's hospitals)."""
    found = {u.pk: u for u in units}
    frontier = list(found)
    while frontier:
        children = [u for u in OrganisationUnit.objects.filter(parent_id__in=frontier) if u.pk not in found]
        found.update((u.pk, u) for u in children)
        frontier = [u.pk for u in children]
    return list(found.values())


def parties(raw: bytes) -> list[extract.Organisation] | None:
    """The organisations a message speaks for; None when it cannot be read that far (no Bundle or header)."""
    parsed = parse_message(raw)
    header = parsed.header() if parsed.bundle is not None else None
    if header is None:
        return None
    try:
        common = extract.common(parsed)
    except Exception:  # unreadable for extraction: the validator rejects it when it is processed
        return None
    found = [common.sender] if common.sender is not None else []
    if common.kind == "hospital-notification-message":
        provider = _service_provider(parsed)
        if provider is not None:
            found.append(provider)
    return found


def _service_provider(parsed: Any) -> extract.Organisation | None:
    try:
        return extract.hospital_notification(parsed).service_provider
    except Exception:
        # Read it directly: ingestion reads the Encounter the same way when it applies the message.
        for resource in parsed.resources("Encounter"):
            organisation = parsed.resolve_ref(d(resource).get("serviceProvider"))
            if organisation is not None:
                return extract._organisation(organisation)
        return None


def refusal(raw: bytes, senders: Iterable[OrganisationUnit]) -> Refusal | None:
    """Why a transport acting for ``senders`` may not deliver this message, or None when it may."""
    allowed = with_sub_units(senders)
    if not allowed:
        return Refusal("", "Afleveringen er ikke knyttet til nogen afsenderorganisation.")
    spoken_for = parties(raw)
    if spoken_for is None:
        return None
    glns = {u.location_number for u in allowed if u.location_number}
    sors = {u.sor_code for u in allowed if u.sor_code}
    for party in spoken_for:
        ours = (party.gln and party.gln in glns) or (party.sor and party.sor in sors)
        claimed = Q(pk__in=[])
        if party.gln:
            claimed |= Q(location_number=party.gln)
        if party.sor:
            claimed |= Q(sor_code=party.sor)
        foreign = OrganisationUnit.objects.filter(claimed).exclude(pk__in=[u.pk for u in allowed]).exists()
        if not ours or foreign:
            return Refusal(
                label(party),
                f"Afsenderen {label(party)} er ikke blandt de organisationer, denne aflevering må sende for.",
            )
    return None


def log_refusal(
    refused: Refusal, *, transport: str, delivered_by: str, actor: Any = None, sha256: str = ""
) -> None:
    """Write the refusal as a security event: a log line for operations and an audit row (no message content,
    no CPR: the sender and who delivered it)."""
    security_log.warning(
        "security: MedCom delivery refused (%s, delivered by %s): sender %s",
        transport,
        delivered_by,
        refused.sender or "-",
    )
    audit.record(
        actor=actor,
        actor_label=None if actor is not None else delivered_by[:150],
        action="security.medcom_sender_refused",
        subject_type="medcom_delivery",
        subject_id=sha256[:80] or "-",
        data={
            "transport": transport,
            "delivered_by": delivered_by,
            "sender": refused.sender,
            "reason": refused.reason,
        },
    )
