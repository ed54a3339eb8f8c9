"""Synthetic, valid HospitalNotifications for tests, benchmarks and demo data.

Fictitious citizens (CPR numbers valid by format and date, modulus 11 not applied), deterministic for a given
seed (apart from the UUIDs, which are always fresh uuid4s). Every message passes ``validate_message``.

    from sektorbro.messaging.medcom import synthetic
    messages = list(synthetic.notifications(10_000, sender=ward, receiver=municipality, seed=1))  # JSON bytes
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sektorbro.messaging.medcom.build import (
    BuildOptions,
    HospitalNotificationDraft,
    Organisation,
    Patient,
    hospital_notification_message,
    to_json,
)
from sektorbro.messaging.medcom.identifiers import fictitious_cpr

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# Test organisations (those of MedCom's examples: a hospital department and a municipal unit).
HOSPITAL_WARD = Organisation(
    "Hjerteafdelingen, Herlev og Gentofte Hospital", "265161000016000", "5790000209354"
)
MUNICIPALITY = Organisation("Plejecenter Herlev", "953741000016009", "5790001348120")

GIVEN = ("Anna", "Bent", "Birgit", "Carl", "Dorthe", "Erik", "Grethe", "Hans", "Inge", "Jens", "Karen", "Lars",
         "Lone", "Mads", "Mette", "Niels", "Ole", "Pia", "Poul", "Rita", "Søren", "Tove", "Ulla", "Viggo")  # fmt: skip
FAMILY = ("Andersen", "Christensen", "Hansen", "Jensen", "Jørgensen", "Larsen", "Madsen", "Mikkelsen", "Møller",
          "Nielsen", "Olsen", "Pedersen", "Petersen", "Poulsen", "Rasmussen", "Sørensen", "Thomsen")  # fmt: skip

# Typical courses of a stay (each a valid sequence of notification codes).
FLOWS: dict[str, tuple[str, ...]] = {
    "admission-discharge": ("STIN", "SLHJ"),
    "acute-ambulant": ("STAA", "SLHJ"),
    "leave": ("STIN", "STOR", "SLOR", "SLHJ"),
    "death": ("STIN", "MORS"),
    "corrected-admission": ("STIN", "RE_STIN", "SLHJ"),
    "cancelled-admission": ("STIN", "AN_STIN"),
    "cancelled-discharge": ("STIN", "SLHJ", "AN_SLHJ", "SLHJ"),
}


def fictitious_patient(rng: random.Random, serial: int) -> Patient:
    born = dt.date(1925, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 95))
    return Patient(
        cpr=fictitious_cpr(born, serial),
        family=rng.choice(FAMILY),
        given=(rng.choice(GIVEN),),
    )


@dataclass
class _Stay:
    start: dt.datetime
    end: dt.datetime | None = None
    leave_start: dt.datetime | None = None
    leave_end: dt.datetime | None = None


def stay(
    codes: Sequence[str],
    *,
    patient: Patient,
    admitted_at: dt.datetime,
    sender: Organisation = HOSPITAL_WARD,
    receiver: Organisation = MUNICIPALITY,
    episode_of_care_id: str | None = None,
    step: dt.timedelta = dt.timedelta(hours=20),
    options: BuildOptions | None = None,
) -> list[dict[str, Any]]:
    """The notifications of one stay, in order (each carrying the Provenance chain of the ones before).

    ``codes`` such as ("STIN", "STOR", "SLOR", "SLHJ"); events happen ``step`` apart, each sent a minute after
    it happened; a correction (RE_) moves the corrected time an hour later."""
    if admitted_at.tzinfo is None:
        raise ValueError("admitted_at must be timezone-aware")
    options = options or BuildOptions()
    episode = episode_of_care_id or str(uuid.uuid4())
    klass = "EMER" if codes and codes[0] == "STAA" else "IMP"
    state = _Stay(start=admitted_at)
    moment = admitted_at
    messages: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for i, code in enumerate(codes):
        if i:
            moment = moment + step
        base = code.split("_", 1)[-1]
        correction = code.startswith("RE_")
        cancellation = code.startswith("AN_")
        if base in ("STIN", "STAA") and correction:
            state.start = state.start + dt.timedelta(hours=1)
        elif base == "STOR" and not cancellation:
            state.leave_start = (
                state.leave_start + dt.timedelta(hours=1) if correction and state.leave_start else moment
            )
        elif base == "SLOR" and not cancellation:
            state.leave_end = (
                state.leave_end + dt.timedelta(hours=1) if correction and state.leave_end else moment
            )
        elif base in ("SLHJ", "MORS") and not cancellation:
            state.end = state.end + dt.timedelta(hours=1) if correction and state.end else moment
        elif base in ("SLHJ", "MORS") and cancellation:
            state.end = None
        if base == "STOR" and cancellation:
            state.leave_start = None
        if base == "SLOR" and cancellation:
            state.leave_end = None
        draft = HospitalNotificationDraft(
            event_code=code,
            sender=sender,
            receiver=receiver,
            patient=patient,
            episode_of_care_id=episode,
            start=state.start,
            end=state.end,
            leave_start=state.leave_start,
            leave_end=state.leave_end,
            sent_at=moment + dt.timedelta(minutes=1),
            encounter_class=klass,
            previous=previous,
        )
        message = hospital_notification_message(draft, options=options)
        messages.append(message)
        previous = message
    return messages


def notifications(
    count: int,
    *,
    sender: Organisation = HOSPITAL_WARD,
    receiver: Organisation = MUNICIPALITY,
    seed: int = 0,
    first_admission: dt.datetime | None = None,
    flows: Sequence[str] = ("admission-discharge",),
    narratives: bool = True,
) -> Iterator[bytes]:
    """``count`` HospitalNotifications as JSON bytes: whole stays (see ``FLOWS``) of distinct fictitious citizens,
    admissions spread over the days after ``first_admission``, in the order a hospital would send them per stay."""
    rng = random.Random(seed)
    start = first_admission or dt.datetime(2026, 1, 5, 8, 0, tzinfo=COPENHAGEN)
    options = BuildOptions(narratives=narratives)
    produced = 0
    serial = 0
    while produced < count:
        flow = FLOWS[flows[serial % len(flows)]]
        admitted = (start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 60))).astimezone(COPENHAGEN)
        patient = fictitious_patient(rng, serial)
        step = dt.timedelta(hours=rng.randrange(4, 96))
        for message in stay(
            flow,
            patient=patient,
            admitted_at=admitted,
            sender=sender,
            receiver=receiver,
            step=step,
            options=options,
        ):
            if produced == count:
                return
            yield to_json(message, indent=None).encode("utf-8")
            produced += 1
        serial += 1
