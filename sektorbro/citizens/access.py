"""The one path that decides which citizens a user may see, and the access log of every read.

Views and API endpoints never query ``Citizen`` directly: they call :func:`citizens_visible_to` or
:func:`get_visible_citizen` (which answers 404 for anything outside the user's scope) and then
:func:`log_access` for what they show.

Scope by sector:
- hospital staff: citizens with a course at their hospital;
- municipal staff: residents of their own municipality;
- GPs: the citizens listed with their clinic;
- social-area staff: citizens attached to their unit;
- analysts, committee secretaries and administrators: no named citizen at all.

A *care relation* (which un-masks the CPR number) is narrower: a hospital course that is open or ended less
than ``CARE_RELATION_DAYS_AFTER_DISCHARGE`` days ago; for a municipality, a resident who receives its
elderly-care or social services, is in its acute function or has an open course; for a GP, a listed patient;
for a social unit, an attached citizen.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.citizens.models import AccessLogEntry, Citizen
from sektorbro.core.bulk import insert_rows

CARE_RELATION_DAYS_AFTER_DISCHARGE = 30
_NOTHING = Q(pk__in=[])


def _courses() -> Any:
    return apps.get_model("courses", "Course").objects


def hospital_courses_of(unit: Any) -> Q | None:
    """The courses a hospital membership covers (need to know, docs/users.md): a membership on a department
    covers the courses at that department (and its sections); a membership on the hospital itself covers the
    whole hospital (given to discharge coordinators and doctors who work across departments). None when the
    unit belongs to no hospital."""
    if unit.hospital is None:
        return None
    if unit.kind == "department":
        # A course not (yet) placed at a department is the whole hospital's, so it never drops out of sight.
        unplaced = Q(hospital_id=unit.hospital.pk, department__isnull=True)
        return Q(department_id=unit.pk) | Q(department__parent_id=unit.pk) | unplaced
    return Q(hospital_id=unit.hospital.pk)


def _scope(user: Any, *, care_relation: bool) -> Q:
    if user is None or not user.is_authenticated or not user.is_active:
        return _NOTHING
    condition = _NOTHING
    now = timezone.now()
    for membership in user.active_memberships():
        unit = membership.unit
        match sector_of(membership.role):
            case Sector.HOSPITAL:
                covered = hospital_courses_of(unit)
                if covered is None:
                    continue
                courses = _courses().filter(covered)
                if care_relation:
                    cutoff = now - dt.timedelta(days=CARE_RELATION_DAYS_AFTER_DISCHARGE)
                    courses = courses.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=cutoff))
                condition |= Q(pk__in=courses.values("citizen_id"))
            case Sector.MUNICIPALITY:
                if unit.municipality_id is None:
                    continue
                residents = Q(residence_municipality_id=unit.municipality_id)
                if care_relation:
                    known = (
                        Q(receives_elderly_care=True)
                        | Q(known_to_municipal_social_area=True)
                        | Q(acute_function_unit__municipality_id=unit.municipality_id)
                        | Q(pk__in=_courses().filter(ended_at__isnull=True).values("citizen_id"))
                    )
                    residents &= known
                condition |= residents
            case Sector.GENERAL_PRACTICE:
                condition |= Q(gp_clinic_id=unit.pk)
            case Sector.SOCIAL_AREA:
                through = Citizen.social_units.through
                condition |= Q(
                    pk__in=through.objects.filter(organisationunit_id=unit.pk).values("citizen_id")
                )
            case Sector.ANALYTICS | Sector.GOVERNANCE | Sector.ADMINISTRATION:
                continue
    return condition


def citizens_visible_to(user: Any) -> QuerySet[Citizen]:
    """All citizens the user may see. Empty for anonymous users, analysts, secretaries and administrators."""
    return Citizen.objects.filter(_scope(user, care_relation=False)).select_related(
        "residence_municipality", "gp_clinic"
    )


def get_visible_citizen(user: Any, public_id: uuid.UUID | str) -> Citizen:
    """The citizen with this opaque id if the user may see them; otherwise 404 (never 403: no hint)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    citizen = citizens_visible_to(user).filter(public_id=key).first()
    if citizen is None:
        raise Http404
    return citizen


def care_relation_ids(user: Any, citizens: Iterable[Citizen]) -> set[int]:
    """Which of these citizens the user has a care relation with (one query)."""
    ids = [c.pk for c in citizens]
    if not ids:
        return set()
    return set(
        Citizen.objects.filter(pk__in=ids)
        .filter(_scope(user, care_relation=True))
        .values_list("pk", flat=True)
    )


def has_care_relation(user: Any, citizen: Citizen) -> bool:
    return citizen.pk in care_relation_ids(user, [citizen])


def log_access(
    request: HttpRequest | None,
    user: Any,
    citizens: Citizen | Iterable[Citizen],
    action: str,
    *,
    channel: str = "web",
) -> int:
    """Write one access-log row per citizen read. Returns the number of rows written."""
    items = [citizens] if isinstance(citizens, Citizen) else list(citizens)
    if not items:
        return 0
    request_id = getattr(request, "request_id", "") if request is not None else ""
    client_request_id = getattr(request, "client_request_id", "") if request is not None else ""
    organisation = user.organisation_label() if hasattr(user, "organisation_label") else ""
    known = getattr(user, "pk", None) is not None
    username = user.get_username() if known else "system"
    at = timezone.now()
    insert_rows(
        AccessLogEntry,
        [
            "at",
            "user",
            "username",
            "organisation",
            "citizen",
            "action",
            "channel",
            "request_id",
            "client_request_id",
        ],
        [
            (
                at,
                user.pk if known else None,
                username,
                organisation[:300],
                c.pk,
                action,
                channel,
                request_id,
                client_request_id,
            )
            for c in items
        ],
    )
    return len(items)


def person_key(cpr: str) -> str:
    """A keyed hash of a CPR number: the same person gives the same key, and the key cannot be turned back into
    the number without the server's secret. For access-log rows about a person not known as a citizen."""
    from django.utils.crypto import salted_hmac

    digits = "".join(ch for ch in cpr if ch.isdigit())
    return (
        salted_hmac("sektorbro.access-log.person", digits, algorithm="sha256").hexdigest() if digits else ""
    )


def log_person_access(
    request: HttpRequest | None, user: Any, *, message_ref: str, cpr: str, action: str, channel: str = "web"
) -> None:
    """Log a read of personal data shown from a message that names no citizen of Sektorbro (quarantine)."""
    from sektorbro.citizens.models import AccessLogEntry

    known = getattr(user, "pk", None) is not None
    AccessLogEntry.objects.create(
        at=timezone.now(),
        user=user if known else None,
        username=user.get_username() if known else "system",
        organisation=(user.organisation_label() if hasattr(user, "organisation_label") else "")[:300],
        citizen=None,
        subject_message=message_ref[:100],
        person_key=person_key(cpr),
        action=action,
        channel=channel,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        client_request_id=getattr(request, "client_request_id", "") if request is not None else "",
    )
