"""The platform's own courses as a source of audit candidates (``audits candidates --from-platform``).

The courses become a registry through the overview's ``platform_source`` (one physical contact per course), so
the stays, the 4-hour rule and the 12-hour threshold are the engine's. The person id written is the citizen's
opaque ``public_id``, never the CPR number or the database key."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sektorbro.citizens.models import Citizen
from sektorbro.followup.candidates import Admission, registry_admissions, relabel
from sektorbro.indicators.registry import registry_from_tables
from sektorbro.overview.platform_source import platform_tables

PLATFORM_NOTE = (
    "Kilde: Sektorbros egne forløb; diagnoser kendes ikke, så --preventable-only finder ingen. / Source: "
    "Sektorbro's own courses; diagnoses are unknown, so --preventable-only finds none."
)


def platform_admissions(first: dt.date, last: dt.date) -> tuple[list[Admission], list[str]]:
    extract = platform_tables(until=timezone.now())
    registry = registry_from_tables(extract.tables)
    try:
        admissions = registry_admissions(registry, first, last)
    finally:
        registry.close()
    keys = {int(a.person_id) for a in admissions}
    ids = {
        str(pk): str(public_id)
        for pk, public_id in Citizen.objects.filter(pk__in=keys).values_list("pk", "public_id")
    }
    return relabel(admissions, ids), [PLATFORM_NOTE]
