"""Small builders for the rules tests: local times and course snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sektorbro.agreement.model import CPH, CourseSnapshot, Deadline, Event


def t(text: str) -> dt.datetime:
    """A local (Europe/Copenhagen) time from 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=CPH)


def ev(kind: str, at: str | None = None, *, date: str | None = None, **data: Any) -> Event:
    return Event(kind, t(at) if at else None, dt.date.fromisoformat(date) if date else None, None, data)


def course(events: list[Event] | tuple[Event, ...] = (), **kw: Any) -> CourseSnapshot:
    """A somatic acute course admitted Monday 03.03.2025 10:00; events are numbered 1, 2, ... in order."""
    numbered = tuple(
        Event(e.type, e.at, e.date, e.seq if e.seq is not None else i + 1, e.data)
        for i, e in enumerate(events)
    )
    values: dict[str, Any] = {"area": "somatic", "track": "acute", "admitted_at": t("2025-03-03 10:00")}
    values.update(kw)
    return CourseSnapshot(events=numbered, **values)


def find(deadlines: list[Deadline], rule: str) -> Deadline:
    found = [d for d in deadlines if d.rule == rule]
    assert len(found) == 1, f"{rule}: {[d.rule for d in deadlines]}"
    return found[0]


def rules_of(deadlines: list[Deadline]) -> list[str]:
    return [d.rule for d in deadlines]


PHONE = {"counterpart": "Visitator Lene Holm", "by": "hospital"}


def agreed(at: str, *, date: str, **data: Any) -> Event:
    """A discharge date agreed by phone, documented with the other party's person and the call's time."""
    return ev("discharge_date_agreed", at, date=date, **{**PHONE, "call_at": t(at).isoformat(), **data})


def weekend_agreed(at: str, **data: Any) -> Event:
    """A weekend or holiday discharge agreed by phone (flowchart P13), documented like ``agreed``."""
    return ev("weekend_discharge_agreed", at, **{**PHONE, "call_at": t(at).isoformat(), **data})
