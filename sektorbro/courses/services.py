"""The one write path for courses: every change appends an event, bumps the course version (optimistic
concurrency) and writes an audit row, all in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sektorbro.citizens.models import Citizen
from sektorbro.core import audit
from sektorbro.core.errors import ConflictError, DomainError
from sektorbro.core.logging import request_id_var
from sektorbro.courses.models import Course, CourseEvent
from sektorbro.organisations.models import OrganisationUnit


def _actor_label(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "pk", None) else str(actor or "system")


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _require_aware(value: dt.datetime, field: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(_("The time must include a time zone."), field=field)


def _append(
    *,
    course: Course,
    actor: Any,
    type: str,
    occurred_at: dt.datetime,
    data: dict[str, Any] | None = None,
    organisation: OrganisationUnit | None = None,
    supersedes: CourseEvent | None = None,
    source_message_id: str = "",
) -> CourseEvent:
    last = course.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    return CourseEvent.objects.create(
        course=course,
        seq=last + 1,
        type=type,
        occurred_at=occurred_at,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        organisation=organisation,
        data=data or {},
        supersedes=supersedes,
        source_message_id=source_message_id,
        request_id=request_id_var.get() if request_id_var.get() != "-" else "",
    )


def _bump_version(course: Course, expected_version: int | None) -> None:
    """Compare-and-set on the version: the second of two concurrent writers gets a conflict."""
    query = Course.objects.filter(pk=course.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    updated = query.update(version=F("version") + 1)
    if updated != 1:
        raise ConflictError(
            _(
                "Someone else changed this course meanwhile. Reload the course and try again; nothing was saved."
            )
        )
    course.refresh_from_db(fields=["version"])


@transaction.atomic
def open_course(
    *,
    actor: Any,
    citizen: Citizen,
    hospital: OrganisationUnit,
    department: OrganisationUnit | None,
    area: str,
    track: str,
    admitted_at: dt.datetime,
    episode_of_care_id: str = "",
    source_message_id: str = "",
) -> Course:
    _require_aware(admitted_at, "admitted_at")
    if hospital.kind != "hospital":
        raise DomainError(_("The course must belong to a hospital."), field="hospital")
    if department is not None and department.parent_id != hospital.pk:
        raise DomainError(_("The department does not belong to the hospital."), field="department")
    if area not in ("somatic", "psychiatric"):
        raise DomainError(_("The area must be somatic or psychiatric."), field="area")
    if track not in ("acute", "planned"):
        raise DomainError(_("The track must be acute or planned."), field="track")
    course = Course.objects.create(
        citizen=citizen,
        hospital=hospital,
        department=department,
        area=area,
        track=track,
        unit_kind=(
            department.department_type if department is not None and department.department_type else "ward"
        ),
        admitted_at=admitted_at,
        episode_of_care_id=episode_of_care_id,
    )
    _append(
        course=course,
        actor=actor,
        type="admitted",
        occurred_at=admitted_at,
        organisation=department or hospital,
        data={"department": department.key if department else None, "area": area, "track": track},
        source_message_id=source_message_id,
    )
    audit.record(
        actor=actor,
        action="course.opened",
        subject_type="course",
        subject_id=str(course.public_id),
        data={"hospital": hospital.key, "track": track, "area": area},
    )
    return course
