"""The region's organisations: clusters, municipalities, hospitals and their departments, municipal and
regional social units, GP clinics and the secretariats. All dated (valid_from/valid_to), with aliases for
units that were renamed. The rows come from the data files in ``data/`` (see ``reference.py``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Dated(models.Model):
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def valid_on(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class Cluster(Dated):
    """A klynge: one hospital unit and the municipalities it serves."""

    key = models.SlugField(_("key"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(Dated):
    code = models.CharField(_("municipality code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="municipalities")

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    REGION = "region", _("Region")
    HOSPITAL = "hospital", _("Hospital")
    DEPARTMENT = "department", _("Hospital department")
    MUNICIPAL_UNIT = "municipal_unit", _("Municipal unit")
    REGIONAL_SOCIAL_UNIT = "regional_social_unit", _("Regional social area unit")
    GP_CLINIC = "gp_clinic", _("GP clinic")
    SECRETARIAT = "secretariat", _("Secretariat")


class DepartmentType(models.TextChoices):
    WARD = "ward", _("Ward")
    CLINIC = "clinic", _("Clinic")


class Area(models.TextChoices):
    SOMATIC = "somatic", _("Somatic")
    PSYCHIATRIC = "psychiatric", _("Psychiatric")


class MunicipalService(models.TextChoices):
    VISITATION = "visitation", _("Visitation")
    HOME_CARE = "home_care", _("Home care")
    HOME_NURSING = "home_nursing", _("Home nursing")
    ACUTE_FUNCTION = "acute_function", _("Municipal acute function")
    NURSING_HOME = "nursing_home", _("Nursing home")
    SOCIAL_AREA = "social_area", _("Social area")
    CHILDREN_YOUTH = "children_youth", _("Children and youth")


class OrganisationUnit(Dated):
    key = models.SlugField(_("key"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    department_type = models.CharField(
        _("department type"), max_length=10, choices=DepartmentType.choices, blank=True
    )
    area = models.CharField(_("area"), max_length=12, choices=Area.choices, blank=True)
    municipal_service = models.CharField(
        _("municipal service"), max_length=20, choices=MunicipalService.choices, blank=True
    )
    sor_code = models.CharField(_("SOR code"), max_length=20, blank=True, db_index=True)
    location_number = models.CharField(_("location number (GLN)"), max_length=13, blank=True, db_index=True)
    identifiers_are_demo = models.BooleanField(
        _("identifiers are demo values"),
        default=False,
        help_text=_("Set when the SOR code and location number are invented for the demo, not official."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    phone_is_example = models.BooleanField(
        _("phone number is an example"),
        default=False,
        help_text=_("Set when the phone number is invented for the demo: pages mark it as an example."),
    )

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def hospital(self) -> OrganisationUnit | None:
        if self.kind == UnitKind.HOSPITAL:
            return self
        if self.kind == UnitKind.DEPARTMENT and self.parent is not None:
            # A department hangs under its hospital, a section under its department.
            return self.parent if self.parent.kind == UnitKind.HOSPITAL else self.parent.hospital
        return None

    def clean(self) -> None:
        """A department belongs to a hospital (directly, or as a section of a department): without it no
        message could be placed there and no membership would cover its courses."""
        super().clean()
        if self.kind != UnitKind.DEPARTMENT:
            return
        parent = self.parent if self.parent_id else None
        if parent is None:
            raise ValidationError(
                {"parent": _("A hospital department must be part of a hospital: choose the hospital.")}
            )
        if parent.kind not in (UnitKind.HOSPITAL, UnitKind.DEPARTMENT) or (
            parent.kind == UnitKind.DEPARTMENT and parent.hospital is None
        ):
            raise ValidationError(
                {
                    "parent": _(
                        "A hospital department must be part of a hospital or of one of its departments."
                    )
                }
            )


class OrganisationAlias(Dated):
    """Another name a cluster or unit has had or is also known by (e.g. Vestklyngen for Gødstrupklyngen)."""

    name = models.CharField(_("alias"), max_length=200, db_index=True)
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="aliases"
    )
    unit = models.ForeignKey(
        OrganisationUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="aliases"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.CheckConstraint(
                condition=Q(cluster__isnull=False, unit__isnull=True)
                | Q(cluster__isnull=True, unit__isnull=False),
                name="alias_names_exactly_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.name
