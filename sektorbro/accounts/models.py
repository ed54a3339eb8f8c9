from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sektorbro.accounts.roles import ROLE_SECTOR, Sector, sector_of, unit_kind_allowed
from sektorbro.organisations.models import OrganisationUnit


class Role(models.TextChoices):
    WARD_NURSE = "ward_nurse", _("Ward nurse")
    DISCHARGE_COORDINATOR = "discharge_coordinator", _("Discharge coordinator")
    HOSPITAL_DOCTOR = "hospital_doctor", _("Hospital doctor")
    MUNICIPAL_VISITATOR = "municipal_visitator", _("Municipal visitator")
    HOME_NURSE = "home_nurse", _("Home nurse")
    ACUTE_FUNCTION_NURSE = "acute_function_nurse", _("Acute-function nurse")
    GP = "gp", _("General practitioner")
    SOCIAL_AREA_WORKER = "social_area_worker", _("Social-area worker")
    DATA_ANALYST = "data_analyst", _("Cluster data analyst")
    COMMITTEE_SECRETARY = "committee_secretary", _("Committee secretary")
    ADMINISTRATOR = "administrator", _("Administrator")


assert set(Role.values) == set(ROLE_SECTOR), "roles.py and Role must list the same roles"


class User(AbstractUser):
    """A person who logs in. What they may see follows from their memberships (unit + role)."""

    is_demo_account = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Demo accounts can only log in while the platform runs in demo mode (SEKTORBRO_DEMO=1)."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def active_memberships(self) -> list[Membership]:
        cache = getattr(self, "_membership_cache", None)
        if cache is None:
            cache = list(
                self.memberships.filter(active=True).select_related(
                    "unit", "unit__parent", "unit__municipality", "unit__cluster"
                )
            )
            self._membership_cache = cache
        return cache

    def sectors(self) -> set[Sector]:
        return {sector_of(m.role) for m in self.active_memberships()}

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships()}

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.is_superuser or Role.ADMINISTRATOR in self.roles())

    def primary_membership(self) -> Membership | None:
        memberships = self.active_memberships()
        return memberships[0] if memberships else None

    def organisation_label(self) -> str:
        return ", ".join(sorted({m.unit.name for m in self.active_memberships()}))

    def display_name(self) -> str:
        return self.get_full_name() or self.get_username()


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(
        OrganisationUnit,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation unit"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"

    def clean(self) -> None:
        if self.unit_id and self.role and not unit_kind_allowed(self.role, self.unit.kind):
            raise ValidationError(
                {
                    "unit": _("A %(role)s cannot belong to a unit of kind %(kind)s.")
                    % {"role": self.get_role_display(), "kind": self.unit.get_kind_display()}
                }
            )


class ApiToken(models.Model):
    """A bearer token for a system integration. Only a hash is stored; the key is shown once.

    ``senders`` are the organisations the token delivers MedCom messages for: one for a hospital's or a
    municipality's own system, several for a message gateway acting for them. A token without senders (a
    person's token) cannot deliver MedCom messages at all."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    senders = models.ManyToManyField(
        OrganisationUnit,
        blank=True,
        related_name="+",
        verbose_name=_("delivers MedCom messages for"),
        help_text=_(
            "The organisations whose messages this token may deliver (their sub-units included). "
            "Empty: the token cannot deliver MedCom messages."
        ),
    )
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(
        cls, *, user: User, name: str, senders: Iterable[OrganisationUnit] = ()
    ) -> tuple[ApiToken, str]:
        key = "sb_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=cls.hash_key(key))
        token.senders.set(list(senders))
        return token, key

    @classmethod
    def find(cls, key: str) -> ApiToken | None:
        """The live token with this key (its last use noted), or None. A demo account's token is inert outside
        demo mode, as its password is (``SektorbroModelBackend``)."""
        live = cls.objects.filter(key_hash=cls.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        if not settings.DEMO_MODE:
            live = live.filter(user__is_demo_account=False)
        token = live.select_related("user").first()
        if token is None:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        token = cls.find(key)
        return token.user if token is not None else None
