"""Worklists: each role's open work, derived by the rules core from the courses the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.agreement.model import IN_HOSPITAL_STATUSES
from sektorbro.courses.models import Course
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.courses.snapshot import current_tariffs, decisions_for

RECENT = dt.timedelta(days=3)


@dataclass
class Row:
    course: Course
    decisions: dict[str, Any]
    tasks: list[dict[str, Any]] = field(default_factory=list)
    overdue: int = 0

    @property
    def first_task(self) -> dict[str, Any] | None:
        return self.tasks[0] if self.tasks else None

    @property
    def ready_date(self) -> dt.date | None:
        value = self.decisions["ready_for_discharge"]["date"]
        return dt.date.fromisoformat(value) if value else None

    @property
    def window_until(self) -> dt.datetime | None:
        value = self.decisions["extended_responsibility_72h"]["until"]
        return dt.datetime.fromisoformat(value) if value else None


def _party_of(sectors: set[Sector]) -> set[str]:
    parties: set[str] = set()
    if Sector.HOSPITAL in sectors:
        parties |= {"hospital", "hospital+municipality"}
    if Sector.MUNICIPALITY in sectors:
        parties |= {"municipality", "hospital+municipality"}
    return parties


def worklist(user: Any, *, ward: str | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """Open courses plus those discharged in the last three days, with the tasks that are the user's party's."""
    now = now or timezone.now()
    sectors = {sector_of(m.role) for m in user.active_memberships()}
    queryset = courses_visible_to(user).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=now - RECENT))
    if ward:
        queryset = queryset.filter(department__key=ward)
    tariffs = current_tariffs()
    language = "en" if (get_language() or "da").startswith("en") else "da"
    parties = _party_of(sectors)
    rows: list[Row] = []
    for course in queryset.order_by("admitted_at")[:200]:
        decisions = decisions_for(course, now, tariffs)
        tasks = [
            {**t, "label": t["text"][language]}
            for t in decisions["tasks"]
            if not parties or t["party"] in parties
        ]
        rows.append(Row(course, decisions, tasks, sum(1 for t in tasks if t["overdue"])))
    rows.sort(key=lambda r: (-r.overdue, -len(r.tasks), r.course.admitted_at))
    admitted = [r for r in rows if r.decisions["status"] in IN_HOSPITAL_STATUSES]
    discharged = [r for r in rows if r.decisions["status"] in ("discharged", "dead")]
    return {
        "admitted": admitted,
        "discharged": discharged,
        "ready": [r for r in admitted if r.decisions["status"] == "ready_for_discharge"],
        "window_72h": [r for r in discharged if r.decisions["extended_responsibility_72h"]["active"]],
        "acute_function": [r for r in rows if r.course.citizen.acute_function_unit_id],
        "sectors": {s.value for s in sectors},
        "wards": sorted(
            {
                (c.department.key, c.department.name)
                for c in courses_visible_to(user).filter(ended_at__isnull=True)
                if c.department
            }
        )
        if Sector.HOSPITAL in sectors
        else [],
        "generated_at": now,
    }
