"""Worklists: each role's open work, read from the state stored on the courses (``sektorbro.courses.state``).

Filtering, ordering (overdue first, then the nearest deadline of the user's own party) and paging happen in
SQL; no rules are evaluated per request. Each section reports its full count and shows ``limit`` rows with a
"show more" link, so nothing is silently left out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.agreement.documents import DOCUMENT_LABELS
from sektorbro.agreement.model import IN_HOSPITAL_STATUSES
from sektorbro.courses.labels import PARTY_LABELS
from sektorbro.courses.models import Course
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.organisations.models import OrganisationUnit
from sektorbro.workspace.acute import acute_worklist, has_acute_role

RECENT = dt.timedelta(days=3)
PAGE = 25
MAX_LIMIT = 1000
ENDED_STATUSES = ("discharged", "dead")
# What a worklist row shows; other columns (and the citizen's other fields) are not fetched.
ROW_FIELDS = (
    "public_id",
    "citizen_id",
    "hospital_id",
    "department_id",
    "area",
    "track",
    "admitted_at",
    "discharged_at",
    "ended_at",
    "state_status",
    "state_tasks",
    "state_ready_since",
    "state_window_until",
    "state_window",
    "state_doctor",
    "state_billing",
    "state_documents",
    "state_discharge_date",
    "version",
    "citizen__public_id",
    "citizen__name",
    "hospital__name",
    "hospital__phone",
    "department__name",
    "department__phone",
)


@dataclass
class Row:
    course: Course
    decisions: dict[str, Any]
    tasks: list[dict[str, Any]] = field(default_factory=list)
    overdue: int = 0

    documents: list[dict[str, str]] = field(default_factory=list)  # the letters and agreements, named
    may_accept: bool = False  # the user's party may accept the proposed date with one click (aftalen 2.1)
    discharge: dict[str, Any] | None = None  # the discharge date as of the page's time (discharge_date_view)

    @property
    def first_task(self) -> dict[str, Any] | None:
        return self.tasks[0] if self.tasks else None

    @property
    def other_tasks(self) -> list[dict[str, Any]]:
        """The tasks after the most urgent one, shown behind "Why?"."""
        return self.tasks[1:]

    @property
    def discharge_date(self) -> dict[str, Any] | None:
        """The date everyone waits for (aftalen 2.1): an unanswered proposal (``proposed``, with who proposed it
        and whether its date has passed) or else the agreed date (``agreed``), dates as dates."""
        return self.discharge

    @property
    def ready_date(self) -> dt.date | None:
        return self.course.state_ready_since

    @property
    def window_until(self) -> dt.datetime | None:
        return self.course.state_window_until

    @property
    def care_plan(self) -> dict[str, Any] | None:
        """Versions received, when the latest came (as a time) and the changes it marked (Dato/NYT)."""
        plan = (self.course.state_documents or {}).get("care_plan")
        if not plan:
            return None
        latest = plan.get("latest_at")
        return {**plan, "latest_at": dt.datetime.fromisoformat(latest) if latest else None}

    def _document(self, code: str) -> str | None:
        documents = self.course.state_documents or {}
        if code not in documents.get("required", []):
            return None
        return "missing" if code in documents.get("missing", []) else "sent"

    @property
    def discharge_summary(self) -> str | None:
        """The epikrise: "sent", "missing" or None when the rules do not ask for one."""
        return self._document("discharge_summary")


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def discharge_date_view(stored: dict[str, Any] | None, today: dt.date | None = None) -> dict[str, Any] | None:
    """The stored discharge-date state (``evaluate()["discharge_date"]``) for a template: the proposal nobody
    answered yet (``status`` "proposed", ``passed`` when its date went by without an agreement) or the agreed
    date (``status`` "agreed"); ``agreed_date`` keeps an earlier agreement a newer proposal would change."""
    stored = stored or {}
    agreed = stored.get("agreed") or None
    proposal = stored.get("proposal") or None
    if proposal:
        return {
            "status": "proposed",
            "date": _day(proposal.get("date")),
            "by": proposal.get("by"),
            "by_label": PARTY_LABELS.get(proposal.get("by") or "", ""),
            "seq": proposal.get("seq"),
            # Decided when read (the stored state is from the last write): a proposal whose date went by.
            "passed": bool(proposal.get("passed"))
            or (today is not None and (day := _day(proposal.get("date"))) is not None and day < today),
            "agreed_date": _day(agreed.get("date")) if agreed else None,
        }
    if agreed:
        return {
            "status": "agreed",
            "date": _day(agreed.get("date")),
            "how": agreed.get("how"),
            "by": agreed.get("proposed_by"),
            "by_label": PARTY_LABELS.get(agreed.get("proposed_by") or "", ""),
            "accepted_by": agreed.get("accepted_by"),
            "accepted_by_label": PARTY_LABELS.get(agreed.get("accepted_by") or "", ""),
            "counterpart": agreed.get("counterpart"),
            "passed": False,
        }
    return None


@dataclass
class Section:
    rows: list[Row]
    count: int
    limit: int

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)

    @property
    def next_limit(self) -> int:
        return min(self.limit + PAGE, MAX_LIMIT)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> Row:
        return self.rows[index]

    def __eq__(self, other: object) -> bool:
        return self.rows == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


class Worklist(dict[str, Any]):
    """The worklist's sections; those given as functions are queried only when a template or caller reads
    them (the page shows the admitted and discharged sections; "ready" and "window_72h" are for callers)."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if callable(value):
            value = value()
            self[key] = value
        return value


def parties_of(sectors: set[Sector]) -> set[str]:
    parties: set[str] = set()
    if Sector.HOSPITAL in sectors:
        parties |= {"hospital", "hospital+municipality"}
    if Sector.MUNICIPALITY in sectors:
        parties |= {"municipality", "hospital+municipality"}
    return parties


def _due_column(sectors: set[Sector]) -> str:
    if Sector.HOSPITAL in sectors and Sector.MUNICIPALITY not in sectors:
        return "state_hospital_due"
    if Sector.MUNICIPALITY in sectors and Sector.HOSPITAL not in sectors:
        return "state_municipality_due"
    return "state_next_due"


# Roles that see the municipal tariffs (kroner per ready-for-discharge day): those who pay or are paid.
BILLING_ROLES = frozenset({"ward_nurse", "discharge_coordinator", "hospital_doctor", "municipal_visitator"})


@dataclass(frozen=True)
class RoleView:
    """What a user's worklist shows, decided from the user's roles (``sektorbro.accounts.roles``)."""

    ready_first: bool = False  # discharge coordinator: the ready-for-discharge patients across the hospital
    acute_only: bool = False  # acute function nurse: the acute function's list and nothing underneath
    coming_home: bool = (
        False  # home nurse: discharges to her area and who comes home next, no visitation tasks
    )
    window_section: bool = False  # GP: the listed patients in the 72-hour window as a section of their own
    documents: bool = False  # social area: the letters and agreements on the course
    billing: bool = True  # the tariff in kroner
    tasks: bool = True  # the next task column


def role_view(roles: set[str]) -> RoleView:
    return RoleView(
        ready_first="discharge_coordinator" in roles,
        acute_only=bool(roles) and roles <= {"acute_function_nurse"},
        coming_home=bool(roles) and roles <= {"home_nurse", "acute_function_nurse"} and "home_nurse" in roles,
        window_section="gp" in roles,
        documents="social_area_worker" in roles,
        billing=bool(roles & BILLING_ROLES) or "administrator" in roles,
        tasks=not (bool(roles) and roles <= {"home_nurse", "acute_function_nurse"}),
    )


def _documents(course: Course, language: str) -> list[dict[str, str]]:
    documents = course.state_documents or {}
    missing = set(documents.get("missing", []))
    rows = []
    for code in documents.get("required", []):
        label = DOCUMENT_LABELS.get(code)
        text = (label.en if language == "en" else label.da) if label else code
        rows.append({"code": code, "label": text, "status": "missing" if code in missing else "sent"})
    return rows


def _row(course: Course, parties: set[str], language: str, now: dt.datetime) -> Row:
    tasks = []
    for task in course.state_tasks or []:
        if parties and task["party"] not in parties:
            continue
        due = dt.datetime.fromisoformat(task["due"]) if task.get("due") else None
        tasks.append(
            {
                **task,
                "due_at": due,
                "overdue": due is not None and due < now,
                "label": task["text"][language],
                "party_label": PARTY_LABELS.get(task["party"], task["party"]),
            }
        )
    tasks.sort(key=lambda t: (t["due_at"] is None, t["due_at"] or now))
    billing = course.state_billing or {}
    window = course.state_window or {}
    decisions = {
        "status": course.state_status,
        "billing": {"accruing_days": billing.get("accruing_days")},
        "billable_days": billing.get("billable_days"),
        "billable_amount_dkk": billing.get("amount_dkk"),
        "responsible_doctor": course.state_doctor or {},
        "extended_responsibility_72h": {
            "applies": bool(window.get("applies")),
            "active": course.state_window_until is not None and course.state_window_until > now,
            "until": window.get("until"),
        },
        "ready_for_discharge": {"date": course.state_ready_since},
    }
    row = Row(course, decisions, tasks, sum(1 for t in tasks if t["overdue"]))
    row.documents = _documents(course, language)
    # The municipality answers the hospital's proposal from the row (the course page does the same; the event
    # endpoint checks the permission and the rules again when the button is pressed).
    date = discharge_date_view(course.state_discharge_date, timezone.localdate(now))
    if date is not None and date["status"] == "proposed" and course.state_status not in IN_HOSPITAL_STATUSES:
        date["passed"] = False  # the course ended: nothing to flag
    row.discharge = date
    row.may_accept = (
        "municipality" in parties
        and "hospital" not in parties
        and course.state_status in IN_HOSPITAL_STATUSES
        and date is not None
        and date["status"] == "proposed"
        and date["by"] == "hospital"
        and not date["passed"]
        and date.get("seq") is not None
    )
    return row


def _section(
    queryset: QuerySet[Course], limit: int, parties: set[str], language: str, now: dt.datetime
) -> Section:
    count = queryset.count()
    rows = [_row(c, parties, language, now) for c in queryset[:limit]]
    return Section(rows, count, limit)


def clamp_limit(value: str | int | None) -> int:
    try:
        number = int(value) if value not in (None, "") else PAGE
    except (TypeError, ValueError):
        return PAGE
    return max(1, min(number, MAX_LIMIT))


def worklist(
    user: Any,
    *,
    ward: str | None = None,
    now: dt.datetime | None = None,
    limits: dict[str, int] | None = None,
) -> Worklist:
    """Courses in hospital, plus those discharged in the last three days, with the user's party's tasks."""
    now = now or timezone.now()
    limits = limits or {}
    sectors = {sector_of(m.role) for m in user.active_memberships()}
    view = role_view({m.role for m in user.active_memberships()})
    base = (
        courses_visible_to(user)
        .select_related(None)
        .select_related("citizen", "hospital", "department")
        .only(*ROW_FIELDS)
    )
    whole_hospital = base  # the coordinator's ready-for-discharge list spans the hospital, whatever the ward
    if ward:
        base = base.filter(department__key=ward)
    language = "en" if (get_language() or "da").startswith("en") else "da"
    parties = parties_of(sectors)
    due = _due_column(sectors)
    urgency = (F(due).asc(nulls_last=True), F("admitted_at").asc(), F("pk").asc())
    admitted_qs = base.filter(ended_at__isnull=True, state_status__in=IN_HOSPITAL_STATUSES).order_by(*urgency)
    discharged_qs = base.filter(state_status__in=ENDED_STATUSES, ended_at__gte=now - RECENT).order_by(
        F("ended_at").desc(), F("pk").desc()
    )

    def section(name: str, queryset: QuerySet[Course]) -> Section:
        return _section(queryset, limits.get(name, PAGE), parties, language, now)

    ready_qs = whole_hospital.filter(ended_at__isnull=True, state_status="ready_for_discharge").order_by(
        F("state_ready_since").asc(nulls_last=True), F("admitted_at").asc(), F("pk").asc()
    )
    # Who comes home next: the patients ready for discharge or with a proposed or agreed discharge date.
    coming_qs = admitted_qs.filter(
        Q(state_status="ready_for_discharge")
        | Q(state_discharge_date__agreed__date__isnull=False)
        | Q(state_discharge_date__proposal__date__isnull=False)
    )

    wards: list[tuple[str, str]] = []
    if Sector.HOSPITAL in sectors:
        # The departments the user's memberships cover: all of a hospital's for a membership on the hospital,
        # the department itself for a membership on a department (citizens.access.hospital_courses_of).
        memberships = [m.unit for m in user.active_memberships() if m.unit.hospital is not None]
        hospitals = [u.pk for u in memberships if u.kind != "department"]
        departments = [u.pk for u in memberships if u.kind == "department"]
        wards = list(
            OrganisationUnit.objects.filter(kind="department")
            .filter(Q(parent_id__in=hospitals) | Q(pk__in=departments))
            .order_by("key")
            .values_list("key", "name")
        )
    acute: Section | None = None
    if has_acute_role(user):
        acute_rows, acute_count = acute_worklist(user, now, limits.get("acute_function", PAGE))
        acute = Section(acute_rows, acute_count, limits.get("acute_function", PAGE))  # type: ignore[arg-type]
    return Worklist(
        {
            "acute_function": acute,
            "admitted": lambda: section("admitted", coming_qs if view.coming_home else admitted_qs),
            "discharged": lambda: section("discharged", discharged_qs),
            "ready": lambda: section(
                "ready",
                ready_qs if view.ready_first else admitted_qs.filter(state_status="ready_for_discharge"),
            ),
            "window_72h": lambda: section("window_72h", discharged_qs.filter(state_window_until__gt=now)),
            "sectors": {s.value for s in sectors},
            # Users who are neither hospital nor municipality (GPs, social area) see every party's tasks, named.
            "show_party": not parties,
            "wards": wards,
            "view": view,
            "generated_at": now,
        }
    )
