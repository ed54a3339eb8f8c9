"""The groups that own the agreement, their terms of reference, meetings, decisions, action items and minutes.

Persistence only: every write goes through ``services.py``. Nothing here refers to a citizen."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupKind(models.TextChoices):
    COMMITTEE = "committee", _("Committee")
    STEERING_GROUP = "steering_group", _("Steering group")
    CLUSTER_STEERING_GROUP = "cluster_steering_group", _("Cluster steering group")
    WORKING_GROUP = "working_group", _("Working group")


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    HOSPITAL = "hospital", _("Hospital")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    GENERAL_PRACTICE = "general_practice", _("PLO / general practice")
    REGION = "region", _("Region")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    CO_CHAIR = "co_chair", _("Co-chair")
    SECRETARIAT = "secretariat", _("Secretariat")
    MEMBER = "member", _("Member")


class Group(models.Model):
    key = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=GroupKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("reports to"),
    )
    description = models.TextField(_("description"), blank=True)
    secretariat = models.CharField(_("secretariat"), max_length=300, blank=True)
    secretaries = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="governance_secretary_of",
        verbose_name=_("committee secretaries"),
        help_text=_("Users with the committee-secretary role who prepare and hold this group's meetings."),
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="members", verbose_name=_("group")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=30, choices=OrganisationKind.choices, blank=True
    )
    role = models.CharField(
        _("role in the group"), max_length=20, choices=MemberRole.choices, default="member"
    )
    alternate = models.CharField(_("alternate"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="governance_memberships",
        verbose_name=_("user account"),
        help_text=_(
            "A member with a user account reads all of the group's meetings, also before publication."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["group", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.group})"


class TermsOfReference(models.Model):
    """One version of a group's kommissorium. A new version is a new row; old versions stay."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="terms", verbose_name=_("group"))
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    dated = models.DateField(_("dated"), null=True, blank=True)
    status_note = models.CharField(_("status"), max_length=100, blank=True)
    background = models.TextField(_("background"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    tasks = models.JSONField(_("tasks"), default=list, blank=True)
    organisation = models.TextField(_("organisation"), blank=True)
    composition = models.JSONField(_("composition"), default=list, blank=True)
    chairs = models.JSONField(_("chairs"), default=list, blank=True)
    secretariat = models.TextField(_("secretariat"), blank=True)
    reporting = models.TextField(_("reporting"), blank=True)
    other_sections = models.JSONField(_("other sections"), default=list, blank=True)
    timeline = models.JSONField(_("timeline"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("terms of reference")
        verbose_name_plural = _("terms of reference")
        ordering = ["group", "-version"]
        constraints = [models.UniqueConstraint(fields=["group", "version"], name="unique_terms_version")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Agenda in preparation")
    HELD = "held", _("Held, minutes in draft")
    PUBLISHED = "published", _("Minutes published")


class Meeting(models.Model):
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("group")
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts"), null=True, blank=True)
    ends_at = models.TimeField(_("ends"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    location = models.CharField(_("location"), max_length=200, blank=True)
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.title} {self.date:%d.%m.%Y}"


class Attendance(models.TextChoices):
    EXPECTED = "expected", _("Invited")
    PRESENT = "present", _("Present")
    APOLOGIES = "apologies", _("Apologies")
    ABSENT = "absent", _("Absent without apologies")


class Participant(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        GroupMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=30, choices=OrganisationKind.choices, blank=True
    )
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.EXPECTED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.name


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting")
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    recommendations = models.JSONField(_("recommendations"), default=list, blank=True)
    case_text = models.TextField(_("case presentation"), blank=True)
    decision = models.TextField(_("decision"), blank=True)
    presenters = models.CharField(_("presenters"), max_length=300, blank=True)
    links = models.JSONField(_("related pages"), default=list, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="unique_item_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Attachment(models.Model):
    """A bilag. ``content`` is empty for an attachment known by name only (e.g. transcribed minutes)."""

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("agenda item")
    )
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    content = models.BinaryField(_("content"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_file(self) -> bool:
        return bool(self.size)


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActionItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("raised at")
    )
    item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("what"))
    owner = models.CharField(_("owner"), max_length=200, help_text=_("A person or an organisation."))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="governance_actions",
        verbose_name=_("owner's user account"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_note = models.CharField(_("deadline note"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    closed_at = models.DateField(_("closed"), null=True, blank=True)
    closed_in = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="closed_action_items",
        verbose_name=_("closed at meeting"),
    )
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == ActionStatus.OPEN and self.deadline is not None and self.deadline < today


class MinutesVersion(models.Model):
    """A published version of a meeting's minutes: a frozen copy of the meeting document. Never changed."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="minutes_versions", verbose_name=_("meeting")
    )
    number = models.PositiveIntegerField(_("version"))
    document = models.JSONField(_("document"))
    reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.CharField(_("published by"), max_length=150)

    class Meta:
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        ordering = ["meeting", "-number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="unique_minutes_version")]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.number}"
