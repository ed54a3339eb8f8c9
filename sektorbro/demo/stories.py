"""Scripted demo courses in Randers, so the demo users meet every situation the agreement knows at once: an
updated care plan with what is new (NYT), treatment resumed after a færdigmelding, a weekend discharge that
still needs its agreement, a proposed discharge date waiting for the municipality's answer, a citizen on leave,
a patient assessed as terminal, a death in hospital and a transfer between two hospitals seen as one regional
stay (aftalen 2.2). Made once; a second run leaves them alone.

The random demo courses (``sektorbro.demo.region``) give volume; these give the cases a newcomer should be able to
find. Every event goes through the course services, as a user's or a hospital system's would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sektorbro.citizens.cpr import make_cpr
from sektorbro.citizens.models import Citizen
from sektorbro.courses import services
from sektorbro.courses.models import Course
from sektorbro.demo.signers import Signers
from sektorbro.organisations.models import Municipality, OrganisationUnit

CPH = ZoneInfo("Europe/Copenhagen")

Record = Callable[..., None]


@dataclass(frozen=True)
class Scripted:
    name: str
    born: dt.date
    female: bool
    serial: int
    admitted_hours_ago: int
    track: str
    history: Callable[[Record, dt.datetime], None]


def _next_saturday(now: dt.datetime) -> dt.date:
    today = now.astimezone(CPH).date()
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


def _care_plan_with_changes(add: Record, now: dt.datetime) -> None:
    add("admission_report_sent", now - dt.timedelta(hours=60))
    add("care_plan_sent", now - dt.timedelta(hours=44))
    day = f"{now.astimezone(CPH):%d.%m.%Y}"
    add(
        "care_plan_sent",
        now - dt.timedelta(hours=2),
        changes=[
            {"dato": day, "nyt": "Har nu brug for ilt om natten (1 l/min)."},
            {"dato": day, "nyt": "Kan ikke selv komme ud af sengen; forflytning med lift."},
        ],
    )


def _treatment_resumed(add: Record, now: dt.datetime) -> None:
    add("admission_report_sent", now - dt.timedelta(hours=100))
    add("care_plan_sent", now - dt.timedelta(hours=90))
    add("ready_for_discharge", now - dt.timedelta(hours=70))
    add("treatment_resumed", now - dt.timedelta(hours=20), note="Feber og stigende infektionstal.")


def _weekend_discharge(add: Record, now: dt.datetime) -> None:
    add("admission_report_sent", now - dt.timedelta(hours=80))
    add("care_plan_sent", now - dt.timedelta(hours=70))
    # Aftalen 2.1's checklist and what the stay waits for; aftalen 2.2's named patient-responsible doctor.
    add(
        "ready_for_discharge",
        now - dt.timedelta(hours=30),
        fmk_updated=True,
        rehab_plan_made=True,
        patient_informed=True,
        discharge_time_agreed=False,
        waiting_for="home_measures",
        waiting_reason="Plejeseng og loftlift skal op i hjemmet først.",
        responsible_doctor="Overlæge Karen Dahl",
    )
    # Aftalen 2.1: the hospital proposes the Saturday and the municipality accepts it; the weekend discharge
    # itself still needs its own phone agreement (flowchart P13).
    saturday = _next_saturday(now).isoformat()
    add("discharge_date_proposed", now - dt.timedelta(hours=7), date=saturday, by="hospital")
    add("discharge_date_accepted", now - dt.timedelta(hours=6), by="municipality")


def _proposed_date(add: Record, now: dt.datetime) -> None:
    add("admission_report_sent", now - dt.timedelta(hours=40))
    add("care_plan_sent", now - dt.timedelta(hours=30))
    proposed = (now + dt.timedelta(days=2)).astimezone(CPH).date()
    if proposed.weekday() >= 5:
        proposed += dt.timedelta(days=7 - proposed.weekday())
    add("discharge_date_proposed", now - dt.timedelta(hours=3), date=proposed.isoformat(), by="hospital")


def _on_leave(add: Record, now: dt.datetime) -> None:
    add("admission_report_sent", now - dt.timedelta(hours=90))
    add("leave_started", now - dt.timedelta(hours=5), note="Hjemme til sin datters fødselsdag til i aften.")


def _terminal(add: Record, now: dt.datetime) -> None:
    add("admission_report_sent", now - dt.timedelta(hours=110))
    add("terminal_assessed", now - dt.timedelta(hours=24))


def _died(add: Record, now: dt.datetime) -> None:
    add("admission_report_sent", now - dt.timedelta(hours=150))
    add("died", now - dt.timedelta(hours=14))


SCRIPTED = [
    Scripted("Karen Friis", dt.date(1939, 5, 17), True, 971, 70, "acute", _care_plan_with_changes),
    Scripted("Poul Dam", dt.date(1942, 8, 2), False, 972, 120, "acute", _treatment_resumed),
    Scripted("Edith Lund", dt.date(1935, 12, 9), True, 973, 96, "acute", _weekend_discharge),
    Scripted("Jens Mikkelsen", dt.date(1948, 3, 21), False, 974, 50, "planned", _proposed_date),
    Scripted("Else Bach", dt.date(1940, 7, 30), True, 975, 100, "acute", _on_leave),
    Scripted("Viggo Toft", dt.date(1933, 10, 5), False, 976, 130, "acute", _terminal),
    Scripted("Agnes Winther", dt.date(1931, 2, 11), True, 977, 170, "acute", _died),
]


def build_scripted_courses(now: dt.datetime, signers: Signers | None = None) -> int:
    """Create the scripted courses that are not there yet; returns how many were created."""
    randers = Municipality.objects.get(code="730")
    gp = OrganisationUnit.objects.get(key="laege-730-1")
    hospital = OrganisationUnit.objects.get(key="rhr")
    ward = OrganisationUnit.objects.get(key="rhr-medicin")
    signers = signers or Signers()
    created = 0
    for story in SCRIPTED:
        citizen, _ = Citizen.objects.update_or_create(
            cpr=make_cpr(story.born, story.serial, story.female),
            defaults={
                "name": story.name,
                "birth_date": story.born,
                "residence_municipality": randers,
                "gp_clinic": gp,
                "receives_elderly_care": True,
            },
        )
        if Course.objects.filter(citizen=citizen).exists():
            continue
        admitted = (now - dt.timedelta(hours=story.admitted_hours_ago)).replace(second=0, microsecond=0)
        course = services.open_course(
            actor=signers.hospital_of(hospital, ward)[0],
            citizen=citizen,
            hospital=hospital,
            department=ward,
            area="somatic",
            track=story.track,
            admitted_at=admitted,
        )

        def add(kind: str, at: dt.datetime, _course: Course = course, **data: Any) -> None:
            actor, organisation = signers.for_event(_course, kind, data)
            services.record_event(
                actor=actor,
                course=_course,
                event_type=kind,
                occurred_at=at,
                data=data,
                organisation=organisation,
                source="demo",
            )

        story.history(add, now)
        created += 1
    return created + build_transfer_story(now, signers)


#: The transfer story's citizen: almost six days at Randers, then moved to AUH's geriatric ward.
TRANSFER_CITIZEN = ("Ingrid Holm", dt.date(1936, 4, 14), True, 978)


def build_transfer_story(now: dt.datetime, signers: Signers | None = None) -> int:
    """A citizen moved after almost six days at Regionshospitalet Randers to Aarhus Universitetshospital, admitted
    there an hour after the transfer: one regional stay (aftalen 2.2). AUH's course is linked to Randers' by
    ``open_course`` (``AgreementSettings.transfer_gap_hours``), so its rules count from the first admission and
    do not ask the municipality for the admission report again. Returns how many courses were created."""
    name, born, female, serial = TRANSFER_CITIZEN
    citizen, _ = Citizen.objects.update_or_create(
        cpr=make_cpr(born, serial, female),
        defaults={
            "name": name,
            "birth_date": born,
            "residence_municipality": Municipality.objects.get(code="730"),
            "gp_clinic": OrganisationUnit.objects.get(key="laege-730-1"),
            "receives_elderly_care": True,
        },
    )
    if Course.objects.filter(citizen=citizen).exists():
        return 0
    at = now.replace(second=0, microsecond=0)
    signers = signers or Signers()

    def opened(hospital_key: str, department_key: str, hours_ago: int) -> Course:
        hospital = OrganisationUnit.objects.get(key=hospital_key)
        department = OrganisationUnit.objects.get(key=department_key)
        return services.open_course(
            actor=signers.hospital_of(hospital, department)[0],
            citizen=citizen,
            hospital=hospital,
            department=department,
            area="somatic",
            track="acute",
            admitted_at=at - dt.timedelta(hours=hours_ago),
        )

    def add(course: Course, kind: str, hours_ago: int, **data: Any) -> None:
        actor, organisation = signers.for_event(course, kind, data)
        services.record_event(
            actor=actor,
            course=course,
            event_type=kind,
            occurred_at=at - dt.timedelta(hours=hours_ago),
            data=data,
            organisation=organisation,
            source="demo",
        )

    randers = opened("rhr", "rhr-medicin", 160)
    add(randers, "admission_report_sent", 158)
    add(randers, "discharged", 21, destination="other_hospital")
    auh = opened("auh", "auh-geriatri", 20)
    add(auh, "care_plan_sent", 4)
    return 2
