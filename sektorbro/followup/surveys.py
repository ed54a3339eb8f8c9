"""The experience surveys of citizens and relatives (annex 1): who may do what, the one write path, and the
results with small-number suppression. See docs/followup.md, "Surveys".

* **Build** a survey (questions, order, open and close it): the follow-up's main users (committee secretaries and
  data analysts, ``access.MAIN_ROLES``) of the survey's cluster or region-wide (``access.may_manage``); a
  region-wide survey (no cluster) only by a region-wide main user.
* **Hand out** a one-time link: hospital and municipal staff, for a discharged course they may see
  (``courses.selectors.courses_visible_to``), for an open survey of the course's cluster or region-wide.
* **Answer**: anyone holding an unused, unexpired code, without logging in.
* **Read results**: every signed-in member of an organisation (aggregates only, as the overview); the free-text
  comments only the survey's main users.

Anonymity: a link stores the hash of its code, the survey and the cluster, municipality and quarter of the
discharge, never the course, the citizen or the user who handed it out; it is deleted when used. An answer holds
the same survey, cluster, municipality and quarter, a random key and nothing else, so no query can join it to a
citizen, a course or a link. The audit rows name the survey only (``survey.link_issued`` with the cluster and
quarter; ``survey.answered`` with no data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.core.audit import record
from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.courses.models import Course
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.followup import access
from sektorbro.followup import survey_rules as rules
from sektorbro.followup.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyHandout,
    SurveyLink,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
    YesNo,
)
from sektorbro.organisations.models import Cluster, Municipality
from sektorbro.overview.periods import label as period_label

CPH = ZoneInfo("Europe/Copenhagen")
TEXT_LIMIT = 2000
HANDING_OUT_SECTORS = (Sector.HOSPITAL, Sector.MUNICIPALITY)

# The annex-1 template: the agreement's two questions, then follow-ups in plain Danish (our own words).
TEMPLATE_TITLE = "Borgerens og de pårørendes oplevelse af udskrivelsen"
TEMPLATE_INTRODUCTION = (
    "Du er for nylig kommet hjem fra hospitalet, eller du er pårørende til en, der er. Vi vil gerne vide, "
    "hvordan I oplevede udskrivelsen, så hospital, kommune og egen læge kan blive bedre til at samarbejde. "
    "Det tager få minutter. Du er anonym: vi kan ikke se, hvem der har svaret. Du kan springe spørgsmål over. "
    "Skriv ikke navne eller cpr-nummer i tekstfelterne."
)
TEMPLATE_QUESTIONS: list[tuple[str, str, str, str]] = [
    (
        "Oplever borgeren/de pårørende udskrivelsen som tryg og sammenhængende?",
        QuestionKind.SCALE,
        "Slet ikke",
        "I høj grad",
    ),
    ("Føler borgeren og de pårørende sig inddraget?", QuestionKind.SCALE, "Slet ikke", "I høj grad"),
    ("Vidste I, hvornår udskrivelsen skulle ske, i god tid?", QuestionKind.YES_NO, "", ""),
    ("Var hjælpen derhjemme klar, da borgeren kom hjem?", QuestionKind.YES_NO, "", ""),
    (
        "Vidste I, hvem I skulle ringe til, hvis der opstod spørgsmål efter udskrivelsen?",
        QuestionKind.YES_NO,
        "",
        "",
    ),
    ("Fik I at vide, hvad der skulle ske med medicinen efter udskrivelsen?", QuestionKind.YES_NO, "", ""),
    ("Hvad gik godt?", QuestionKind.TEXT, "", ""),
    ("Hvad kunne vi have gjort bedre?", QuestionKind.TEXT, "", ""),
]


class LinkUnusable(Exception):
    """The code is forged, used, expired or its survey is closed. Deliberately one error for all of them."""


# --- who may do what --------------------------------------------------------------------------------------------


def may_manage_survey(user: Any, survey: Survey | None = None, *, cluster: Cluster | None = None) -> bool:
    """A main user of the survey's cluster; a region-wide survey only a region-wide main user."""
    if not access.is_main_user(user):
        return False
    target = survey.cluster_id if survey is not None else (cluster.pk if cluster is not None else None)
    ids = access.managed_cluster_ids(user)
    if ids is None:
        return True
    return target is not None and int(target) in ids


def may_read_results(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.active_memberships())


def surveys_for(user: Any) -> QuerySet[Survey]:
    """The surveys a member may see (all: their results are aggregates). Drafts only to those who may build."""
    if not may_read_results(user):
        return Survey.objects.none()
    found = Survey.objects.select_related("cluster")
    ids = access.managed_cluster_ids(user) if access.is_main_user(user) else set()
    if ids is None:
        return found
    return found.filter(~Q(status=SurveyStatus.DRAFT) | Q(cluster_id__in=ids))


def may_hand_out(user: Any) -> bool:
    """Hospital or municipal staff (which courses: ``handout_courses``)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return any(sector_of(m.role) in HANDING_OUT_SECTORS for m in user.active_memberships())


def handout_courses(user: Any) -> QuerySet[Course]:
    """The discharged courses (not deaths) the user may hand out a link for."""
    if not may_hand_out(user):
        return Course.objects.none()
    return (
        courses_visible_to(user)
        .filter(discharged_at__isnull=False)
        .exclude(discharge_destination="dead")
        .select_related("municipality", "municipality__cluster")
    )


def surveys_for_course(course: Course) -> QuerySet[Survey]:
    """The open surveys a link can be handed out for after this course: its cluster's and region-wide ones."""
    return Survey.objects.filter(status=SurveyStatus.OPEN).filter(
        Q(cluster__isnull=True) | Q(cluster_id=course.municipality.cluster_id)
    )


# --- helpers ----------------------------------------------------------------------------------------------------


def _require_manager(actor: Any, survey: Survey | None = None, *, cluster: Cluster | None = None) -> None:
    if actor is None:
        return
    if not may_manage_survey(actor, survey, cluster=cluster):
        raise NotPermitted(_("Only the cluster's secretaries and analysts may change its surveys."))


def _require_draft(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise DomainError(
            _("The questions can only be changed while the survey is a draft."), field=None, code="not_draft"
        )


def _text(value: str, field_name: str, *, required: bool = True, limit: int = 300) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DomainError(_("This field is required."), field=field_name, code="required")
    if len(cleaned) > limit:
        raise DomainError(
            _("At most %(limit)d characters.") % {"limit": limit}, field=field_name, code="too_long"
        )
    return cleaned


def _audit(actor: Any, action: str, survey: Survey, data: dict[str, Any] | None = None) -> None:
    record(
        actor=actor,
        action=action,
        subject_type="followup.survey",
        subject_id=str(survey.public_id),
        data=data,
    )


def link_days() -> int:
    return int(getattr(settings, "SEKTORBRO_SURVEY_LINK_DAYS", 30))


# --- building a survey ------------------------------------------------------------------------------------------


@transaction.atomic
def create_survey(
    *,
    actor: Any,
    title: str,
    cluster: Cluster | None,
    introduction: str = "",
    from_template: bool = False,
) -> Survey:
    _require_manager(actor, cluster=cluster)
    if from_template:
        title = title.strip() or TEMPLATE_TITLE
        introduction = introduction.strip() or TEMPLATE_INTRODUCTION
    survey = Survey.objects.create(
        title=_text(title, "title", limit=200),
        introduction=_text(introduction, "introduction", required=False, limit=TEXT_LIMIT),
        cluster=cluster,
    )
    if from_template:
        for number, (text, kind, low, high) in enumerate(TEMPLATE_QUESTIONS, start=1):
            SurveyQuestion.objects.create(
                survey=survey, number=number, text=text, kind=kind, low_label=low, high_label=high
            )
    _audit(
        actor,
        "survey.created",
        survey,
        {"cluster": cluster.key if cluster else None, "template": from_template},
    )
    return survey


@transaction.atomic
def update_survey(*, actor: Any, survey: Survey, title: str, introduction: str) -> Survey:
    _require_manager(actor, survey)
    survey.title = _text(title, "title", limit=200)
    survey.introduction = _text(introduction, "introduction", required=False, limit=TEXT_LIMIT)
    survey.save(update_fields=["title", "introduction"])
    _audit(actor, "survey.updated", survey)
    return survey


@transaction.atomic
def set_status(*, actor: Any, survey: Survey, status: str) -> Survey:
    """Draft → open (needs a question) → closed → open again. Back to draft only while nobody has answered."""
    _require_manager(actor, survey)
    if status not in SurveyStatus.values:
        raise DomainError(_("Choose one of the listed values."), field="status", code="invalid_choice")
    if status == SurveyStatus.OPEN and not survey.questions.exists():
        raise DomainError(_("Add at least one question before opening the survey."), field="status")
    if status == SurveyStatus.DRAFT and survey.responses.exists():
        raise DomainError(
            _("The survey has answers; its questions can no longer be changed."), field="status"
        )
    survey.status = status
    survey.save(update_fields=["status"])
    _audit(actor, "survey.status_changed", survey, {"status": status})
    return survey


def _question_fields(kind: str, low_label: str, high_label: str) -> tuple[str, str, str]:
    if kind not in QuestionKind.values:
        raise DomainError(_("Choose one of the listed values."), field="kind", code="invalid_choice")
    if kind != QuestionKind.SCALE:
        return kind, "", ""
    return (
        kind,
        _text(low_label, "low_label", limit=60),
        _text(high_label, "high_label", limit=60),
    )


@transaction.atomic
def add_question(
    *, actor: Any, survey: Survey, text: str, kind: str, low_label: str = "", high_label: str = ""
) -> SurveyQuestion:
    _require_manager(actor, survey)
    _require_draft(survey)
    kind, low, high = _question_fields(kind, low_label, high_label)
    number = (survey.questions.aggregate(m=Max("number"))["m"] or 0) + 1
    question = SurveyQuestion.objects.create(
        survey=survey, number=number, text=_text(text, "text"), kind=kind, low_label=low, high_label=high
    )
    _audit(actor, "survey.question_added", survey, {"number": number, "kind": kind})
    return question


@transaction.atomic
def update_question(
    *, actor: Any, question: SurveyQuestion, text: str, kind: str, low_label: str = "", high_label: str = ""
) -> SurveyQuestion:
    survey = question.survey
    _require_manager(actor, survey)
    _require_draft(survey)
    question.kind, question.low_label, question.high_label = _question_fields(kind, low_label, high_label)
    question.text = _text(text, "text")
    question.save(update_fields=["text", "kind", "low_label", "high_label"])
    _audit(actor, "survey.question_changed", survey, {"number": question.number})
    return question


def _renumber(survey: Survey) -> None:
    questions = list(survey.questions.order_by("number", "pk"))
    # Two passes around the unique (survey, number) constraint.
    offset = len(questions) + 1000
    SurveyQuestion.objects.filter(survey=survey).update(number=F("number") + offset)
    for number, question in enumerate(questions, start=1):
        SurveyQuestion.objects.filter(pk=question.pk).update(number=number)


@transaction.atomic
def remove_question(*, actor: Any, question: SurveyQuestion) -> None:
    survey = question.survey
    _require_manager(actor, survey)
    _require_draft(survey)
    number = question.number
    question.delete()
    _renumber(survey)
    _audit(actor, "survey.question_removed", survey, {"number": number})


@transaction.atomic
def move_question(*, actor: Any, question: SurveyQuestion, up: bool) -> None:
    """Swap the question with the one above (``up``) or below it; at either end nothing happens."""
    survey = question.survey
    _require_manager(actor, survey)
    _require_draft(survey)
    questions = list(survey.questions.order_by("number"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(questions):
        return
    questions[index], questions[other] = questions[other], questions[index]
    offset = len(questions) + 1000
    SurveyQuestion.objects.filter(survey=survey).update(number=F("number") + offset)
    for number, q in enumerate(questions, start=1):
        SurveyQuestion.objects.filter(pk=q.pk).update(number=number)
    _audit(actor, "survey.question_moved", survey, {"from": index + 1, "to": other + 1})


# --- handing out a link -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedLink:
    code: str  # shown once, never stored
    expires_at: dt.datetime
    survey: Survey


@transaction.atomic
def issue_link(*, actor: Any, survey: Survey, course: Course, now: dt.datetime | None = None) -> IssuedLink:
    """A new one-time code for the citizen or a relative after this discharge. Several may be handed out for
    the same discharge (the citizen and a relative each answer once). ``actor`` must be a user here."""
    if not handout_courses(actor).filter(pk=course.pk).exists():
        raise NotPermitted(_("You cannot hand out a survey link for this course."))
    course = Course.objects.select_related("municipality").get(pk=course.pk)
    if not surveys_for_course(course).filter(pk=survey.pk).exists():
        raise DomainError(_("This survey is not open for this course's cluster."), field="survey")
    assert course.discharged_at is not None
    quarter = rules.quarter_of(course.discharged_at.astimezone(CPH).date())
    return _new_link(actor, survey, course.municipality, quarter, now or timezone.now())


@transaction.atomic
def issue_system_link(*, survey: Survey, municipality: Municipality, quarter: str) -> IssuedLink:
    """A code made by the system (the demo), for a discharge in this municipality and quarter."""
    if survey.cluster_id is not None and survey.cluster_id != municipality.cluster_id:
        raise DomainError(_("This survey is not open for this course's cluster."), field="survey")
    return _new_link(None, survey, municipality, quarter, timezone.now())


def _new_link(
    actor: Any, survey: Survey, municipality: Municipality, quarter: str, now: dt.datetime
) -> IssuedLink:
    purge_expired_links(now=now)
    cluster_id = municipality.cluster_id
    code = rules.new_code()
    token_hash = rules.code_hash(code)
    assert token_hash is not None
    expires_at = now + dt.timedelta(days=link_days())
    SurveyLink.objects.create(
        token_hash=token_hash,
        survey=survey,
        cluster_id=cluster_id,
        municipality=municipality,
        quarter=quarter,
        expires_at=expires_at,
    )
    handout, _created = SurveyHandout.objects.get_or_create(
        survey=survey, cluster_id=cluster_id, quarter=quarter
    )
    SurveyHandout.objects.filter(pk=handout.pk).update(count=F("count") + 1)
    _audit(actor, "survey.link_issued", survey, {"cluster": cluster_id, "quarter": quarter})
    return IssuedLink(code=code, expires_at=expires_at, survey=survey)


def purge_expired_links(*, now: dt.datetime | None = None) -> int:
    """Delete the links that can no longer be used. Returns how many."""
    deleted, _rows = SurveyLink.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


# --- answering --------------------------------------------------------------------------------------------------


def usable_link(code: str, *, now: dt.datetime | None = None) -> SurveyLink:
    """The link behind a code, or :class:`LinkUnusable` (forged, used, expired or closed: the same answer)."""
    token_hash = rules.code_hash(code or "")
    if token_hash is None:
        raise LinkUnusable
    link = (
        SurveyLink.objects.select_related("survey")
        .filter(token_hash=token_hash, expires_at__gt=now or timezone.now())
        .first()
    )
    if link is None or link.survey.status != SurveyStatus.OPEN:
        raise LinkUnusable
    return link


def questions_of(survey: Survey) -> list[SurveyQuestion]:
    return list(survey.questions.order_by("number"))


def _answer_row(question: SurveyQuestion, value: Any) -> SurveyAnswer | None:
    """One answer, or ``None`` when the question was skipped. ``DomainError`` on the question's field."""
    name = f"q{question.number}"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if question.kind == QuestionKind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 5:
            raise DomainError(_("Choose a number from 1 to 5."), field=name)
        return SurveyAnswer(question=question, scale=number)
    if question.kind == QuestionKind.YES_NO:
        if value not in YesNo.values:
            raise DomainError(_("Choose one of the listed values."), field=name)
        return SurveyAnswer(question=question, choice=str(value))
    return SurveyAnswer(question=question, text=_text(str(value), name, limit=TEXT_LIMIT))


@transaction.atomic
def submit_answers(*, code: str, answers: dict[int, Any], now: dt.datetime | None = None) -> None:
    """Store the answers (question number → value) once: the link is locked, checked and deleted in the same
    transaction, so a second submission with the same code finds nothing (``LinkUnusable``)."""
    token_hash = rules.code_hash(code or "")
    if token_hash is None:
        raise LinkUnusable
    link = (
        SurveyLink.objects.select_for_update()
        .filter(token_hash=token_hash, expires_at__gt=now or timezone.now())
        .first()
    )
    if link is None:
        raise LinkUnusable
    survey = Survey.objects.get(pk=link.survey_id)
    if survey.status != SurveyStatus.OPEN:
        raise LinkUnusable
    rows = [row for q in questions_of(survey) if (row := _answer_row(q, answers.get(q.number))) is not None]
    if not rows:
        raise DomainError(_("Answer at least one question before you send."), field=None, code="empty")
    response = SurveyResponse.objects.create(
        survey=survey, cluster_id=link.cluster_id, municipality_id=link.municipality_id, quarter=link.quarter
    )
    for row in rows:
        row.response = response
    SurveyAnswer.objects.bulk_create(rows)
    link.delete()
    _audit(None, "survey.answered", survey)


# --- results ----------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One cluster in one quarter."""

    cluster: Cluster
    quarter: str
    answers: int
    handed_out: int

    @property
    def small(self) -> bool:
        return rules.is_small(self.answers)

    @property
    def quarter_label(self) -> str:
        return period_label(self.quarter)

    @property
    def answers_shown(self) -> str:
        return rules.SUPPRESSED if self.small else str(self.answers)

    @property
    def handed_out_shown(self) -> str:
        return rules.SUPPRESSED if rules.is_small(self.handed_out) else str(self.handed_out)


@dataclass
class QuestionRow:
    cell: Cell
    scale: rules.ScaleSummary | None = None
    choice: rules.ChoiceSummary | None = None
    comments: list[str] = field(default_factory=list)
    comment_count: int = 0


@dataclass
class QuestionResult:
    question: SurveyQuestion
    rows: list[QuestionRow]


@dataclass
class Results:
    survey: Survey
    quarters: list[str]
    clusters: list[tuple[Cluster, list[Cell | None]]]
    questions: list[QuestionResult]
    total: int
    with_comments: bool
    region: list[tuple[str, str]] = field(default_factory=list)  # per quarter: answers, handed out (shown)

    @property
    def quarter_labels(self) -> list[str]:
        return [period_label(q) for q in self.quarters]

    @property
    def total_shown(self) -> str:
        """The number of answers; "<5" when small; empty when a cell is suppressed (the total minus the cells
        shown would reveal it)."""
        if rules.is_small(self.total):
            return rules.SUPPRESSED
        suppressed = any(c is not None and c.small for _cluster, cells in self.clusters for c in cells)
        return "" if suppressed else str(self.total)


def results(survey: Survey, *, with_comments: bool = False) -> Results:
    """Answers per cluster and quarter; a cell with fewer than ``MIN_COUNT`` answers shows "<5" and nothing of
    its distribution, and a question answered fewer than ``MIN_COUNT`` times in a cell shows no distribution.
    Comments (free text) only when ``with_comments`` and the cell has ``MIN_COUNT`` answers or more."""
    responses = list(survey.responses.values_list("pk", "cluster_id", "quarter"))
    handed = {(h.cluster_id, h.quarter): h.count for h in survey.handouts.all()}
    keys = {(c, q) for _pk, c, q in responses} | set(handed)
    clusters = {c.pk: c for c in Cluster.objects.filter(pk__in={c for c, _q in keys})}
    counts: dict[tuple[int, str], int] = {}
    for _pk, c, q in responses:
        counts[(c, q)] = counts.get((c, q), 0) + 1
    cells = {
        key: Cell(clusters[key[0]], key[1], counts.get(key, 0), handed.get(key, 0)) for key in sorted(keys)
    }
    quarters = sorted({q for _c, q in keys})
    grid = [
        (cluster, [cells.get((cluster.pk, q)) for q in quarters])
        for cluster in sorted(clusters.values(), key=lambda c: c.name)
    ]
    by_question: dict[int, dict[tuple[int, str], list[SurveyAnswer]]] = {}
    for answer in SurveyAnswer.objects.filter(response__survey=survey).select_related("response"):
        key = (answer.response.cluster_id, answer.response.quarter)
        by_question.setdefault(answer.question_id, {}).setdefault(key, []).append(answer)
    question_results = []
    for question in questions_of(survey):
        rows = []
        for key, cell in cells.items():
            if cell.small:
                continue
            found = by_question.get(question.pk, {}).get(key, [])
            row = QuestionRow(cell)
            if question.kind == QuestionKind.SCALE:
                row.scale = rules.summarise_scale(a.scale for a in found if a.scale is not None)
            elif question.kind == QuestionKind.YES_NO:
                row.choice = rules.summarise_choice(a.choice for a in found)
            else:
                texts = [a.text for a in found if a.text]
                row.comment_count = len(texts)
                row.comments = texts if with_comments else []
            rows.append(row)
        question_results.append(QuestionResult(question, rows))
    # The region's total per quarter, unless one of its clusters is suppressed: the total minus the clusters
    # shown would give the suppressed count away ("–" then).
    region = []
    for quarter in quarters:
        column = [c for c in cells.values() if c.quarter == quarter]
        answered = sum(c.answers for c in column)
        handed_out = sum(c.handed_out for c in column)
        if any(c.small for c in column) and not rules.is_small(answered):
            shown_answers = "–"
        else:
            shown_answers = rules.SUPPRESSED if rules.is_small(answered) else str(answered)
        if any(rules.is_small(c.handed_out) for c in column) and not rules.is_small(handed_out):
            shown_handed = "–"
        else:
            shown_handed = rules.SUPPRESSED if rules.is_small(handed_out) else str(handed_out)
        region.append((shown_answers, shown_handed))
    return Results(survey, quarters, grid, question_results, len(responses), with_comments, region)
