"""Roles and which kind of organisation unit each role belongs to. Plain Python: no Django models."""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    HOSPITAL = "hospital"
    MUNICIPALITY = "municipality"
    GENERAL_PRACTICE = "general_practice"
    SOCIAL_AREA = "social_area"
    ANALYTICS = "analytics"
    GOVERNANCE = "governance"
    ADMINISTRATION = "administration"


ROLE_SECTOR: dict[str, Sector] = {
    "ward_nurse": Sector.HOSPITAL,
    "discharge_coordinator": Sector.HOSPITAL,
    "hospital_doctor": Sector.HOSPITAL,
    "municipal_visitator": Sector.MUNICIPALITY,
    "home_nurse": Sector.MUNICIPALITY,
    "acute_function_nurse": Sector.MUNICIPALITY,
    "gp": Sector.GENERAL_PRACTICE,
    "social_area_worker": Sector.SOCIAL_AREA,
    "data_analyst": Sector.ANALYTICS,
    "committee_secretary": Sector.GOVERNANCE,
    "administrator": Sector.ADMINISTRATION,
}

# Which organisation unit kinds a membership with a role of this sector may point at.
SECTOR_UNIT_KINDS: dict[Sector, frozenset[str]] = {
    Sector.HOSPITAL: frozenset({"hospital", "department"}),
    Sector.MUNICIPALITY: frozenset({"municipal_unit"}),
    Sector.GENERAL_PRACTICE: frozenset({"gp_clinic"}),
    Sector.SOCIAL_AREA: frozenset({"municipal_unit", "regional_social_unit"}),
    Sector.ANALYTICS: frozenset({"secretariat", "region"}),
    Sector.GOVERNANCE: frozenset({"secretariat", "region"}),
    Sector.ADMINISTRATION: frozenset(
        {
            "region",
            "secretariat",
            "hospital",
            "department",
            "municipal_unit",
            "gp_clinic",
            "regional_social_unit",
        }
    ),
}


def sector_of(role: str) -> Sector:
    try:
        return ROLE_SECTOR[role]
    except KeyError as exc:
        raise ValueError(f"unknown role {role!r}") from exc


def unit_kind_allowed(role: str, unit_kind: str) -> bool:
    return unit_kind in SECTOR_UNIT_KINDS[sector_of(role)]
