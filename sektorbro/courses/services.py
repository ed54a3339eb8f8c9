"""The one write path for courses: every change appends an event, bumps the course version (optimistic
concurrency) and writes an audit row, all in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sektorbro.agreement.model import EVENT_TYPES
from sektorbro.citizens.models import Citizen
from sektorbro.core import audit
from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.core.logging import request_id_var
from sektorbro.courses.models import Course, CourseEvent, DischargeDestination
from sektorbro.courses.state import refresh_state, save_state
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
    seq: int,
) -> CourseEvent:
    return CourseEvent.objects.create(
        course=course,
        seq=seq,
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


def _refuse_if_stale(course: Course, expected_version: int | None) -> None:
    """Optimistic concurrency: the second of two writers who read the same version gets a conflict."""
    if expected_version is not None and course.version != expected_version:
        raise ConflictError(
            _(
                "Someone else changed this course meanwhile. Reload the course and try again; nothing was saved."
            )
        )


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Call this inside a transaction that is rolled back on error.")


def open_course_in_transaction(
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
    """Open a course inside the caller's transaction (ingestion gives each message one savepoint)."""
    _require_transaction()
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
    admitted = _append(
        course=course,
        actor=actor,
        type="admitted",
        occurred_at=admitted_at,
        organisation=department or hospital,
        data={"department": department.key if department else None, "area": area, "track": track},
        source_message_id=source_message_id,
        seq=1,
    )
    audit.record(
        actor=actor,
        action="course.opened",
        subject_type="course",
        subject_id=str(course.public_id),
        data={"hospital": hospital.key, "track": track, "area": area},
    )
    save_state(refresh_state(course, [admitted]))
    return course


open_course = transaction.atomic(open_course_in_transaction)


# Which party may record which event through the user interface (messages from the hospital's own systems
# come in as ``source="message"`` and record facts regardless).
# The hospital records every fact about the stay except the admission itself (opened by open_course), the
# municipality's own admission report, the shared contact events and the undo events (allowed separately).
HOSPITAL_EVENTS = frozenset(EVENT_TYPES) - {
    "admitted",
    "admission_report_sent",
    "correspondence_sent",
    "correspondence_read",
    "phone_contact_logged",
    "cancelled",
    "corrected",
}
MUNICIPAL_EVENTS = frozenset(
    {"admission_report_sent", "discharge_date_proposed", "discharge_date_agreed", "weekend_discharge_agreed"}
)
SHARED_EVENTS = frozenset({"correspondence_sent", "correspondence_read", "phone_contact_logged"})
PROJECTION_EVENTS = frozenset({"discharged", "died", "cancelled", "corrected", "transferred"})


def may_record(actor: Any, course: Course, event_type: str) -> bool:
    """Hospital staff of the course's hospital record the hospital's events; municipal staff of the citizen's
    municipality record the municipality's; both log contacts and correspondence."""
    from sektorbro.accounts.roles import Sector, sector_of

    for membership in actor.active_memberships() if hasattr(actor, "active_memberships") else []:
        sector = sector_of(membership.role)
        unit = membership.unit
        if sector == Sector.HOSPITAL and unit.hospital is not None and unit.hospital.pk == course.hospital_id:
            if event_type in HOSPITAL_EVENTS | SHARED_EVENTS | {"cancelled", "corrected"}:
                return True
        if sector == Sector.MUNICIPALITY and unit.municipality_id == course.citizen.residence_municipality_id:
            if event_type in MUNICIPAL_EVENTS | SHARED_EVENTS:
                return True
        if sector in (Sector.GENERAL_PRACTICE, Sector.SOCIAL_AREA) and event_type in SHARED_EVENTS:
            return (
                course.citizen.gp_clinic_id == unit.pk
                or course.citizen.social_units.filter(pk=unit.pk).exists()
            )
    return False


def _update_projections(course: Course, events: list[CourseEvent]) -> None:
    """Keep the indexing columns in step with the history (they are never edited by hand)."""
    from sektorbro.agreement import rules
    from sektorbro.courses.snapshot import build_snapshot

    snapshot = build_snapshot(course, events)
    effective = rules.effective_events(snapshot)
    admitted = next((e for e in effective if e.type == "admitted"), None)
    end = next((e for e in reversed(effective) if e.type in ("discharged", "died")), None)
    cancelled = (
        any(e.type == "cancelled" and e.data.get("target_seq") is None for e in effective) or admitted is None
    )
    course.admitted_at = admitted.at if admitted and admitted.at else course.admitted_at
    course.discharged_at = end.at if end is not None else None
    if end is not None:
        destination = end.data.get("destination") or (
            "dead" if end.type == "died" else course.discharge_destination
        )
        course.discharge_destination = destination or ""
        if "municipal_nursing" in end.data:
            course.municipal_nursing_after_discharge = bool(end.data["municipal_nursing"])
    else:
        course.discharge_destination = ""
    course.ended_at = end.at if end is not None else (timezone.now() if cancelled else None)
    transfer = next((e for e in reversed(effective) if e.type == "transferred"), None)
    if transfer is not None and transfer.data.get("department"):
        department = OrganisationUnit.objects.filter(
            key=transfer.data["department"], parent_id=course.hospital_id
        ).first()
        if department is not None:
            course.department = department
            course.unit_kind = department.department_type or "ward"
    course.save(
        update_fields=[
            "version",
            "admitted_at",
            "discharged_at",
            "discharge_destination",
            "municipal_nursing_after_discharge",
            "ended_at",
            "department",
            "unit_kind",
        ]
    )


def record_event_in_transaction(
    *,
    actor: Any,
    course: Course,
    event_type: str,
    occurred_at: dt.datetime,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
    organisation: OrganisationUnit | None = None,
    supersedes: CourseEvent | None = None,
    source: str = "user",
    source_message_id: str = "",
) -> CourseEvent:
    """Append one event after the rules core allowed the transition. Refusals raise ``DomainError`` with the
    rule's reason; a stale ``expected_version`` raises ``ConflictError``; nothing is written in either case.
    The caller holds the transaction and rolls it (or its savepoint) back on any error."""
    from sektorbro.agreement import rules
    from sektorbro.courses.snapshot import build_snapshot

    _require_transaction()
    _require_aware(occurred_at, "occurred_at")
    if event_type not in EVENT_TYPES:
        raise DomainError(_("Unknown event: %(type)s.") % {"type": event_type}, field="type", code="unknown")
    if source == "user" and not may_record(actor, course, event_type):
        raise NotPermitted(_("Your role cannot record this event on this course."))
    locked = (
        Course.objects.select_for_update(of=("self",))
        .select_related("citizen", "hospital", "hospital__cluster")
        .get(pk=course.pk)
    )
    _refuse_if_stale(locked, expected_version)
    data = dict(data or {})
    if (
        event_type in ("cancelled", "corrected")
        and supersedes is not None
        and supersedes.course_id != locked.pk
    ):
        raise DomainError(_("The event to cancel or correct belongs to another course."), field="supersedes")
    existing = list(locked.events.select_related("supersedes").order_by("seq"))
    snapshot = build_snapshot(locked, existing)
    if event_type not in ("cancelled", "corrected"):
        decision = rules.check_transition(snapshot, event_type, occurred_at, source=source, data=data)
        if not decision.value:
            reason = decision.reasons[0]
            from django.utils.translation import get_language

            message = reason.en if (get_language() or "da").startswith("en") else reason.da
            raise DomainError(message, field="type", code="transition_refused")
    if event_type == "care_plan_sent":
        version = sum(1 for e in existing if e.type == "care_plan_sent") + 1
        data["version"] = version
        changes = data.get("changes") or []
        if version > 1 and not changes:
            raise DomainError(
                _("An updated care plan must mark what changed, with a date (Dato) and the new text (NYT)."),
                field="changes",
                code="care_plan_changes_required",
            )
        if not isinstance(changes, list) or any(
            not isinstance(c, dict) or not c.get("dato") or not str(c.get("nyt", "")).strip() for c in changes
        ):
            raise DomainError(
                _("Each change in a care plan needs a date (Dato) and a text (NYT)."), field="changes"
            )
    if event_type == "discharged":
        destination = data.get("destination")
        if destination is not None and destination not in DischargeDestination.values:
            raise DomainError(_("Unknown discharge destination."), field="destination")
    event = _append(
        course=locked,
        actor=actor,
        type=event_type,
        occurred_at=occurred_at,
        data=data,
        organisation=organisation,
        supersedes=supersedes,
        source_message_id=source_message_id,
        seq=(existing[-1].seq if existing else 0) + 1,
    )
    locked.version += 1  # the row is locked: nobody else moved it meanwhile
    if event_type in PROJECTION_EVENTS or event_type == "admitted":
        _update_projections(locked, [*existing, event])  # saves the new version too
    else:
        Course.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    course.version = locked.version
    audit.record(
        actor=actor,
        action=f"course.{event_type}",
        subject_type="course",
        subject_id=str(locked.public_id),
        data={"seq": event.seq, "source": source, **({"supersedes": supersedes.seq} if supersedes else {})},
    )
    save_state(refresh_state(locked, [*existing, event]))
    return event


# The same, each in its own transaction (a savepoint when the caller already has one).
record_event = transaction.atomic(record_event_in_transaction)


def update_course_facts(
    *,
    actor: Any,
    course: Course,
    expected_version: int | None,
    municipal_nursing_after_discharge: bool | None = None,
    rehabilitation_needed: bool | None = None,
    track: str | None = None,
) -> Course:
    """Facts about the course that are not events (used by the hospital's discharge planning)."""
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        _refuse_if_stale(locked, expected_version)
        changes: dict[str, Any] = {}
        if municipal_nursing_after_discharge is not None:
            changes["municipal_nursing_after_discharge"] = municipal_nursing_after_discharge
        if rehabilitation_needed is not None:
            changes["rehabilitation_needed"] = rehabilitation_needed
        if track is not None:
            if track not in ("acute", "planned"):
                raise DomainError(_("The track must be acute or planned."), field="track")
            changes["track"] = track
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.version += 1
        locked.save()
        audit.record(
            actor=actor,
            action="course.facts_updated",
            subject_type="course",
            subject_id=str(locked.public_id),
            data=changes,
        )
        save_state(refresh_state(locked, list(locked.events.select_related("supersedes").order_by("seq"))))
        return locked
