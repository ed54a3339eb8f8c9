"""``ready_days``: ready-for-discharge (færdigbehandlede) bed days of admissions ending in the period."""

from __future__ import annotations

from typing import Any

from sektorbro.indicators.definitions.common import event_rows, ready_admissions
from sektorbro.indicators.model import TOTAL, Indicator

DEVIATIONS = (
    "Counting convention (our reading of the agreement, section 2.1, not yet confirmed by its owners): one day per midnight from the ready date "
    "up to the discharge date; a period ends when treatment is resumed or a new registration is made.",
    "The days of an admission are placed in the period of its discharge, not day by day.",
    "Only registrations on admissions (stays of at least 12 hours) count.",
)


def events(ctx: Any, params: Any) -> Any:
    ready = ready_admissions(ctx)
    return event_rows(
        ready, day=ready.end_day, hospital=ready.last_hospital, numerator=ready.nights, denominator=1
    )


INDICATOR = Indicator(
    id="ready_days",
    name_da="Færdigbehandlingsdage",
    name_en="Ready-for-discharge bed days",
    definition_da=(
        "Antal sengedage som færdigbehandlet for indlæggelser, der slutter i perioden: én dag for hver "
        "midnat fra færdigbehandlingsdatoen frem til udskrivningsdatoen. Nætter efter 'behandling genoptaget' "
        "tæller ikke. Nævneren er antallet af indlæggelser med en færdigmelding."
    ),
    definition_en=(
        "Number of bed days spent ready for discharge in admissions ending in the period: one day for each "
        "midnight from the ready date up to the discharge date. Nights after 'treatment resumed' do not count. "
        "The denominator is the number of admissions with a ready registration."
    ),
    kind=TOTAL,
    scale=1.0,
    unit_da="dage",
    unit_en="days",
    numerator_da="færdigbehandlingsdage",
    numerator_en="ready-for-discharge days",
    denominator_da="indlæggelser med færdigmelding",
    denominator_en="admissions with a ready registration",
    status="Health-agreement follow-up indicator; counting convention unverified",
    events=events,
    deviations=DEVIATIONS,
    requires=("ready_for_discharge",),
)
