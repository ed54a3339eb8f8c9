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
    )


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
