"""Which documents a course needs, and which are still missing (aftalen 1 with its footnote 4, flowchart
P09/P10, bilag 2 for psychiatry)."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sektorbro.agreement.history import (
    earlier_admission_report,
    effective_events,
    fold,
    is_transfer,
    municipality_receives,
    of_type,
    psychiatry_covered,
    stay_hours,
    until,
)
from sektorbro.agreement.model import (
    CPH,
    DEFAULT_SETTINGS,
    AgreementSettings,
    CourseSnapshot,
    Decision,
    Reason,
    require_aware,
)

#: The events that show a document exists.
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
#: Who makes each document.
DOCUMENT_PARTY = {
    "admission_report": "municipality",
    "care_plan": "hospital",
    "discharge_report": "hospital",
    "rehab_plan": "hospital",
    "correspondence": "hospital",
    "phone_contact": "hospital",
    "discharge_summary": "hospital",
    "fmk_update": "hospital",
    "discharge_agreement": "hospital",
    "coordination_plan": "hospital",
}
DOCUMENT_LABELS = {
    "admission_report": Reason("Indlæggelsesrapport", "Admission report"),
    "care_plan": Reason("Plejeforløbsplan", "Care plan"),
    "discharge_report": Reason("Udskrivningsrapport", "Discharge report"),
    "rehab_plan": Reason("Genoptræningsplan", "Rehabilitation plan"),
    "correspondence": Reason("Korrespondancebrev", "Correspondence message"),
    "phone_contact": Reason("Telefonisk kontakt", "Phone contact"),
    "discharge_summary": Reason("Epikrise til egen læge", "Discharge summary (epikrise) to the GP"),
    "fmk_update": Reason("FMK ajourført", "Shared medication record (FMK) updated"),
    "discharge_agreement": Reason("Udskrivningsaftale", "Discharge agreement"),
    "coordination_plan": Reason("Koordinationsplan", "Coordination plan"),
}
#: Documents that belong to the discharge itself (made at, or right after, the discharge).
AT_DISCHARGE = frozenset({"discharge_report", "rehab_plan", "discharge_summary", "fmk_update"})


class DocumentsValue(TypedDict):
    required: list[str]
    missing: list[str]
    short_stay: bool | None  # None while the stay is still under the short-stay limit and running


def is_short_stay(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> bool | None:
    """``True`` for a stay that ended within the short-stay limit (24 hours or less), ``False`` for a longer
    one (ended or still running past the limit), ``None`` while it runs and is still within the limit."""
    state = fold(snapshot, at, settings)
    end = state.ended_at
    if end is not None:
        hours = stay_hours(snapshot, end) or 0.0
        return hours <= settings.short_stay_hours
    elapsed = stay_hours(snapshot, at) or 0.0
    return False if elapsed > settings.short_stay_hours else None


def needs_municipal_services(snapshot: CourseSnapshot) -> bool:
    """Elderly-care citizens always have municipal services to restart; others when the course says so."""
    return snapshot.citizen.elderly_care or snapshot.municipal_nursing_after_discharge


def required_documents(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> Decision[DocumentsValue]:
    """The documents this course needs and those not recorded yet (as known at ``at``).

    Elderly care: admission report, care plan, discharge report (and a rehabilitation plan when relevant).
    Social area only: correspondence messages instead. Both: both. A somatic stay of 24 hours or less: phone
    and a correspondence message, no care plan. Psychiatry: discharge agreement and coordination plan, plus
    the care documents for elderly care or correspondence for the social area. Always: the epikrise to the GP
    and FMK brought up to date at the discharge. A course that ended in death needs none of the discharge
    documents."""
    require_aware(at, "at")
    state = fold(snapshot, at, settings)
    citizen = snapshot.citizen
    required: list[str] = []
    reasons: list[Reason] = []
    sources: list[str] = ["aftalen 1 fodnote 4"]

    def need(*documents: str) -> None:
        for document in documents:
            if document not in required:
                required.append(document)

    short = is_short_stay(snapshot, at, settings)
    services = needs_municipal_services(snapshot)
    accepts: dict[str, tuple[str, ...]] = {}
    if snapshot.area == "psychiatric" and not psychiatry_covered(snapshot, settings):
        reasons.append(
            Reason(
                "Psykiatrien er kun omfattet af aftalen fra %s; forløbet begyndte før, så aftalens "
                "psykiatriske forpligtelser (udskrivningsaftale, koordinationsplan, korrespondancebreve) gælder "
                "ikke." % f"{settings.psychiatry_from:%d.%m.%Y}",
                "Psychiatry is part of the agreement only from %s; the course began earlier, so the agreement's "
                "psychiatric obligations (discharge agreement, coordination plan, correspondence) do not apply."
                % f"{settings.psychiatry_from:%d.%m.%Y}",
            )
        )
        sources.append("aftalen 4")
    elif snapshot.area == "psychiatric":
        if municipality_receives(snapshot, state.destination):
            need("discharge_agreement", "coordination_plan")
            reasons.append(
                Reason(
                    "Psykiatri: hospitalet inviterer parterne til at lave en udskrivningsaftale og en "
                    "koordinationsplan.",
                    "Psychiatry: the hospital invites the parties to make a discharge agreement and a "
                    "coordination plan.",
                )
            )
        else:
            reasons.append(
                Reason(
                    "Psykiatri uden kommunal eller social kontakt: der er ingen parter at invitere, så "
                    "udskrivningsaftale og koordinationsplan kræves ikke.",
                    "Psychiatry without municipal or social contact: there are no parties to invite, so no "
                    "discharge agreement or coordination plan is required.",
                )
            )
        sources.append("bilag 2")
        if citizen.elderly_care:
            need("admission_report", "care_plan", "discharge_report")
            reasons.append(
                Reason(
                    "Tilknyttet ældreområdet: indlæggelsesrapport, plejeforløbsplan og udskrivningsrapport via "
                    "MedCom.",
                    "Attached to elderly care: admission report, care plan and discharge report via MedCom.",
                )
            )
        if citizen.social_area:
            need("correspondence")
            reasons.append(
                Reason(
                    "Kendt i socialområdet: korrespondancebreve, suppleret med telefon efter behov.",
                    "Known to the social area: correspondence messages, with phone calls when needed.",
                )
            )
    elif short and (services or citizen.social_area):
        need("phone_contact", "correspondence")
        if citizen.elderly_care:
            need("admission_report")
        reasons.append(
            Reason(
                "Ophold på 24 timer eller mindre: ingen plejeforløbsplan, men en telefonsamtale med kommunen og "
                "et korrespondancebrev, der dokumenterer aftalerne.",
                "A stay of 24 hours or less: no care plan, but a phone call to the municipality and a "
                "correspondence message that documents what was agreed.",
            )
        )
        sources.append("flowchart P09")
        if snapshot.track == "acute" and not citizen.social_area:
            accepts["correspondence"] = ("care_plan_sent",)
            reasons.append(
                Reason(
                    "Akut forløb: kommunen kan også orienteres med en plejeforløbsplan i stedet for "
                    "korrespondancebrevet.",
                    "Acute course: the municipality may also be told with a care plan instead of the "
                    "correspondence message.",
                )
            )
            sources.append("flowchart A03")
    else:
        if citizen.elderly_care:
            need("admission_report", "care_plan", "discharge_report")
            reasons.append(
                Reason(
                    "Borgeren er tilknyttet ældre-/omsorgsområdet: indlæggelsesrapport, plejeforløbsplan og "
                    "udskrivningsrapport.",
                    "The citizen is attached to elderly care: admission report, care plan and discharge report.",
                )
            )
            sources.append("flowchart P10")
        elif snapshot.municipal_nursing_after_discharge:
            need("care_plan", "discharge_report")
            reasons.append(
                Reason(
                    "Borgeren skal have kommunale ydelser efter udskrivelsen: plejeforløbsplan og "
                    "udskrivningsrapport.",
                    "The citizen will get municipal services after the discharge: care plan and discharge "
                    "report.",
                )
            )
            sources.append("flowchart P10")
        if citizen.social_area:
            need("correspondence")
            reasons.append(
                Reason(
                    "Borgeren er kendt i socialområdet: korrespondancebreve"
                    + (
                        " ud over plejedokumenterne."
                        if citizen.elderly_care
                        else (
                            " ud over plejedokumenterne, fordi den kommunale sygepleje efter udskrivelsen hører "
                            "til ældre-/omsorgsområdet."
                            if snapshot.municipal_nursing_after_discharge
                            else "; plejedokumenterne bruges ikke."
                        )
                    ),
                    "The citizen is known to the social area: correspondence messages"
                    + (
                        " in addition to the care documents."
                        if citizen.elderly_care
                        else (
                            " in addition to the care documents, because municipal nursing after the discharge "
                            "belongs to the elderly-care area."
                            if snapshot.municipal_nursing_after_discharge
                            else "; the care documents are not used."
                        )
                    ),
                )
            )
        if short is None and services:
            reasons.append(
                Reason(
                    "Opholdet har varet under 24 timer indtil nu; bliver det ved det, gælder reglen for korte "
                    "ophold (telefon og korrespondancebrev) i stedet for plejeforløbsplanen.",
                    "The stay has lasted under 24 hours so far; if it stays that short, the short-stay rule "
                    "(phone and correspondence) replaces the care plan.",
                )
            )
    if snapshot.rehabilitation_needed and (
        citizen.elderly_care or snapshot.municipal_nursing_after_discharge or not citizen.social_area
    ):
        need("rehab_plan")
        reasons.append(
            Reason(
                "Genoptræning er relevant: genoptræningsplan.",
                "Rehabilitation is relevant: rehabilitation plan.",
            )
        )
    if state.status == "discharged" and is_transfer(state.destination):
        kept = [d for d in required if d == "admission_report"]
        required[:] = kept
        accepts.clear()
        need("fmk_update")
        reasons.append(
            Reason(
                "Borgeren er overflyttet til et andet hospital: udskrivelsen til kommunen og dens dokumenter "
                "(plejeforløbsplan, udskrivningsrapport, telefon, korrespondance, genoptræningsplan, epikrise) "
                "overgår til det modtagende hospital. FMK ajourføres ved overflytningen.",
                "The citizen was transferred to another hospital: the discharge to the municipality and its "
                "documents (care plan, discharge report, phone, correspondence, rehabilitation plan, discharge "
                "summary) pass to the receiving hospital. FMK is brought up to date at the transfer.",
            )
        )
        sources.append("aftalen 2.2")
    elif state.status == "dead" and state.destination == "dead":
        for document in AT_DISCHARGE | {"care_plan", "phone_contact"}:
            if document in required:
                required.remove(document)
        reasons.append(
            Reason(
                "Patienten døde under indlæggelsen; udskrivningsdokumenterne bortfalder.",
                "The patient died during the stay; the discharge documents do not apply.",
            )
        )
    else:
        need("discharge_summary", "fmk_update")
        reasons.append(
            Reason(
                "Altid: epikrise til egen læge og FMK ajourført ved udskrivelsen.",
                "Always: the discharge summary (epikrise) to the GP and the shared medication record (FMK) "
                "brought up to date at the discharge.",
            )
        )
        sources.append("aftalen 2.1")
    present = {e.type for e in until(effective_events(snapshot, settings), at)}
    if snapshot.earlier_stays:
        reasons.append(
            Reason(
                "Forløbet fortsætter et ophold på %s (overflyttet): opholdet i regionen tælles som ét, fra %s."
                % (", ".join(s.hospital for s in snapshot.earlier_stays), _when(snapshot.stay_started_at)),
                "The course continues a stay at %s (transferred): the stay in the region counts as one, from %s."
                % (", ".join(s.hospital for s in snapshot.earlier_stays), _when(snapshot.stay_started_at)),
            )
        )
        sources.append("aftalen 2.2")
        report = earlier_admission_report(snapshot)
        if report is not None and report <= at:
            present.add("admission_report_received")
    missing = [
        d for d in required if not any(kind in present for kind in (*DOCUMENT_EVENTS[d], *accepts.get(d, ())))
    ]
    value: DocumentsValue = {"required": required, "missing": missing, "short_stay": short}
    return Decision(value, tuple(reasons), tuple(dict.fromkeys(sources)))


def _when(value: dt.datetime) -> str:
    return value.astimezone(CPH).strftime("%d.%m.%Y %H:%M")


def document_time(snapshot: CourseSnapshot, document: str, at: dt.datetime) -> dt.datetime | None:
    """When the first event that shows ``document`` happened (as known at ``at``)."""
    found = of_type(until(effective_events(snapshot), at), *DOCUMENT_EVENTS[document])
    return found[0].at if found else None
