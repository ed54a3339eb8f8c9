"""Medical responsibility (aftalen 2.2): the patient-responsible doctor at a given moment, and the 72-hour
extended responsibility of the discharging department (flowchart S01)."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sektorbro.agreement.calendar import is_weekday
from sektorbro.agreement.history import MUNICIPAL_PLACES, effective_events, fold, stay_hours, until
from sektorbro.agreement.model import (
    CPH,
    DEFAULT_SETTINGS,
    AgreementSettings,
    CourseSnapshot,
    Decision,
    Reason,
    local_date,
    require_aware,
)

SOURCES_72H = ("aftalen 2.2", "flowchart S01")
SOURCE_DOCTOR = "aftalen 2.2"


def _when(value: dt.datetime) -> str:
    return value.astimezone(CPH).strftime("%d.%m.%Y %H:%M")


def in_region(region: str) -> bool:
    name = region.strip().lower().removeprefix("region").strip()
    return name == "midtjylland"


class ExtendedValue(TypedDict):
    applies: bool
    until: str | None  # end of the window (discharge + 72 h), ISO
    active: bool  # is ``at`` inside the window
    call: str | None  # whom municipal staff, the GP or the out-of-hours doctor call at ``at``
    call_after: str | None  # whom to call when the window has ended


def extended_responsibility(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> Decision[ExtendedValue]:
    """Does the 72-hour extended responsibility apply, until when, and whom to call?

    It applies after a stay of more than 24 hours on a somatic department in Region Midtjylland, when the
    patient was færdigbehandlet and discharged to municipal nursing: an acute or temporary place or a
    nursing home (from 15.09.2023), or the own home with municipal nursing (from 01.11.2023). Never for
    psychiatric discharges or stays of 24 hours or less."""
    require_aware(at, "at")
    state = fold(snapshot, None, settings)
    end = state.ended_at
    reasons: list[Reason] = []

    def answer(applies: bool) -> Decision[ExtendedValue]:
        until = end + dt.timedelta(hours=settings.extended_window_hours) if applies and end else None
        active = bool(until and end and end <= at < until)
        if applies and until:
            reasons.append(
                Reason(
                    "I %d timer efter udskrivelsen (til %s) besvarer den udskrivende afdeling døgnet rundt "
                    "henvendelser fra kommunens sygeplejersker og social- og sundhedsassistenter, egen læge og "
                    "vagtlæge. Derefter er egen læge patientansvarlig."
                    % (settings.extended_window_hours, _when(until)),
                    "For %d hours after the discharge (until %s) the discharging department answers questions "
                    "from municipal nurses and social and health assistants, the GP and the out-of-hours doctor "
                    "around the clock. After that the GP is responsible."
                    % (settings.extended_window_hours, _when(until)),
                )
            )
        discharged = end is not None and end <= at and state.status == "discharged"
        value: ExtendedValue = {
            "applies": applies,
            "until": until.isoformat() if until else None,
            "active": active,
            "call": "discharging_department" if active else ("gp" if discharged else None),
            "call_after": "gp" if applies else None,
        }
        return Decision(value, tuple(reasons), SOURCES_72H)

    if snapshot.area != "somatic":
        reasons.append(
            Reason(
                "Ordningen gælder ikke for patienter, der udskrives fra psykiatrien.",
                "The arrangement does not apply to patients discharged from psychiatry.",
            )
        )
        return answer(False)
    if not in_region(snapshot.region):
        reasons.append(
            Reason(
                "Ordningen gælder kun somatiske afdelinger i Region Midtjylland.",
                "The arrangement applies only to somatic departments in Region Midtjylland.",
            )
        )
        return answer(False)
    if end is None or state.status not in ("discharged", "dead") or state.destination == "dead":
        reasons.append(
            Reason("Patienten er ikke udskrevet (endnu).", "The patient has not been discharged (yet).")
        )
        return answer(False)
    hours = stay_hours(snapshot, end) or 0.0
    if hours <= settings.short_stay_hours:
        reasons.append(
            Reason(
                "Indlæggelsen varede %.1f timer; ordningen kræver mere end %d timer."
                % (hours, settings.short_stay_hours),
                "The stay lasted %.1f hours; the arrangement needs more than %d hours."
                % (hours, settings.short_stay_hours),
            )
        )
        return answer(False)
    if state.terminal:
        reasons.append(
            Reason(
                "Patienten er vurderet terminal og dermed ikke færdigbehandlet.",
                "The patient was assessed terminal and so not ready for discharge.",
            )
        )
        return answer(False)
    if settings.s01_requires_ready_registration and not state.periods:
        reasons.append(
            Reason(
                "Patienten blev ikke registreret færdigbehandlet.",
                "The patient was not registered ready for discharge.",
            )
        )
        return answer(False)
    destination = state.destination
    day = local_date(end)
    # Which part of the arrangement the destination falls under: (applies from, scope, where to).
    arrangement: tuple[dt.date, tuple[str, str], tuple[str, str]] | None = None
    if destination in MUNICIPAL_PLACES:
        arrangement = (
            settings.places_from,
            (
                "For akut- og midlertidige pladser og plejehjem",
                "For acute and temporary places and nursing homes",
            ),
            (
                "til kommunal sygepleje på en plads eller et plejehjem",
                "to municipal nursing in a place or a nursing home",
            ),
        )
    elif destination == "own_home" and snapshot.municipal_nursing_after_discharge:
        arrangement = (
            settings.own_home_from,
            ("For eget hjem med kommunal sygepleje", "For the own home with municipal nursing"),
            ("til eget hjem med kommunal sygepleje", "to the own home with municipal nursing"),
        )
    if arrangement is not None:
        applies_from, (scope_da, scope_en), (where_da, where_en) = arrangement
        if day < applies_from:
            start = applies_from.strftime("%d.%m.%Y")
            reasons.append(
                Reason(
                    f"{scope_da} gælder ordningen fra {start}.",
                    f"{scope_en} the arrangement applies from {start}.",
                )
            )
            return answer(False)
        hours_needed = settings.short_stay_hours
        reasons.append(
            Reason(
                f"Udskrevet efter mere end {hours_needed} timer {where_da}.",
                f"Discharged after more than {hours_needed} hours {where_en}.",
            )
        )
        return answer(True)
    reasons.append(
        Reason(
            "Patienten blev ikke udskrevet til kommunal sygepleje (plads, plejehjem eller eget hjem med "
            "sygepleje).",
            "The patient was not discharged to municipal nursing (a place, a nursing home or the own home with "
            "nursing).",
        )
    )
    return answer(False)


class DoctorValue(TypedDict):
    party: str  # gp | hospital
    phone_route: str  # department | hospital_24_7 | gp_direct_line | out_of_hours | gp
    name: str | None  # the named doctor (aftalen 2.2), where the hospital or the GP gives it


#: Event data field in which the hospital names the patient-responsible doctor (aftalen 2.2).
DOCTOR_FIELD = "responsible_doctor"


def hospital_doctor_name(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> str | None:
    """The latest name the hospital gave for the patient-responsible doctor (event data ``responsible_doctor``
    on the admission, a transfer, a færdigbehandlet registration or treatment resumed), as known at ``at``."""
    name: str | None = None
    for event in until(effective_events(snapshot, settings), at):
        value = event.data.get(DOCTOR_FIELD)
        if isinstance(value, str) and value.strip():
            name = value.strip()
    return name


def _named(decision: Decision[DoctorValue], name: str | None) -> Decision[DoctorValue]:
    """The decision with the doctor's name, and a reason saying who it is (or that no name was given)."""
    value: DoctorValue = {**decision.value, "name": name}
    if name:
        extra = Reason(f"Patientansvarlig læge: {name}.", f"Patient-responsible doctor: {name}.")
    else:
        extra = Reason(
            "Den patientansvarlige læge er ikke navngivet her endnu.",
            "The patient-responsible doctor has not been named here yet.",
        )
    return Decision(value, (*decision.reasons, extra), decision.sources)


def responsible_doctor(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> Decision[DoctorValue]:
    """Who is the patient-responsible doctor at ``at``, with the doctor's name where the hospital (event data
    ``responsible_doctor``) or the GP (``citizen.gp_doctor``) gives it (aftalen 2.2: "en navngiven læge")?"""
    decision = _responsible_party(snapshot, at, settings)
    if decision.value["party"] == "hospital":
        return _named(decision, hospital_doctor_name(snapshot, at, settings))
    gp = snapshot.citizen.gp_doctor
    return _named(decision, gp.strip() if gp and gp.strip() else None)


def _responsible_party(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> Decision[DoctorValue]:
    """Who is the patient-responsible doctor at ``at``?

    The GP before the admission and after the discharge; the hospital doctor while admitted (also on leave).
    In a municipal acute function: the GP when the GP or the out-of-hours doctor referred the citizen (the
    acute function reaches the GP on a direct line on weekdays 08–16), the hospital doctor around the clock
    when the hospital referred the citizen, until the citizen leaves the acute function."""
    require_aware(at, "at")
    state = fold(snapshot, at, settings)
    if state.in_hospital:
        return Decision(
            {"party": "hospital", "phone_route": "department", "name": None},
            (
                Reason(
                    "Borgeren er indlagt: hospitalslægen er patientansvarlig og har behandlingsansvaret.",
                    "The citizen is admitted: the hospital doctor is the responsible doctor and has the "
                    "treatment responsibility.",
                ),
            ),
            (SOURCE_DOCTOR,),
        )
    acute = snapshot.citizen.acute_function
    if acute is not None and acute.active_at(at):
        if acute.referred_by == "hospital":
            return Decision(
                {"party": "hospital", "phone_route": "hospital_24_7", "name": None},
                (
                    Reason(
                        "Borgeren er i en kommunal akutfunktion, henvist af hospitalet: hospitalslægen er "
                        "patientansvarlig døgnet rundt (vagttelefon), indtil borgeren er afsluttet fra "
                        "akutfunktionen.",
                        "The citizen is in a municipal acute function, referred by the hospital: the hospital "
                        "doctor is responsible around the clock (on-call phone) until the citizen leaves the "
                        "acute function.",
                    ),
                ),
                (SOURCE_DOCTOR,),
            )
        start, stop = settings.gp_acute_line_hours
        local = at.astimezone(CPH)
        line_open = is_weekday(local.date()) and start <= local.time() < stop
        who_da = "egen læge" if acute.referred_by == "gp" else "vagtlægen"
        who_en = "the GP" if acute.referred_by == "gp" else "the out-of-hours doctor"
        hours = f"{start:%H}-{stop:%H}"
        return Decision(
            {"party": "gp", "phone_route": "gp_direct_line" if line_open else "out_of_hours", "name": None},
            (
                Reason(
                    f"Borgeren er i en kommunal akutfunktion, henvist af {who_da}: egen læge er patientansvarlig. "
                    f"Akutfunktionen når lægen på en direkte linje på hverdage kl. {hours}"
                    + ("." if line_open else "; uden for dette tidsrum kontaktes vagtlægen."),
                    f"The citizen is in a municipal acute function, referred by {who_en}: the GP is responsible. "
                    f"The acute function reaches the GP on a direct line on weekdays {hours}"
                    + ("." if line_open else "; outside those hours, call the out-of-hours doctor."),
                ),
            ),
            (SOURCE_DOCTOR,),
        )
    reasons = [
        Reason(
            "Før indlæggelsen og efter udskrivelsen er egen læge patientansvarlig.",
            "Before the admission and after the discharge the GP is the responsible doctor.",
        )
    ]
    sources: tuple[str, ...] = (SOURCE_DOCTOR,)
    if state.ended_at is not None:
        window = extended_responsibility(snapshot, at, settings)
        if window.value["active"] and window.value["until"]:
            until = dt.datetime.fromisoformat(window.value["until"])
            reasons.append(
                Reason(
                    "Den udskrivende afdeling har udvidet behandlingsansvar og besvarer spørgsmål til %s."
                    % _when(until),
                    "The discharging department has extended responsibility and answers questions until %s."
                    % _when(until),
                )
            )
            sources = (*sources, "flowchart S01")
    return Decision({"party": "gp", "phone_route": "gp", "name": None}, tuple(reasons), sources)
