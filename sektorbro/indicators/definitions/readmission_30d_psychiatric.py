"""``readmission_30d_psychiatric``: share of psychiatric index admissions followed by an acute psychiatric
readmission starting 0-720 hours after discharge."""

from __future__ import annotations

from typing import Any

from sektorbro.indicators.definitions.common import readmission_events
from sektorbro.indicators.definitions.readmission_30d_somatic import DEVIATIONS, PARAMETERS
from sektorbro.indicators.model import PROPORTION, Indicator
from sektorbro.indicators.valuesets import BIRTH, CANCER, INJURY


def events(ctx: Any, params: Any) -> Any:
    return readmission_events(ctx, params, "psychiatric")


INDICATOR = Indicator(
    id="readmission_30d_psychiatric",
    name_da="Akutte genindlæggelser inden for 30 dage (psykiatri)",
    name_en="Acute readmissions within 30 days (psychiatry)",
    definition_da=(
        "Andel af psykiatriske indeksindlæggelser, der efterfølges af en akut psykiatrisk indlæggelse, som "
        "begynder 0-720 timer efter udskrivelsen. Samme afgrænsning som for somatikken."
    ),
    definition_en=(
        "Share of psychiatric index admissions followed by an acute psychiatric admission starting 0-720 hours "
        "after the discharge. Same rules as the somatic variant."
    ),
    kind=PROPORTION,
    scale=100.0,
    unit_da="%",
    unit_en="%",
    numerator_da="indeksindlæggelser med akut genindlæggelse",
    numerator_en="index admissions with an acute readmission",
    denominator_da="indeksindlæggelser",
    denominator_en="index admissions",
    status="National definition (eSundhed) as far as documented; exclusion codes partly verified",
    events=events,
    parameters=PARAMETERS,
    value_sets=(CANCER, BIRTH, INJURY),
    deviations=(
        *DEVIATIONS,
        "Nationally, psychiatric rates are not standardised at municipality level (too uncertain); Sektorbro "
        "still computes a standardised value, to be read with care.",
    ),
    standardise=True,
)
