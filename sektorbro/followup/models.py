"""Cross-sector audits: rounds, their audit group, the audited courses, the three questions, improvement
suggestions with the party that can act, and the themes they are coded into. Persistence only; the write path is
``services.py``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sektorbro.citizens.models import Citizen
from sektorbro.organisations.models import Cluster, Municipality, OrganisationUnit


class Party(models.TextChoices):
    """The parties of the agreement that can act on an improvement suggestion."""

    HOSPITAL = "hospital", _("Hospital")
    MUNICIPALITY = "municipality", _("Municipality")
    GENERAL_PRACTICE = "general_practice", _("General practice")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Audit held")
    REPORTED = "reported", _("Reported")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNCLEAR = "unclear", _("Cannot say")


class AuditRound(models.Model):
    """One round of cross-sector audits in a cluster (e.g. the autumn 2021 round in Randersklyngen)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, related_name="audit_rounds", verbose_name=_("cluster")
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("admissions from"))
    period_end = models.DateField(_("admissions to"))
    meeting_on = models.DateField(_("audit meeting"), null=True, blank=True)
    selection = models.TextField(_("how the courses were selected"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("audit round")
        verbose_name_plural = _("audit rounds")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="audit_round_period_order"
            ),
            models.UniqueConstraint(fields=["cluster", "title"], name="audit_round_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class AuditGroupMember(models.Model):
    """A member of the round's audit group, from the hospital, a municipality or general practice."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    organisation = models.ForeignKey(
        OrganisationUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )

    class Meta:
        verbose_name = _("audit group member")
        verbose_name_plural = _("audit group members")
        ordering = ["party", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A theme the round's suggestions are coded into (e.g. follow-up home visits)."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="theme_unique_number"),
            models.UniqueConstraint(fields=["round", "name"], name="theme_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class AuditCourse(models.Model):
    """One audited course: a selected candidate, shown at the meeting as "course 3", never by name unless the
    user may see the citizen. ``person_ref`` is the candidate file's person id (a registry id or the citizen's
    opaque id), never a CPR number."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="courses")
    number = models.PositiveSmallIntegerField(_("course number"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    person_ref = models.CharField(_("person id from the candidate list"), max_length=64, blank=True)
    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("citizen")
    )
    admissions = models.PositiveSmallIntegerField(_("admissions"), default=0)
    preventable_admissions = models.PositiveSmallIntegerField(
        _("admissions with a preventable diagnosis"), default=0
    )
    first_admission = models.DateField(_("first admission"), null=True, blank=True)
    last_admission = models.DateField(_("last admission"), null=True, blank=True)
    summary = models.TextField(_("course summary (de-identified)"), blank=True)
    coherent = models.CharField(
        _("Is the course coherent?"), max_length=10, choices=Answer.choices, blank=True
    )
    coherent_note = models.TextField(_("coherence: what the group saw"), blank=True)
    preventable = models.CharField(
        _("Could the admissions have been prevented?"), max_length=10, choices=Answer.choices, blank=True
    )
    preventable_note = models.TextField(_("prevention: how"), blank=True)
    patterns = models.TextField(_("What patterns do we see?"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("audited course")
        verbose_name_plural = _("audited courses")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="audit_course_unique_number"),
            models.UniqueConstraint(
                fields=["round", "person_ref"],
                condition=~models.Q(person_ref=""),
                name="audit_course_unique_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.number}"

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None


class Suggestion(models.Model):
    """An improvement suggestion from the audit of one course, with the party that can act on it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(AuditCourse, on_delete=models.CASCADE, related_name="suggestions")
    text = models.TextField(_("suggestion"))
    party = models.CharField(_("who can act"), max_length=20, choices=Party.choices)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("theme"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("improvement suggestion")
        verbose_name_plural = _("improvement suggestions")
        ordering = ["course__number", "id"]

    def __str__(self) -> str:
        return self.text[:60]


# =================================================================================================================
# Surveys: the experience of citizens and relatives (annex 1). Written by ``followup/surveys.py``.
#
# Anonymity by design (docs/followup.md, "Surveys"): no row below holds a citizen, a course, a CPR number, a user
# or a time finer than the quarter of the discharge next to an answer. A link holds only the hash of its code and
# where and when the answer will count (survey, cluster, municipality, quarter); it is deleted when it is used, and
# an answer has a random key and no reference to its link.
# =================================================================================================================


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale 1–5")
    YES_NO = "yes_no", _("Yes / no / don't know")
    TEXT = "text", _("Free text")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    DONT_KNOW = "dont_know", _("Don't know")


class Survey(models.Model):
    """A questionnaire for citizens and relatives after a discharge. ``cluster`` is the cluster whose
    secretaries and analysts manage it; none means region-wide (links can then be handed out in every cluster)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction for the respondent"), blank=True)
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("cluster"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind of answer"), max_length=8, choices=QuestionKind.choices)
    low_label = models.CharField(_("label of 1"), max_length=60, blank=True)
    high_label = models.CharField(_("label of 5"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_question_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class SurveyLink(models.Model):
    """A one-time link not yet used: the SHA-256 of its code, never the code. No course, citizen or user."""

    token_hash = models.CharField(max_length=64, unique=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(max_length=7)  # of the discharge, e.g. 2026-Q4
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")

    def __str__(self) -> str:
        return f"{self.survey_id} {self.quarter}"


class SurveyHandout(models.Model):
    """How many links were handed out per survey, cluster and quarter (for the response rate)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="handouts")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(max_length=7)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "cluster", "quarter"], name="survey_handout_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.quarter}: {self.count}"


class SurveyResponse(models.Model):
    """One anonymous answer: a random key (no order of arrival), the survey, and the cluster, municipality and
    quarter of the discharge. No time, no link, no citizen."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(max_length=7)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [models.Index(fields=["survey", "cluster", "quarter"])]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.quarter}"


class SurveyAnswer(models.Model):
    """The answer to one question (only the questions answered have a row)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    scale = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=10, choices=YesNo.choices, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_unique_question"),
            models.CheckConstraint(
                condition=models.Q(scale__isnull=True) | models.Q(scale__gte=1, scale__lte=5),
                name="survey_answer_scale_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}"


# =================================================================================================================
# Implementation plans, the clusters' experiences and the follow-up report (annex 1). Write path: ``plans.py``,
# ``experiences.py`` and ``followup_report.py``; docs/followup.md.
# =================================================================================================================


class Track(models.TextChoices):
    """Annex 1's three supplementary tracks of the implementation."""

    COMMUNICATION = "communication", _("Communication track")
    DIALOGUE = "dialogue", _("Dialogue track")
    RULES = "rules", _("Rules track")


class TaskStatus(models.TextChoices):
    PLANNED = "planned", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ImplementationPlan(models.Model):
    """A cluster's local implementation plan (one per cluster)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cluster = models.OneToOneField(
        Cluster, on_delete=models.PROTECT, related_name="implementation_plan", verbose_name=_("cluster")
    )
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        ordering = ["cluster__name"]

    def __str__(self) -> str:
        return str(self.cluster)


class PlanTask(models.Model):
    """A task of a plan in one of the three tracks, with its owner, deadline and status."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="tasks")
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    title = models.CharField(_("task"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.CharField(_("owner"), max_length=200)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["track", "deadline", "id"]

    def __str__(self) -> str:
        return self.title


class Material(models.Model):
    """A material of the communication package: a link or an uploaded file (checked by ``core.files``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    content = models.BinaryField(_("content"), null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def has_file(self) -> bool:
        return bool(self.size)


class RespondentRole(models.TextChoices):
    STAFF = "staff", _("Staff")
    STEERING_GROUP = "steering_group", _("Steering group")


class ExperienceResponse(models.Model):
    """One person's answers to the clusters' follow-up questions (``experiences.QUESTIONS``) for one cluster."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, related_name="experience_responses", verbose_name=_("cluster")
    )
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("answering as"), max_length=20, choices=RespondentRole.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    answers = models.JSONField(_("answers"), default=dict)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("experience response")
        verbose_name_plural = _("experience responses")
        ordering = ["cluster__name", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "respondent"], name="experience_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster} #{self.pk}"


class FollowupReport(models.Model):
    """The follow-up report for a cluster (or the region, ``cluster`` empty) and a period. The draft is its
    narratives; publishing freezes the whole report into a ``ReportVersion``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_reports",
        verbose_name=_("cluster"),
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    narratives = models.JSONField(_("narratives"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="followup_report_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReportVersion(models.Model):
    """A published, frozen version of a follow-up report: the rendered body as it was, never changed again."""

    report = models.ForeignKey(FollowupReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    body_html = models.TextField()
    narratives = models.JSONField(default=dict)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("published report version")
        verbose_name_plural = _("published report versions")
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"
