"""The acute function's worklist (issue #5 §1): the citizens in the municipal acute function right now, who is
the patient-responsible doctor at this moment (the rules core's decision) and which phone to call.

Responsibility changes with the clock (the GP's direct line is open on weekdays 08–16), so it is decided at
read time; it is a pure computation per row on the page, with no query per citizen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import get_language

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.agreement.model import AcuteFunction, CitizenFacts, CourseSnapshot
from sektorbro.agreement.responsibility import responsible_doctor
from sektorbro.citizens.access import citizens_visible_to
from sektorbro.citizens.models import Citizen
from sektorbro.courses.models import Course
from sektorbro.organisations.models import OrganisationUnit

ACUTE_ROLE = "acute_function_nurse"


@dataclass
class AcuteRow:
    citizen: Citizen
    party: str  # gp | hospital
    phone_route: str  # gp_direct_line | out_of_hours | hospital_24_7 | department
    phone: str
    reason: str
    sources: list[str]
    course: Course | None  # the latest course, for the hospital's phone
    phone_unit: OrganisationUnit | None = None  # whose number ``phone`` is (shown with its example mark)
    name: str = ""  # the named patient-responsible doctor (aftalen 2.2), where given


# What a row needs of the citizen's latest course.
COURSE_FIELDS = (
    "public_id",
    "ended_at",
    "state_status",
    "state_doctor",
    "hospital__name",
    "hospital__phone",
    "hospital__phone_is_example",
    "department__name",
    "department__phone",
    "department__phone_is_example",
)


def has_acute_role(user: Any) -> bool:
    return any(m.role == ACUTE_ROLE for m in user.active_memberships())


def acute_municipalities(user: Any) -> set[int]:
    return {
        m.unit.municipality_id
        for m in user.active_memberships()
        if m.role == ACUTE_ROLE and sector_of(m.role) == Sector.MUNICIPALITY and m.unit.municipality_id
    }


def decide(citizen: Citizen, course: Course | None, at: dt.datetime, language: str) -> AcuteRow:
    """The responsible doctor and phone route for one citizen in the acute function at ``at``."""
    in_hospital = (
        course is not None
        and course.ended_at is None
        and course.state_status
        in (
            "admitted",
            "on_leave",
            "ready_for_discharge",
            "treatment_resumed",
        )
    )
    if in_hospital and course is not None:
        doctor: dict[str, Any] = dict(course.state_doctor or {})
    else:
        acute = AcuteFunction(
            referred_by=citizen.acute_function_referred_by, since=citizen.acute_function_since or at
        )
        # Not in hospital: a stay that has ended when the acute function began stands for "not admitted".
        since = citizen.acute_function_since or at
        snapshot = CourseSnapshot(
            area="somatic",
            track="acute",
            admitted_at=since,
            discharged_at=since,
            discharge_destination="own_home",
            citizen=CitizenFacts(acute_function=acute),
        )
        decision = responsible_doctor(snapshot, at)
        doctor = {
            **decision.value,
            "reasons": [r.as_dict() for r in decision.reasons],
            "sources": list(decision.sources),
        }
    route = str(doctor.get("phone_route") or "")
    phone_unit: OrganisationUnit | None = None
    if route == "gp_direct_line" and citizen.gp_clinic is not None:
        phone_unit = citizen.gp_clinic
    elif route in ("department", "hospital_24_7") and course is not None:
        unit = course.department or course.hospital
        phone_unit = unit if unit.phone else course.hospital
    phone = phone_unit.phone if phone_unit is not None else ""
    reasons = doctor.get("reasons") or []
    reason = " ".join(r[language] for r in reasons)
    return AcuteRow(
        citizen=citizen,
        party=str(doctor.get("party") or ""),
        phone_route=route,
        phone=phone,
        phone_unit=phone_unit if phone else None,
        reason=reason,
        sources=list(doctor.get("sources") or []),
        course=course,
        name=str(doctor.get("name") or ""),
    )


def acute_citizens(user: Any) -> QuerySet[Citizen]:
    """The citizens in an acute function of the user's municipality (and visible to the user), newest first."""
    municipalities = acute_municipalities(user)
    if not municipalities:
        return Citizen.objects.none()
    latest = Course.objects.filter(citizen=OuterRef("pk")).order_by("-admitted_at", "-pk").values("pk")[:1]
    return (
        citizens_visible_to(user)
        .filter(
            acute_function_unit__municipality_id__in=municipalities,
            acute_function_since__isnull=False,
        )
        .exclude(acute_function_referred_by="")
        .select_related("acute_function_unit", "gp_clinic")
        .annotate(latest_course_id=Subquery(latest))
        .order_by("-acute_function_since", "pk")
    )


def acute_worklist(user: Any, at: dt.datetime, limit: int) -> tuple[list[AcuteRow], int]:
    """One page of the acute function's list and the full count."""
    language = "en" if (get_language() or "da").startswith("en") else "da"
    queryset = acute_citizens(user)
    count = queryset.count()
    citizens = list(queryset[:limit])
    ids = [c.latest_course_id for c in citizens if getattr(c, "latest_course_id", None)]  # type: ignore[attr-defined]
    courses = {
        c.pk: c
        for c in Course.objects.filter(pk__in=ids)
        .select_related("hospital", "department")
        .only(*COURSE_FIELDS)
    }
    rows = [decide(c, courses.get(c.latest_course_id), at, language) for c in citizens]  # type: ignore[attr-defined]
    return rows, count


__all__ = ["AcuteRow", "acute_worklist", "decide", "has_acute_role"]
