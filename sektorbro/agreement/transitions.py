"""Which event may be added to a course now: one ``match`` arm per allowed (status, event) pair; anything else
is refused with a reason in Danish and English (style point 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sektorbro.agreement.calendar import holiday_name, is_weekend_or_holiday
from sektorbro.agreement.history import (
    EVENT_LABELS,
    STATUS_LABELS,
    call_time,
    dispute_target,
    disputed,
    effective_events,
    flowchart_applies,
    fold,
    municipality_receives,
    pending_proposal,
    weekend_agreement,
)
from sektorbro.agreement.model import (
    DEFAULT_SETTINGS,
    EVENT_TYPES,
    AgreementSettings,
    CourseSnapshot,
    Decision,
    Event,
    Reason,
    local_date,
    require_aware,
)

# Events about documents and contacts: allowed while the citizen is in hospital.
PAPERWORK = frozenset(
    {
        "care_plan_sent",
        "admission_report_received",
        "admission_report_sent",
        "assessment_plan_made",
        "discharge_agreement_made",
        "coordination_plan_made",
        "weekend_discharge_agreed",
        "discharge_date_proposed",
        "discharge_date_agreed",
        "discharge_date_accepted",
        "transferred",
    }
)
# The discharge-date events checked by ``_discharge_date`` (aftalen 2.1).
DATE_EVENTS = frozenset({"discharge_date_proposed", "discharge_date_agreed", "discharge_date_accepted"})
# Messages and contacts: allowed in hospital and after the discharge or death.
CONTACT = frozenset({"correspondence_sent", "correspondence_read", "phone_contact_logged"})
# What still belongs to a discharge after it happened (aftalen note 2: epikrise, FMK, rehabilitation plan).
AFTER_DISCHARGE = frozenset(
    {"discharge_report_sent", "rehab_plan_sent", "discharge_summary_sent", "fmk_updated"}
)
# State changes that must not be dated before the admission.
STATE_EVENTS = frozenset(
    {"leave_started", "leave_ended", "ready_for_discharge", "treatment_resumed", "discharged", "died"}
)
SOURCE_TRANSITIONS = "aftalen 2"


def _yes(da: str, en: str, *sources: str) -> Decision[bool]:
    return Decision(True, (Reason(da, en),), sources or (SOURCE_TRANSITIONS,))


def _no(da: str, en: str, *sources: str) -> Decision[bool]:
    return Decision(False, (Reason(da, en),), sources or (SOURCE_TRANSITIONS,))


def _weekend_refusal(day: dt.date) -> Decision[bool]:
    name = holiday_name(day)
    what_da = f"helligdag ({name})" if name else "weekend"
    what_en = f"public holiday ({holiday_name(day, 'en')})" if name else "weekend"
    return _no(
        f"Udskrivelse på en {what_da} kræver en individuel aftale med kommunen, indgået pr. telefon og "
        "dokumenteret i en korrespondancemeddelelse. Registrér aftalen først.",
        f"A discharge on a {what_en} needs an individual agreement with the municipality, made by phone and "
        "documented in a correspondence message. Record the agreement first.",
        "flowchart P13",
    )


def check_transition(
    snapshot: CourseSnapshot,
    event_type: str,
    at: dt.datetime,
    *,
    source: str = "user",
    data: dict[str, Any] | None = None,
    settings: AgreementSettings = DEFAULT_SETTINGS,
) -> Decision[bool]:
    """May ``event_type`` be added to the course at ``at``? The value is ``True`` or ``False``; the first
    reason says why. ``source="message"`` (or ``"demo"``) records facts reported by another system: a
    discharge that already happened is not refused for a missing weekend agreement (P13), but the structure
    of the history (e.g. no second discharge) still applies."""
    require_aware(at, "at")
    data = data or {}
    if event_type not in EVENT_TYPES:
        return _no(f"Ukendt hændelse: {event_type}.", f"Unknown event: {event_type}.")
    state = fold(snapshot, None, settings)
    current = state.status
    if event_type in STATE_EVENTS and current != "not_admitted" and at < snapshot.admitted_at:
        return _no(
            "Hændelsen kan ikke dateres før indlæggelsen.",
            "The event cannot be dated before the admission.",
        )
    label = STATUS_LABELS[current]
    match (current, event_type):
        # --- the course itself ----------------------------------------------------------------------------
        case ("cancelled", _):
            return _no(
                "Forløbet er annulleret; der kan ikke tilføjes hændelser.",
                "The course is cancelled; no events can be added.",
            )
        case (_, "corrected") if _moves_ready_date(snapshot, data, settings):
            return _no(
                "En registreret færdigbehandlingsdato kan ikke flyttes. Ændrer patientens tilstand sig væsentligt, "
                "registreres behandling genoptaget, og en ny registrering starter en ny periode.",
                "A registered ready-for-discharge date cannot be moved. If the patient's condition changes "
                "significantly, register treatment resumed; a new registration starts a new period.",
                "aftalen 2.1",
            )
        case (_, "cancelled") if _targets_ready(snapshot, data):
            return ready_cancellation(snapshot, at, data, settings)
        case (_, "cancelled" | "corrected"):
            return _yes(
                "Annulleringer og rettelser tilføjes som nye hændelser; intet slettes.",
                "Cancellations and corrections are added as new events; nothing is deleted.",
            )
        case ("not_admitted", "admitted"):
            return _yes("Borgeren indlægges.", "The citizen is admitted.")
        case ("not_admitted", _):
            return _no("Borgeren er ikke indlagt endnu.", "The citizen has not been admitted yet.")
        case ("admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed", "admitted"):
            return _no(
                "Borgeren er allerede indlagt i dette forløb.",
                "The citizen is already admitted in this course.",
            )
        # --- færdigbehandlet (aftalen 2.1) ---------------------------------------------------------------
        case ("admitted" | "on_leave" | "treatment_resumed", "ready_for_discharge") if state.terminal:
            return _no(
                "Patienter, der lægeligt vurderes som terminale, registreres aldrig som færdigbehandlede.",
                "Patients assessed as terminal are never registered ready for discharge.",
                "aftalen 2.1",
            )
        case ("admitted" | "treatment_resumed", "ready_for_discharge"):
            return _yes(
                "Patienten kan registreres som færdigbehandlet efter en samlet lægefaglig vurdering.",
                "The patient may be registered ready for discharge after an overall medical assessment.",
                "aftalen 2.1",
            )
        case ("on_leave", "ready_for_discharge") if state.ready_since is None:
            return _yes(
                "Patienten kan registreres som færdigbehandlet under orloven.",
                "The patient may be registered ready for discharge while on leave.",
                "aftalen 2.1",
            )
        case ("ready_for_discharge" | "on_leave", "ready_for_discharge"):
            return _no(
                "Patienten er allerede registreret færdigbehandlet, og datoen kan ikke flyttes. En ny "
                "registrering kræver, at behandling genoptaget er registreret imellem.",
                "The patient is already registered ready for discharge, and the date cannot be moved. A new "
                "registration needs treatment resumed to be registered in between.",
                "aftalen 2.1",
            )
        case ("ready_for_discharge", "treatment_resumed"):
            return _yes(
                "Behandling genoptaget: patienten er ikke længere færdigbehandlet.",
                "Treatment resumed: the patient is no longer ready for discharge.",
                "aftalen 2.1",
            )
        case ("on_leave", "treatment_resumed") if state.ready_since is not None:
            return _yes(
                "Behandling genoptaget under orloven: patienten er ikke længere færdigbehandlet.",
                "Treatment resumed during the leave: the patient is no longer ready for discharge.",
                "aftalen 2.1",
            )
        case ("admitted" | "on_leave" | "treatment_resumed", "treatment_resumed"):
            return _no(
                "Behandling genoptaget kan kun registreres for en patient, der er færdigbehandlet.",
                "Treatment resumed can only be registered for a patient who is ready for discharge.",
                "aftalen 2.1",
            )
        case ("ready_for_discharge" | "admitted" | "on_leave" | "treatment_resumed", "terminal_assessed") if (
            state.terminal
        ):
            return _no(
                "Patienten er allerede vurderet terminal.", "The patient is already assessed terminal."
            )
        case ("ready_for_discharge", "terminal_assessed"):
            return _yes(
                "Vurderet terminal: patienten er ikke længere færdigbehandlet.",
                "Assessed terminal: the patient is no longer ready for discharge.",
                "aftalen 2.1",
            )
        case ("admitted" | "on_leave" | "treatment_resumed", "terminal_assessed"):
            return _yes(
                "Vurderet terminal: patienten kan ikke registreres færdigbehandlet.",
                "Assessed terminal: the patient cannot be registered ready for discharge.",
                "aftalen 2.1",
            )
        # --- leave ---------------------------------------------------------------------------------------
        case ("admitted" | "ready_for_discharge" | "treatment_resumed", "leave_started"):
            return _yes("Patienten går på orlov.", "The patient goes on leave.")
        case ("on_leave", "leave_started"):
            return _no("Patienten er allerede på orlov.", "The patient is already on leave.")
        case ("on_leave", "leave_ended"):
            return _yes("Patienten er tilbage fra orlov.", "The patient is back from leave.")
        case ("admitted" | "ready_for_discharge" | "treatment_resumed", "leave_ended"):
            return _no("Patienten er ikke på orlov.", "The patient is not on leave.")
        # --- discharge and death -------------------------------------------------------------------------
        case ("admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed", "discharged") if (
            source == "user"
            and settings.block_weekend_discharge_without_agreement
            and flowchart_applies(snapshot, settings)
            and is_weekend_or_holiday(local_date(at))
            and _municipality_receives(snapshot, data)
            and weekend_agreement(effective_events(snapshot, settings)) is None
        ):
            return _weekend_refusal(local_date(at))
        case ("admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed", "discharged"):
            return _yes("Patienten udskrives.", "The patient is discharged.")
        case ("admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed" | "discharged", "died"):
            return _yes("Dødsfaldet registreres.", "The death is recorded.")
        case ("discharged" | "dead", "discharged"):
            return _no(
                "Forløbet er allerede afsluttet (%s); patienten kan ikke udskrives igen." % label.da.lower(),
                "The course has already ended (%s); the patient cannot be discharged again."
                % label.en.lower(),
            )
        case ("dead", "died"):
            return _no("Dødsfaldet er allerede registreret.", "The death has already been recorded.")
        # --- documents, agreements and contacts ----------------------------------------------------------
        case (
            "admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed" | "discharged",
            "care_plan_acknowledged",
        ):
            return _care_plan_acknowledgement(snapshot, data, settings)
        case ("admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed", kind) if (
            kind in PAPERWORK
        ):
            if kind in DATE_EVENTS:
                return _discharge_date(snapshot, kind, at, data, settings)
            if kind == "weekend_discharge_agreed":
                return _phone_agreement(at, data) or _yes(
                    "Aftalen om udskrivelse i weekenden eller på en helligdag er indgået pr. telefon med %s."
                    % str(data.get("counterpart")).strip(),
                    "The weekend or holiday discharge was agreed by phone with %s."
                    % str(data.get("counterpart")).strip(),
                    "flowchart P13",
                )
            return _yes("Kan registreres under indlæggelsen.", "May be recorded during the admission.")
        case ("admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed", kind) if (
            kind in CONTACT or kind in AFTER_DISCHARGE
        ):
            return _yes("Kan registreres under indlæggelsen.", "May be recorded during the admission.")
        case (
            "admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed" | "discharged",
            "discharge_agreement_disputed",
        ):
            return _dispute(snapshot, data, settings)
        case ("discharged", kind) if kind in CONTACT or kind in AFTER_DISCHARGE:
            return _yes(
                "Hører til udskrivelsen og kan registreres bagefter.",
                "Belongs to the discharge and may be recorded afterwards.",
            )
        case ("dead", "correspondence_sent" | "correspondence_read" | "phone_contact_logged"):
            return _yes("Kan registreres efter dødsfaldet.", "May be recorded after the death.")
        case ("dead", "discharge_summary_sent"):
            return _yes("Egen læge orienteres efter dødsfaldet.", "The GP is informed after the death.")
    what = EVENT_LABELS[event_type]
    return _no(
        "Status er '%s': %s kan ikke registreres nu." % (label.da.lower(), what.da),
        "The status is '%s': %s cannot be recorded now." % (label.en.lower(), what.en),
    )


def _municipality_receives(snapshot: CourseSnapshot, data: dict[str, Any]) -> bool:
    """Does the municipality receive the citizen at the discharge being recorded (flowchart P13)? The event's
    ``destination`` (else the course's) and its ``municipal_nursing`` count with the course's facts."""
    raw = data.get("destination")
    destination = str(raw) if raw else snapshot.discharge_destination
    if destination != "other_hospital" and data.get("municipal_nursing") is True:
        return True
    return municipality_receives(snapshot, destination)


def care_plan_to_acknowledge(events: list[Event]) -> Event | None:
    """The latest care plan (of events in effect) when the municipality has not yet marked it read; None when
    no plan came or the latest one is acknowledged."""
    plans = [(i, e) for i, e in enumerate(events) if e.type == "care_plan_sent"]
    if not plans:
        return None
    index, latest = plans[-1]
    for event in events[index + 1 :]:
        if event.type == "care_plan_acknowledged" and event.data.get("ref_seq") in (None, latest.seq):
            return None
    return latest


def _care_plan_acknowledgement(
    snapshot: CourseSnapshot, data: dict[str, Any], settings: AgreementSettings
) -> Decision[bool]:
    effective = effective_events(snapshot, settings)
    if not any(e.type == "care_plan_sent" for e in effective):
        return _no(
            "Der er ikke modtaget nogen plejeforløbsplan at markere som læst.",
            "No care plan has been received to mark as read.",
            "flowchart P12",
        )
    latest = care_plan_to_acknowledge(effective)
    if latest is None:
        return _no(
            "Den seneste plejeforløbsplan er allerede markeret som læst.",
            "The latest care plan is already marked as read.",
            "flowchart P12",
        )
    ref = data.get("ref_seq")
    if ref is not None and ref != latest.seq:
        return _no(
            "Kun den seneste plejeforløbsplan kan markeres som læst.",
            "Only the latest care plan can be marked as read.",
            "flowchart P12",
        )
    return _yes(
        "Kommunen har læst plejeforløbsplanen og dens NYT-ændringer; de forsvinder fra arbejdslisten og står "
        "fortsat i forløbets tidslinje.",
        "The municipality has read the care plan and its NEW changes; they leave the worklist and stay on the "
        "course's timeline.",
        "flowchart P12",
    )


def _day(raw: Any) -> dt.date | None:
    if raw is None or isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None


def proposal_in_past(day: dt.date, at: dt.datetime) -> bool:
    """Is a proposed or accepted discharge date already past at ``at`` (dates in Denmark)?"""
    require_aware(at, "at")
    return day < local_date(at)


def _phone_agreement(at: dt.datetime, data: dict[str, Any]) -> Decision[bool] | None:
    """A phone agreement must name the other party's person and the time of the call (aftalen 2.1: the
    discharge time is always a mutual agreement, so one party alone cannot record it); ``None`` if it does."""
    counterpart = data.get("counterpart")
    called = call_time(Event("discharge_date_agreed", data=dict(data)))
    if not isinstance(counterpart, str) or not counterpart.strip() or called is None:
        return _no(
            "En aftale indgået pr. telefon skal angive, hvem hos den anden part aftalen er indgået med, og "
            "hvornår samtalen fandt sted. Ellers foreslå datoen, så den anden part kan acceptere den.",
            "An agreement made by phone must name the person at the other party it was made with and when the "
            "call took place. Otherwise propose the date, so the other party can accept it.",
            "aftalen 2.1",
        )
    if called > at:
        return _no(
            "Telefonsamtalen kan ikke ligge efter registreringen af aftalen.",
            "The phone call cannot be after the agreement is recorded.",
            "aftalen 2.1",
        )
    return None


def _discharge_date(
    snapshot: CourseSnapshot,
    kind: str,
    at: dt.datetime,
    data: dict[str, Any],
    settings: AgreementSettings,
) -> Decision[bool]:
    raw = data.get("date")
    day = _day(raw)
    if raw is not None and day is None:
        return _no("Datoen kan ikke læses (ÅÅÅÅ-MM-DD).", "The date cannot be read (YYYY-MM-DD).")
    if kind == "discharge_date_accepted":
        proposal = pending_proposal(effective_events(snapshot, settings))
        if proposal is None or proposal.date is None:
            return _no(
                "Der er ingen foreslået udskrivningsdato at acceptere.",
                "There is no proposed discharge date to accept.",
                "aftalen 2.1",
            )
        ref = data.get("ref_seq")
        if ref is not None and proposal.seq is not None and ref != proposal.seq:
            return _no(
                "Kun det seneste forslag til udskrivningsdato kan accepteres.",
                "Only the latest proposed discharge date can be accepted.",
                "aftalen 2.1",
            )
        by = data.get("by")
        if by is not None and by == proposal.data.get("by"):
            return _no(
                "Egen foreslået dato kan ikke accepteres; den anden part accepterer den eller foreslår en anden.",
                "You cannot accept your own proposed date; the other party accepts it or proposes another.",
                "aftalen 2.1",
            )
        if day is not None and day != proposal.date:
            return _no(
                "Accepten skal gælde den foreslåede dato %s; foreslå ellers en anden dato."
                % f"{proposal.date:%d.%m.%Y}",
                "The acceptance must be for the proposed date %s; otherwise propose another date."
                % f"{proposal.date:%d.%m.%Y}",
                "aftalen 2.1",
            )
        day = proposal.date
    if day is not None and day < local_date(snapshot.admitted_at):
        return _no(
            "Udskrivningsdatoen kan ikke ligge før indlæggelsen.",
            "The discharge date cannot be before the admission.",
        )
    if (
        kind in ("discharge_date_proposed", "discharge_date_accepted")
        and day is not None
        and (proposal_in_past(day, at))
    ):
        return _no(
            "Datoen %s er passeret; en udskrivningsdato kan kun foreslås eller accepteres for i dag eller senere."
            % f"{day:%d.%m.%Y}",
            "The date %s has passed; a discharge date can only be proposed or accepted for today or later."
            % f"{day:%d.%m.%Y}",
            "aftalen 2.1",
        )
    if kind == "discharge_date_agreed":
        refused = _phone_agreement(at, data)
        if refused is not None:
            return refused
        called = call_time(Event("discharge_date_agreed", data=dict(data)))
        if day is not None and called is not None and day < local_date(called):
            return _no(
                "Den aftalte dato kan ikke ligge før telefonsamtalen.",
                "The agreed date cannot be before the phone call.",
                "aftalen 2.1",
            )
    return _yes(
        "Udskrivningstidspunktet er altid en gensidig aftale mellem hospitalet og kommunen.",
        "The discharge time is always a mutual agreement between the hospital and the municipality.",
        "aftalen 2.1",
    )


def _dispute(snapshot: CourseSnapshot, data: dict[str, Any], settings: AgreementSettings) -> Decision[bool]:
    """The other party disputes a phone agreement recorded in its name (aftalen 2.1)."""
    events = effective_events(snapshot, settings)
    target = dispute_target(events, Event("discharge_agreement_disputed", data=dict(data)), disputed(events))
    if target is None:
        return _no(
            "Der er ingen telefonaftale at bestride.",
            "There is no phone agreement to dispute.",
            "aftalen 2.1",
        )
    by = data.get("by")
    if by is not None and by == events[target].data.get("by"):
        return _no(
            "Egen aftale kan ikke bestrides; annullér den i stedet.",
            "You cannot dispute your own agreement; cancel it instead.",
            "aftalen 2.1",
        )
    return _yes(
        "Den anden part bestrider telefonaftalen; den gælder ikke, før en ny aftale er indgået.",
        "The other party disputes the phone agreement; it does not apply until a new agreement is made.",
        "aftalen 2.1",
    )


def _targets_ready(snapshot: CourseSnapshot, data: dict[str, Any]) -> bool:
    target = data.get("target_seq")
    if target is None:
        return False
    event = next((e for e in snapshot.events if e.seq == target), None)
    return event is not None and event.type == "ready_for_discharge"


def ready_cancellation(
    snapshot: CourseSnapshot,
    at: dt.datetime,
    data: dict[str, Any],
    settings: AgreementSettings = DEFAULT_SETTINGS,
) -> Decision[bool]:
    """May a færdigbehandlet registration (``data["target_seq"]``) be cancelled at ``at``?

    Aftalen 2.1: the time a patient is registered færdigbehandlet "kan som udgangspunkt ikke ændres" unless the
    patient's condition changes significantly (then *behandling genoptaget*). Cancelling the registration and
    registering again would move the date, so a cancellation is only the correction of an error: at most
    ``settings.ready_cancellation_hours`` after the registration, and with a reason the municipality sees."""
    require_aware(at, "at")
    target = data.get("target_seq")
    event = next((e for e in snapshot.events if e.seq == target), None)
    if event is None or event.type != "ready_for_discharge" or event.at is None:
        return _no(
            "Der er ingen færdigmelding at annullere.", "There is no registration to cancel.", "aftalen 2.1"
        )
    hours = settings.ready_cancellation_hours
    limit = event.at + dt.timedelta(hours=hours)
    if at > limit:
        return _no(
            "Registreringen som færdigbehandlet kan ikke annulleres mere end %d timer efter registreringen: "
            "tidspunktet kan som udgangspunkt ikke ændres. Er patientens tilstand ændret væsentligt, registreres "
            "behandling genoptaget i stedet." % hours,
            "The ready-for-discharge registration cannot be cancelled more than %d hours after it was made: the "
            "time cannot as a rule be changed. If the patient's condition has changed significantly, register "
            "treatment resumed instead." % hours,
            "aftalen 2.1",
        )
    reason = data.get("reason") or data.get("note")
    if not isinstance(reason, str) or not reason.strip():
        return _no(
            "En annullering af en færdigmelding retter en fejl og kræver en begrundelse, som kommunen kan se. "
            "Er patientens tilstand ændret, registreres behandling genoptaget i stedet.",
            "Cancelling a ready-for-discharge registration corrects an error and needs a reason the "
            "municipality can see. If the patient's condition has changed, register treatment resumed instead.",
            "aftalen 2.1",
        )
    return _yes(
        "Færdigmeldingen annulleres som rettelse af en fejl (inden for %d timer, med begrundelse)." % hours,
        "The registration is cancelled as the correction of an error (within %d hours, with a reason)."
        % hours,
        "aftalen 2.1",
    )


def _moves_ready_date(snapshot: CourseSnapshot, data: dict[str, Any], settings: AgreementSettings) -> bool:
    """Does a correction try to change the time of a færdigbehandlet registration?"""
    if settings.ready_date_corrections_allowed:
        return False
    target = data.get("target_seq")
    if target is None:
        return False
    event = next((e for e in snapshot.events if e.seq == target), None)
    if event is None or event.type != "ready_for_discharge":
        return False
    return any(data.get(key) not in (None, "") for key in ("at", "date", "occurred_at"))
