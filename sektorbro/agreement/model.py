"""The vocabulary of the rules core: what a course looks like to the rules, and what the rules answer.

Plain Python (no Django). Every datetime must carry a time zone (a naive one raises ``RuleInputError``);
local dates and clock times are taken in Europe/Copenhagen.
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
    "discharge_date_accepted",
    "discharge_agreement_disputed",
    "care_plan_sent",
    "care_plan_acknowledged",
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
AREAS = ("somatic", "psychiatric")
TRACKS = ("acute", "planned")
UNIT_KINDS = ("ward", "clinic")
REFERRERS = ("gp", "out_of_hours", "hospital")
PARTIES = ("hospital", "municipality", "gp", "hospital+municipality")
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
STATUSES = (
    "not_admitted",
    "admitted",
    "on_leave",
    "ready_for_discharge",
    "treatment_resumed",
    "discharged",
    "dead",
    "cancelled",
)
#: Statuses in which the citizen is (still) a hospital patient in this course.
IN_HOSPITAL_STATUSES = ("admitted", "on_leave", "ready_for_discharge", "treatment_resumed")
#: Statuses in which the course has ended.
ENDED_STATUSES = ("discharged", "dead", "cancelled")


class RuleInputError(ValueError):
    """The input to a rule is not usable (for example a naive datetime); the message names the field."""


def require_aware(value: dt.datetime | None, field_name: str) -> None:
    """Refuse naive datetimes: the rules never guess a time zone."""
    if value is None:
        return
    if not isinstance(value, dt.datetime):
        raise RuleInputError(f"{field_name}: a datetime is required, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise RuleInputError(
            f"{field_name}: a time zone is required (e.g. +01:00); naive datetimes are refused"
        )


def _require_choice(value: str | None, allowed: tuple[str, ...], field_name: str) -> None:
    if value is not None and value not in allowed:
        raise RuleInputError(f"{field_name}: must be one of {', '.join(allowed)} (got {value!r})")


def local_date(value: dt.datetime) -> dt.date:
    """The calendar date in Denmark of an aware datetime."""
    return value.astimezone(CPH).date()


@dataclass(frozen=True)
class Event:
    """One fact in the course's history (append-only; the order of the tuple is the order of recording).

    ``at`` is when it happened; ``date`` is a date the event is about (the proposed or agreed discharge date).
    ``seq`` identifies it for cancellations, corrections and reads. ``data`` holds optional fields, e.g.
    ``to`` (``hospital``/``municipality``) on a letter, ``ref_seq`` on a read, ``target_seq`` on a
    cancellation or correction, ``destination`` on a discharge, ``version``/``changes`` on a care plan."""

    type: str
    at: dt.datetime | None = None
    date: dt.date | None = None
    seq: int | None = None
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        _require_choice(self.type, EVENT_TYPES, "event.type")
        require_aware(self.at, f"event {self.type}.at")


@dataclass(frozen=True)
class AcuteFunction:
    """The citizen's stay in a municipal acute function (aftalen 2.2)."""

    referred_by: str  # gp | out_of_hours | hospital
    since: dt.datetime
    until: dt.datetime | None = None

    def __post_init__(self) -> None:
        _require_choice(self.referred_by, REFERRERS, "acute_function.referred_by")
        require_aware(self.since, "acute_function.since")
        require_aware(self.until, "acute_function.until")
        if self.until is not None and self.until < self.since:
            raise RuleInputError("acute_function.until: must not be before acute_function.since")

    def active_at(self, at: dt.datetime) -> bool:
        return self.since <= at and (self.until is None or at < self.until)


@dataclass(frozen=True)
class CitizenFacts:
    """What the rules need to know about the citizen: the affiliations decide the documents (aftalen 1,
    fodnote 4), ``terminal`` forbids a færdigbehandlet registration (aftalen 2.1)."""

    elderly_care: bool = False
    social_area: bool = False
    terminal: bool = False
    acute_function: AcuteFunction | None = None
    # The named GP (aftalen 2.2: the patient-responsible doctor is "en navngiven læge"), where the GP gives it.
    gp_doctor: str | None = None


@dataclass(frozen=True)
class EarlierStay:
    """A stay at another hospital in the region that this course continues (aftalen 2.2: admission "på en
    somatisk afdeling i Region Midtjylland" counts across hospitals). The platform links a course to the one
    before it when the citizen was transferred (see ``AgreementSettings.transfer_gap_hours``).
    ``admission_report_at``: when the municipality's admission report for the stay was sent or received there
    (it is not demanded again from the receiving hospital's course)."""

    hospital: str
    admitted_at: dt.datetime
    ended_at: dt.datetime
    admission_report_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.admitted_at, "earlier_stays.admitted_at")
        require_aware(self.ended_at, "earlier_stays.ended_at")
        require_aware(self.admission_report_at, "earlier_stays.admission_report_at")
        if self.ended_at < self.admitted_at:
            raise RuleInputError("earlier_stays.ended_at: must not be before earlier_stays.admitted_at")


@dataclass(frozen=True)
class CourseSnapshot:
    """One course as the rules see it. ``discharged_at``/``discharge_destination`` may be given directly
    (scenarios) or come from a ``discharged``/``died`` event (the platform); the event wins."""

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
    # The stays at other region hospitals this course continues, oldest first (one regional stay, aftalen 2.2).
    earlier_stays: tuple[EarlierStay, ...] = ()

    def __post_init__(self) -> None:
        _require_choice(self.area, AREAS, "course.area")
        _require_choice(self.track, TRACKS, "course.track")
        _require_choice(self.unit_kind, UNIT_KINDS, "course.unit_kind")
        _require_choice(self.discharge_destination, DESTINATIONS, "course.discharge_destination")
        require_aware(self.admitted_at, "course.admitted_at")
        require_aware(self.discharged_at, "course.discharged_at")
        if self.discharged_at is not None and self.discharged_at < self.admitted_at:
            raise RuleInputError("course.discharged_at: must not be before course.admitted_at")
        for stay in self.earlier_stays:
            if stay.admitted_at > self.admitted_at:
                raise RuleInputError("earlier_stays.admitted_at: must not be after course.admitted_at")

    @property
    def stay_started_at(self) -> dt.datetime:
        """When the regional stay began: the admission at the first hospital (aftalen 2.2)."""
        return min((s.admitted_at for s in self.earlier_stays), default=self.admitted_at)


@dataclass(frozen=True)
class Reason:
    """One reason, in Danish (the user interface's first language) and English."""

    da: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"da": self.da, "en": self.en}


@dataclass(frozen=True)
class Decision[T]:
    """A value with the reasons for it and the sources it rests on (``aftalen 2.1``, ``flowchart P14``,
    ``bilag 2``). A decision without a reason or a source cannot be made."""

    value: T
    reasons: tuple[Reason, ...]
    sources: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.reasons:
            raise ValueError("a decision needs at least one reason")
        if not self.sources:
            raise ValueError("a decision needs at least one source")

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "reasons": [r.as_dict() for r in self.reasons],
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Deadline:
    """A clock rule from the flowchart applied to one course: due when, by whom, and whether it was met."""

    rule: str  # flowchart rule id, e.g. P14
    due: dt.datetime | None
    party: str  # hospital | municipality | gp | hospital+municipality
    status: str  # open | met | overdue
    text: Reason
    met_at: dt.datetime | None = None
    late: bool = False  # met, but after the due time
    covers: tuple[str, ...] = ()  # documents this deadline already asks for (tasks do not repeat them)

    @property
    def source(self) -> str:
        return f"flowchart {self.rule}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "source": self.source,
            "due": self.due.isoformat() if self.due else None,
            "party": self.party,
            "status": self.status,
            "met_at": self.met_at.isoformat() if self.met_at else None,
            "late": self.late,
            "text": self.text.as_dict(),
        }


@dataclass(frozen=True)
class Alert:
    """A situation worth pointing out that has no deadline of its own (e.g. P15)."""

    rule: str
    source: str
    until: dt.datetime | None
    party: str
    text: Reason

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "source": self.source,
            "until": self.until.isoformat() if self.until else None,
            "party": self.party,
            "text": self.text.as_dict(),
        }


@dataclass(frozen=True)
class Task:
    """Open work for one party, derived from a deadline, a missing document or an alert (for worklists)."""

    code: str  # deadline:P14 | document:care_plan | alert:P15
    rule: str
    source: str
    party: str
    due: dt.datetime | None
    overdue: bool
    text: Reason

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule,
            "source": self.source,
            "party": self.party,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue,
            "text": self.text.as_dict(),
        }


@dataclass(frozen=True)
class Tariff:
    """A dated per-day rate (færdigbehandlingstakst) the municipality pays for a færdigbehandlet bed day.
    ``valid_to`` is exclusive (the first day the row no longer applies); ``None`` means open-ended."""

    sector: str  # somatic | psychiatric
    valid_from: dt.date
    valid_to: dt.date | None
    dkk_per_day: float
    source: str
    example: bool = False

    def __post_init__(self) -> None:
        _require_choice(self.sector, AREAS, "tariff.sector")
        if self.dkk_per_day < 0:
            raise RuleInputError("tariff.dkk_per_day: must not be negative")
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise RuleInputError("tariff.valid_to: must be after valid_from")
        if not self.source.strip():
            raise RuleInputError("tariff.source: required (where the amount comes from)")

    def covers(self, sector: str, day: dt.date) -> bool:
        return (
            self.sector == sector
            and self.valid_from <= day
            and (self.valid_to is None or day < self.valid_to)
        )


@dataclass(frozen=True)
class AgreementSettings:
    """Every choice where the agreement or the flowchart leaves room, with its default.

    Each field is documented in docs/agreement-rules.md ("Settings")."""

    # Stay length (flowchart P09/P10/A02, aftalen 2.2 / S01): a stay of exactly 24 hours is short.
    short_stay_hours: int = 24
    # Admission (flowchart P04/P05); the clock starts at the admission.
    admission_report_hours: int = 24
    assessment_plan_hours: int = 24
    # Care plan and same-day action (flowchart P10/P14).
    care_plan_cutoff: dt.time = dt.time(12, 0)  # a plan sent at 12:00 sharp is in time
    care_plan_same_day_counts: bool = True  # a plan sent on the discharge morning counts as "earlier"
    phone_window_days: int = 1  # P14/A02: a call on the discharge day or this many days before counts
    # Correspondence reading (flowchart P18/P19/A05).
    reading_window_start: dt.time = dt.time(8, 0)
    reading_deadline: dt.time = dt.time(15, 0)
    reading_cutoff: dt.time = dt.time(14, 30)  # sent at or after this: read on the next reading day
    municipal_shifts: tuple[dt.time, ...] = (dt.time(7, 0), dt.time(15, 0), dt.time(23, 0))
    municipal_read_grace_shifts: int = 1  # read by the end of the shift after the one it arrived in
    # Friday afternoon (flowchart P15), per cluster.
    friday_afternoon_starts: dt.time = dt.time(12, 0)
    friday_afternoon_by_cluster: tuple[tuple[str, dt.time], ...] = ()
    monday_deadline: dt.time = dt.time(12, 0)
    p15_skip_holiday_monday: bool = True  # 2. påskedag/2. pinsedag move "Monday 12:00" to Tuesday
    # Weekend and holiday discharge (flowchart P13).
    block_weekend_discharge_without_agreement: bool = True
    # Færdigbehandlet and bed days (aftalen 2.1).
    ready_period_ends_on_terminal: bool = True
    ready_date_corrections_allowed: bool = False
    # A færdigbehandlet registration may be cancelled only as the correction of an error, this many hours
    # after the registration at most (aftalen 2.1: the time "kan som udgangspunkt ikke ændres").
    ready_cancellation_hours: int = 24
    require_agreed_date_for_billing: bool = True
    bill_ready_day: bool = True  # with bill_discharge_day=False: one day per midnight
    bill_discharge_day: bool = False
    bill_until_agreed_date: bool = True  # aftalen 2.1: the days between the ready date and the agreed date
    # One regional stay (aftalen 2.2: "på en somatisk afdeling i Region Midtjylland i over 24 timer"): an
    # admission at another region hospital that starts at most this many hours after the previous stay ended (or
    # while it had not yet been registered as ended) continues that stay; the same gap the indicator engine uses
    # for stays across hospitals (docs/indicators.md, "Stays").
    transfer_gap_hours: int = 4
    # 72-hour extended responsibility (aftalen 2.2, S01).
    extended_window_hours: int = 72
    places_from: dt.date = dt.date(2023, 9, 15)
    own_home_from: dt.date = dt.date(2023, 11, 1)
    s01_requires_ready_registration: bool = False
    # Municipal acute function (aftalen 2.2): the GP's direct line on weekdays.
    gp_acute_line_hours: tuple[dt.time, dt.time] = (dt.time(8, 0), dt.time(16, 0))
    # Scope: the flowchart is for somatics only (aftalen 3).
    flowchart_applies_to_psychiatry: bool = False
    # Psychiatry is part of the agreement from this date (aftalen 4), compared with the admission date.
    psychiatry_from: dt.date = dt.date(2024, 4, 1)

    def __post_init__(self) -> None:
        for name in (
            "short_stay_hours",
            "admission_report_hours",
            "assessment_plan_hours",
            "extended_window_hours",
        ):
            if getattr(self, name) <= 0:
                raise RuleInputError(f"settings.{name}: must be positive")
        if self.transfer_gap_hours < 0:
            raise RuleInputError("settings.transfer_gap_hours: must be >= 0")
        if self.ready_cancellation_hours < 0:
            raise RuleInputError("settings.ready_cancellation_hours: must be >= 0")
        if self.phone_window_days < 0 or self.municipal_read_grace_shifts < 0:
            raise RuleInputError("settings: phone_window_days and municipal_read_grace_shifts must be >= 0")
        if not self.municipal_shifts:
            raise RuleInputError("settings.municipal_shifts: at least one shift start is required")
        if not self.reading_window_start < self.reading_cutoff <= self.reading_deadline:
            raise RuleInputError(
                "settings: reading_window_start < reading_cutoff <= reading_deadline is required"
            )

    def friday_afternoon(self, cluster: str | None) -> dt.time:
        """When Friday afternoon starts for this cluster (P15 leaves it to the clusters)."""
        for key, value in self.friday_afternoon_by_cluster:
            if key == cluster:
                return value
        return self.friday_afternoon_starts


DEFAULT_SETTINGS = AgreementSettings()
