"""The follow-up report for Sundhedsstyregruppen (annex 1; the implementation-and-follow-up group's terms of
reference): per cluster or for the region and a chosen period, the indicators with their charts (the published
overview), the audit rounds' themes and suggestions, the citizens' experience (when the surveys are there), the
clusters' experiences and the implementation status, each section with an editable narrative.

Versioned: the draft is the narratives; **publishing** renders the whole report once and stores it as a
``ReportVersion`` (frozen: later changes to the data or the narratives never change it); editing afterwards and
publishing again makes the next version. The PDF is made from a version's stored body.

Who (docs/followup.md, "The follow-up report"):

* **Create, edit and publish**: for a cluster's report the cluster's secretaries and analysts
  (``access.may_manage``); for the region's report only region-wide secretaries and analysts.
* **Read**: the main users read every report, drafts included; the staff of a cluster's organisations read the
  cluster's and the region's *published* versions."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sektorbro.core.audit import record
from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.followup import access, experiences, plans
from sektorbro.followup.models import AuditRound, FollowupReport, ImplementationPlan, PlanTask, ReportVersion
from sektorbro.followup.selectors import LearningReport, learning_report
from sektorbro.indicators.reference import region
from sektorbro.organisations.models import Cluster
from sektorbro.overview import periods as P
from sektorbro.overview.models import IndicatorRun
from sektorbro.overview.pages import Block, Filters, Unit, build_page, unit_for

NARRATIVE_LIMIT = 10_000
#: The report's sections, in order; each has an editable narrative.
SECTIONS: tuple[tuple[str, str | Promise], ...] = (
    ("summary", gettext_lazy("Summary")),
    ("indicators", gettext_lazy("The indicators")),
    ("audits", gettext_lazy("Cross-sector audits: themes and suggestions")),
    ("surveys", gettext_lazy("Citizens' experience")),
    ("experiences", gettext_lazy("The clusters' experiences")),
    ("implementation", gettext_lazy("Implementation status")),
)
SECTION_KEYS = tuple(key for key, _label in SECTIONS)
SURVEYS_MODULE = "sektorbro.followup.surveys"


# --- who ---------------------------------------------------------------------------------------------------------


def may_edit(user: Any, report: FollowupReport | None = None, *, cluster: Cluster | None = None) -> bool:
    """The report's (or, for a new report, the cluster's; ``None``: the region's) editors."""
    if not access.is_main_user(user):
        return False
    cluster_id = report.cluster_id if report is not None else (cluster.pk if cluster else None)
    if cluster_id is None:
        return access.managed_cluster_ids(user) is None
    return access.may_manage(user, int(cluster_id))


def reports_visible_to(user: Any) -> QuerySet[FollowupReport]:
    found = FollowupReport.objects.select_related("cluster").annotate(published=Max("versions__number"))
    if access.is_main_user(user):
        return found
    ids = plans.readable_cluster_ids(user)
    if not ids:
        return found.none()
    return found.filter(Q(cluster__isnull=True) | Q(cluster_id__in=ids), versions__isnull=False).distinct()


def report_for(user: Any, public_id: Any) -> FollowupReport | None:
    return reports_visible_to(user).filter(public_id=public_id).first()


# --- the write path ----------------------------------------------------------------------------------------------


def _audit(actor: Any, action: str, report: FollowupReport, data: dict[str, Any] | None = None) -> None:
    record(
        actor=actor,
        action=action,
        subject_type=report._meta.label_lower,
        subject_id=str(report.public_id),
        data=data,
    )


def _check_period(period_start: dt.date, period_end: dt.date) -> None:
    if period_end < period_start:
        raise DomainError(
            _("The period must end on or after its first day."), field="period_end", code="period_order"
        )


@transaction.atomic
def create_report(
    *, actor: Any, cluster: Cluster | None, title: str, period_start: dt.date, period_end: dt.date
) -> FollowupReport:
    if actor is not None and not may_edit(actor, cluster=cluster):
        raise NotPermitted(_("Only the secretaries and analysts responsible may make this follow-up report."))
    cleaned = (title or "").strip()
    if not cleaned:
        raise DomainError(_("This field is required."), field="title", code="required")
    _check_period(period_start, period_end)
    report = FollowupReport.objects.create(
        cluster=cluster, title=cleaned[:200], period_start=period_start, period_end=period_end
    )
    _audit(actor, "followup_report.created", report, {"cluster": cluster.key if cluster else None})
    return report


@transaction.atomic
def save_narratives(
    *, actor: Any, report: FollowupReport, expected_version: int | None, narratives: dict[str, str]
) -> FollowupReport:
    """Replace the draft's narratives (only the known sections; empty ones left out)."""
    if actor is not None and not may_edit(actor, report):
        raise NotPermitted(_("Only the secretaries and analysts responsible may edit this follow-up report."))
    cleaned: dict[str, str] = {}
    for key in SECTION_KEYS:
        text = (narratives.get(key) or "").strip()
        if len(text) > NARRATIVE_LIMIT:
            raise DomainError(
                _("At most %(limit)d characters.") % {"limit": NARRATIVE_LIMIT}, field=key, code="too_long"
            )
        if text:
            cleaned[key] = text
    query = FollowupReport.objects.filter(pk=report.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    if query.update(version=F("version") + 1, narratives=cleaned, changed_at=timezone.now()) != 1:
        raise ConflictError(_("Someone else changed this since you opened it. Reload and try again."))
    report.refresh_from_db()
    _audit(actor, "followup_report.narratives_saved", report, {"sections": sorted(cleaned)})
    return report


@transaction.atomic
def publish(*, actor: Any, report: FollowupReport, note: str = "") -> ReportVersion:
    """Freeze the report as it is now into the next version."""
    if actor is not None and not may_edit(actor, report):
        raise NotPermitted(
            _("Only the secretaries and analysts responsible may publish this follow-up report.")
        )
    FollowupReport.objects.select_for_update().filter(pk=report.pk).values_list("pk", flat=True).get()
    report.refresh_from_db()
    number = int((report.versions.aggregate(m=Max("number"))["m"] or 0) + 1)
    content = build(report)
    body = render_to_string(
        "followup/report/_body.html", {"content": content, "report": report, "version_number": number}
    )
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        body_html=body,
        narratives=dict(report.narratives),
        note=(note or "").strip()[:500],
        published_by=actor,
    )
    _audit(actor, "followup_report.published", report, {"version": number})
    return version


def latest_version(report: FollowupReport) -> ReportVersion | None:
    return report.versions.order_by("-number").first()


def draft_changed_since_publishing(report: FollowupReport) -> bool:
    latest = latest_version(report)
    return latest is None or latest.narratives != report.narratives


# --- what the report shows ---------------------------------------------------------------------------------------


def _quarter_span(code: str) -> tuple[dt.date, dt.date]:
    year, quarter = int(code[:4]), int(code[-1])
    first = dt.date(year, 3 * quarter - 2, 1)
    following = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - dt.timedelta(days=1)


def quarters_in(codes: list[str], start: dt.date, end: dt.date) -> list[str]:
    """The quarter codes that overlap the period."""
    found = []
    for code in P.of_granularity(codes, "quarter"):
        first, last = _quarter_span(code)
        if first <= end and last >= start:
            found.append(code)
    return found


@dataclass
class IndicatorSection:
    run: IndicatorRun | None
    unit: Unit | None
    blocks: list[Block]
    periods: list[str]


def indicator_section(cluster: Cluster | None, start: dt.date, end: dt.date) -> IndicatorSection:
    """The overview's blocks (charts, suppressed cells) for the unit and the quarters of the period, from the
    newest published run."""
    run = IndicatorRun.objects.first()
    if run is None:
        return IndicatorSection(None, None, [], [])
    try:
        unit = unit_for("cluster", cluster.key) if cluster else unit_for("region", "")
    except Http404:
        return IndicatorSection(run, None, [], [])
    all_periods = sorted(set(run.values.values_list("period", flat=True).distinct()))
    available = P.of_granularity(all_periods, "quarter")
    shown = quarters_in(available, start, end)
    if not shown:
        return IndicatorSection(run, unit, [], [])
    whole = next((p for p in all_periods if ".." in p), all_periods[0])
    filters = Filters(run, "quarter", shown[0], shown[-1], "", whole, all_periods, available, whole)
    return IndicatorSection(run, unit, build_page(unit, filters), [P.label(p) for p in shown])


def audit_rounds_in(cluster: Cluster | None, start: dt.date, end: dt.date) -> list[AuditRound]:
    found = AuditRound.objects.filter(period_start__lte=end, period_end__gte=start).select_related("cluster")
    if cluster is not None:
        found = found.filter(cluster=cluster)
    return list(found.order_by("cluster__name", "period_start", "id"))


def survey_results(cluster: Cluster | None, start: dt.date, end: dt.date) -> Any:
    """The hook for the citizens' and relatives' experience: ``sektorbro.followup.surveys.results_for(cluster_key
    or None, period_start, period_end)`` when that module and function exist, else ``None`` (the section is left
    out)."""
    try:
        module = importlib.import_module(SURVEYS_MODULE)
    except ImportError:
        return None
    results_for = getattr(module, "results_for", None)
    if results_for is None:
        return None
    return results_for(cluster.key if cluster else None, start, end)


def render_survey_results(results: Any) -> SafeString:
    """The surveys' own fragment ``followup/surveys/_report_results.html`` when it exists; else a plain list."""
    try:
        get_template("followup/surveys/_report_results.html")
    except TemplateDoesNotExist:
        return mark_safe(render_to_string("followup/report/_survey_fallback.html", {"results": results}))  # noqa: S308
    return mark_safe(render_to_string("followup/surveys/_report_results.html", {"results": results}))  # noqa: S308


@dataclass
class ReportContent:
    report: FollowupReport
    unit_name: str
    generated_at: dt.datetime
    indicators: IndicatorSection
    audits: list[LearningReport]
    surveys: SafeString | None
    experience_summary: list[experiences.QuestionSummary]
    experience_counts: list[tuple[str, int, int]]
    progress: list[plans.PlanProgress]
    overdue: list[PlanTask]
    narratives: dict[str, str]
    sections: list[tuple[str, str]] = field(default_factory=list)


def build(report: FollowupReport) -> ReportContent:
    """Everything the report shows, as of now."""
    cluster = report.cluster
    start, end = report.period_start, report.period_end
    cluster_ids = {cluster.pk} if cluster else None
    # The questionnaire looks back on the period and is answered at its end or after: all answers as they stand.
    found = experiences.responses(cluster_ids)
    plan_query = ImplementationPlan.objects.select_related("cluster").prefetch_related("tasks")
    if cluster is not None:
        plan_query = plan_query.filter(cluster=cluster)
    plan_list = list(plan_query)
    today = timezone.localdate()
    overdue = [t for p in plan_list for t in p.tasks.all() if plans.is_overdue(t, today)]
    survey = survey_results(cluster, start, end)
    return ReportContent(
        report=report,
        unit_name=cluster.name if cluster else region().name,
        generated_at=timezone.localtime(),
        indicators=indicator_section(cluster, start, end),
        audits=[learning_report(r) for r in audit_rounds_in(cluster, start, end)],
        surveys=render_survey_results(survey) if survey is not None else None,
        experience_summary=experiences.gather(found),
        experience_counts=experiences.respondents_per_cluster(found),
        progress=plans.progress(plan_list, today),
        overdue=sorted(overdue, key=lambda t: (t.deadline or today, t.pk)),
        narratives=dict(report.narratives),
        sections=[(key, str(label)) for key, label in SECTIONS],
    )


def document_html(report: FollowupReport, version: ReportVersion) -> str:
    """A published version as one standalone HTML document for ``core.pdf.html_to_pdf``."""
    return render_to_string(
        "followup/report/print.html",
        {"report": report, "version": version, "body": mark_safe(version.body_html)},  # noqa: S308 - rendered by us
    )
