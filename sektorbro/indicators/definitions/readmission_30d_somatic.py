"""``readmission_30d_somatic``: share of somatic index admissions followed by an acute somatic readmission
starting 0-720 hours after discharge."""

from __future__ import annotations

from typing import Any

from sektorbro.indicators.definitions.common import readmission_events
from sektorbro.indicators.model import PROPORTION, Indicator, Parameter
from sektorbro.indicators.valuesets import BIRTH, CANCER, INJURY

PARAMETERS = (
    Parameter(
        "window_hours",
        720,
        "Genindlæggelsen skal begynde højst så mange timer efter udskrivelsen (30 dage = 720 timer).",
        "The readmission must start at most this many hours after the discharge (30 days = 720 hours).",
        "partly verified (a hospital's script of the national criteria: 0-720 hours)",
    ),
    Parameter(
        "min_age",
        0,
        "Laveste alder ved indeksindlæggelsens start.",
        "Youngest age at the start of the index admission.",
        "unverified (whether the national indicator covers all ages was not confirmed)",
    ),
)

DEVIATIONS = (
    "Cancer and birth codes are searched in every diagnosis of the stay; injury codes only in the readmission's "
    "action diagnosis, and the whole DT chapter counts as injury (one hospital's reading keeps only some blocks).",
    "Hospice stays are excluded as readmissions too, and index admissions ending in death are excluded; the "
    "national rule for deaths within 30 days without a readmission is not known (they stay in the denominator).",
    "No exclusion of index admissions with pregnancy codes (DO4*) or of DZ763 (accompanying person), which one "
    "hospital's script applies.",
    "The somatic and psychiatric variants take the area from the stay's first contact; a mixed stay counts in "
    "the area of its first contact. The LPR2/LPR3 break of 3 February 2019 is not repaired.",
    "Index admissions in the last 30 days of the registry cannot be followed fully: end the period at least 30 "
    "days before the registry's last date.",
)


def events(ctx: Any, params: Any) -> Any:
    return readmission_events(ctx, params, "somatic")


INDICATOR = Indicator(
    id="readmission_30d_somatic",
    name_da="Akutte genindlæggelser inden for 30 dage (somatik)",
    name_en="Acute readmissions within 30 days (somatic)",
    definition_da=(
        "Andel af somatiske indeksindlæggelser, der efterfølges af en akut somatisk indlæggelse, som begynder "
        "0-720 timer efter udskrivelsen. Indeksindlæggelsen slutter i perioden, patienten er i live ved "
        "udskrivelsen, og opholdet har hverken kræftdiagnose eller hospiceophold. Genindlæggelser for fødsel, "
        "ulykker og skader samt kræft tæller ikke."
    ),
    definition_en=(
        "Share of somatic index admissions followed by an acute somatic admission starting 0-720 hours after "
        "the discharge. The index admission ends in the period, the patient is alive at discharge, and the stay "
        "has no cancer diagnosis and no hospice stay. Readmissions for childbirth, injuries and cancer do not "
        "count."
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
    deviations=DEVIATIONS,
    standardise=True,
)
