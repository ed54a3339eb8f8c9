"""``ready_days_amount``: the amount (DKK) of the ready-for-discharge bed days, from the dated tariff table."""

from __future__ import annotations

from typing import Any

import ibis

from sektorbro.indicators.definitions.common import event_rows, ready_admissions, ready_periods
from sektorbro.indicators.definitions.ready_days import DEVIATIONS
from sektorbro.indicators.model import AMOUNT, Indicator


def events(ctx: Any, params: Any) -> Any:
    periods = ready_periods(ctx)
    # When the source says which days the municipality pays for (the platform's own courses: from the ready date
    # to the agreed discharge date, aftalen 2.1), only those are priced; a registry without it prices every day.
    paid_to = ibis.ifelse(
        periods.billing_known,
        ibis.least(periods.to_day, periods.billed_until_day.fill_null(periods.ready_day)),
        periods.to_day,
    )
    periods = periods.mutate(to_day=paid_to)
    tariffs = ctx.tariffs
    priced = periods.join(
        tariffs,
        [
            periods.area == tariffs.sector,
            tariffs.valid_from < periods.to_day,
            tariffs.valid_to > periods.ready_day,
        ],
    )
    first = ibis.greatest(priced.ready_day, priced.valid_from)
    last = ibis.least(priced.to_day, priced.valid_to)
    nights = ibis.greatest(last.delta(first, unit="day"), 0).cast("int64")
    amounts = priced.group_by(["person_id", "s_start"]).aggregate(
        amount_ore=(nights * priced.ore_per_day).sum()
    )
    ready = ready_admissions(ctx)
    amounts = amounts.rename(a_person="person_id", a_start="s_start")
    joined = ready.left_join(amounts, [ready.person_id == amounts.a_person, ready.start_s == amounts.a_start])
    return event_rows(
        joined,
        day=joined.end_day,
        hospital=joined.last_hospital,
        numerator=joined.nights,
        denominator=1,
        amount_ore=joined.amount_ore.fill_null(0),
    )


INDICATOR = Indicator(
    id="ready_days_amount",
    name_da="Færdigbehandlingstakst for færdigbehandlingsdage (beløb)",
    name_en="Ready-for-discharge tariff amount",
    definition_da=(
        "Beløbet i kroner for færdigbehandlingsdagene (se ready_days): hver dag prissættes med den takst i den "
        "daterede taksttabel, der gælder for sektoren (somatik/psykiatri) den dag. Den medfølgende tabel "
        "indeholder EKSEMPELVÆRDIER, ikke de officielle takster."
    ),
    definition_en=(
        "The amount in DKK for the ready-for-discharge days (see ready_days): each day is priced with the rate "
        "in the dated tariff table that applies to the sector (somatic/psychiatric) on that day. The bundled "
        "table holds EXAMPLE VALUES, not the official rates."
    ),
    kind=AMOUNT,
    scale=1.0,
    unit_da="kr.",
    unit_en="DKK",
    numerator_da="færdigbehandlingsdage",
    numerator_en="ready-for-discharge days",
    denominator_da="indlæggelser med færdigmelding",
    denominator_en="admissions with a ready registration",
    status="Amount from the tariff table given to the run; the bundled table is example values only",
    events=events,
    deviations=(
        *DEVIATIONS,
        "Days no tariff row covers add nothing to the amount (the run reports them).",
        "A registry without billed_until prices every counted day; whether the municipality pays also depends on "
        "the agreed discharge date, which registries do not hold. The platform's own courses give it: there only "
        "the days from the ready date to the agreed discharge date are priced (aftalen 2.1).",
    ),
    requires=("ready_for_discharge",),
)
