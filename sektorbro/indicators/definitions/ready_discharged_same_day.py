"""``ready_discharged_same_day``: share of admissions with a ready registration discharged on the ready date."""

from __future__ import annotations

from typing import Any

from sektorbro.indicators.definitions.common import event_rows, ready_admissions
from sektorbro.indicators.model import PROPORTION, Indicator


def events(ctx: Any, params: Any) -> Any:
    ready = ready_admissions(ctx)
    same_day = ~ready.latest_resumed & (ready.latest_ready_day == ready.end_day)
    return event_rows(
        ready, day=ready.end_day, hospital=ready.last_hospital, numerator=same_day, denominator=1
    )


INDICATOR = Indicator(
    id="ready_discharged_same_day",
    name_da="Udskrevet på færdigbehandlingsdatoen",
    name_en="Discharged on the ready date",
    definition_da=(
        "Andel af indlæggelser med en færdigmelding, hvor udskrivningsdatoen er den seneste "
        "færdigbehandlingsdato (dansk tid), og behandlingen ikke er genoptaget derefter. Aftalen sigter mod, at "
        "de to datoer falder sammen."
    ),
    definition_en=(
        "Share of admissions with a ready registration whose discharge date is the latest ready date (Danish "
        "time) and where treatment was not resumed after it. The agreement aims for the two dates to coincide."
    ),
    kind=PROPORTION,
    scale=100.0,
    unit_da="%",
    unit_en="%",
    numerator_da="indlæggelser udskrevet på færdigbehandlingsdatoen",
    numerator_en="admissions discharged on the ready date",
    denominator_da="indlæggelser med færdigmelding",
    denominator_en="admissions with a ready registration",
    status="Local follow-up of the cooperation agreement (datosammenfald)",
    events=events,
    deviations=(
        "The agreement asks for registration only when the patient cannot leave the same day, so registrations "
        "made on the discharge day may be missing in real data and the share then reads low.",
    ),
    requires=("ready_for_discharge",),
)
