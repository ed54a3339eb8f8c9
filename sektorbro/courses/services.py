"""The one write path for courses: every change appends an event, bumps the course version (optimistic
concurrency) and writes an audit row, all in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sektorbro.agreement.model import EVENT_TYPES
from sektorbro.citizens.models import Citizen
from sektorbro.core import audit
from sektorbro.core.bulk import update_rows
from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.core.logging import request_id_var
from sektorbro.core.models import AuditEvent
from sektorbro.courses.event_data import EventDataProblem, check_event_data
from sektorbro.courses.models import Course, CourseEvent, DischargeDestination
from sektorbro.courses.state import STATE_FIELDS, refresh_state, save_state
from sektorbro.organisations.models import OrganisationUnit


def _actor_label(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "pk", None) else str(actor or "system")


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _require_aware(value: dt.datetime, field: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(_("The time must include a time zone."), field=field)


def _new_event(
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
    """The event row, not yet saved."""
    return CourseEvent(
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


# --- One regional stay (aftalen 2.2): a transfer links the receiving hospital's course to the previous one ------


def _previous_key(course: Course) -> Any:
    cached = course._state.fields_cache.get("previous_course")
    return id(cached) if cached is not None else course.previous_course_id


def _ended_by_discharge(course: Course) -> bool:
    return course.discharged_at is not None and course.discharge_destination != "dead"


def previous_stay(
    courses: list[Course], *, hospital_id: int, area: str, admitted_at: dt.datetime
) -> Course | None:
    """The course of the citizen's (``courses``) that an admission at ``hospital_id`` continues: a stay at
    another region hospital in the same area, ended by a discharge at most ``transfer_gap_hours`` before the
    admission (``rules.continues_stay``) and not continued by another course yet. The latest such course."""
    from sektorbro.agreement import rules

    settings = agreement_settings()
    taken = {_previous_key(c) for c in courses} - {None}
    found = [
        c
        for c in courses
        if c.hospital_id != hospital_id
        and c.area == area
        and _ended_by_discharge(c)
        and id(c) not in taken
        and (c.pk is None or c.pk not in taken)
        and rules.continues_stay(c.admitted_at, c.discharged_at, admitted_at, settings)  # type: ignore[arg-type]
    ]
    return max(found, key=lambda c: c.discharged_at) if found else None  # type: ignore[arg-type,return-value]


def next_stay(courses: list[Course], course: Course, discharged_at: dt.datetime) -> Course | None:
    """The course of the citizen's (``courses``) that continues ``course`` discharged at ``discharged_at``: an
    admission at another region hospital in the same area, starting at most ``transfer_gap_hours`` after the
    discharge, that continues no other stay yet (the STIN of the receiving hospital arrived first)."""
    from sektorbro.agreement import rules

    settings = agreement_settings()
    mine = {id(course), course.pk} - {None}
    if any(_previous_key(c) in mine for c in courses if c is not course):
        return None  # already continued
    found = [
        c
        for c in courses
        if c is not course
        and c.hospital_id != course.hospital_id
        and c.area == course.area
        and _previous_key(c) is None
        and rules.continues_stay(course.admitted_at, discharged_at, c.admitted_at, settings)
    ]
    return min(found, key=lambda c: c.admitted_at) if found else None


def transfer_data(receiving: Course) -> dict[str, Any]:
    """What the first hospital's discharge says about a transfer: the destination and where the citizen went."""
    return {
        "destination": DischargeDestination.OTHER_HOSPITAL.value,
        "transferred_to": receiving.hospital.name,
        "transferred_course": str(receiving.public_id),
    }


def _discharge_event(events: list[CourseEvent]) -> CourseEvent | None:
    undone = {e.supersedes.seq for e in events if e.type == "cancelled" and e.supersedes is not None}
    return next((e for e in reversed(events) if e.type == "discharged" and e.seq not in undone), None)


def _transfer_correction(earlier: Course, events: list[CourseEvent], later: Course) -> dict[str, Any] | None:
    """The correction that marks ``earlier``'s discharge as the transfer to ``later`` (None: already marked)."""
    target = _discharge_event(events)
    if target is None:
        return None
    data = transfer_data(later)
    corrected = {**target.data}
    for e in events:
        if e.type == "corrected" and e.supersedes is not None and e.supersedes.seq == target.seq:
            corrected.update(e.data)
    if all(corrected.get(k) == v for k, v in data.items()):
        return None
    return {"supersedes": target, "data": {**data, "code": "transfer"}}


def _opened(
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
) -> tuple[Course, CourseEvent, AuditEvent]:
    """Check a new course and return its rows (course, admission event, audit row), not yet saved."""
    _require_aware(admitted_at, "admitted_at")
    if hospital.kind != "hospital":
        raise DomainError(_("The course must belong to a hospital."), field="hospital")
    if department is not None and department.parent_id != hospital.pk:
        raise DomainError(_("The department does not belong to the hospital."), field="department")
    if area not in ("somatic", "psychiatric"):
        raise DomainError(_("The area must be somatic or psychiatric."), field="area")
    if track not in ("acute", "planned"):
        raise DomainError(_("The track must be acute or planned."), field="track")
    course = Course(
        citizen=citizen,
        municipality_id=citizen.residence_municipality_id,
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
    event = _new_event(
        course=course,
        actor=actor,
        type="admitted",
        occurred_at=admitted_at,
        organisation=department or hospital,
        data={"department": department.key if department else None, "area": area, "track": track},
        source_message_id=source_message_id,
        seq=1,
    )
    row = audit.row(
        actor=actor,
        action="course.opened",
        subject_type="course",
        subject_id=str(course.public_id),
        data={"hospital": hospital.key, "track": track, "area": area},
    )
    return course, event, row


def open_course_in_transaction(**kwargs: Any) -> Course:
    """Open a course inside the caller's transaction. Arguments as ``_opened``. When the admission continues
    the citizen's stay at another region hospital (a transfer, ``previous_stay``), the course is linked to
    that one and its discharge is marked as the transfer (one regional stay, aftalen 2.2)."""
    _require_transaction()
    course, event, row = _opened(**kwargs)
    others = list(
        Course.objects.select_for_update(of=("self",))
        .filter(citizen=course.citizen)
        .select_related("hospital")
        .order_by("pk")
    )
    previous = previous_stay(
        others, hospital_id=course.hospital_id, area=course.area, admitted_at=course.admitted_at
    )
    course.previous_course = previous
    refresh_state(course, [event])  # the derived state goes in with the row
    course.save()
    event.save()
    row.save()
    if previous is not None:
        _mark_transfer(previous, course, actor=kwargs.get("actor"))
    return course


def _mark_transfer(earlier: Course, later: Course, *, actor: Any) -> None:
    """Record on ``earlier`` that its discharge was the transfer to ``later`` (a correction of the discharge),
    and write the audit row of the link."""
    events = list(earlier.events.select_related("supersedes").order_by("seq"))
    correction = _transfer_correction(earlier, events, later)
    if correction is not None:
        record_event_in_transaction(
            actor=actor,
            course=earlier,
            event_type="corrected",
            occurred_at=correction["supersedes"].occurred_at,  # keeps the discharge time
            data=correction["data"],
            supersedes=correction["supersedes"],
            source="system",
        )
    audit.record(
        actor=actor,
        action="course.transfer_linked",
        subject_type="course",
        subject_id=str(later.public_id),
        data={"previous": str(earlier.public_id)},
    )


def link_transfer_after_discharge(*, actor: Any, course: Course, discharged_at: dt.datetime) -> Course | None:
    """After ``course`` was discharged: link the course at another region hospital that continues its stay (its
    admission came first) and mark the discharge as the transfer. Returns the linked course, or None."""
    _require_transaction()
    others = list(
        Course.objects.select_for_update(of=("self",))
        .filter(citizen_id=course.citizen_id)
        .select_related("citizen", "hospital", "hospital__cluster")
        .order_by("pk")
    )
    mine = next((c for c in others if c.pk == course.pk), course)
    later = next_stay(others, mine, discharged_at)
    if later is None:
        return None
    later.previous_course = mine
    later.save(update_fields=["previous_course"])
    _mark_transfer(mine, later, actor=actor)
    save_state(refresh_state(later, list(later.events.select_related("supersedes").order_by("seq"))))
    return later


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
    "care_plan_acknowledged",
}
MUNICIPAL_EVENTS = frozenset(
    {
        "admission_report_sent",
        "care_plan_acknowledged",
        "discharge_date_proposed",
        "discharge_date_agreed",
        "discharge_date_accepted",
        "discharge_agreement_disputed",
        "weekend_discharge_agreed",
    }
)
# Events that carry the acting party (``by``): set from the user's organisation (aftalen 2.1: the discharge time
# is a mutual agreement, so the rules must know which party proposed, accepted, agreed or disputed).
PARTY_EVENTS = frozenset(
    {
        "discharge_date_proposed",
        "discharge_date_agreed",
        "discharge_date_accepted",
        "discharge_agreement_disputed",
        "weekend_discharge_agreed",
    }
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


def proposing_party(actor: Any, course: Course, source: str) -> str:
    """Who proposes a discharge date: ``hospital`` or ``municipality`` (the other party answers it). Messages
    come from the hospitals' systems."""
    from sektorbro.accounts.roles import Sector, sector_of

    if source != "user":
        return "hospital"
    for membership in actor.active_memberships() if hasattr(actor, "active_memberships") else []:
        sector, unit = sector_of(membership.role), membership.unit
        if sector == Sector.HOSPITAL and unit.hospital is not None and unit.hospital.pk == course.hospital_id:
            return "hospital"
        if sector == Sector.MUNICIPALITY and unit.municipality_id == course.citizen.residence_municipality_id:
            return "municipality"
    return ""


HOSPITAL_FACTS = frozenset({"track", "rehabilitation_needed", "municipal_nursing_after_discharge"})
MUNICIPAL_FACTS = frozenset({"municipal_nursing_after_discharge"})


def facts_changeable_by(actor: Any, course: Course) -> frozenset[str]:
    """Which course details the user may change: the course's hospital all of them; the citizen's municipality
    whether it gives nursing after the discharge (it decides the 72-hour window, aftalen 2.2)."""
    from sektorbro.accounts.roles import Sector, sector_of

    allowed: frozenset[str] = frozenset()
    for m in actor.active_memberships() if hasattr(actor, "active_memberships") else []:
        sector = sector_of(m.role)
        if (
            sector == Sector.HOSPITAL
            and m.unit.hospital is not None
            and m.unit.hospital.pk == course.hospital_id
        ):
            allowed |= HOSPITAL_FACTS
        if sector == Sector.MUNICIPALITY and m.unit.municipality_id == course.municipality_id:
            allowed |= MUNICIPAL_FACTS
    return allowed


PROJECTED_FIELDS = [
    "admitted_at",
    "discharged_at",
    "discharge_destination",
    "municipal_nursing_after_discharge",
    "ended_at",
    "department",
    "unit_kind",
]


def _project(course: Course, events: list[CourseEvent]) -> None:
    """Keep the indexing columns in step with the history (they are never edited by hand). Sets, never saves."""
    from sektorbro.agreement import rules
    from sektorbro.courses.snapshot import build_snapshot

    snapshot = build_snapshot(course, events)
    effective = rules.effective_events(snapshot, agreement_settings())
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


def agreement_settings() -> Any:
    """The rules' settings with the platform's own choices (see ``snapshot.agreement_settings``)."""
    from sektorbro.courses.snapshot import agreement_settings as platform_settings

    return platform_settings()


def _reason(decision: Any) -> str:
    from django.utils.translation import get_language

    reason = decision.reasons[0]
    return str(reason.en if (get_language() or "da").startswith("en") else reason.da)


def _fill_in_acceptance(snapshot: Any, data: dict[str, Any]) -> None:
    """An acceptance names the proposal it answers and carries its date, so the timeline shows what was agreed."""
    from sektorbro.agreement import rules

    proposal = rules.pending_proposal(rules.effective_events(snapshot))
    if proposal is None or proposal.date is None:
        return
    if proposal.seq is not None:
        data.setdefault("ref_seq", proposal.seq)
    data.setdefault("date", proposal.date.isoformat())


def _refuse_past_date(event_type: str, data: dict[str, Any], source: str) -> None:
    """A person cannot propose or accept a discharge date that has already passed (Danish dates), whatever time
    they give the event."""
    from sektorbro.agreement import rules

    if source != "user" or event_type not in ("discharge_date_proposed", "discharge_date_accepted"):
        return
    raw = data.get("date")
    if not raw:
        return
    day = dt.date.fromisoformat(str(raw))
    if rules.proposal_in_past(day, timezone.now()):
        raise DomainError(
            _("The date %(date)s has passed; propose a discharge date today or later.")
            % {"date": f"{day:%d.%m.%Y}"},
            field="date",
            code="date_in_past",
        )


def _of_course(event: CourseEvent, course: Course) -> bool:
    if event.course_id is not None and course.pk is not None:
        return event.course_id == course.pk
    return event.course is course  # both still unsaved in the same batch


def _appended(
    *,
    actor: Any,
    course: Course,
    existing: list[CourseEvent],
    event_type: str,
    occurred_at: dt.datetime,
    data: dict[str, Any] | None,
    organisation: OrganisationUnit | None,
    supersedes: CourseEvent | None,
    source: str,
    source_message_id: str,
) -> tuple[CourseEvent, AuditEvent, bool]:
    """Check one new event against the course's history and return its rows (event, audit row), not yet
    saved, and whether the course's indexing columns changed (they are updated on ``course`` in memory)."""
    from sektorbro.agreement import rules
    from sektorbro.courses.snapshot import build_snapshot

    _require_aware(occurred_at, "occurred_at")
    if event_type not in EVENT_TYPES:
        raise DomainError(_("Unknown event: %(type)s.") % {"type": event_type}, field="type", code="unknown")
    data = dict(data or {})
    if (
        event_type in ("cancelled", "corrected")
        and supersedes is not None
        and not _of_course(supersedes, course)
    ):
        raise DomainError(_("The event to cancel or correct belongs to another course."), field="supersedes")
    if event_type not in ("cancelled", "corrected"):
        snapshot = build_snapshot(course, existing)
        if event_type == "discharge_date_accepted":
            _fill_in_acceptance(snapshot, data)
        decision = rules.check_transition(
            snapshot, event_type, occurred_at, source=source, data=data, settings=agreement_settings()
        )
        if not decision.value:
            raise DomainError(_reason(decision), field="type", code="transition_refused")
        _refuse_past_date(event_type, data, source)
    if event_type == "cancelled" and supersedes is not None and supersedes.type == "ready_for_discharge":
        # Aftalen 2.1: the ready date cannot be moved by cancelling and registering again. The window is counted
        # to the moment of recording, not to a time the user types in.
        decision = rules.ready_cancellation(
            build_snapshot(course, existing),
            max(occurred_at, timezone.now()),
            {"target_seq": supersedes.seq, "reason": data.get("reason") or data.get("note")},
            agreement_settings(),
        )
        if not decision.value:
            raise DomainError(_reason(decision), field="reason", code="ready_cancellation_refused")
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
    event = _new_event(
        course=course,
        actor=actor,
        type=event_type,
        occurred_at=occurred_at,
        data=data,
        organisation=organisation,
        supersedes=supersedes,
        source_message_id=source_message_id,
        seq=(existing[-1].seq if existing else 0) + 1,
    )
    projected = event_type in PROJECTION_EVENTS or event_type == "admitted"
    if projected:
        _project(course, [*existing, event])
    row = audit.row(
        actor=actor,
        action=f"course.{event_type}",
        subject_type="course",
        subject_id=str(course.public_id),
        data={"seq": event.seq, "source": source, **({"supersedes": supersedes.seq} if supersedes else {})},
    )
    return event, row, projected


def _problem_message(problem: EventDataProblem, event_type: str) -> str:
    params = {"field": problem.field, "type": event_type, "limit": problem.limit}
    messages = {
        "unknown_field": _("%(field)s is not a field of the event %(type)s."),
        "not_text": _("%(field)s must be text (no control characters)."),
        "too_long": _("%(field)s is longer than %(limit)s characters."),
        "not_date": _("%(field)s must be a date (YYYY-MM-DD)."),
        "not_datetime": _(
            "%(field)s must be a date and time with a time zone (e.g. 2026-03-05T10:30+01:00)."
        ),
        "not_choice": _("%(field)s must be one of: %(limit)s."),
        "not_bool": _("%(field)s must be true or false."),
        "not_int": _("%(field)s must be a positive whole number."),
        "not_list": _("%(field)s must be a list of changes with a date (dato) and a text (nyt)."),
        "too_many": _("%(field)s has more than %(limit)s entries."),
        "too_large": _("The event's data is larger than %(limit)s bytes."),
        "not_allowed": _(
            "A letter is recorded by sending it (Send korrespondance) or by receiving it as a MedCom message, "
            "not as an event of its own."
        ),
        "party_mismatch": _(
            "%(field)s must be your own organisation's party (%(limit)s): you act as yourself."
        ),
    }
    return messages.get(problem.code, messages["not_text"]) % params


def user_event_data(
    actor: Any, course: Course, event_type: str, data: dict[str, Any], supersedes: CourseEvent | None
) -> dict[str, Any]:
    """What a person (form or API) gives for an event, checked against the event type's schema; a party field
    (``by``) must be the user's own party."""
    corrects = supersedes.type if event_type == "corrected" and supersedes is not None else None
    try:
        cleaned = check_event_data(event_type, data, corrects=corrects)
        own = proposing_party(actor, course, "user")
        if "by" in cleaned and cleaned["by"] != own:
            raise EventDataProblem("data.by", "party_mismatch", own or "-")
    except EventDataProblem as problem:
        code = "event_data_" + problem.code
        if problem.code == "not_allowed":
            raise DomainError(_problem_message(problem, event_type), field="type", code=code) from problem
        raise DomainError(_problem_message(problem, event_type), field=problem.field, code=code) from problem
    return cleaned


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
    _require_transaction()
    if source in ("user", "outbox") and not may_record(actor, course, event_type):
        raise NotPermitted(_("Your role cannot record this event on this course."))
    if source == "user" and event_type in EVENT_TYPES:
        data = user_event_data(actor, course, event_type, data or {}, supersedes)
    if event_type in PARTY_EVENTS and not (data or {}).get("by"):
        data = {**(data or {}), "by": proposing_party(actor, course, source)}
    locked = (
        Course.objects.select_for_update(of=("self",))
        .select_related("citizen", "hospital", "hospital__cluster")
        .get(pk=course.pk)
    )
    _refuse_if_stale(locked, expected_version)
    existing = list(locked.events.select_related("supersedes").order_by("seq"))
    event, row, projected = _appended(
        actor=actor,
        course=locked,
        existing=existing,
        event_type=event_type,
        occurred_at=occurred_at,
        data=data,
        organisation=organisation,
        supersedes=supersedes,
        source=source,
        source_message_id=source_message_id,
    )
    event.save()
    locked.version += 1  # the row is locked: nobody else moved it meanwhile
    refresh_state(locked, [*existing, event])
    locked.save(update_fields=["version", *STATE_FIELDS, *(PROJECTED_FIELDS if projected else [])])
    course.version = locked.version
    row.save()
    if event_type == "discharged" and source != "system" and locked.discharged_at is not None:
        linked = link_transfer_after_discharge(actor=actor, course=locked, discharged_at=locked.discharged_at)
        if linked is not None:
            course.version = Course.objects.values_list("version", flat=True).get(pk=course.pk)
    return event


class CourseBatch:
    """Course changes of many messages in one transaction (MedCom ingestion).

    The citizens, their courses (locked) and the courses' events are loaded once; every change passes the same
    checks as ``open_course`` and ``record_event`` and is kept in memory; ``flush`` writes all rows together.
    ``mark``/``rollback`` undo what one message staged when it turns out it cannot be applied, so a message
    applies completely or not at all. New citizens are inserted at ``flush``: when another worker has inserted
    the same CPR number meanwhile, the insert waits for it and fails (IntegrityError); the caller takes its batch
    again in a new transaction, which then loads and locks that citizen (get-or-create at batch level)."""

    def __init__(self) -> None:
        self._citizens: dict[str, Citizen] = {}
        self._courses: list[Course] = []
        self._events: dict[int, list[CourseEvent]] = {}  # by id() of the course object
        self._new_citizens: list[Citizen] = []
        self._new_courses: list[Course] = []
        self._new_events: list[CourseEvent] = []
        self._audit_rows: list[AuditEvent] = []
        self._changed: dict[int, Course] = {}
        self._undo: list[Any] = []

    def load(self, cprs: set[str], *, again: bool = False) -> None:
        """Load and lock the citizens with these CPR numbers and their courses. ``again``: also those asked for
        before, for what another worker committed since (a citizen or course that was not there yet)."""
        _require_transaction()
        wanted = {
            c for c in cprs if (c not in self._citizens) or (again and self._citizens[c].pk is not None)
        }
        if not wanted:
            return
        # Locked in id order (the same order in every worker): a worker applying messages for one of these
        # citizens is waited for, and what it committed is read below.
        for citizen in Citizen.objects.select_for_update(of=("self",)).filter(cpr__in=wanted).order_by("pk"):
            self._citizens.setdefault(citizen.cpr, citizen)
        known = [c.pk for c in self._courses if c.pk is not None]
        courses = list(
            Course.objects.select_for_update(of=("self",))
            .select_related("hospital", "hospital__cluster", "department")
            .filter(citizen__in=[c for c in self._citizens.values() if c.cpr in wanted and c.pk is not None])
            .exclude(pk__in=known)
            .order_by("id")
        )
        events: dict[int, list[CourseEvent]] = {c.pk: [] for c in courses}
        for event in (
            CourseEvent.objects.filter(course__in=courses)
            .select_related("supersedes")
            .order_by("course_id", "seq")
        ):
            events[event.course_id].append(event)
        by_pk = {c.pk: c for c in self._citizens.values() if c.pk is not None}
        for course in courses:
            course.citizen = by_pk[course.citizen_id]
            for event in events[course.pk]:
                event.course = course
            self._courses.append(course)
            self._events[id(course)] = events[course.pk]
            course._staged_events = events[course.pk]  # type: ignore[attr-defined]  # read by snapshot.course_events
        by_id = {c.pk: c for c in self._courses if c.pk is not None}
        for course in courses:  # a transfer's earlier course, as the same object (its staged events)
            if course.previous_course_id in by_id:
                course.previous_course = by_id[course.previous_course_id]

    def citizen(self, cpr: str) -> Citizen | None:
        return self._citizens.get(cpr)

    def add_citizen(self, citizen: Citizen) -> Citizen:
        self._citizens[citizen.cpr] = citizen
        self._new_citizens.append(citizen)

        def undo() -> None:
            del self._citizens[citizen.cpr]
            self._new_citizens.remove(citizen)

        self._undo.append(undo)
        return citizen

    def courses_of(self, citizen: Citizen) -> list[Course]:
        """The citizen's courses, newest admission first."""
        mine = [c for c in self._courses if c.citizen is citizen]
        return sorted(mine, key=lambda c: c.admitted_at, reverse=True)

    def events_of(self, course: Course) -> list[CourseEvent]:
        return self._events[id(course)]

    def open_course(self, **kwargs: Any) -> Course:
        """As ``open_course``; arguments as ``_opened``. A transfer is linked as by ``open_course``."""
        course, event, row = _opened(**kwargs)
        previous = previous_stay(
            self.courses_of(course.citizen),
            hospital_id=course.hospital_id,
            area=course.area,
            admitted_at=course.admitted_at,
        )
        course.previous_course = previous
        self._courses.append(course)
        self._events[id(course)] = [event]
        course._staged_events = self._events[id(course)]  # type: ignore[attr-defined]
        self._new_courses.append(course)
        self._new_events.append(event)
        self._audit_rows.append(row)

        def undo() -> None:
            self._courses.remove(course)
            del self._events[id(course)]
            self._new_courses.remove(course)
            self._new_events.remove(event)
            self._audit_rows.remove(row)

        self._undo.append(undo)
        if previous is not None:
            self._mark_transfer(previous, course, actor=kwargs.get("actor"))
        return course

    def _mark_transfer(self, earlier: Course, later: Course, *, actor: Any) -> None:
        correction = _transfer_correction(earlier, self._events[id(earlier)], later)
        if correction is not None:
            self.record_event(
                actor=actor,
                course=earlier,
                event_type="corrected",
                occurred_at=correction["supersedes"].occurred_at,  # keeps the discharge time
                data=correction["data"],
                supersedes=correction["supersedes"],
                source="system",
            )
        row = audit.row(
            actor=actor,
            action="course.transfer_linked",
            subject_type="course",
            subject_id=str(later.public_id),
            data={"previous": str(earlier.public_id)},
        )
        self._audit_rows.append(row)
        self._undo.append(lambda: self._audit_rows.remove(row))

    def record_event(
        self,
        *,
        actor: Any,
        course: Course,
        event_type: str,
        occurred_at: dt.datetime,
        data: dict[str, Any] | None = None,
        organisation: OrganisationUnit | None = None,
        supersedes: CourseEvent | None = None,
        source: str = "message",
        source_message_id: str = "",
    ) -> CourseEvent:
        """As ``record_event`` for a course of this batch. A discharge followed (within the transfer gap) by an
        admission at another region hospital that arrived first is recorded as the transfer to it."""
        existing = self._events[id(course)]
        later = None
        if event_type == "discharged" and source != "system":
            later = next_stay(self.courses_of(course.citizen), course, occurred_at)
            if later is not None:
                data = {**(data or {}), **transfer_data(later)}
        before = {name: getattr(course, name) for name in ["version", *PROJECTED_FIELDS]}
        event, row, _projected = _appended(
            actor=actor,
            course=course,
            existing=existing,
            event_type=event_type,
            occurred_at=occurred_at,
            data=data,
            organisation=organisation,
            supersedes=supersedes,
            source=source,
            source_message_id=source_message_id,
        )
        course.version += 1
        existing.append(event)
        self._new_events.append(event)
        self._audit_rows.append(row)
        was_changed = id(course) in self._changed
        self._changed[id(course)] = course

        def undo() -> None:
            for name, value in before.items():
                setattr(course, name, value)
            existing.remove(event)
            self._new_events.remove(event)
            self._audit_rows.remove(row)
            if not was_changed:
                del self._changed[id(course)]

        self._undo.append(undo)
        if later is not None:
            self._link(course, later, actor=actor)
        return event

    def _link(self, earlier: Course, later: Course, *, actor: Any) -> None:
        """``later`` (admitted first) continues ``earlier``'s stay: link it and refresh it at ``flush``."""
        was_changed = id(later) in self._changed
        later.previous_course = earlier
        self._changed[id(later)] = later
        row = audit.row(
            actor=actor,
            action="course.transfer_linked",
            subject_type="course",
            subject_id=str(later.public_id),
            data={"previous": str(earlier.public_id)},
        )
        self._audit_rows.append(row)

        def undo() -> None:
            later.previous_course = None
            self._audit_rows.remove(row)
            if not was_changed:
                del self._changed[id(later)]

        self._undo.append(undo)

    def mark(self) -> int:
        return len(self._undo)

    def rollback(self, mark: int) -> None:
        """Undo everything staged since ``mark``."""
        while len(self._undo) > mark:
            self._undo.pop()()

    def flush(self) -> None:
        """Write what was staged: citizens, courses, events (an undo event after its target), changed courses,
        audit rows."""
        _require_transaction()
        from sektorbro.courses.snapshot import current_tariffs

        new = {id(c) for c in self._new_courses}
        changed = [c for key, c in self._changed.items() if key not in new]
        if self._new_courses or changed:
            tariffs = current_tariffs()
            for course in [*self._new_courses, *changed]:  # the worklists' derived state, once per course
                refresh_state(course, self._events[id(course)], tariffs=tariffs)
        Citizen.objects.bulk_create(self._new_citizens)
        waiting = list(self._new_courses)
        while waiting:  # a transfer's earlier course first (the later one refers to it)
            ready_courses = [
                c for c in waiting if c.previous_course is None or c.previous_course.pk is not None
            ]
            if not ready_courses:
                raise RuntimeError("A course continues a course that is not stored.")
            Course.objects.bulk_create(ready_courses)
            waiting = [c for c in waiting if c.pk is None]
        pending = list(self._new_events)
        while pending:
            ready = [e for e in pending if e.supersedes is None or e.supersedes.pk is not None]
            if not ready:
                raise RuntimeError("An event supersedes an event that is not stored.")
            CourseEvent.objects.bulk_create(ready)
            pending = [e for e in pending if e.pk is None]
        if changed:
            for course in changed:
                if course.previous_course is not None:
                    course.previous_course_id = course.previous_course.pk
            update_rows(changed, ["version", "previous_course", *PROJECTED_FIELDS, *STATE_FIELDS])
        AuditEvent.objects.bulk_create(self._audit_rows)
        self._new_citizens, self._new_courses, self._new_events, self._audit_rows = [], [], [], []
        self._changed = {}
        self._undo = []


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
    """Facts about the course that are not events (used by the hospital's discharge planning). Only staff of
    the course's hospital may change them (``actor=None`` is the system, e.g. an import)."""
    if actor is not None:
        allowed = facts_changeable_by(actor, course)
        asked = {
            name
            for name, value in (
                ("track", track),
                ("rehabilitation_needed", rehabilitation_needed),
                ("municipal_nursing_after_discharge", municipal_nursing_after_discharge),
            )
            if value is not None
        }
        if not allowed or not asked <= allowed:
            raise NotPermitted(_("Your role cannot change these details of the course."))
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
