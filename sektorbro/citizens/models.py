from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sektorbro.citizens.cpr import mask
from sektorbro.organisations.models import Municipality, OrganisationUnit


class AcuteFunctionReferral(models.TextChoices):
    GP = "gp", _("Own GP")
    OUT_OF_HOURS = "out_of_hours", _("Out-of-hours doctor")
    HOSPITAL = "hospital", _("Hospital")


class Citizen(models.Model):
    """A citizen (borger). Identified inside Sektorbro by the opaque ``public_id``; the CPR number is stored
    but never put in URLs, logs or exports, and shown masked to users without a care relation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpr = models.CharField(_("CPR number"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    birth_date = models.DateField(_("date of birth"))
    residence_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("municipality of residence"),
    )
    gp_clinic = models.ForeignKey(
        OrganisationUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listed_citizens",
        limit_choices_to={"kind": "gp_clinic"},
        verbose_name=_("listed GP clinic"),
    )
    gp_doctor_name = models.CharField(
        _("named GP"),
        max_length=200,
        blank=True,
        help_text=_(
            "The named doctor at the listed clinic who is patient-responsible when the GP is (aftalen 2.2)."
        ),
    )
    receives_elderly_care = models.BooleanField(_("receives elderly-care services"), default=False)
    known_to_municipal_social_area = models.BooleanField(
        _("known to the municipal social area"), default=False
    )
    known_to_regional_social_area = models.BooleanField(_("known to the regional social area"), default=False)
    social_units = models.ManyToManyField(
        OrganisationUnit,
        blank=True,
        related_name="attached_citizens",
        verbose_name=_("social-area units"),
    )
    acute_function_unit = models.ForeignKey(
        OrganisationUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acute_function_citizens",
        verbose_name=_("in municipal acute function"),
    )
    acute_function_referred_by = models.CharField(
        _("referred to the acute function by"),
        max_length=20,
        choices=AcuteFunctionReferral.choices,
        blank=True,
    )
    acute_function_since = models.DateTimeField(_("in the acute function since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cpr__regex=r"^[0-9]{10}$"), name="citizen_cpr_ten_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Citizen {self.public_id}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving also moves the citizen's courses to a new municipality of residence: courses carry a copy of
        it for the municipal worklists (``Course.municipality``). ``QuerySet.update`` bypasses this; use
        ``move_courses_with`` after such a bulk change."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if not adding and (fields is None or "residence_municipality" in fields):
            move_courses_with(self)

    @property
    def cpr_masked(self) -> str:
        return mask(self.cpr)

    @property
    def cpr_formatted(self) -> str:
        return f"{self.cpr[:6]}-{self.cpr[6:]}"


def move_courses_with(citizen: Citizen) -> int:
    """Give the citizen's courses the citizen's current municipality of residence; returns how many moved."""
    from django.apps import apps

    courses = apps.get_model("courses", "Course").objects
    moved: int = (
        courses.filter(citizen_id=citizen.pk)
        .exclude(municipality_id=citizen.residence_municipality_id)
        .update(municipality_id=citizen.residence_municipality_id)
    )
    return moved


class Relative(models.Model):
    """A relative (pårørende) and whether the citizen consents to involving them (principle 1)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    may_be_involved = models.BooleanField(_("the citizen consents to involving this relative"), default=False)
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("relative")
        verbose_name_plural = _("relatives")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class AccessLogEntry(models.Model):
    """One row per read of a citizen's data: who, from which organisation, what, when, in which request."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, db_index=True)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    # A citizen known to Sektorbro, or (citizen empty) a person shown from a message that could not be placed:
    # then the message's public id and a keyed hash of the CPR identify whose data was read (never the CPR).
    citizen = models.ForeignKey(
        Citizen,
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("citizen"),
        null=True,
        blank=True,
    )
    subject_message = models.CharField(
        _("message read"), max_length=100, blank=True, db_default="", db_index=True
    )
    person_key = models.CharField(
        _("person key (keyed CPR hash)"), max_length=64, blank=True, db_default="", db_index=True
    )
    action = models.CharField(_("what was read"), max_length=80, db_index=True)
    channel = models.CharField(_("channel"), max_length=20, default="web")
    request_id = models.CharField(_("request id"), max_length=64, db_index=True, blank=True)
    # What the client sent as X-Request-ID, kept for reference only: the correlating id is the server's.
    client_request_id = models.CharField(_("client's request id"), max_length=64, blank=True, db_default="")

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(citizen__isnull=False) | ~Q(subject_message=""),
                name="access_log_names_whose_data",
            )
        ]

    def __str__(self) -> str:
        whose = self.citizen.public_id if self.citizen else f"message {self.subject_message}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {whose}"
