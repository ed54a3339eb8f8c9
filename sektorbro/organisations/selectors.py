"""Read-side queries over the reference data."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from sektorbro.organisations.models import (
    Cluster,
    Municipality,
    OrganisationAlias,
    OrganisationUnit,
    valid_on,
)


def today() -> dt.date:
    return timezone.localdate()


def municipalities(on: dt.date | None = None) -> QuerySet[Municipality]:
    return Municipality.objects.filter(valid_on(on or today())).select_related("cluster").order_by("code")


def clusters(on: dt.date | None = None) -> QuerySet[Cluster]:
    return Cluster.objects.filter(valid_on(on or today())).order_by("name")


def units(on: dt.date | None = None) -> QuerySet[OrganisationUnit]:
    return (
        OrganisationUnit.objects.filter(valid_on(on or today()))
        .select_related("parent", "cluster", "municipality")
        .order_by("kind", "name")
    )


def find_cluster(name: str, on: dt.date | None = None) -> Cluster | None:
    """Find a cluster by its key, its current name or one of its aliases valid on the date."""
    day = on or today()
    found = Cluster.objects.filter(valid_on(day)).filter(name__iexact=name).first()
    if found is None:
        found = Cluster.objects.filter(key=name).first()
    if found is None:
        alias = (
            OrganisationAlias.objects.filter(valid_on(day), cluster__isnull=False, name__iexact=name)
            .select_related("cluster")
            .first()
        )
        found = alias.cluster if alias else None
    return found


def find_unit(name: str, on: dt.date | None = None) -> OrganisationUnit | None:
    """Find a unit by key, current name or an alias valid on the date."""
    day = on or today()
    found = OrganisationUnit.objects.filter(key=name).first()
    if found is None:
        found = OrganisationUnit.objects.filter(valid_on(day), name__iexact=name).first()
    if found is None:
        alias = (
            OrganisationAlias.objects.filter(valid_on(day), unit__isnull=False, name__iexact=name)
            .select_related("unit")
            .first()
        )
        found = alias.unit if alias else None
    return found


class UnknownUnit(LookupError):
    pass


def unit_named(name: str) -> OrganisationUnit:
    """The organisation unit with this key, SOR code or location number (exactly one), for the commands that
    bind a token or a drop folder to its senders."""
    found = list(
        OrganisationUnit.objects.filter(Q(key=name) | Q(sor_code=name) | Q(location_number=name))[:2]
    )
    if len(found) != 1:
        what = "ukendt / unknown" if not found else "tvetydig / ambiguous"
        raise UnknownUnit(f"Organisation {what}: {name}")
    return found[0]
