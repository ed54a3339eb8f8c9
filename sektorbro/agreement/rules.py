"""The cooperation agreement and the flowchart as rules: a course snapshot in, decisions out.

Sources are cited as ``aftalen <section>`` (Samarbejdsaftale om den gode indlæggelse og udskrivelse 2023),
``flowchart <rule id>`` (docs/agreement-rules.md lists them) or ``bilag 2`` (psychiatry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sektorbro.agreement.calendar import (
    at_local,
    end_of_shift,
    holiday_name,
    is_weekday,
    is_weekend_or_holiday,
    read_by,
)
from sektorbro.agreement.model import (
    CPH,
    AgreementSettings,
    CourseSnapshot,
    Deadline,
    Decision,
    Event,
    Reason,
    RuleInputError,
    Tariff,
    local_date,
    require_aware,
)

DEFAULT_SETTINGS = AgreementSettings()
MUNICIPAL_PLACES = ("municipal_acute_bed", "temporary_bed", "nursing_home")

STATUS_LABELS = {
    "not_admitted": Reason("Ikke indlagt", "Not admitted"),
    "admitted": Reason("Indlagt", "Admitted"),
    "on_leave": Reason("På orlov", "On leave"),
    "ready_for_discharge": Reason("Færdigbehandlet", "Ready for discharge"),
    "discharged": Reason("Udskrevet", "Discharged"),
    "dead": Reason("Død", "Died"),
    "cancelled": Reason("Annulleret", "Cancelled"),
}

DOCUMENT_EVENTS = {
    "admission_report": ("admission_report_sent", "admission_report_received"),
    "care_plan": ("care_plan_sent",),
    "discharge_report": ("discharge_report_sent",),
    "rehab_plan": ("rehab_plan_sent",),
    "correspondence": ("correspondence_sent",),
    "phone_contact": ("phone_contact_logged",),
    "discharge_summary": ("discharge_summary_sent",),
    "fmk_update": ("fmk_updated",),
    "discharge_agreement": ("discharge_agreement_made",),
    "coordination_plan": ("coordination_plan_made",),
}

# Documents that may still be sent after the discharge (everything else after discharge is refused).
AFTER_DISCHARGE = frozenset(
    {
        "discharge_summary_sent",
        "fmk_updated",
        "discharge_report_sent",
        "rehab_plan_sent",
        "correspondence_sent",
        "correspondence_read",
        "phone_contact_logged",
        "corrected",
        "cancelled",
        "died",
    }
)
ANY_TIME = frozenset(
    {
        "care_plan_sent",
        "admission_report_received",
        "admission_report_sent",
        "assessment_plan_made",
        "correspondence_sent",
        "correspondence_read",
        "phone_contact_logged",
        "discharge_report_sent",
        "rehab_plan_sent",
        "discharge_summary_sent",
        "fmk_updated",
        "discharge_agreement_made",
        "coordination_plan_made",
        "weekend_discharge_agreed",
        "discharge_date_proposed",
        "discharge_date_agreed",
        "transferred",
        "terminal_assessed",
        "corrected",
        "cancelled",
    }
)


def R(da: str, en: str) -> Reason:
    return Reason(da, en)


# --------------------------------------------------------------------------------------------------------------
# The effective history: cancellations remove what they cancel, corrections replace it.
# --------------------------------------------------------------------------------------------------------------


def effective_events(snapshot: CourseSnapshot) -> list[Event]:
    removed: set[int] = set()
    replaced: dict[int, Event] = {}
    for event in snapshot.events:
        target = event.data.get("target_seq")
        if event.type == "cancelled" and target is not None:
            removed.add(int(target))
        elif event.type == "corrected" and target is not None:
            replaced[int(target)] = event
    result: list[Event] = []
    for event in snapshot.events:
        if event.type in ("corrected",) or (
            event.type == "cancelled" and event.data.get("target_seq") is not None
        ):
            continue
        if event.seq is not None and event.seq in removed:
            continue
        if event.seq is not None and event.seq in replaced:
            fix = replaced[event.seq]
            event = Event(
                type=event.type,
                at=fix.at or event.at,
                date=fix.date or event.date,
                seq=event.seq,
                data={**event.data, **{k: v for k, v in fix.data.items() if k != "target_seq"}},
            )
        result.append(event)
    return result


def _of_type(events: Iterable[Event], *types: str) -> list[Event]:
    return [e for e in events if e.type in types]


def _last(events: Iterable[Event], *types: str) -> Event | None:
    found = _of_type(events, *types)
    return found[-1] if found else None


def discharged_at(snapshot: CourseSnapshot, events: list[Event] | None = None) -> dt.datetime | None:
    events = effective_events(snapshot) if events is None else events
    discharge = _last(events, "discharged", "died")
    if discharge is not None and discharge.at is not None:
        return discharge.at
    if discharge is None and not _of_type(events, "discharged", "died") and snapshot.discharged_at:
        # The snapshot carries a discharge time without an event (e.g. a scenario): accept it.
        if not snapshot.events or not any(e.type in ("discharged", "died") for e in snapshot.events):
            return snapshot.discharged_at
    return None


def status(snapshot: CourseSnapshot, at: dt.datetime | None = None) -> str:
    """The derived status of the course (never stored by hand)."""
    events = effective_events(snapshot)
    if at is not None:
        events = [e for e in events if e.at is None or e.at <= at]
    current = (
        "admitted" if snapshot.admitted_at and (at is None or snapshot.admitted_at <= at) else "not_admitted"
    )
    if any(e.type == "admitted" for e in snapshot.events) and not _of_type(events, "admitted"):
        current = "not_admitted"
    if any(e.type == "cancelled" and e.data.get("target_seq") is None for e in events):
        return "cancelled"
    for event in events:
        match (current, event.type):
            case (_, "admitted"):
                current = "admitted"
            case ("admitted" | "ready_for_discharge", "leave_started"):
                current = "on_leave"
            case ("on_leave", "leave_ended"):
                current = "admitted"
            case ("admitted" | "on_leave", "ready_for_discharge"):
                current = "ready_for_discharge"
            case ("ready_for_discharge", "treatment_resumed"):
                current = "admitted"
            case ("ready_for_discharge", "terminal_assessed"):
                current = "admitted"
            case (_, "discharged"):
                current = "discharged"
            case (_, "died"):
                current = "dead"
    if current in ("admitted", "on_leave", "ready_for_discharge"):
        end = discharged_at(snapshot, effective_events(snapshot))
        if end is not None and (at is None or end <= at) and not _of_type(events, "discharged", "died"):
            current = "dead" if snapshot.discharge_destination == "dead" else "discharged"
    return current


def is_terminal(snapshot: CourseSnapshot, events: list[Event]) -> bool:
    return snapshot.citizen.terminal or bool(_of_type(events, "terminal_assessed"))


# --------------------------------------------------------------------------------------------------------------
# Transitions
# --------------------------------------------------------------------------------------------------------------


def check_transition(
    snapshot: CourseSnapshot,
    event_type: str,
    at: dt.datetime,
    *,
    source: str = "user",
    data: dict[str, object] | None = None,
    settings: AgreementSettings = DEFAULT_SETTINGS,
) -> Decision:
    """May this event be added now? ``source="message"`` records facts reported by the hospital's own systems
    (a discharge that happened is never refused for a missing agreement; structure still applies)."""
    require_aware(at, "at")
    data = data or {}
    events = effective_events(snapshot)
    current = status(snapshot)

    def yes(da: str, en: str, *sources: str) -> Decision:
        return Decision(True, (R(da, en),), sources or ("aftalen 2",))

    def no(da: str, en: str, *sources: str) -> Decision:
        return Decision(False, (R(da, en),), sources or ("aftalen 2",))

    if current in ("discharged", "dead", "cancelled"):
        if event_type in AFTER_DISCHARGE and not (current == "dead" and event_type == "died"):
            return yes("Kan registreres efter udskrivelsen.", "May be recorded after the discharge.")
        return no(
            "Forløbet er afsluttet (%s); hændelsen kan ikke tilføjes." % STATUS_LABELS[current].da,
            "The course has ended (%s); the event cannot be added." % STATUS_LABELS[current].en,
        )
    match (current, event_type):
        case ("not_admitted", "admitted"):
            return yes("Borgeren indlægges.", "The citizen is admitted.")
        case ("not_admitted", _):
            return no("Borgeren er ikke indlagt endnu.", "The citizen has not been admitted yet.")
        case (_, "admitted"):
            return no(
                "Borgeren er allerede indlagt i dette forløb.",
                "The citizen is already admitted in this course.",
            )
        case ("admitted" | "on_leave", "ready_for_discharge"):
            if is_terminal(snapshot, events):
                return no(
                    "Patienter vurderet terminale registreres aldrig som færdigbehandlede.",
                    "Patients assessed as terminal are never registered ready for discharge.",
                    "aftalen 2.1",
                )
            return yes(
                "Patienten kan registreres som færdigbehandlet efter en samlet lægefaglig vurdering.",
                "The patient may be registered ready for discharge after an overall medical assessment.",
                "aftalen 2.1",
            )
        case ("ready_for_discharge", "ready_for_discharge"):
            return no(
                "Patienten er allerede færdigbehandlet. Datoen kan kun ændres ved at registrere "
                "behandling genoptaget først.",
                "The patient is already ready for discharge. The date can only change by registering "
                "treatment resumed first.",
                "aftalen 2.1",
            )
        case ("ready_for_discharge", "treatment_resumed"):
            return yes(
                "Behandling genoptaget afslutter færdigbehandlingsperioden.",
                "Treatment resumed ends the ready-for-discharge period.",
                "aftalen 2.1",
            )
        case (_, "treatment_resumed"):
            return no(
                "Behandling genoptaget kan kun registreres for en færdigbehandlet patient.",
                "Treatment resumed can only be registered for a patient who is ready for discharge.",
                "aftalen 2.1",
            )
        case ("admitted" | "ready_for_discharge", "leave_started"):
            return yes("Patienten går på orlov.", "The patient goes on leave.")
        case (_, "leave_started"):
            return no("Patienten er allerede på orlov.", "The patient is already on leave.")
        case ("on_leave", "leave_ended"):
            return yes("Patienten er tilbage fra orlov.", "The patient is back from leave.")
        case (_, "leave_ended"):
            return no("Patienten er ikke på orlov.", "The patient is not on leave.")
        case (_, "discharged"):
            day = local_date(at)
            if (
                source == "user"
                and settings.block_weekend_discharge_without_agreement
                and is_weekend_or_holiday(day)
                and not _of_type(events, "weekend_discharge_agreed")
            ):
                name = holiday_name(day)
                what_da = f"helligdag ({name})" if name else "weekend"
                what_en = f"public holiday ({name})" if name else "weekend"
                return no(
                    f"Udskrivelse på en {what_da} kræver en individuel aftale med kommunen, indgået pr. telefon "
                    "og dokumenteret i en korrespondancemeddelelse. Registrér aftalen først.",
                    f"A discharge on a {what_en} needs an individual agreement with the municipality, made by "
                    "phone and documented in a correspondence message. Record the agreement first.",
                    "flowchart P13",
                )
            return yes("Patienten udskrives.", "The patient is discharged.")
        case (_, "died"):
            return yes("Dødsfald registreres.", "The death is recorded.")
        case (_, "terminal_assessed") if current == "ready_for_discharge":
            return yes(
                "Vurderet terminal: færdigbehandlingsperioden ophører.",
                "Assessed terminal: the ready-for-discharge period ends.",
                "aftalen 2.1",
            )
        case (_, t) if t in ANY_TIME:
            return yes("Kan registreres under indlæggelsen.", "May be recorded during the admission.")
    return no("Ukendt hændelse: %s." % event_type, "Unknown event: %s." % event_type)


# --------------------------------------------------------------------------------------------------------------
# Færdigbehandlet and bed days
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyPeriod:
    start: dt.datetime
    end: dt.datetime | None  # resumed, terminal or discharge; None while running
    ended_by: str | None  # treatment_resumed | terminal_assessed | discharged | None


def ready_periods(
    snapshot: CourseSnapshot, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[ReadyPeriod]:
    events = effective_events(snapshot)
    periods: list[ReadyPeriod] = []
    start: dt.datetime | None = None
    enders = {"treatment_resumed"} | (
        {"terminal_assessed"} if settings.ready_period_ends_on_terminal else set()
    )
    for event in events:
        if event.type == "ready_for_discharge" and start is None and event.at is not None:
            start = max(event.at, snapshot.admitted_at)
        elif event.type in enders and start is not None and event.at is not None:
            periods.append(ReadyPeriod(start, max(event.at, start), event.type))
            start = None
    if start is not None:
        end = discharged_at(snapshot, events)
        periods.append(ReadyPeriod(start, max(end, start) if end else None, "discharged" if end else None))
    return periods


def agreed_discharge_date(snapshot: CourseSnapshot) -> dt.date | None:
    agreed = _last(effective_events(snapshot), "discharge_date_agreed")
    if agreed is None:
        return None
    if agreed.date is not None:
        return agreed.date
    return local_date(agreed.at) if agreed.at else None


def proposed_discharge_date(snapshot: CourseSnapshot) -> dt.date | None:
    proposed = _last(effective_events(snapshot), "discharge_date_proposed")
    if proposed is None:
        return None
    return proposed.date or (local_date(proposed.at) if proposed.at else None)


def ready_for_discharge(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> Decision:
    """Value: {"registrable": bool, "date": current ready date or None, "registered": bool}."""
    require_aware(at, "at")
    events = effective_events(snapshot)
    periods = ready_periods(snapshot, settings)
    current = periods[-1] if periods and periods[-1].ended_by in (None, "discharged") else None
    reasons: list[Reason] = []
    sources = ["aftalen 2.1"]
    check = check_transition(snapshot, "ready_for_discharge", at, settings=settings)
    registrable = bool(check.value)
    reasons += check.reasons
    day = discharge_day(snapshot)
    if registrable and day is not None and day == local_date(at):
        reasons.append(
            R(
                "Udskrives patienten samme dag, er registrering som færdigbehandlet ikke nødvendig.",
                "When the patient is discharged the same day, no ready-for-discharge registration is needed.",
            )
        )
    resumed = _of_type(events, "treatment_resumed")
    if resumed:
        reasons.append(
            R(
                f"Behandling genoptaget er registreret {len(resumed)} gang(e); hver ny registrering starter en ny "
                "periode.",
                f"Treatment resumed has been registered {len(resumed)} time(s); each new registration starts a "
                "new period.",
            )
        )
    if current is not None:
        reasons.append(
            R(
                "Færdigbehandlingsdatoen %s kan ikke flyttes; kun behandling genoptaget afslutter den."
                % local_date(current.start).strftime("%d.%m.%Y"),
                "The ready date %s cannot be moved; only treatment resumed ends it."
                % local_date(current.start).strftime("%d.%m.%Y"),
            )
        )
    value = {
        "registrable": registrable,
        "registered": current is not None,
        "date": local_date(current.start).isoformat() if current else None,
        "periods": [
            {
                "start": p.start.isoformat(),
                "end": p.end.isoformat() if p.end else None,
                "ended_by": p.ended_by,
            }
            for p in periods
        ],
    }
    return Decision(value, tuple(reasons), tuple(sources))


def _nights(start: dt.date, end: dt.date) -> list[dt.date]:
    """The dates whose following midnight lies between the start date and the end date."""
    return [start + dt.timedelta(days=i) for i in range(max((end - start).days, 0))]


def ready_nights(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[dt.date]:
    """Every night (by its date) spent færdigbehandlet, up to the discharge or, while admitted, up to ``at``."""
    nights: list[dt.date] = []
    for period in ready_periods(snapshot, settings):
        end = period.end or at
        nights += _nights(local_date(period.start), local_date(max(end, period.start)))
    return sorted(set(nights))


def billable_days(
    snapshot: CourseSnapshot,
    at: dt.datetime,
    tariffs: Iterable[Tariff] = (),
    settings: AgreementSettings = DEFAULT_SETTINGS,
) -> Decision:
    """Value: {"days": int, "amount_dkk": float, "accruing_days": int, "nights": [...]}.

    The municipality pays per midnight from the ready date up to the discharge date, when the agreed discharge
    date is after the ready date; nights after treatment was resumed (until a new registration) do not
    count."""
    require_aware(at, "at")
    nights = ready_nights(snapshot, at, settings)
    periods = ready_periods(snapshot, settings)
    reasons: list[Reason] = []
    sources = ["aftalen 2.1"]
    agreed = agreed_discharge_date(snapshot)
    billable = list(nights)
    if not periods:
        reasons.append(
            R(
                "Patienten er ikke registreret færdigbehandlet.",
                "The patient is not registered ready for discharge.",
            )
        )
    elif settings.require_agreed_date_for_billing:
        first_ready = local_date(periods[0].start)
        if agreed is None:
            billable = []
            reasons.append(
                R(
                    "Der er endnu ingen aftalt udskrivningsdato; dagene tælles, men afregnes først, når en dato "
                    "efter færdigbehandlingsdatoen er aftalt.",
                    "No discharge date has been agreed yet; the days are counted but only billed once a date "
                    "after the ready date is agreed.",
                )
            )
        elif agreed <= first_ready:
            billable = []
            reasons.append(
                R(
                    "Den aftalte udskrivningsdato ligger ikke efter færdigbehandlingsdatoen; kommunen betaler ikke.",
                    "The agreed discharge date is not after the ready date; the municipality does not pay.",
                )
            )
        else:
            reasons.append(
                R(
                    "Den aftalte udskrivningsdato (%s) ligger efter færdigbehandlingsdatoen (%s)."
                    % (agreed.strftime("%d.%m.%Y"), first_ready.strftime("%d.%m.%Y")),
                    "The agreed discharge date (%s) is after the ready date (%s)."
                    % (agreed.strftime("%d.%m.%Y"), first_ready.strftime("%d.%m.%Y")),
                )
            )
    if len(periods) > 1:
        reasons.append(
            R(
                "Nætter mellem behandling genoptaget og en ny færdigmelding tælles ikke med.",
                "Nights between treatment resumed and a new registration are not counted.",
            )
        )
    tariff_list = list(tariffs)
    amount = 0.0
    missing_tariff: list[dt.date] = []
    example = False
    for night in billable:
        rate = next((t for t in tariff_list if t.covers(snapshot.area, night)), None)
        if rate is None:
            missing_tariff.append(night)
            continue
        amount += rate.dkk_per_day
        example = example or rate.example
        if rate.source not in sources:
            sources.append(rate.source)
    if billable and missing_tariff:
        reasons.append(
            R(
                "Ingen takst gælder for %d nat/nætter; beløbet er ufuldstændigt." % len(missing_tariff),
                "No tariff covers %d night(s); the amount is incomplete." % len(missing_tariff),
            )
        )
    if example:
        reasons.append(
            R(
                "Taksten er en eksempelværdi, ikke den officielle.",
                "The tariff is an example value, not the official one.",
            )
        )
    reasons.append(
        R(
            "%d nat/nætter som færdigbehandlet, %d afregnes." % (len(nights), len(billable)),
            "%d night(s) ready for discharge, %d billed." % (len(nights), len(billable)),
        )
    )
    value = {
        "days": len(billable),
        "accruing_days": len(nights),
        "amount_dkk": round(amount, 2),
        "nights": [n.isoformat() for n in billable],
        "tariff_is_example": example,
    }
    return Decision(value, tuple(reasons), tuple(sources))


# --------------------------------------------------------------------------------------------------------------
# 72-hour extended responsibility and the patient-responsible doctor
# --------------------------------------------------------------------------------------------------------------


def stay_hours(snapshot: CourseSnapshot, end: dt.datetime | None) -> float | None:
    if end is None:
        return None
    return (end - snapshot.admitted_at).total_seconds() / 3600


def extended_responsibility(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> Decision:
    """Value: {"applies": bool, "until": iso | None, "active": bool, "call": str | None}."""
    require_aware(at, "at")
    events = effective_events(snapshot)
    end = discharged_at(snapshot, events)
    sources = ("aftalen 2.2", "flowchart S01")
    reasons: list[Reason] = []

    def answer(applies: bool) -> Decision:
        until = end + dt.timedelta(hours=settings.extended_window_hours) if applies and end else None
        value = {
            "applies": applies,
            "until": until.isoformat() if until else None,
            "active": bool(until and end and end <= at < until),
            "call": "discharging_department" if applies else None,
        }
        if applies and until:
            reasons.append(
                R(
                    "I 72 timer efter udskrivelsen (til %s) besvarer den udskrivende afdeling døgnet rundt "
                    "spørgsmål fra kommunens sundhedspersonale, egen læge og vagtlæge."
                    % until.astimezone(CPH).strftime("%d.%m.%Y %H:%M"),
                    "For 72 hours after the discharge (until %s) the discharging department answers questions "
                    "from municipal health staff, the GP and the out-of-hours doctor around the clock."
                    % until.astimezone(CPH).strftime("%d.%m.%Y %H:%M"),
                )
            )
        return Decision(value, tuple(reasons), sources)

    if snapshot.area != "somatic":
        reasons.append(
            R("Gælder ikke ved udskrivelse fra psykiatrien.", "Does not apply to psychiatric discharges.")
        )
        return answer(False)
    if snapshot.region != "Midtjylland":
        reasons.append(
            R(
                "Gælder kun afdelinger i Region Midtjylland.",
                "Applies only to departments in Region Midtjylland.",
            )
        )
        return answer(False)
    if end is None or status(snapshot) != "discharged":
        reasons.append(R("Patienten er ikke udskrevet.", "The patient has not been discharged."))
        return answer(False)
    hours = stay_hours(snapshot, end) or 0.0
    if hours <= settings.short_stay_hours:
        reasons.append(
            R(
                "Indlæggelsen varede %.1f timer; ordningen kræver mere end 24 timer." % hours,
                "The stay lasted %.1f hours; the arrangement needs more than 24 hours." % hours,
            )
        )
        return answer(False)
    if not ready_periods(snapshot, settings):
        reasons.append(
            R(
                "Patienten blev ikke registreret færdigbehandlet.",
                "The patient was not registered ready for discharge.",
            )
        )
        return answer(False)
    destination = snapshot.discharge_destination
    day = local_date(end)
    if destination in MUNICIPAL_PLACES:
        if day < settings.places_from:
            reasons.append(
                R(
                    "Ordningen gælder for akut- og midlertidige pladser og plejehjem fra 15.09.2023.",
                    "The arrangement covers acute and temporary places and nursing homes from 15.09.2023.",
                )
            )
            return answer(False)
        reasons.append(
            R(
                "Udskrevet til kommunal sygepleje på plads eller plejehjem.",
                "Discharged to municipal nursing in a place or nursing home.",
            )
        )
        return answer(True)
    if destination == "own_home" and snapshot.municipal_nursing_after_discharge:
        if day < settings.own_home_from:
            reasons.append(
                R(
                    "For eget hjem gælder ordningen fra 01.11.2023.",
                    "For the own home the arrangement applies from 01.11.2023.",
                )
            )
            return answer(False)
        reasons.append(
            R(
                "Udskrevet til eget hjem med kommunal sygepleje.",
                "Discharged to the own home with municipal nursing.",
            )
        )
        return answer(True)
    reasons.append(
        R(
            "Patienten blev ikke udskrevet til kommunal sygepleje.",
            "The patient was not discharged to municipal nursing.",
        )
    )
    return answer(False)


def responsible_doctor(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> Decision:
    """Value: {"party": "gp" | "hospital", "phone_route": str}."""
    require_aware(at, "at")
    acute = snapshot.citizen.acute_function
    sources: tuple[str, ...] = ("aftalen 2.2",)
    if acute is not None and acute.active_at(at):
        if acute.referred_by == "hospital":
            return Decision(
                {"party": "hospital", "phone_route": "hospital_24_7"},
                (
                    R(
                        "Borgeren er i kommunal akutfunktion, henvist af hospitalet: hospitalslægen er "
                        "patientansvarlig døgnet rundt, indtil borgeren forlader akutfunktionen.",
                        "The citizen is in a municipal acute function, referred by the hospital: the hospital "
                        "doctor is responsible around the clock until the citizen leaves the acute function.",
                    ),
                ),
                sources,
            )
        start, stop = settings.gp_acute_line_hours
        local = at.astimezone(CPH)
        line_open = is_weekday(local.date()) and start <= local.time() < stop
        who = "egen læge" if acute.referred_by == "gp" else "vagtlægen (egen læge overtager)"
        who_en = "the GP" if acute.referred_by == "gp" else "the out-of-hours doctor (the GP takes over)"
        return Decision(
            {"party": "gp", "phone_route": "gp_direct_line" if line_open else "out_of_hours"},
            (
                R(
                    f"Borgeren er i kommunal akutfunktion, henvist af {who}: egen læge er patientansvarlig. "
                    "Akutfunktionen har en direkte linje til lægen på hverdage kl. 08-16"
                    + ("." if line_open else "; uden for dette tidsrum kontaktes vagtlægen."),
                    f"The citizen is in a municipal acute function, referred by {who_en}: the GP is responsible. "
                    "The acute function has a direct line to the GP on weekdays 08-16"
                    + ("." if line_open else "; outside those hours, call the out-of-hours doctor."),
                ),
            ),
            sources,
        )
    events = effective_events(snapshot)
    end = discharged_at(snapshot, events)
    state = status(snapshot, at)
    if snapshot.admitted_at <= at and state in ("admitted", "on_leave", "ready_for_discharge"):
        return Decision(
            {"party": "hospital", "phone_route": "department"},
            (
                R(
                    "Borgeren er indlagt: hospitalslægen er patientansvarlig.",
                    "The citizen is admitted: the hospital doctor is responsible.",
                ),
            ),
            sources,
        )
    reasons = [
        R(
            "Før indlæggelse og efter udskrivelse er egen læge patientansvarlig.",
            "Before admission and after discharge the GP is the responsible doctor.",
        )
    ]
    if end is not None and at >= end:
        window = extended_responsibility(snapshot, at, settings)
        if window.value["active"]:
            reasons.append(
                R(
                    "Den udskrivende afdeling har dog udvidet behandlingsansvar og besvarer spørgsmål til %s."
                    % dt.datetime.fromisoformat(window.value["until"])
                    .astimezone(CPH)
                    .strftime("%d.%m.%Y %H:%M"),
                    "The discharging department has extended responsibility and answers questions until %s."
                    % dt.datetime.fromisoformat(window.value["until"])
                    .astimezone(CPH)
                    .strftime("%d.%m.%Y %H:%M"),
                )
            )
            sources = (*sources, "flowchart S01")
    return Decision({"party": "gp", "phone_route": "gp"}, tuple(reasons), sources)


# --------------------------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------------------------


def required_documents(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> Decision:
    """Value: {"required": [...], "missing": [...]}."""
    require_aware(at, "at")
    events = effective_events(snapshot)
    end = discharged_at(snapshot, events)
    hours = stay_hours(snapshot, end)
    citizen = snapshot.citizen
    required: list[str] = []
    reasons: list[Reason] = []
    sources: list[str] = []

    def need(*documents: str) -> None:
        for d in documents:
            if d not in required:
                required.append(d)

    municipal_services = citizen.elderly_care or snapshot.municipal_nursing_after_discharge
    if snapshot.area == "psychiatric":
        need("discharge_agreement", "coordination_plan")
        reasons.append(
            R(
                "Psykiatri: hospitalet indkalder parterne til en udskrivningsaftale og en koordinationsplan.",
                "Psychiatry: the hospital invites the parties to a discharge agreement and a coordination plan.",
            )
        )
        sources.append("bilag 2")
        if citizen.elderly_care:
            need("admission_report", "care_plan", "discharge_report")
            reasons.append(
                R(
                    "Tilknyttet ældreområdet: plejeforløbsplan og udskrivningsrapport via MedCom.",
                    "Attached to elderly care: care plan and discharge report via MedCom.",
                )
            )
        elif citizen.social_area:
            need("correspondence")
            reasons.append(
                R("Kun socialområdet: korrespondancebreve.", "Social area only: correspondence messages.")
            )
    elif (
        hours is not None
        and hours <= settings.short_stay_hours
        and (municipal_services or citizen.social_area)
    ):
        need("phone_contact", "correspondence")
        if citizen.elderly_care:
            need("admission_report")
        reasons.append(
            R(
                "Ophold på 24 timer eller mindre: ingen plejeforløbsplan, men telefonisk kontakt og et "
                "korrespondancebrev, der dokumenterer aftalerne.",
                "A stay of 24 hours or less: no care plan, but a phone call and a correspondence message that "
                "documents what was agreed.",
            )
        )
        sources.append("flowchart P09")
    else:
        if citizen.elderly_care:
            need("admission_report", "care_plan", "discharge_report")
            reasons.append(
                R(
                    "Borgeren er tilknyttet ældre-/omsorgsområdet: indlæggelsesrapport, plejeforløbsplan og "
                    "udskrivningsrapport.",
                    "The citizen is attached to elderly care: admission report, care plan and discharge report.",
                )
            )
            sources.append("flowchart P10")
        elif snapshot.municipal_nursing_after_discharge:
            need("care_plan", "discharge_report")
            reasons.append(
                R(
                    "Borgeren skal have kommunale ydelser efter udskrivelsen: plejeforløbsplan.",
                    "The citizen will get municipal services after discharge: care plan.",
                )
            )
            sources.append("flowchart P10")
        if citizen.social_area:
            need("correspondence")
            reasons.append(
                R(
                    "Borgeren er kendt i socialområdet: korrespondancebreve"
                    + (" ud over plejedokumenterne." if citizen.elderly_care else ", ingen plejedokumenter."),
                    "The citizen is known to the social area: correspondence messages"
                    + (
                        " in addition to the care documents."
                        if citizen.elderly_care
                        else ", no care documents."
                    ),
                )
            )
        if snapshot.rehabilitation_needed:
            need("rehab_plan")
            reasons.append(
                R(
                    "Genoptræning er relevant: genoptræningsplan.",
                    "Rehabilitation is relevant: rehabilitation plan.",
                )
            )
    need("discharge_summary", "fmk_update")
    reasons.append(
        R(
            "Altid: epikrise til egen læge og opdateret FMK ved udskrivelsen.",
            "Always: discharge summary (epikrise) to the GP and the shared medication record (FMK) updated at "
            "discharge.",
        )
    )
    sources.insert(0, "aftalen 1, princip 4")
    present = {e.type for e in events}
    missing = [d for d in required if not any(t in present for t in DOCUMENT_EVENTS[d])]
    return Decision({"required": required, "missing": missing}, tuple(reasons), tuple(dict.fromkeys(sources)))


# --------------------------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------------------------


def _deadline(
    rule: str, due: dt.datetime | None, party: str, done: Event | None, at: dt.datetime, text: Reason
) -> Deadline:
    if done is not None and done.at is not None:
        late = due is not None and done.at > due
        return Deadline(rule, due, party, "met", text, met_at=done.at, late=late)
    if due is not None and at > due:
        return Deadline(rule, due, party, "overdue", text)
    return Deadline(rule, due, party, "open", text)


def discharge_day(snapshot: CourseSnapshot) -> dt.date | None:
    end = discharged_at(snapshot)
    if end is not None:
        return local_date(end)
    return agreed_discharge_date(snapshot) or proposed_discharge_date(snapshot)


def deadlines(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[Deadline]:
    require_aware(at, "at")
    events = [e for e in effective_events(snapshot) if e.at is None or e.at <= at]
    citizen = snapshot.citizen
    result: list[Deadline] = []
    end = discharged_at(snapshot)
    if end is not None and end > at:
        end = None
    state = status(snapshot, at)
    if state == "cancelled":
        return []
    hours = stay_hours(snapshot, end)
    short = hours is not None and hours <= settings.short_stay_hours
    municipal_services = citizen.elderly_care or snapshot.municipal_nursing_after_discharge

    if citizen.elderly_care:
        result.append(
            _deadline(
                "P04",
                snapshot.admitted_at + dt.timedelta(hours=settings.admission_report_hours),
                "municipality",
                _last(events, "admission_report_sent", "admission_report_received"),
                at,
                R(
                    "Kommunen sender indlæggelsesrapport senest 24 timer efter indlæggelsen.",
                    "The municipality sends the admission report within 24 hours of the admission.",
                ),
            )
        )
    if snapshot.track == "planned":
        result.append(
            _deadline(
                "P05",
                snapshot.admitted_at + dt.timedelta(hours=settings.assessment_plan_hours),
                "hospital",
                _last(events, "assessment_plan_made"),
                at,
                R(
                    "Hospitalet lægger en udrednings- og behandlingsplan inden for 24 timer.",
                    "The hospital makes an assessment and treatment plan within 24 hours.",
                ),
            )
        )
    day = discharge_day(snapshot)
    if short and (municipal_services or citizen.social_area) and snapshot.area == "somatic":
        phone = _last(events, "phone_contact_logged")
        letter = _last(events, "correspondence_sent")
        both = letter if phone is not None and letter is not None else None
        result.append(
            _deadline(
                "P09",
                end,
                "hospital",
                both,
                at,
                R(
                    "Kort ophold: ring til kommunen og send et korrespondancebrev før udskrivelsen.",
                    "Short stay: phone the municipality and send a correspondence message before the discharge.",
                ),
            )
        )
    elif municipal_services and snapshot.area == "somatic":
        due = at_local(day, settings.care_plan_cutoff) if day else None
        plans = _of_type(events, "care_plan_sent")
        result.append(
            _deadline(
                "P10",
                due,
                "hospital",
                plans[0] if plans else None,
                at,
                R(
                    "Plejeforløbsplanen sendes, så snart plejebehovet er realistisk, og senest kl. 12 på udskrivningsdagen.",
                    "The care plan is sent as soon as the care needs are realistic, at the latest 12:00 on the discharge day.",
                ),
            )
        )
        if day is not None:
            cutoff = at_local(day, settings.care_plan_cutoff)
            early_plan = next((p for p in plans if p.at is not None and p.at <= cutoff), None)
            if early_plan is None:
                day_start = at_local(day, dt.time(0, 0))
                phone = next(
                    (
                        e
                        for e in _of_type(events, "phone_contact_logged")
                        if e.at is not None and e.at >= day_start - dt.timedelta(hours=24)
                    ),
                    None,
                )
                result.append(
                    _deadline(
                        "P14",
                        end or at_local(day, dt.time(23, 59)),
                        "hospital",
                        phone,
                        at,
                        R(
                            "Plejeforløbsplanen er ikke sendt inden kl. 12 på udskrivningsdagen: giv kommunen telefonisk besked.",
                            "The care plan was not sent by 12:00 on the discharge day: warn the municipality by phone.",
                        ),
                    )
                )
    if (
        day is not None
        and is_weekend_or_holiday(day)
        and state in ("admitted", "on_leave", "ready_for_discharge", "discharged")
    ):
        result.append(
            _deadline(
                "P13",
                end or at_local(day, dt.time(0, 0)),
                "hospital+municipality",
                _last(events, "weekend_discharge_agreed"),
                at,
                R(
                    "Udskrivelse i weekend eller på helligdag kræver en individuel aftale, indgået pr. telefon og dokumenteret i en korrespondancemeddelelse.",
                    "A discharge at a weekend or on a public holiday needs an individual agreement, made by phone and documented in a correspondence message.",
                ),
            )
        )
    if (
        snapshot.track == "acute"
        and snapshot.municipal_nursing_after_discharge
        and snapshot.area == "somatic"
        and end is not None
    ):
        result.append(
            _deadline(
                "A02",
                end,
                "hospital",
                _last(events, "phone_contact_logged"),
                at,
                R(
                    "Skal kommunen handle inden for 24 timer, er telefonisk kontakt obligatorisk.",
                    "When the municipality must act within 24 hours, a phone call is mandatory.",
                ),
            )
        )
    reads = {
        int(e.data["ref_seq"]): e
        for e in _of_type(events, "correspondence_read")
        if e.data.get("ref_seq") is not None
    }
    for letter in _of_type(events, "correspondence_sent"):
        if letter.at is None:
            continue
        to = letter.data.get("to")
        read = reads.get(letter.seq) if letter.seq is not None else None
        if to == "hospital":
            rule = "P18" if snapshot.unit_kind == "ward" else "P19"
            result.append(
                _deadline(
                    rule,
                    read_by(letter.at, snapshot.unit_kind, settings),
                    "hospital",
                    read,
                    at,
                    R(
                        "Korrespondance til afdelingen læses kl. 08-15; sendt kl. 14.30 eller senere læses den næste læsedag.",
                        "Correspondence to the department is read 08-15; a letter sent at 14:30 or later is read on the next reading day.",
                    ),
                )
            )
        elif to == "municipality":
            result.append(
                _deadline(
                    "A05",
                    end_of_shift(letter.at, settings),
                    "municipality",
                    read,
                    at,
                    R(
                        "Kommunen læser indgående korrespondance mindst én gang pr. vagt.",
                        "The municipality reads incoming correspondence at least once per shift.",
                    ),
                )
            )
    return result


def alerts(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[dict[str, object]]:
    """Situations to point out that have no deadline of their own."""
    found: list[dict[str, object]] = []
    admitted = snapshot.admitted_at.astimezone(CPH)
    cutoff = settings.friday_afternoon(snapshot.cluster)
    if admitted.weekday() == 4 and admitted.time() >= cutoff:
        monday = at_local(admitted.date() + dt.timedelta(days=3), settings.monday_deadline)
        end = discharged_at(snapshot)
        if end is None or end < monday:
            found.append(
                {
                    "rule": "P15",
                    "until": monday.isoformat(),
                    "text": R(
                        "Indlagt fredag eftermiddag: udskrives patienten før mandag kl. 12, gælder klyngens lokale aftaler.",
                        "Admitted on a Friday afternoon: a discharge before Monday 12:00 follows the cluster's local procedures.",
                    ).as_dict(),
                }
            )
    periods = ready_periods(snapshot, settings)
    if periods and periods[-1].ended_by is None and agreed_discharge_date(snapshot) is None:
        found.append(
            {
                "rule": "aftalen 2.1",
                "until": None,
                "text": R(
                    "Færdigbehandlet, men der er ikke aftalt en udskrivningsdato med kommunen.",
                    "Ready for discharge, but no discharge date has been agreed with the municipality.",
                ).as_dict(),
            }
        )
    return found


def current_step(snapshot: CourseSnapshot, at: dt.datetime) -> str:
    """A coarse position in the flowchart for "you are here"."""
    state = status(snapshot, at)
    events = {e.type for e in effective_events(snapshot)}
    if state in ("discharged", "dead", "cancelled"):
        return "after_discharge"
    if state == "ready_for_discharge" or "discharge_date_agreed" in events:
        return "discharge_planning"
    if "care_plan_sent" in events:
        return "care_plan"
    return "admission"


def validate_snapshot(snapshot: CourseSnapshot) -> None:
    if snapshot.area not in ("somatic", "psychiatric"):
        raise RuleInputError("course.area: must be 'somatic' or 'psychiatric'")
    if snapshot.track not in ("acute", "planned"):
        raise RuleInputError("course.track: must be 'acute' or 'planned'")
