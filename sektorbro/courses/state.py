"""The course's derived state, stored on the row so worklists can filter and sort in SQL.

``derive_state`` is pure: it turns the rules core's ``evaluate()`` output into the column values. ``refresh_state``
evaluates one course from its full event list (no queries of its own apart from the tariff table when no
tariffs are passed, no save); ``save_state`` writes the state columns. Whether a task is overdue is decided at
read time by comparing its due time with the clock; the stored ``due`` times do not go stale. What does change
with time (accruing ready-for-discharge days, a closing 72-hour window, tasks that appear when a deadline
starts) is brought up to date by ``sektorbro courses refresh-state`` run periodically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

HOSPITAL_PARTIES = frozenset({"hospital", "hospital+municipality"})
MUNICIPAL_PARTIES = frozenset({"municipality", "hospital+municipality"})

STATE_FIELDS = (
    "state_status",
    "state_next_due",
    "state_hospital_due",
    "state_municipality_due",
    "state_tasks",
    "state_ready_since",
    "state_window_until",
    "state_window",
    "state_doctor",
    "state_billing",
    "state_documents",
    "state_discharge_date",
    "state_evaluated_at",
)
CARE_PLAN_CHANGES_KEPT = 5
COMPARED_FIELDS = tuple(name for name in STATE_FIELDS if name != "state_evaluated_at")


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _earliest(tasks: Iterable[dict[str, Any]], parties: frozenset[str] | None) -> dt.datetime | None:
    dues = [_parse(t["due"]) for t in tasks if t.get("due") and (parties is None or t["party"] in parties)]
    return min((d for d in dues if d is not None), default=None)


def care_plan_summary(events: Iterable[Any]) -> dict[str, Any] | None:
    """The care plans received so far (rules-core events in effect): how many versions, when the latest came
    and the changes it marked (*Dato*/*NYT*, flowchart P12), for the municipality's worklist."""
    in_effect = list(events)
    plans = [(i, e) for i, e in enumerate(in_effect) if e.type == "care_plan_sent"]
    if not plans:
        return None
    index, latest = plans[-1]
    acknowledged = next(
        (
            e
            for e in in_effect[index + 1 :]
            if e.type == "care_plan_acknowledged" and e.data.get("ref_seq") in (None, latest.seq)
        ),
        None,
    )
    # Once the municipality has marked the plan read, its NYT changes leave the worklist (the timeline keeps them).
    changes = [] if acknowledged is not None else latest.data.get("changes") or []
    return {
        "versions": len(plans),
        "latest_at": latest.at.isoformat() if latest.at is not None else None,
        "acknowledged_at": acknowledged.at.isoformat()
        if acknowledged is not None and acknowledged.at is not None
        else None,
        "changes": [
            {"dato": str(c.get("dato", "")), "nyt": str(c.get("nyt", ""))}
            for c in changes[:CARE_PLAN_CHANGES_KEPT]
            if isinstance(c, dict)
        ],
    }


def derive_state(decisions: dict[str, Any], events: Iterable[Any] = ()) -> dict[str, Any]:
    """The state columns for one ``evaluate()`` result (see STATE_FIELDS); ``events`` are the course's events in
    effect (the rules core's ``effective_events``), for the care plan summary."""
    tasks = [
        {
            "code": t["code"],
            "party": t["party"],
            "due": t["due"],
            "source": t["source"],
            "text": t["text"],
        }
        for t in decisions["tasks"]
    ]
    ready = decisions["ready_for_discharge"].get("date")
    window = decisions["extended_responsibility_72h"]
    doctor = decisions["responsible_doctor"]
    billing = decisions["billing"]
    return {
        "state_status": decisions["status"],
        "state_next_due": _earliest(tasks, None),
        "state_hospital_due": _earliest(tasks, HOSPITAL_PARTIES),
        "state_municipality_due": _earliest(tasks, MUNICIPAL_PARTIES),
        "state_tasks": tasks,
        "state_ready_since": dt.date.fromisoformat(ready) if ready else None,
        "state_window_until": _parse(window.get("until")) if window.get("active") else None,
        "state_window": {"applies": bool(window.get("applies")), "until": window.get("until")},
        "state_doctor": {
            "party": doctor.get("party"),
            "phone_route": doctor.get("phone_route"),
            "name": doctor.get("name"),
            "reasons": doctor.get("reasons", []),
            "sources": doctor.get("sources", []),
        },
        "state_billing": {
            "accruing_days": billing.get("accruing_days"),
            "billable_days": decisions["billable_days"],
            "amount_dkk": decisions["billable_amount_dkk"],
        },
        "state_documents": {
            "required": list(decisions["documents"].get("required", [])),
            "missing": list(decisions["documents"].get("missing", [])),
            "care_plan": care_plan_summary(events),
        },
        # The agreed date and an unanswered proposal (aftalen 2.1), for the worklist's discharge-date column.
        "state_discharge_date": decisions["discharge_date"],
        "state_evaluated_at": _parse(decisions["at"]),
    }


def refresh_state(
    course: Any,
    events: Sequence[Any],
    *,
    at: dt.datetime | None = None,
    tariffs: tuple[Any, ...] | None = None,
) -> Any:
    """Evaluate ``course`` from its full event list and set the state attributes; returns the course (unsaved).
    Pass ``tariffs`` from ``current_tariffs()`` when refreshing many courses."""
    from django.utils import timezone

    from sektorbro.agreement.evaluate import evaluate
    from sektorbro.agreement.history import effective_events
    from sektorbro.courses.snapshot import agreement_settings, build_snapshot, current_tariffs

    snapshot = build_snapshot(course, events)
    settings = agreement_settings()
    decisions = evaluate(
        snapshot, at or timezone.now(), current_tariffs() if tariffs is None else tariffs, settings
    )
    for key, value in derive_state(decisions, effective_events(snapshot, settings)).items():
        setattr(course, key, value)
    return course


def save_state(course: Any) -> None:
    """Write the state columns of a refreshed course (nothing else)."""
    course.save(update_fields=list(STATE_FIELDS))


@dataclass
class Refreshed:
    refreshed: int = 0  # courses evaluated
    written: int = 0  # of them, those whose state had changed and was written


def refresh_many(queryset: Any, *, at: dt.datetime | None = None, batch_size: int = 500) -> Refreshed:
    """Re-evaluate every course in ``queryset`` in batches: one query for the courses, one for their events and
    one pipelined update per batch (``update_rows``) of the courses whose state changed; the others are not
    rewritten (``state_evaluated_at`` is when the stored state was last written). Returns how many courses were refreshed."""
    from django.db import transaction
    from django.db.models import Prefetch
    from django.utils import timezone

    from sektorbro.core.bulk import update_rows
    from sektorbro.courses.models import Course, CourseEvent
    from sektorbro.courses.snapshot import current_tariffs

    at = at or timezone.now()
    tariffs = current_tariffs()
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    result = Refreshed()
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        courses = (
            Course.objects.filter(pk__in=chunk)
            .select_related("citizen", "hospital", "hospital__cluster")
            .prefetch_related(
                Prefetch(
                    "events",
                    queryset=CourseEvent.objects.select_related("supersedes").order_by("seq"),
                )
            )
        )
        changed = []
        for course in courses:
            before = [getattr(course, name) for name in COMPARED_FIELDS]
            refresh_state(course, list(course.events.all()), at=at, tariffs=tariffs)
            if [getattr(course, name) for name in COMPARED_FIELDS] != before:
                changed.append(course)
        with transaction.atomic():
            update_rows(changed, STATE_FIELDS)
        result.refreshed += len(chunk)
        result.written += len(changed)
    return result
