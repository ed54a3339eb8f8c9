"""``discharges``: admissions ending in the period."""

from __future__ import annotations

from typing import Any

from sektorbro.indicators.definitions.common import event_rows
from sektorbro.indicators.model import COUNT, Indicator


def events(ctx: Any, params: Any) -> Any:
    admissions = ctx.stays.filter(ctx.stays.admission)
    return event_rows(admissions, day=admissions.end_day, hospital=admissions.last_hospital, numerator=1)


INDICATOR = Indicator(
    id="discharges",
    name_da="Udskrivelser",
    name_en="Discharges",
    definition_da=(
        "Antal indlæggelser, der slutter i perioden. En indlæggelse er et sygehusophold på mindst 12 timer; "
        "fysiske fremmøder, der overlapper eller ligger højst 4 timer fra hinanden, tæller som ét ophold, også "
        "når patienten flyttes mellem sygehuse."
    ),
    definition_en=(
        "Number of admissions ending in the period. An admission is a hospital stay of at least 12 hours; "
        "physical contacts that overlap or lie at most 4 hours apart count as one stay, also when the patient "
        "moves between hospitals."
    ),
    kind=COUNT,
    scale=1.0,
    unit_da="udskrivelser",
    unit_en="discharges",
    numerator_da="indlæggelser, der slutter i perioden",
    numerator_en="admissions ending in the period",
    denominator_da="ingen",
    denominator_en="none",
    status="Sektorbro count on the national stay and admission rules (verified)",
    events=events,
    deviations=(
        "The hospital stratum is the discharging hospital (the contact that ends last); municipality, cluster "
        "and region strata count residents of the region only.",
    ),
)
