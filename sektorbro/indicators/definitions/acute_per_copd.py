"""``acute_per_copd``: acute somatic admissions of adults with COPD, per 1,000 such persons (a proxy)."""

from __future__ import annotations

from typing import Any

from sektorbro.indicators.definitions.common import chronic_denominators, chronic_events
from sektorbro.indicators.model import POPULATION_RATE, RESIDENCE_STRATA, Indicator, Parameter

CONDITION = "copd"

PARAMETERS = (
    Parameter(
        "min_age",
        18,
        "Laveste alder pr. 1. januar.",
        "Youngest age on 1 January.",
        "verified (18+)",
    ),
    Parameter(
        "count_by",
        "start",
        "Om indlæggelsen tælles i perioden for dens start ('start') eller slutning ('end').",
        "Whether an admission counts in the period of its start ('start') or its end ('end').",
        "unverified",
    ),
)


def events(ctx: Any, params: Any) -> Any:
    return chronic_events(ctx, params, CONDITION)


def denominators(ctx: Any, params: Any) -> Any:
    return chronic_denominators(ctx, params, CONDITION)


INDICATOR = Indicator(
    id="acute_per_copd",
    name_da="Akutte indlæggelser pr. borger med KOL (proxy)",
    name_en="Acute admissions per citizen with COPD (proxy)",
    definition_da=(
        "Akutte somatiske indlæggelser (mindst 12 timer) af voksne, der pr. 1. januar i året er i "
        "registerets population med kronisk obstruktiv lungesygdom (KOL), pr. 1.000 personer i populationen. En proxy for den nationale "
        "indikator, der bygger på RUKS; populationen kommer fra filen chronic, ikke fra RUKS."
    ),
    definition_en=(
        "Acute somatic admissions (at least 12 hours) of adults who, on 1 January of the year, are in the "
        "registry's population with chronic obstructive pulmonary disease (COPD), per 1,000 persons in that population. A proxy for the "
        "national indicator, which is based on RUKS; the population comes from the chronic file, not from RUKS."
    ),
    kind=POPULATION_RATE,
    scale=1000.0,
    unit_da="pr. 1.000 borgere med KOL",
    unit_en="per 1,000 citizens with COPD",
    numerator_da="akutte somatiske indlæggelser",
    numerator_en="acute somatic admissions",
    denominator_da="voksne med KOL pr. 1. januar",
    denominator_en="adults with COPD on 1 January",
    status="PROXY for the national RUKS-based indicator (which is being redefined)",
    events=events,
    parameters=PARAMETERS,
    deviations=(
        "The population comes from the registry's chronic file (any source), not from RUKS's algorithms.",
        "Cohort design: persons in the population, adult and alive on 1 January of the admission's year; persons "
        "who enter the population during the year count from the next year.",
        "All acute somatic admissions of these persons count, whatever the diagnosis.",
        "Municipality, sex and age come from the persons file (current residence), not from the contact.",
    ),
    strata=RESIDENCE_STRATA,
    denominators=denominators,
    standardise=True,
    min_age=18,
    requires=("chronic",),
)
