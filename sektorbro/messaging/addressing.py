"""Who writes a letter about a course and to whom: the sending unit of the user's organisation, and the valid
recipients among which the user chooses before sending (the letter form names them, with location numbers).

The hospital writes to the citizen's municipality (the visitation by default, or another of its units, such as
home nursing) or to the citizen's GP; the municipality writes to the course's ward (by default) or the hospital,
or to the GP. Only units with a location number and a SOR code can receive a MedCom message. A reply goes back to
the sender of the letter it answers, from the unit the letter was addressed to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.courses.models import Course
from sektorbro.organisations.models import OrganisationUnit, UnitKind, valid_on

# The municipal units a hospital letter may go to, in the order offered (the first is the default).
MUNICIPAL_SERVICES = (
    "visitation",
    "home_nursing",
    "home_care",
    "acute_function",
    "nursing_home",
    "social_area",
    "children_youth",
)


@dataclass(frozen=True)
class Recipient:
    unit: OrganisationUnit
    to: str  # "hospital", "municipality" or "gp": the party the course event names

    @property
    def key(self) -> str:
        return self.unit.key


def party_of(unit: OrganisationUnit) -> str:
    if unit.kind in (UnitKind.HOSPITAL, UnitKind.DEPARTMENT):
        return "hospital"
    if unit.kind == UnitKind.GP_CLINIC:
        return "gp"
    return "municipality"


def addressable(unit: OrganisationUnit | None, day: dt.date | None = None) -> bool:
    """A unit a MedCom message can be addressed to today: it has both identifiers and is in force."""
    return (
        unit is not None
        and bool(unit.location_number and unit.sor_code)
        and unit.is_valid_on(day or timezone.localdate())
    )


def sender_unit(actor: Any, course: Course) -> OrganisationUnit | None:
    """The unit the user writes for in this course: the user's unit at the course's hospital or in the citizen's
    municipality. None when the user's organisation may not write (a GP, the social area, another municipality)."""
    for membership in actor.active_memberships() if hasattr(actor, "active_memberships") else []:
        sector = sector_of(membership.role)
        unit = membership.unit
        if sector == Sector.MUNICIPALITY and unit.municipality_id == course.citizen.residence_municipality_id:
            return unit
        if sector == Sector.HOSPITAL and unit.hospital is not None and unit.hospital.pk == course.hospital_id:
            return unit
    return None


def recipients(sender: OrganisationUnit, course: Course) -> list[Recipient]:
    """The valid recipients of a new letter from ``sender`` about ``course``, the default first."""
    day = timezone.localdate()
    found: list[OrganisationUnit] = []
    if sender.kind == UnitKind.MUNICIPAL_UNIT:
        found += [u for u in (course.department, course.hospital) if u is not None]
    else:
        units = OrganisationUnit.objects.filter(
            valid_on(day),
            kind=UnitKind.MUNICIPAL_UNIT,
            municipality_id=course.citizen.residence_municipality_id,
            municipal_service__in=MUNICIPAL_SERVICES,
        )
        found += sorted(units, key=lambda u: (MUNICIPAL_SERVICES.index(u.municipal_service), u.name))
    gp = course.citizen.gp_clinic
    if gp is not None:
        found.append(gp)
    seen: set[int] = set()
    result = []
    for unit in found:
        if unit.pk in seen or unit.pk == sender.pk or not addressable(unit, day):
            continue
        seen.add(unit.pk)
        result.append(Recipient(unit, party_of(unit)))
    return result


def reply_sender(actor: Any, course: Course, addressee: OrganisationUnit | None) -> OrganisationUnit | None:
    """Who answers a letter: the unit it was addressed to, when that is one of the user's organisation's units
    and the user may write in the course. None otherwise: only the addressee answers (not the letter's sender,
    who may see its own letter too)."""
    from sektorbro.messaging.selectors import reading_units

    if addressee is None or sender_unit(actor, course) is None:
        return None
    return addressee if reading_units(actor).filter(pk=addressee.pk).exists() else None
