"""``preventable_65plus``: preventable acute somatic stays of residents aged 65+, per 1,000 residents 65+."""

from __future__ import annotations

from typing import Any

from sektorbro.indicators.definitions.common import event_rows, shortest_seconds
from sektorbro.indicators.model import POPULATION_RATE, RESIDENCE_STRATA, Indicator, Parameter
from sektorbro.indicators.valuesets import PREVENTABLE_ELDERLY

PARAMETERS = (
    Parameter(
        "min_age",
        65,
        "Laveste alder ved opholdets start.",
        "Youngest age at the start of the stay.",
        "verified (65+)",
    ),
    Parameter(
        "min_stay_hours",
        0.0,
        "Mindste varighed af opholdet i timer (0 = alle akutte ophold, 12 = kun indlæggelser).",
        "Shortest stay counted, in hours (0 = every acute stay, 12 = admissions only).",
        "open question (the LPR3 name says 'sygehusophold', which includes stays under 12 hours)",
    ),
    Parameter(
        "count_by",
        "start",
        "Om opholdet tælles i perioden for dets start ('start') eller slutning ('end').",
        "Whether a stay counts in the period of its start ('start') or its end ('end').",
        "unverified",
    ),
)


def events(ctx: Any, params: Any) -> Any:
    stays = ctx.stays
    chosen = stays.filter(
        stays.acute
        & (stays.area == "somatic")
        & ((stays.end_s - stays.start_s) >= shortest_seconds(params["min_stay_hours"]))
        & (stays.age >= int(params["min_age"]))
        & PREVENTABLE_ELDERLY.match_expr(stays.action_diagnosis)
    )
    day = chosen.start_day if params["count_by"] == "start" else chosen.end_day
    return event_rows(chosen, day=day, hospital=chosen.first_hospital, numerator=1)


def denominators(ctx: Any, params: Any) -> Any:
    population = ctx.population
    return population.filter(population.age >= int(params["min_age"])).select(
        "year", "municipality_code", "sex", "age", "count"
    )


INDICATOR = Indicator(
    id="preventable_65plus",
    name_da="Forebyggelige akutte sygehusophold blandt ældre (65+)",
    name_en="Preventable acute hospital stays among the elderly (65+)",
    definition_da=(
        "Akutte somatiske sygehusophold for borgere på 65 år og derover (alder ved opholdets start), hvor "
        "opholdets aktionsdiagnose hører til en af de ni grupper af forebyggelige sygdomme (fx dehydrering, "
        "lungebetændelse, blærebetændelse, brud), pr. 1.000 borgere på 65 år og derover. Kodelisten er ikke "
        "verificeret mod den officielle specifikation."
    ),
    definition_en=(
        "Acute somatic hospital stays of residents aged 65 and over (age at the start of the stay) whose action "
        "diagnosis belongs to one of the nine groups of preventable conditions (e.g. dehydration, pneumonia, "
        "cystitis, fractures), per 1,000 residents aged 65 and over. The code list is not verified against the "
        "official specification."
    ),
    kind=POPULATION_RATE,
    scale=1000.0,
    unit_da="pr. 1.000 borgere 65+",
    unit_en="per 1,000 residents 65+",
    numerator_da="forebyggelige akutte sygehusophold",
    numerator_en="preventable acute hospital stays",
    denominator_da="borgere 65+ pr. 1. januar",
    denominator_en="residents 65+ on 1 January",
    status="National indicator (nine groups verified); code list UNVERIFIED",
    events=events,
    parameters=PARAMETERS,
    value_sets=(PREVENTABLE_ELDERLY,),
    deviations=(
        "The code prefixes of the nine groups are candidates, not the official appendix (the value set below is "
        "a first version, not yet checked against it).",
        "The stay's representative diagnosis is its first contact's action diagnosis (stay parameter "
        "attributes_from); SDS's rule is unknown and DST uses the time-dominant diagnosis.",
        "Stays of every length count by default (min_stay_hours = 0).",
        "The denominator is the population on 1 January of the year (FOLK1A); for a period spanning several "
        "years the mean of those years. Rates for quarters and months are not annualised.",
        "Residence is the municipality recorded on the stay's first contact.",
    ),
    strata=RESIDENCE_STRATA,
    denominators=denominators,
    standardise=True,
    min_age=65,
)
