"""The platform's own courses as input to the indicator engine, in the registry shape (docs/registry-format.md).

Each course that was not cancelled becomes one physical contact; its citizen becomes a person; its
færdigbehandlet periods (as the agreement's rules fold them: a registration until treatment resumed or a
terminal assessment) become ``ready_for_discharge`` rows. What the platform does not know is said plainly:

* Diagnoses: MedCom's hospital notifications carry none, so every contact gets ``DR69`` (the SKS code for an
  unknown or unspecified cause). The readmission exclusions for cancer, births and injuries therefore cannot
  apply, and the indicators built on diagnoses or on the chronic population are not computed.
* Open courses: a course still open is cut at the extraction time; the period must end before the day of the
  extraction, so no open course is counted as a discharge.
* Population: only from a FOLK1A-shaped file the caller gives; without one the population-based figures and
  the standardised values are empty.

Person ids are Sektorbro's internal citizen ids, never CPR numbers; sex is read from the CPR number's last digit
and not written anywhere else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.db.models import Prefetch
from django.utils import timezone

from sektorbro.agreement.history import agreed_discharge_date, fold
from sektorbro.agreement.model import local_date
from sektorbro.courses.models import Course, CourseEvent
from sektorbro.courses.snapshot import agreement_settings, build_snapshot
from sektorbro.indicators.registry import TABLES, Registry, registry_from_tables

UNKNOWN_DIAGNOSIS = "DR69"
# The indicators the platform's data can answer (the others need diagnoses or the chronic population).
PLATFORM_INDICATORS = (
    "discharges",
    "readmission_30d_somatic",
    "readmission_30d_psychiatric",
    "ready_days",
    "ready_days_amount",
    "ready_discharged_same_day",
)
DISCHARGE_MODES = {
    "own_home": "home",
    "nursing_home": "home",
    "other_hospital": "transfer",
    "dead": "died",
}
RESUMING = ("treatment_resumed", "terminal_assessed")


@dataclass
class PlatformExtract:
    tables: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)


def _sex(cpr: str) -> str:
    return "M" if int(cpr[-1]) % 2 else "F"


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _billed_until(ready_day: dt.date, agreed: dt.date | None) -> str:
    """Aftalen 2.1 as the rules read it (docs/agreement-rules.md): the municipality pays for the days from the
    ready date up to the agreed discharge date, and only when a real agreement puts that date after the ready
    date; otherwise nothing (an empty value). The same as ``agreement.ready.billable_days``."""
    return agreed.isoformat() if agreed is not None and agreed > ready_day else ""


def read_population(path: Path) -> pd.DataFrame:
    """A FOLK1A-shaped population file (CSV or Parquet: year, municipality_code, sex, age, count)."""
    frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path, dtype=str)
    missing = [c for c in TABLES["population"][2] if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: the population file has no column {', '.join(missing)}")
    return frame


def platform_tables(*, until: dt.datetime, population: pd.DataFrame | None = None) -> PlatformExtract:
    """Persons, contacts, ready-for-discharge periods (and the given population) from the stored courses."""
    notes = [
        "Kilde: Sektorbros egne forløb; diagnoser kendes ikke (DR69), så eksklusioner for kræft, fødsler og "
        "skader er ikke anvendt. / Source: Sektorbro's own courses; diagnoses are unknown (DR69), so the "
        "exclusions for cancer, births and injuries are not applied.",
    ]
    courses = (
        Course.objects.filter(admitted_at__lte=until)
        .exclude(state_status="cancelled")
        .select_related("citizen", "citizen__residence_municipality", "hospital", "hospital__cluster")
        .select_related("department", "municipality")
        .prefetch_related(
            Prefetch("events", queryset=CourseEvent.objects.select_related("supersedes").order_by("seq"))
        )
        .order_by("pk")
    )
    persons: dict[int, dict[str, Any]] = {}
    contacts: list[dict[str, Any]] = []
    ready: list[dict[str, Any]] = []
    settings = agreement_settings()
    for course in courses.iterator(chunk_size=1000):
        snapshot = build_snapshot(course, list(course.events.all()))
        state = fold(snapshot, until, settings)
        agreed = agreed_discharge_date(snapshot, until, settings)
        if state.status in ("cancelled", "not_admitted"):
            continue
        citizen = course.citizen
        person = persons.setdefault(
            citizen.pk,
            {
                "person_id": citizen.pk,
                "birth_date": citizen.birth_date.isoformat(),
                "sex": _sex(citizen.cpr),
                "municipality_code": citizen.residence_municipality.code,
                "death_date": "",
            },
        )
        ended = state.ended_at is not None and state.ended_at <= until
        if ended and state.status == "dead" and state.ended_at is not None:
            person["death_date"] = timezone.localdate(state.ended_at).isoformat()
        mode = "died" if state.status == "dead" else DISCHARGE_MODES.get(state.destination or "", "other")
        contacts.append(
            {
                "contact_id": course.pk,
                "person_id": citizen.pk,
                "start": _iso(course.admitted_at),
                "end": _iso(state.ended_at if ended else until),
                "unit_code": course.department.key if course.department else "",
                "hospital_code": course.hospital.key,
                "area": course.area,
                "priority": "ATA1" if course.track == "acute" else "ATA3",
                "contact_type": "ALCA00",
                "action_diagnosis": UNKNOWN_DIAGNOSIS,
                "hospice": "false",
                "discharge_mode": mode if ended else "other",
                "municipality_code": course.municipality.code,
            }
        )
        for period in state.periods:
            resumed = (
                period.end if period.ended_by in RESUMING and period.end and period.end <= until else None
            )
            ready.append(
                {
                    "contact_id": course.pk,
                    "ready_at": _iso(period.start),
                    "resumed_at": _iso(resumed),
                    "billed_until": _billed_until(local_date(period.start), agreed),
                }
            )
    if population is None:
        notes.append(
            "Ingen befolkningsfil: befolkningstal og standardiserede værdier er tomme. / No population file: "
            "population figures and standardised values are empty."
        )
        population = pd.DataFrame({c: pd.Series(dtype="object") for c in TABLES["population"][2]})
    frames = {
        "persons": pd.DataFrame(list(persons.values()), columns=list(TABLES["persons"][2])),
        "contacts": pd.DataFrame(contacts, columns=list(TABLES["contacts"][2])),
        "ready_for_discharge": pd.DataFrame(
            ready, columns=[*TABLES["ready_for_discharge"][2], "billed_until"]
        ),
        "population": population,
    }
    return PlatformExtract(frames, notes)


def platform_registry(
    *,
    until: dt.datetime,
    last_day: dt.date,
    population: pd.DataFrame | None = None,
    memory_limit: str | None = None,
) -> tuple[Registry, list[str]]:
    """The platform's courses loaded and validated like a registry folder. ``last_day`` (the period's end)
    must be before the extraction day, so no course still open is counted as discharged."""
    if last_day >= timezone.localdate(until):
        raise ValueError(
            "perioden skal slutte før udtrækkets dag (åbne forløb er ikke udskrevet) / the period must end "
            f"before the day of the extraction ({timezone.localdate(until):%d.%m.%Y}): open courses are not discharged"
        )
    extract = platform_tables(until=until, population=population)
    return registry_from_tables(extract.tables, memory_limit=memory_limit), extract.notes


class SektorbroCourses:
    """The platform's courses as the indicator engine's ``--from-platform`` source (``indicators.cli.PlatformSource``)."""

    indicators = PLATFORM_INDICATORS

    def registry(
        self, *, last_day: dt.date, population: Path | None, memory_limit: str | None
    ) -> tuple[Registry, list[str]]:
        table = read_population(population) if population else None
        return platform_registry(
            until=timezone.now(), last_day=last_day, population=table, memory_limit=memory_limit
        )
