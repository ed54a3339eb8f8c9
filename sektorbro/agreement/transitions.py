"""Which event may be added to a course now: one ``match`` arm per allowed (status, event) pair; anything else
is refused with a reason in Danish and English (style point 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sektorbro.agreement.calendar import holiday_name, is_weekend_or_holiday
from sektorbro.agreement.history import EVENT_LABELS, STATUS_LABELS, effective_events, flowchart_applies, fold
from sektorbro.agreement.model import (
    DEFAULT_SETTINGS,
    EVENT_TYPES,
    AgreementSettings,
    CourseSnapshot,
    Decision,
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
        "transferred",
    }
)
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
            and not any(e.type == "weekend_discharge_agreed" for e in effective_events(snapshot, settings))
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
        case ("admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed", kind) if (
            kind in PAPERWORK
        ):
            if kind in ("discharge_date_agreed", "discharge_date_proposed"):
                return _discharge_date(snapshot, data)
            return _yes("Kan registreres under indlæggelsen.", "May be recorded during the admission.")
        case ("admitted" | "on_leave" | "ready_for_discharge" | "treatment_resumed", kind) if (
            kind in CONTACT or kind in AFTER_DISCHARGE
        ):
            return _yes("Kan registreres under indlæggelsen.", "May be recorded during the admission.")
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


def _discharge_date(snapshot: CourseSnapshot, data: dict[str, Any]) -> Decision[bool]:
    raw = data.get("date")
    if raw is None:
        return _yes(
            "Udskrivningsdatoen aftales mellem hospitalet og kommunen.",
            "The discharge date is agreed between the hospital and the municipality.",
            "aftalen 2.1",
        )
    try:
        day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    except ValueError:
        return _no("Datoen kan ikke læses (ÅÅÅÅ-MM-DD).", "The date cannot be read (YYYY-MM-DD).")
    if day < local_date(snapshot.admitted_at):
        return _no(
            "Udskrivningsdatoen kan ikke ligge før indlæggelsen.",
            "The discharge date cannot be before the admission.",
        )
    return _yes(
        "Udskrivningstidspunktet er altid en gensidig aftale mellem hospitalet og kommunen.",
        "The discharge time is always a mutual agreement between the hospital and the municipality.",
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
