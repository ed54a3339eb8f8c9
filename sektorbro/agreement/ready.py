"""Færdigbehandlet (aftalen 2.1): whether the course may be registered now, the current ready date, what
``behandling genoptaget`` does, and the bed days the municipality pays for with their amount."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypedDict

from sektorbro.agreement.history import (
    CourseState,
    ReadyPeriod,
    agreed_discharge_date,
    discharge_day,
    effective_events,
    event_time,
    fold,
    until,
)
from sektorbro.agreement.model import (
    DEFAULT_SETTINGS,
    AgreementSettings,
    CourseSnapshot,
    Decision,
    Event,
    Reason,
    Tariff,
    local_date,
    require_aware,
)
from sektorbro.agreement.tariffs import tariff_for
from sektorbro.agreement.transitions import check_transition

SOURCE = "aftalen 2.1"


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


#: The criteria of aftalen 2.1 a færdigbehandlet registration can record (event data, each ``true``/``false``).
READY_CHECKLIST = {
    "fmk_updated": Reason("FMK er ajourført", "The shared medication record (FMK) is updated"),
    "rehab_plan_made": Reason(
        "Der er lagt en plan for genoptræning (og evt. forebyggelse)",
        "A rehabilitation plan (and any prevention) has been made",
    ),
    "patient_informed": Reason(
        "Patient og pårørende er informeret", "The patient and the relatives have been informed"
    ),
    "discharge_time_agreed": Reason(
        "Udskrivelsestidspunktet er aftalt med kommunen", "The discharge time is agreed with the municipality"
    ),
}
#: What the continued stay waits for (aftalen 2.1: "der ventes på en midlertidig plads/genoptræningsplads eller
#: plejehjemsplads, foranstaltninger i hjemmet eller lignende"); event data ``waiting_for``.
WAITING_FOR = {
    "temporary_place": Reason("en midlertidig plads", "a temporary place"),
    "rehabilitation_place": Reason("en genoptræningsplads", "a rehabilitation place"),
    "nursing_home": Reason("en plejehjemsplads", "a nursing-home place"),
    "home_measures": Reason("foranstaltninger i hjemmet", "measures in the home"),
    "other": Reason("andet", "something else"),
}


def _registration(
    snapshot: CourseSnapshot, start: dt.datetime, at: dt.datetime, settings: AgreementSettings
) -> Event | None:
    """The færdigbehandlet registration that started the period beginning at ``start``."""
    found: Event | None = None
    for event in until(effective_events(snapshot, settings), at):
        when = event_time(event)
        if event.type == "ready_for_discharge" and when is not None and when <= start:
            found = event
    return found


def _checklist_reasons(data: dict[str, Any]) -> list[Reason]:
    """The registration's checklist and what the stay waits for, as reasons the municipality reads."""
    reasons: list[Reason] = []
    done = [label for key, label in READY_CHECKLIST.items() if data.get(key) is True]
    not_done = [label for key, label in READY_CHECKLIST.items() if data.get(key) is False]
    if done:
        reasons.append(
            Reason(
                "Ved registreringen: " + "; ".join(r.da for r in done) + ".",
                "At the registration: " + "; ".join(r.en for r in done) + ".",
            )
        )
    if not_done:
        reasons.append(
            Reason(
                "Endnu ikke ved registreringen: " + "; ".join(r.da for r in not_done) + ".",
                "Not yet at the registration: " + "; ".join(r.en for r in not_done) + ".",
            )
        )
    waiting = WAITING_FOR.get(str(data.get("waiting_for") or ""))
    why = data.get("waiting_reason")
    why_text = str(why).strip() if isinstance(why, str) else ""
    if waiting is not None or why_text:
        what_da = waiting.da if waiting is not None else "andet"
        what_en = waiting.en if waiting is not None else "something else"
        reasons.append(
            Reason(
                f"Den fortsatte indlæggelse venter på {what_da}" + (f": {why_text}" if why_text else "."),
                f"The continued stay waits for {what_en}" + (f": {why_text}" if why_text else "."),
            )
        )
    return reasons


class ReadyValue(TypedDict):
    registrable: bool  # may a registration be added now
    needed: bool  # is a registration needed (not when the discharge is the same day)
    registered: bool  # is a færdigbehandlet period running (or did the stay end in one)
    date: str | None  # its ready date (ISO), or None
    resumed_count: int
    periods: list[dict[str, str | None]]
    checklist: dict[str, bool | None]  # the current registration's criteria (aftalen 2.1); None = not given
    waiting_for: str | None  # what the continued stay waits for (a key of WAITING_FOR)
    waiting_reason: str | None


def ready_for_discharge(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> Decision[ReadyValue]:
    """May the course be registered færdigbehandlet now, and what is the current ready date?

    Never for a patient assessed terminal; not needed when the patient goes home the same day; a
    registered date cannot be moved — only ``treatment_resumed`` ends it, and a new registration then
    starts a new period."""
    require_aware(at, "at")
    state = fold(snapshot, at, settings)
    check = check_transition(snapshot, "ready_for_discharge", at, settings=settings)
    reasons: list[Reason] = list(check.reasons)
    sources: list[str] = [SOURCE, *(s for s in check.sources if s != SOURCE)]
    registrable = bool(check.value) and state.in_hospital
    day = discharge_day(snapshot, at, settings)
    needed = registrable
    if registrable and day is not None and day <= local_date(at):
        needed = False
        reasons.append(
            Reason(
                "Patienten udskrives i dag; registrering som færdigbehandlet er kun nødvendig, når patienten "
                "ikke kan udskrives samme dag.",
                "The patient is discharged today; a ready-for-discharge registration is only needed when the "
                "patient cannot be discharged the same day.",
            )
        )
    elif registrable:
        reasons.append(
            Reason(
                "Registrér kun, hvis patienten ikke kan udskrives samme dag, fordi der ventes på en kommunal "
                "plads eller foranstaltninger i hjemmet.",
                "Register only if the patient cannot go home the same day because they wait for a municipal "
                "place or measures in the home.",
            )
        )
    if state.resumed_count:
        reasons.append(
            Reason(
                f"Behandling genoptaget er registreret {state.resumed_count} gang(e); hver ny registrering "
                "som færdigbehandlet starter en ny periode.",
                f"Treatment resumed has been registered {state.resumed_count} time(s); each new "
                "ready-for-discharge registration starts a new period.",
            )
        )
    current = state.periods[-1] if state.periods else None
    if current is not None and current.ended_by not in (None, "discharged", "died"):
        current = None  # ended by treatment resumed or a terminal assessment
    if state.ready_since is not None:
        reasons.append(
            Reason(
                "Færdigbehandlingsdatoen %s kan ikke flyttes; kun behandling genoptaget afslutter den."
                % _d(local_date(state.ready_since)),
                "The ready date %s cannot be moved; only treatment resumed ends it."
                % _d(local_date(state.ready_since)),
            )
        )
    registration = _registration(snapshot, current.start, at, settings) if current is not None else None
    data = registration.data if registration is not None else {}
    if registration is not None:
        reasons.extend(_checklist_reasons(data))
    waiting_for = data.get("waiting_for")
    waiting_reason = data.get("waiting_reason")
    value: ReadyValue = {
        "checklist": {key: data[key] if isinstance(data.get(key), bool) else None for key in READY_CHECKLIST},
        "waiting_for": waiting_for if waiting_for in WAITING_FOR else None,
        "waiting_reason": waiting_reason if isinstance(waiting_reason, str) and waiting_reason else None,
        "registrable": registrable,
        "needed": needed,
        "registered": current is not None,
        "date": local_date(current.start).isoformat() if current else None,
        "resumed_count": state.resumed_count,
        "periods": [p.as_dict() for p in state.periods],
    }
    return Decision(value, tuple(reasons), tuple(dict.fromkeys(sources)))


# --------------------------------------------------------------------------------------------------------------
# Bed days
# --------------------------------------------------------------------------------------------------------------


def period_days(
    period: ReadyPeriod, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[dt.date]:
    """The calendar days of one period that count, by the convention in the settings.

    Default (``bill_ready_day=True``, ``bill_discharge_day=False``): one day per midnight spent
    færdigbehandlet, i.e. the dates from the ready date up to, not including, the end date. A running period
    ends at ``at`` (the days so far)."""
    end = period.end if period.end is not None and period.end <= at else at
    if end < period.start:
        return []
    first, last = local_date(period.start), local_date(end)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    if not settings.bill_ready_day:
        days = [d for d in days if d != first]
    if not settings.bill_discharge_day:
        days = [d for d in days if d != last]
    return days


def ready_nights(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[dt.date]:
    """Every counted day spent færdigbehandlet, up to the discharge or, while admitted, up to ``at``."""
    state = fold(snapshot, at, settings)
    return sorted({d for p in state.periods for d in period_days(p, at, settings)})


class TariffLine(TypedDict):
    source: str
    dkk_per_day: float
    days: int
    amount_dkk: float
    example: bool


class BillingValue(TypedDict):
    days: int  # the days the municipality pays for
    accruing_days: int  # all days spent færdigbehandlet so far, billed or not
    amount_dkk: float
    nights: list[str]  # the billed days (ISO dates)
    tariff_is_example: bool
    missing_tariff_days: list[str]
    lines: list[TariffLine]


def _billable(
    state: CourseState,
    agreed: dt.date | None,
    at: dt.datetime,
    settings: AgreementSettings,
    reasons: list[Reason],
) -> list[dt.date]:
    billed: set[dt.date] = set()
    for period in state.periods:
        days = period_days(period, at, settings)
        ready_day = local_date(period.start)
        if settings.require_agreed_date_for_billing:
            if agreed is None:
                if days:
                    reasons.append(
                        Reason(
                            "Færdigbehandlet fra %s: der er endnu ingen aftalt udskrivningsdato; dagene tælles, "
                            "men afregnes først, når en dato efter færdigbehandlingsdatoen er aftalt."
                            % _d(ready_day),
                            "Ready from %s: no discharge date has been agreed yet; the days are counted but only "
                            "billed once a date after the ready date is agreed." % _d(ready_day),
                        )
                    )
                continue
            if agreed <= ready_day:
                reasons.append(
                    Reason(
                        "Færdigbehandlet fra %s: den aftalte udskrivningsdato %s ligger ikke efter "
                        "færdigbehandlingsdatoen, så kommunen betaler ikke." % (_d(ready_day), _d(agreed)),
                        "Ready from %s: the agreed discharge date %s is not after the ready date, so the "
                        "municipality does not pay." % (_d(ready_day), _d(agreed)),
                    )
                )
                continue
            reasons.append(
                Reason(
                    "Færdigbehandlet fra %s: den aftalte udskrivningsdato %s ligger efter "
                    "færdigbehandlingsdatoen, så kommunen betaler takst." % (_d(ready_day), _d(agreed)),
                    "Ready from %s: the agreed discharge date %s is after the ready date, so the municipality "
                    "pays the tariff." % (_d(ready_day), _d(agreed)),
                )
            )
        if settings.bill_until_agreed_date and agreed is not None:
            days = [d for d in days if d < agreed or (settings.bill_discharge_day and d == agreed)]
        billed.update(days)
    return sorted(billed)


def billable_days(
    snapshot: CourseSnapshot,
    at: dt.datetime,
    tariffs: Iterable[Tariff] = (),
    settings: AgreementSettings = DEFAULT_SETTINGS,
) -> Decision[BillingValue]:
    """The days the municipality pays the færdigbehandlingstakst for, and the amount.

    Default: one day per midnight from the ready date up to the discharge date (while admitted: up to
    ``at``), only for periods whose ready date is before the agreed discharge date; nights between
    ``treatment_resumed`` and a new registration never count. The amount per day comes from the dated tariff
    table for the course's sector (somatic or psychiatric)."""
    require_aware(at, "at")
    state = fold(snapshot, at, settings)
    agreed = agreed_discharge_date(snapshot, at, settings)
    reasons: list[Reason] = []
    sources = [SOURCE]
    accruing = sorted({d for p in state.periods for d in period_days(p, at, settings)})
    if not state.periods:
        reasons.append(
            Reason(
                "Patienten er ikke registreret færdigbehandlet; der er ingen dage at betale.",
                "The patient has not been registered ready for discharge; there are no days to pay.",
            )
        )
    billed = _billable(state, agreed, at, settings, reasons)
    if len(state.periods) > 1:
        reasons.append(
            Reason(
                "Nætter fra behandling genoptaget til en ny færdigmelding tælles ikke med.",
                "Nights from treatment resumed to a new registration are not counted.",
            )
        )
    tariff_list = tuple(tariffs)
    lines: dict[tuple[str, float], TariffLine] = {}
    total = Decimal(0)
    missing: list[dt.date] = []
    for day in billed:
        rate = tariff_for(tariff_list, snapshot.area, day)
        if rate is None:
            missing.append(day)
            continue
        total += Decimal(str(rate.dkk_per_day))
        line = lines.setdefault(
            (rate.source, rate.dkk_per_day),
            {
                "source": rate.source,
                "dkk_per_day": rate.dkk_per_day,
                "days": 0,
                "amount_dkk": 0.0,
                "example": rate.example,
            },
        )
        line["days"] += 1
        line["amount_dkk"] = float(Decimal(str(rate.dkk_per_day)) * line["days"])
        if rate.source not in sources:
            sources.append(rate.source)
    example = any(line["example"] for line in lines.values())
    if missing:
        reasons.append(
            Reason(
                "Ingen takst i tabellen gælder for %d dag(e); beløbet er ufuldstændigt." % len(missing),
                "No tariff in the table covers %d day(s); the amount is incomplete." % len(missing),
            )
        )
    if example:
        reasons.append(
            Reason(
                "Taksten er en eksempelværdi, ikke den officielle færdigbehandlingstakst.",
                "The tariff is an example value, not the official rate.",
            )
        )
    reasons.append(
        Reason(
            "%d dag(e) som færdigbehandlet, heraf %d til afregning." % (len(accruing), len(billed)),
            "%d day(s) ready for discharge, %d of them billed." % (len(accruing), len(billed)),
        )
    )
    value: BillingValue = {
        "days": len(billed),
        "accruing_days": len(accruing),
        "amount_dkk": float(round(total, 2)),
        "nights": [d.isoformat() for d in billed],
        "tariff_is_example": example,
        "missing_tariff_days": [d.isoformat() for d in missing],
        "lines": list(lines.values()),
    }
    return Decision(value, tuple(reasons), tuple(sources))


def billing_summary(decision: Decision[BillingValue]) -> dict[str, Any]:
    return {
        **decision.value,
        "reasons": [r.as_dict() for r in decision.reasons],
        "sources": list(decision.sources),
    }
