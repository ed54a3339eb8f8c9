"""A course (forløb) is an append-only history of events. The few columns on ``Course`` besides its identity
are projections kept by the services from the events (for indexing and access control); status, deadlines and
tasks are always derived by the rules core in ``sektorbro.agreement``."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sektorbro.citizens.models import Citizen
from sektorbro.organisations.models import Municipality, OrganisationUnit


class Track(models.TextChoices):
    ACUTE = "acute", _("Acute")
    PLANNED = "planned", _("Planned")


class CourseArea(models.TextChoices):
    SOMATIC = "somatic", _("Somatic")
    PSYCHIATRIC = "psychiatric", _("Psychiatric")


class DischargeDestination(models.TextChoices):
    OWN_HOME = "own_home", _("Own home")
    NURSING_HOME = "nursing_home", _("Nursing home")
    MUNICIPAL_ACUTE_BED = "municipal_acute_bed", _("Municipal acute bed")
    TEMPORARY_BED = "temporary_bed", _("Temporary municipal place")
    OTHER_HOSPITAL = "other_hospital", _("Other hospital")
    DEAD = "dead", _("Died")
    OTHER = "other", _("Other")


class Course(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="courses", verbose_name=_("citizen")
    )
    hospital = models.ForeignKey(
        OrganisationUnit,
        on_delete=models.PROTECT,
        related_name="hospital_courses",
        verbose_name=_("hospital"),
    )
    department = models.ForeignKey(
        OrganisationUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="department_courses",
        verbose_name=_("department"),
    )
    # A copy of the citizen's municipality of residence (kept in step by Citizen.save and the course services),
    # so the municipal worklists filter, count and order open courses by an index instead of a semi-join.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (municipality, ended_at) below serves the look-ups
        verbose_name=_("citizen's municipality"),
    )
    area = models.CharField(_("area"), max_length=12, choices=CourseArea.choices)
    track = models.CharField(_("track"), max_length=10, choices=Track.choices)
    unit_kind = models.CharField(_("ward or clinic"), max_length=10, default="ward")
    admitted_at = models.DateTimeField(_("admitted"), db_index=True)
    discharged_at = models.DateTimeField(_("discharged"), null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(
        _("ended"), null=True, blank=True, db_index=True, help_text=_("Discharge, death or cancellation.")
    )
    discharge_destination = models.CharField(
        _("discharge destination"), max_length=30, choices=DischargeDestination.choices, blank=True
    )
    municipal_nursing_after_discharge = models.BooleanField(
        _("municipal nursing after discharge"), default=False
    )
    rehabilitation_needed = models.BooleanField(_("rehabilitation needed"), default=False)
    # The course at another region hospital this course continues (a transfer): one regional stay that the rules
    # judge as a whole (aftalen 2.2). Set by the services when the citizen's previous stay ended at most
    # ``AgreementSettings.transfer_gap_hours`` before this admission (docs/agreement-rules.md, "One regional stay").
    previous_course = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_course",
        verbose_name=_("continues the stay of"),
    )
    episode_of_care_id = models.CharField(_("episode of care id"), max_length=100, blank=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # Derived state (sektorbro.courses.state): the rules core's decisions stored for the worklists' SQL.
    state_status = models.CharField(_("status"), max_length=24, blank=True, db_index=True)
    state_next_due = models.DateTimeField(_("next deadline"), null=True, blank=True)
    state_hospital_due = models.DateTimeField(_("next hospital deadline"), null=True, blank=True)
    state_municipality_due = models.DateTimeField(_("next municipal deadline"), null=True, blank=True)
    state_tasks = models.JSONField(_("open tasks"), default=list, blank=True)
    state_ready_since = models.DateField(_("ready for discharge since"), null=True, blank=True)
    state_window_until = models.DateTimeField(_("72-hour window until"), null=True, blank=True)
    state_window = models.JSONField(_("72-hour window"), default=dict, blank=True)
    state_doctor = models.JSONField(_("responsible doctor"), default=dict, blank=True)
    state_billing = models.JSONField(_("ready-for-discharge days"), default=dict, blank=True)
    state_documents = models.JSONField(_("documents"), default=dict, blank=True)
    state_discharge_date = models.JSONField(_("discharge date"), default=dict, blank=True)
    state_evaluated_at = models.DateTimeField(_("state evaluated"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-admitted_at", "-id"]
        indexes = [
            models.Index(fields=["hospital", "ended_at"]),
            models.Index(fields=["citizen", "ended_at"]),
            # The worklists' urgency order over open courses (ASC NULLS LAST, as the queries sort); the status
            # is included so the section counts are index-only scans (PostgreSQL).
            models.Index(
                fields=["hospital", "state_hospital_due", "admitted_at"],
                condition=models.Q(ended_at__isnull=True),
                include=["state_status"],
                name="course_open_hospital_due_st",
            ),
            models.Index(
                fields=["municipality", "state_municipality_due", "admitted_at"],
                condition=models.Q(ended_at__isnull=True),
                include=["state_status"],
                name="course_open_municipality_due",
            ),
            models.Index(
                fields=["state_next_due", "admitted_at"],
                condition=models.Q(ended_at__isnull=True),
                name="course_open_next_due",
            ),
            models.Index(fields=["municipality", "ended_at"], name="course_municipality_ended"),
        ]

    def __str__(self) -> str:
        return f"{self.citizen} @ {self.hospital} ({self.admitted_at:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.municipality_id is None and self.citizen_id is not None:
            self.municipality_id = self.citizen.residence_municipality_id
        super().save(*args, **kwargs)


class CourseEvent(models.Model):
    """One fact in a course's history. Never updated or deleted; cancellations and corrections are new
    events that point at the event they undo or amend (``supersedes``)."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("sequence number"))
    type = models.CharField(_("event"), max_length=40, db_index=True)
    occurred_at = models.DateTimeField(_("occurred"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_label = models.CharField(_("recorded by"), max_length=150)
    organisation = models.ForeignKey(
        OrganisationUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    source_message_id = models.CharField(_("source message"), max_length=100, blank=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("course event")
        verbose_name_plural = _("course events")
        ordering = ["course_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["course", "seq"], name="course_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.course_id}#{self.seq} {self.type}"


class ReadyForDischargeTariff(models.Model):
    """The dated færdigbehandlingstakst table that administrators maintain (DKK per day and sector)."""

    sector = models.CharField(_("sector"), max_length=12, choices=CourseArea.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    dkk_per_day = models.DecimalField(_("DKK per day"), max_digits=10, decimal_places=2)
    source = models.CharField(_("source"), max_length=300)
    is_example = models.BooleanField(
        _("example value"), default=False, help_text=_("Set for demo values that are not the official rate.")
    )

    class Meta:
        verbose_name = _("ready-for-discharge tariff")
        verbose_name_plural = _("ready-for-discharge tariffs")
        ordering = ["sector", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(dkk_per_day__gte=0), name="tariff_not_negative"),
            models.UniqueConstraint(fields=["sector", "valid_from"], name="tariff_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} {self.valid_from:%d.%m.%Y}: {self.dkk_per_day} DKK"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("The end date must be after the start date.")})
        overlapping = ReadyForDischargeTariff.objects.filter(sector=self.sector).exclude(pk=self.pk)
        for other in overlapping:
            ends_after_start = other.valid_to is None or other.valid_to > self.valid_from
            starts_before_end = self.valid_to is None or other.valid_from < self.valid_to
            if ends_after_start and starts_before_end:
                raise ValidationError(_("The period overlaps another tariff for the same sector: %s") % other)
