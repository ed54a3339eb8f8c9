"""From stored rows to the rules core's snapshot, and the decisions for a course."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from sektorbro.agreement import model as rules_model
from sektorbro.agreement.evaluate import evaluate
from sektorbro.agreement.model import (
    DEFAULT_SETTINGS,
    AcuteFunction,
    AgreementSettings,
    CitizenFacts,
    CourseSnapshot,
    EarlierStay,
    Event,
    Tariff,
)
from sektorbro.courses.models import Course, CourseEvent, ReadyForDischargeTariff


def event_to_rules(event: CourseEvent) -> Event:
    data = dict(event.data or {})
    day = data.pop("date", None)
    if event.type in ("cancelled", "corrected") and event.supersedes is not None:
        data["target_seq"] = event.supersedes.seq
    return Event(
        type=event.type,
        at=event.occurred_at,
        date=dt.date.fromisoformat(day) if isinstance(day, str) else None,
        seq=event.seq,
        data=data,
    )


def citizen_facts(course: Course) -> CitizenFacts:
    citizen = course.citizen
    acute = None
    if citizen.acute_function_unit_id and citizen.acute_function_since and citizen.acute_function_referred_by:
        acute = AcuteFunction(
            referred_by=citizen.acute_function_referred_by, since=citizen.acute_function_since
        )
    return CitizenFacts(
        elderly_care=citizen.receives_elderly_care,
        social_area=citizen.known_to_municipal_social_area or citizen.known_to_regional_social_area,
        terminal=False,
        acute_function=acute,
        gp_doctor=citizen.gp_doctor_name or None,
    )


REPORT_EVENTS = ("admission_report_sent", "admission_report_received")
#: How many transfers back the regional stay is followed (a guard against a malformed chain).
MAX_TRANSFERS = 20


def previous_of(course: Course) -> Course | None:
    """The course this one continues (a transfer), or ``None``. (A migration's historical model before
    ``0010_course_previous_course`` has no such field.)"""
    return getattr(course, "previous_course", None)


def course_events(course: Course) -> list[CourseEvent]:
    """A course's events: those staged by a batch (``_staged_events``) or stored."""
    staged = getattr(course, "_staged_events", None)
    if staged is not None:
        return list(staged)
    if course.pk is None:
        return []
    return list(course.events.select_related("supersedes").order_by("seq"))


def admission_report_time(events: Iterable[CourseEvent]) -> dt.datetime | None:
    rows = list(events)
    cancelled = {e.supersedes.seq for e in rows if e.type == "cancelled" and e.supersedes is not None}
    times = [e.occurred_at for e in rows if e.type in REPORT_EVENTS and e.seq not in cancelled]
    return min(times) if times else None


def earlier_stays(course: Course) -> tuple[EarlierStay, ...]:
    """The stays at other region hospitals this course continues, oldest first (aftalen 2.2)."""
    found: list[EarlierStay] = []
    seen = {id(course)}
    previous = previous_of(course)
    while previous is not None and id(previous) not in seen and len(found) < MAX_TRANSFERS:
        seen.add(id(previous))
        end = previous.discharged_at or previous.ended_at
        if end is None or previous.admitted_at > course.admitted_at:
            break
        found.append(
            EarlierStay(
                hospital=previous.hospital.name,
                admitted_at=previous.admitted_at,
                ended_at=max(end, previous.admitted_at),
                admission_report_at=admission_report_time(course_events(previous)),
            )
        )
        previous = previous_of(previous)
    return tuple(reversed(found))


def build_snapshot(course: Course, events: Iterable[CourseEvent] | None = None) -> CourseSnapshot:
    rows = (
        list(events)
        if events is not None
        else list(course.events.select_related("supersedes").order_by("seq"))
    )
    return CourseSnapshot(
        area=course.area,
        track=course.track,
        region="Midtjylland",
        unit_kind=course.unit_kind or "ward",
        admitted_at=course.admitted_at,
        discharged_at=None,
        discharge_destination=course.discharge_destination or None,
        municipal_nursing_after_discharge=course.municipal_nursing_after_discharge,
        rehabilitation_needed=bool(course.rehabilitation_needed),
        cluster=course.hospital.cluster.key if course.hospital.cluster is not None else None,
        events=tuple(event_to_rules(e) for e in rows),
        citizen=citizen_facts(course),
        earlier_stays=earlier_stays(course),
    )


def current_tariffs(model: Any = ReadyForDischargeTariff) -> tuple[Tariff, ...]:
    """The tariff table for the rules core (``model``: a migration's historical model, when called from one)."""
    return tuple(
        Tariff(
            sector=t.sector,
            valid_from=t.valid_from,
            valid_to=t.valid_to,
            dkk_per_day=float(t.dkk_per_day),
            source=t.source,
            example=t.is_example,
        )
        for t in model.objects.all()
    )


def agreement_settings() -> AgreementSettings:
    """The rules' settings with the platform's own choices: ``SEKTORBRO_READY_CORRECTION_HOURS`` (aftalen 2.1:
    how long after a færdigbehandlet registration it may be cancelled as an error)."""
    from django.conf import settings

    hours = getattr(settings, "SEKTORBRO_READY_CORRECTION_HOURS", DEFAULT_SETTINGS.ready_cancellation_hours)
    return AgreementSettings(ready_cancellation_hours=int(hours))


def decisions_for(
    course: Course, at: dt.datetime | None = None, tariffs: tuple[Tariff, ...] | None = None
) -> dict[str, Any]:
    at = at or timezone.now()
    return evaluate(
        build_snapshot(course), at, current_tariffs() if tariffs is None else tariffs, agreement_settings()
    )


__all__ = ["agreement_settings", "build_snapshot", "current_tariffs", "decisions_for", "rules_model"]
