"""Reads for the audit pages: the rounds a user may read, an audited course's timeline (de-identified unless the
user may see the citizen) and the learning report's groupings.

The timeline holds admissions, discharges, messages (their type and date, never their text) and the days the
citizen was ready for discharge, from the citizen's courses in the round's period. Whether it names the citizen
is decided by the citizens access selector (``citizens_visible_to``); the view that shows a named timeline logs
the read (``log_access``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sektorbro.agreement.history import effective_events
from sektorbro.citizens.access import care_relation_ids, citizens_visible_to
from sektorbro.citizens.models import Citizen
from sektorbro.courses.labels import EVENT_LABELS
from sektorbro.courses.models import Course
from sektorbro.courses.snapshot import build_snapshot
from sektorbro.followup.access import rounds_visible_to
from sektorbro.followup.models import Answer, AuditCourse, AuditRound, Party, Suggestion, Theme

#: The course events that are messages between the sectors (MedCom): shown by type and date only.
MESSAGE_EVENTS = (
    "admission_report_sent",
    "admission_report_received",
    "care_plan_sent",
    "correspondence_sent",
    "discharge_report_sent",
    "rehab_plan_sent",
    "discharge_summary_sent",
)
DISCHARGE_EVENTS = ("discharged", "died")
PARTY_ORDER = [Party.HOSPITAL, Party.MUNICIPALITY, Party.GENERAL_PRACTICE]


def citizen_label(number: int) -> str:
    """ "A" for course 1, "B" for 2, … "Z", "AA", "AB", … (spreadsheet columns)."""
    letters = ""
    n = number
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def borger(number: int) -> str:
    return str(_("Citizen %(label)s") % {"label": citizen_label(number)})


def rounds_for(user: Any) -> QuerySet[AuditRound]:
    return rounds_visible_to(user).annotate(
        course_count=Count("courses", distinct=True), theme_count=Count("themes", distinct=True)
    )


def round_for(user: Any, public_id: Any) -> AuditRound | None:
    return rounds_visible_to(user).filter(public_id=public_id).first()


def round_courses(audit_round: AuditRound) -> list[AuditCourse]:
    return list(
        audit_round.courses.select_related("municipality").annotate(suggestion_count=Count("suggestions"))
    )


def audit_course(audit_round: AuditRound, public_id: Any) -> AuditCourse | None:
    return audit_round.courses.select_related("municipality", "citizen").filter(public_id=public_id).first()


def round_suggestions(audit_round: AuditRound) -> list[Suggestion]:
    return list(
        Suggestion.objects.filter(course__round=audit_round)
        .select_related("course", "course__municipality", "theme")
        .order_by("course__number", "id")
    )


# --- the timeline -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # admission, discharge, message, ready
    day: dt.date
    label: str | Promise
    detail: str = ""
    relative_day: int = 0


@dataclass
class Timeline:
    label: str
    identified: bool
    citizen: Citizen | None
    care_relation: bool
    entries: list[TimelineEntry] = field(default_factory=list)
    first_day: dt.date | None = None
    ready_days: int = 0
    on_platform: bool = True


def _local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _courses_in_period(citizen_id: int, audit_round: AuditRound) -> list[Course]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(audit_round.period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(audit_round.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return list(
        Course.objects.filter(citizen_id=citizen_id, admitted_at__lt=end)
        .exclude(ended_at__lt=start)
        .select_related("hospital", "hospital__cluster", "citizen", "citizen__residence_municipality")
        .prefetch_related(Prefetch("events"))
        .order_by("admitted_at", "id")
    )


def _entries(course: Course) -> tuple[list[TimelineEntry], int]:
    events = sorted(course.events.all(), key=lambda e: e.seq)
    effective = effective_events(build_snapshot(course, events))
    area = course.get_area_display()
    found = [
        TimelineEntry(
            "admission", _local_day(course.admitted_at), _("Admitted"), f"{course.hospital.name} · {area}"
        )
    ]
    for event in effective:
        if event.at is None:
            continue
        day = _local_day(event.at)
        if event.type in DISCHARGE_EVENTS:
            found.append(TimelineEntry("discharge", day, EVENT_LABELS[event.type]))
        elif event.type in MESSAGE_EVENTS:
            found.append(TimelineEntry("message", day, EVENT_LABELS[event.type]))
        elif event.type == "ready_for_discharge":
            found.append(TimelineEntry("ready", day, _("Ready for discharge")))
        elif event.type == "treatment_resumed":
            found.append(TimelineEntry("ready", day, _("Treatment resumed")))
    ready_days = int((course.state_billing or {}).get("accruing_days") or 0)
    return found, ready_days


def timeline(user: Any, audit_course: AuditCourse) -> Timeline:
    """The course's timeline for this user: named (with the CPR number masked unless the user has a care
    relation) only when the citizens access selector lets the user see the citizen."""
    citizen = audit_course.citizen
    identified = bool(citizen and citizens_visible_to(user).filter(pk=citizen.pk).exists())
    care = bool(identified and citizen and care_relation_ids(user, [citizen]))
    result = Timeline(
        label=borger(audit_course.number),
        identified=identified,
        citizen=citizen if identified else None,
        care_relation=care,
        on_platform=citizen is not None,
    )
    if citizen is None:
        return result
    entries: list[TimelineEntry] = []
    for course in _courses_in_period(citizen.pk, audit_course.round):
        found, ready = _entries(course)
        entries.extend(found)
        result.ready_days += ready
    order = {"admission": 0, "ready": 1, "message": 2, "discharge": 3}
    entries.sort(key=lambda e: (e.day, order[e.kind]))
    admissions = [e.day for e in entries if e.kind == "admission"]
    first = min(admissions) if admissions else (entries[0].day if entries else None)
    result.first_day = first
    result.entries = [
        TimelineEntry(e.kind, e.day, e.label, e.detail, (e.day - first).days if first else 0) for e in entries
    ]
    return result


def identified_citizens(user: Any, courses: Iterable[AuditCourse]) -> list[Citizen]:
    """The linked citizens among ``courses`` that the user may see (for the access log)."""
    ids = [c.citizen_id for c in courses if c.citizen_id]
    if not ids:
        return []
    return list(citizens_visible_to(user).filter(pk__in=ids))


# --- the learning report ----------------------------------------------------------------------------------------


@dataclass
class ReportItem:
    text: str
    party: str
    party_label: str
    theme: Theme | None
    course_label: str
    municipality: str


@dataclass
class ThemeSection:
    theme: Theme | None
    by_party: list[tuple[str, list[ReportItem]]]
    count: int


@dataclass
class PartySection:
    party: str
    label: str
    by_theme: list[tuple[Theme | None, list[ReportItem]]]
    count: int


@dataclass
class LearningReport:
    audit_round: AuditRound
    courses: int
    reviewed: int
    municipalities: list[str]
    themes: list[ThemeSection]
    parties: list[PartySection]
    matrix: list[tuple[Theme | None, list[int], int]]
    party_labels: list[str]
    total: int
    answers: list[tuple[str, list[tuple[str, int]]]]


def learning_report(audit_round: AuditRound) -> LearningReport:
    """The round's suggestions grouped by theme (and within it by party) and by party (and within it by theme),
    across the round's municipalities. De-identified: a course is "Citizen C, Norddjurs"."""
    courses = list(audit_round.courses.select_related("municipality"))
    themes = list(audit_round.themes.all())
    items = [
        ReportItem(
            text=s.text,
            party=s.party,
            party_label=str(Party(s.party).label),
            theme=s.theme,
            course_label=borger(s.course.number),
            municipality=s.course.municipality.name,
        )
        for s in round_suggestions(audit_round)
    ]
    theme_keys: list[Theme | None] = [*themes]
    if any(i.theme is None for i in items):
        theme_keys.append(None)
    by_theme: dict[int | None, list[ReportItem]] = defaultdict(list)
    for item in items:
        by_theme[item.theme.pk if item.theme else None].append(item)

    def parties_of(group: list[ReportItem]) -> list[tuple[str, list[ReportItem]]]:
        return [
            (str(p.label), [i for i in group if i.party == p])
            for p in PARTY_ORDER
            if any(i.party == p for i in group)
        ]

    theme_sections = [
        ThemeSection(t, parties_of(by_theme[t.pk if t else None]), len(by_theme[t.pk if t else None]))
        for t in theme_keys
    ]
    party_sections = []
    for party in PARTY_ORDER:
        own = [i for i in items if i.party == party]
        grouped = [
            (t, [i for i in own if (i.theme.pk if i.theme else None) == (t.pk if t else None)])
            for t in theme_keys
        ]
        party_sections.append(
            PartySection(str(party), str(party.label), [g for g in grouped if g[1]], len(own))
        )
    matrix = []
    for t in theme_keys:
        group = by_theme[t.pk if t else None]
        counts = [sum(1 for i in group if i.party == p) for p in PARTY_ORDER]
        matrix.append((t, counts, sum(counts)))
    answers = [
        (
            str(question),
            [(str(a.label), sum(1 for c in courses if getattr(c, name) == a)) for a in Answer],
        )
        for name, question in (
            ("coherent", _("Is the course coherent?")),
            ("preventable", _("Could the admissions have been prevented?")),
        )
    ]
    return LearningReport(
        audit_round=audit_round,
        courses=len(courses),
        reviewed=sum(1 for c in courses if c.reviewed),
        municipalities=sorted({c.municipality.name for c in courses}),
        themes=theme_sections,
        parties=party_sections,
        matrix=matrix,
        party_labels=[str(p.label) for p in PARTY_ORDER],
        total=len(items),
        answers=answers,
    )
