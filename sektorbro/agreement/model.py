"""The vocabulary of the rules core: what a course looks like to the rules, and what the rules answer.

Plain Python (no Django). All datetimes must be timezone-aware; local dates and clock times are taken in
Europe/Copenhagen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

CPH = ZoneInfo("Europe/Copenhagen")

EVENT_TYPES = (
    "admitted",
    "transferred",
    "leave_started",
    "leave_ended",
    "ready_for_discharge",
    "treatment_resumed",
    "discharge_date_proposed",
    "discharge_date_agreed",
    "care_plan_sent",
    "admission_report_received",
    "admission_report_sent",
    "assessment_plan_made",
    "correspondence_sent",
    "correspondence_read",
    "phone_contact_logged",
    "discharge_report_sent",
    "rehab_plan_sent",
    "discharge_summary_sent",
    "fmk_updated",
    "discharge_agreement_made",
    "coordination_plan_made",
    "weekend_discharge_agreed",
    "discharged",
    "died",
    "terminal_assessed",
    "cancelled",
    "corrected",
)

DESTINATIONS = (
    "own_home",
    "nursing_home",
    "municipal_acute_bed",
    "temporary_bed",
    "other_hospital",
    "dead",
    "other",
)
DOCUMENTS = (
    "admission_report",
    "care_plan",
    "discharge_report",
    "rehab_plan",
    "correspondence",
    "phone_contact",
    "discharge_summary",
    "fmk_update",
    "discharge_agreement",
    "coordination_plan",
)


class RuleInputError(ValueError):
    """The input to a rule is not usable (for example a naive datetime); the message says which field."""


def require_aware(value: dt.datetime | None, field_name: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise RuleInputError(f"{field_name}: a time zone is required (e.g. +01:00)")


def local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(CPH).date()


@dataclass(frozen=True)
class Event:
    """One fact in the course's history. ``seq`` identifies it for cancellations, corrections and reads."""

    type: str
    at: dt.datetime | None = None
    date: dt.date | None = None
    seq: int | None = None
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        require_aware(self.at, f"event {self.type}.at")


@dataclass(frozen=True)
class AcuteFunction:
    referred_by: str  # gp | out_of_hours | hospital
    since: dt.datetime
    until: dt.datetime | None = None

    def active_at(self, at: dt.datetime) -> bool:
        return self.since <= at and (self.until is None or at < self.until)


@dataclass(frozen=True)
class CitizenFacts:
    elderly_care: bool = False
    social_area: bool = False
    terminal: bool = False
    acute_function: AcuteFunction | None = None


@dataclass(frozen=True)
class CourseSnapshot:
    area: str  # somatic | psychiatric
    track: str  # acute | planned
    admitted_at: dt.datetime
    region: str = "Midtjylland"
    unit_kind: str = "ward"  # ward | clinic
    discharged_at: dt.datetime | None = None
    discharge_destination: str | None = None
    municipal_nursing_after_discharge: bool = False
    rehabilitation_needed: bool = False
    cluster: str | None = None
    events: tuple[Event, ...] = ()
    citizen: CitizenFacts = field(default_factory=CitizenFacts)

    def __post_init__(self) -> None:
        require_aware(self.admitted_at, "course.admitted_at")
        require_aware(self.discharged_at, "course.discharged_at")


@dataclass(frozen=True)
class Reason:
    da: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"da": self.da, "en": self.en}


@dataclass(frozen=True)
class Decision:
    """A value with the reasons for it and the sources it rests on (agreement section or flowchart rule)."""

    value: Any
    reasons: tuple[Reason, ...]
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "reasons": [r.as_dict() for r in self.reasons],
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Deadline:
    rule: str
    due: dt.datetime | None
    party: str  # hospital | municipality | gp | hospital+municipality
    status: str  # open | met | overdue
    text: Reason
    met_at: dt.datetime | None = None
    late: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "due": self.due.isoformat() if self.due else None,
            "party": self.party,
            "status": self.status,
            "met_at": self.met_at.isoformat() if self.met_at else None,
            "late": self.late,
            "text": self.text.as_dict(),
        }


@dataclass(frozen=True)
class Tariff:
    """A dated per-day rate the municipality pays for a færdigbehandlet bed day."""

    sector: str  # somatic | psychiatric
    valid_from: dt.date
    valid_to: dt.date | None
    dkk_per_day: float
    source: str
    example: bool = False

    def covers(self, sector: str, day: dt.date) -> bool:
        return (
            self.sector == sector
            and self.valid_from <= day
            and (self.valid_to is None or day < self.valid_to)
        )


@dataclass(frozen=True)
class AgreementSettings:
    """Choices where the agreement or flowchart leaves room; each is documented in docs/agreement-rules.md."""

    short_stay_hours: int = 24  # P09/P10 and S01: "24 hours or less" is short
    admission_report_hours: int = 24  # P04
    assessment_plan_hours: int = 24  # P05
    p04_clock_start: str = "admission"  # admission | notice (the same time when the notice is automatic)
    care_plan_cutoff: dt.time = dt.time(12, 0)  # P14
    reading_window_start: dt.time = dt.time(8, 0)  # P18/P19
    reading_deadline: dt.time = dt.time(15, 0)  # P18/P19
    reading_cutoff: dt.time = dt.time(14, 30)  # P18/P19
    municipal_shifts: tuple[dt.time, ...] = (dt.time(7, 0), dt.time(15, 0), dt.time(23, 0))  # A05
    friday_afternoon_starts: dt.time = dt.time(12, 0)  # P15 default; per cluster below
    friday_afternoon_by_cluster: tuple[tuple[str, dt.time], ...] = ()
    monday_deadline: dt.time = dt.time(12, 0)  # P15
    require_agreed_date_for_billing: bool = True  # aftalen 2.1: pay only when the agreed date is after ready
    ready_period_ends_on_terminal: bool = True
    block_weekend_discharge_without_agreement: bool = True  # P13
    extended_window_hours: int = 72  # S01
    places_from: dt.date = dt.date(2023, 9, 15)  # S01
    own_home_from: dt.date = dt.date(2023, 11, 1)  # S01
    gp_acute_line_hours: tuple[dt.time, dt.time] = (dt.time(8, 0), dt.time(16, 0))

    def friday_afternoon(self, cluster: str | None) -> dt.time:
        for key, value in self.friday_afternoon_by_cluster:
            if key == cluster:
                return value
        return self.friday_afternoon_starts
