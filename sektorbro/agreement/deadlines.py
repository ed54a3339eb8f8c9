"""The flowchart's clock rules applied to one course at one moment (deadlines), and the situations worth
pointing out that have no deadline of their own (alerts). Rule ids are those of docs/agreement-rules.md
(from the flowchart rule table: P = planned track, A = acute track, S = supporting sources)."""

from __future__ import annotations

import datetime as dt

from sektorbro.agreement.calendar import (
    at_local,
    holiday_name,
    is_weekend_or_holiday,
    municipal_read_by,
    next_weekday,
    read_by,
)
from sektorbro.agreement.documents import is_short_stay, needs_municipal_services
from sektorbro.agreement.history import (
    CourseState,
    agreed_discharge_date,
    discharge_day,
    dispute_target,
    earlier_admission_report,
    effective_events,
    flowchart_applies,
    fold,
    is_transfer,
    municipality_receives,
    of_type,
    pending_proposal,
    until,
    weekend_agreement,
)
from sektorbro.agreement.model import (
    CPH,
    DEFAULT_SETTINGS,
    AgreementSettings,
    Alert,
    CourseSnapshot,
    Deadline,
    Event,
    Reason,
    local_date,
    require_aware,
)

END_OF_DAY = dt.time(23, 59)


def _deadline(
    rule: str,
    due: dt.datetime | None,
    party: str,
    done_at: dt.datetime | None,
    at: dt.datetime,
    text: Reason,
    covers: tuple[str, ...] = (),
) -> Deadline:
    if done_at is not None and done_at <= at:
        late = due is not None and done_at > due
        return Deadline(rule, due, party, "met", text, met_at=done_at, late=late, covers=covers)
    if due is not None and at > due:
        return Deadline(rule, due, party, "overdue", text, covers=covers)
    return Deadline(rule, due, party, "open", text, covers=covers)


def _first_time(events: list[Event], *types: str) -> dt.datetime | None:
    times = [e.at for e in of_type(events, *types) if e.at is not None]
    return min(times) if times else None


def _phone_since(events: list[Event], since: dt.datetime) -> dt.datetime | None:
    times = [e.at for e in of_type(events, "phone_contact_logged") if e.at is not None and e.at >= since]
    return min(times) if times else None


def _discharge_moment(state: CourseState, day: dt.date | None) -> dt.datetime | None:
    """The actual discharge time, or the end of the planned discharge day."""
    if state.ended_at is not None:
        return state.ended_at
    return at_local(day, END_OF_DAY) if day is not None else None


def _read_at(letter: Event, reads: list[Event]) -> dt.datetime | None:
    """When a letter was read: a read that names it (``ref_seq``), or a read without a reference made after the
    letter by its addressee (``by`` missing or equal to the letter's ``to``)."""
    for read in reads:
        if read.at is None:
            continue
        ref = read.data.get("ref_seq")
        if ref is not None:
            if letter.seq is not None and int(ref) == letter.seq:
                return read.at
            continue
        if (
            letter.at is not None
            and read.at >= letter.at
            and read.data.get("by") in (None, letter.data.get("to"))
        ):
            return read.at
    return None


def deadlines(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[Deadline]:
    """Every clock rule that applies to the course, with its status at ``at`` (``open``, ``met``,
    ``overdue``). Events after ``at`` are not known yet."""
    require_aware(at, "at")
    state = fold(snapshot, at, settings)
    if state.status in ("cancelled", "not_admitted"):
        return []
    events = until(effective_events(snapshot, settings), at)
    citizen = snapshot.citizen
    flow = flowchart_applies(snapshot, settings)
    services = needs_municipal_services(snapshot)
    short = is_short_stay(snapshot, at, settings)
    end = state.ended_at
    died_in_hospital = state.status == "dead" and state.destination == "dead"
    day = discharge_day(snapshot, at, settings)
    moment = _discharge_moment(state, day)
    result: list[Deadline] = []

    if flow and citizen.elderly_care:
        # Over the whole regional stay (aftalen 2.2): due from the first hospital's admission, and met by a
        # report that reached an earlier hospital of the stay.
        reports = [
            t
            for t in (
                earlier_admission_report(snapshot),
                _first_time(events, "admission_report_sent", "admission_report_received"),
            )
            if t is not None
        ]
        result.append(
            _deadline(
                "P04",
                snapshot.stay_started_at + dt.timedelta(hours=settings.admission_report_hours),
                "municipality",
                min(reports) if reports else None,
                at,
                Reason(
                    "Kommunen sørger for en opdateret indlæggelsesrapport (manuelt, hvis oplysningerne er "
                    "ændret) senest %d timer efter indlæggelsen." % settings.admission_report_hours,
                    "The municipality makes sure an up-to-date admission report reaches the hospital (sent "
                    "manually if the data changed) within %d hours of the admission."
                    % settings.admission_report_hours,
                ),
                ("admission_report",),
            )
        )
    if flow and snapshot.track == "planned":
        result.append(
            _deadline(
                "P05",
                snapshot.admitted_at + dt.timedelta(hours=settings.assessment_plan_hours),
                "hospital",
                _first_time(events, "assessment_plan_made"),
                at,
                Reason(
                    "Hospitalet lægger en udrednings- og behandlingsplan inden for %d timer."
                    % settings.assessment_plan_hours,
                    "The hospital makes an assessment and treatment plan within %d hours."
                    % settings.assessment_plan_hours,
                ),
            )
        )
    if flow and not died_in_hospital and not (end is not None and is_transfer(state.destination)):
        result += _stay_rules(snapshot, state, events, at, settings, short, services, day, moment)
    if (
        flow
        and day is not None
        and is_weekend_or_holiday(day)
        and not died_in_hospital
        and municipality_receives(snapshot, state.destination)
    ):
        name, name_en = holiday_name(day), holiday_name(day, "en")
        when_da = f"på helligdagen {name} {day:%d.%m.%Y}" if name else f"i weekenden ({day:%d.%m.%Y})"
        when_en = (
            f"on the public holiday {name_en} {day:%d.%m.%Y}" if name else f"at the weekend ({day:%d.%m.%Y})"
        )
        result.append(
            _deadline(
                "P13",
                end if end is not None else at_local(day, dt.time(0, 0)),
                "hospital+municipality",
                (agreement.at if (agreement := weekend_agreement(events)) is not None else None),
                at,
                Reason(
                    f"Udskrivelse {when_da} kræver en individuel aftale med kommunen, indgået pr. telefon og "
                    "dokumenteret i en korrespondancemeddelelse, før udskrivelsen.",
                    f"A discharge {when_en} needs an individual agreement with the municipality, made by phone "
                    "and documented in a correspondence message, before the discharge.",
                ),
            )
        )
    result += _correspondence_rules(snapshot, events, at, settings)
    return result


def _stay_rules(
    snapshot: CourseSnapshot,
    state: CourseState,
    events: list[Event],
    at: dt.datetime,
    settings: AgreementSettings,
    short: bool | None,
    services: bool,
    day: dt.date | None,
    moment: dt.datetime | None,
) -> list[Deadline]:
    """P09 (short planned stay), A02 (acute: phone when the municipality must act within 24 h), P10 and
    P14 (longer stays: care plan, or a phone call for same-day action)."""
    citizen = snapshot.citizen
    end = state.ended_at
    result: list[Deadline] = []
    if short is True and end is not None and (services or citizen.social_area):
        if snapshot.track == "planned":
            phone = _first_time(events, "phone_contact_logged")
            letter = _first_time(events, "correspondence_sent")
            result.append(
                _deadline(
                    "P09",
                    end,
                    "hospital",
                    max(phone, letter) if phone is not None and letter is not None else None,
                    at,
                    Reason(
                        "Kort ophold (24 timer eller mindre): ring til kommunen og send et korrespondancebrev, "
                        "der dokumenterer aftalen, før udskrivelsen. Plejeforløbsplanen bruges ikke.",
                        "Short stay (24 hours or less): phone the municipality and send a correspondence message "
                        "documenting the agreement before the discharge. No care plan is used.",
                    ),
                    ("phone_contact", "correspondence"),
                )
            )
        elif services:
            result.append(_a02(end, _phone_since(events, snapshot.admitted_at), at, final=True))
    elif short is None and snapshot.track == "acute" and services and end is None:
        due = snapshot.stay_started_at + dt.timedelta(hours=settings.short_stay_hours)
        result.append(_a02(due, _phone_since(events, snapshot.admitted_at), at, final=False))
    elif short is False and services:
        plans = [e for e in of_type(events, "care_plan_sent") if e.at is not None]
        result.append(
            _deadline(
                "P10",
                at_local(day, settings.care_plan_cutoff) if day is not None else None,
                "hospital",
                min(p.at for p in plans if p.at is not None) if plans else None,
                at,
                Reason(
                    "Plejeforløbsplanen sendes, så snart der er en realistisk plan for borgerens funktion, pleje "
                    "og hjælpemidler — og senest kl. %s på udskrivningsdagen."
                    % f"{settings.care_plan_cutoff:%H.%M}",
                    "The care plan is sent as soon as there is a realistic plan for the citizen's function, care "
                    "and aids — at the latest %s on the discharge day."
                    % f"{settings.care_plan_cutoff:%H:%M}",
                ),
                ("care_plan",),
            )
        )
        if day is not None and moment is not None:
            cutoff = at_local(day, settings.care_plan_cutoff)
            in_time = [
                p
                for p in plans
                if p.at is not None
                and p.at <= cutoff
                and (settings.care_plan_same_day_counts or local_date(p.at) < day)
            ]
            if not in_time:
                since = at_local(day - dt.timedelta(days=settings.phone_window_days), dt.time(0, 0))
                result.append(
                    _deadline(
                        "P14",
                        moment,
                        "hospital",
                        _phone_since(events, since),
                        at,
                        Reason(
                            "Sammedagshandling: er plejeforløbsplanen ikke sendt senest kl. %s på "
                            "udskrivningsdagen, skal kommunen varsles pr. telefon før udskrivelsen."
                            % f"{settings.care_plan_cutoff:%H.%M}",
                            "Same-day action: unless the care plan is sent by %s on the discharge day, the "
                            "municipality must be warned by phone before the discharge."
                            % f"{settings.care_plan_cutoff:%H:%M}",
                        ),
                        ("phone_contact",),
                    )
                )
    return result


def _a02(due: dt.datetime, phone: dt.datetime | None, at: dt.datetime, *, final: bool) -> Deadline:
    if final:
        text = Reason(
            "Kort akut forløb, og kommunen skal handle inden for 24 timer: kommunen skal altid ringes op før "
            "udskrivelsen.",
            "Short acute stay, and the municipality must act within 24 hours: the municipality must always be "
            "phoned before the discharge.",
        )
    else:
        text = Reason(
            "Går borgeren hjem inden for det første døgn med behov for kommunale ydelser, skal kommunen ringes "
            "op før udskrivelsen.",
            "If the citizen goes home within the first 24 hours and needs municipal services, the municipality "
            "must be phoned before the discharge.",
        )
    return _deadline("A02", due, "hospital", phone, at, text, ("phone_contact",))


def _correspondence_rules(
    snapshot: CourseSnapshot, events: list[Event], at: dt.datetime, settings: AgreementSettings
) -> list[Deadline]:
    """P18/P19 (hospital reading windows) and A05 (municipality reads once per shift), per letter."""
    reads = of_type(events, "correspondence_read")
    result: list[Deadline] = []
    for letter in of_type(events, "correspondence_sent"):
        if letter.at is None:
            continue
        to = letter.data.get("to")
        read = _read_at(letter, reads)
        sent = letter.at.astimezone(CPH).strftime("%d.%m.%Y %H:%M")
        if to == "hospital":
            unit_kind = str(letter.data.get("unit_kind") or snapshot.unit_kind)
            ward = unit_kind == "ward"
            result.append(
                _deadline(
                    "P18" if ward else "P19",
                    read_by(letter.at, unit_kind, settings),
                    "hospital",
                    read,
                    at,
                    Reason(
                        "Brev sendt %s: %s læser korrespondance kl. %s-%s%s; sendt kl. %s eller senere læses det "
                        "den næste læsedag."
                        % (
                            sent,
                            "sengeafsnittet" if ward else "klinikken",
                            f"{settings.reading_window_start:%H}",
                            f"{settings.reading_deadline:%H}",
                            " alle dage" if ward else " på hverdage",
                            f"{settings.reading_cutoff:%H.%M}",
                        ),
                        "Letter sent %s: the %s reads correspondence %s-%s%s; sent at %s or later it is read on "
                        "the next reading day."
                        % (
                            sent,
                            "ward" if ward else "clinic",
                            f"{settings.reading_window_start:%H}",
                            f"{settings.reading_deadline:%H}",
                            " every day" if ward else " on weekdays",
                            f"{settings.reading_cutoff:%H:%M}",
                        ),
                    ),
                )
            )
        elif to == "municipality":
            result.append(
                _deadline(
                    "A05",
                    municipal_read_by(letter.at, settings),
                    "municipality",
                    read,
                    at,
                    Reason(
                        "Brev sendt %s: kommunen læser indgående korrespondance mindst én gang pr. vagt."
                        % sent,
                        "Letter sent %s: the municipality reads incoming correspondence at least once per shift."
                        % sent,
                    ),
                )
            )
    return result


def _disputed_alert(events: list[Event]) -> Alert | None:
    """The latest dispute of a phone agreement, when no real agreement on a date was made after it."""
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if event.type in ("discharge_date_agreed", "discharge_date_accepted"):
            return None
        if event.type != "discharge_agreement_disputed":
            continue
        target = dispute_target(events[:i], event)
        if target is None:
            return None
        agreement = events[target]
        by = agreement.data.get("by")
        what = (
            Reason(
                "aftalen om udskrivelse i weekenden/på en helligdag",
                "the weekend/holiday discharge agreement",
            )
            if agreement.type == "weekend_discharge_agreed"
            else Reason("telefonaftalen om udskrivningsdatoen", "the phone agreement on the discharge date")
        )
        return Alert(
            "discharge_agreement_disputed",
            "aftalen 2.1",
            None,
            by if by in ("hospital", "municipality") else "hospital+municipality",
            Reason(
                "%s er bestridt af den anden part og gælder ikke; aftal udskrivelsen igen."
                % what.da.capitalize(),
                "%s is disputed by the other party and does not apply; agree the discharge again."
                % what.en.capitalize(),
            ),
        )
    return None


def alerts(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[Alert]:
    """Situations to point out that have no deadline of their own: P15 (Friday afternoon), a færdigbehandlet
    patient without an agreed discharge date and a proposed date nobody has answered (aftalen 2.1), an updated care plan without marked changes
    (P12) and FMK not updated at the discharge (S02)."""
    require_aware(at, "at")
    state = fold(snapshot, at, settings)
    if state.status in ("cancelled", "not_admitted"):
        return []
    events = until(effective_events(snapshot, settings), at)
    found: list[Alert] = []
    flow = flowchart_applies(snapshot, settings)
    admitted = snapshot.stay_started_at.astimezone(CPH)
    if flow and admitted.weekday() == 4 and admitted.time() >= settings.friday_afternoon(snapshot.cluster):
        monday = admitted.date() + dt.timedelta(days=3)
        if settings.p15_skip_holiday_monday:
            monday = next_weekday(monday)
        limit = at_local(monday, settings.monday_deadline)
        day = discharge_day(snapshot, at, settings)
        ends_before = state.ended_at < limit if state.ended_at is not None else None
        planned_before = day is not None and at_local(day, dt.time(0, 0)) < limit
        if ends_before or (ends_before is None and (planned_before or at < limit)):
            found.append(
                Alert(
                    "P15",
                    "flowchart P15",
                    limit,
                    "hospital+municipality",
                    Reason(
                        "Indlagt fredag eftermiddag: en udskrivelse før %s kl. %s aftales efter klyngens lokale "
                        "procedurer." % (f"{monday:%d.%m.%Y}", f"{settings.monday_deadline:%H.%M}"),
                        "Admitted on a Friday afternoon: a discharge before %s %s is agreed under the cluster's "
                        "local procedures." % (f"{monday:%d.%m.%Y}", f"{settings.monday_deadline:%H:%M}"),
                    ),
                )
            )
    if state.ready_since is not None and agreed_discharge_date(snapshot, at, settings) is None:
        found.append(
            Alert(
                "aftalen 2.1",
                "aftalen 2.1",
                None,
                "hospital+municipality",
                Reason(
                    "Færdigbehandlet, men der er endnu ikke aftalt en udskrivningsdato med kommunen.",
                    "Ready for discharge, but no discharge date has been agreed with the municipality yet.",
                ),
            )
        )
    proposal = pending_proposal(events)
    if (
        state.ended_at is None
        and proposal is not None
        and proposal.date is not None
        and (proposal.date < local_date(at))
    ):
        by = proposal.data.get("by")
        found.append(
            Alert(
                "discharge_date_proposed",
                "aftalen 2.1",
                None,
                by if by in ("hospital", "municipality") else "hospital",
                Reason(
                    "Den foreslåede udskrivningsdato %s er passeret uden aftale: foreslå en ny dato."
                    % f"{proposal.date:%d.%m.%Y}",
                    "The proposed discharge date %s has passed without an agreement: propose a new date."
                    % f"{proposal.date:%d.%m.%Y}",
                ),
            )
        )
    elif state.ended_at is None and proposal is not None and proposal.date is not None:
        by = proposal.data.get("by")
        found.append(
            Alert(
                "discharge_date_proposed",
                "aftalen 2.1",
                None,
                "hospital" if by == "municipality" else "municipality",
                Reason(
                    "Foreslået udskrivningsdato %s afventer svar: acceptér datoen, eller foreslå en anden."
                    % f"{proposal.date:%d.%m.%Y}",
                    "The proposed discharge date %s awaits an answer: accept it or propose another."
                    % f"{proposal.date:%d.%m.%Y}",
                ),
            )
        )
    if state.ended_at is None and (dispute := _disputed_alert(events)) is not None:
        found.append(dispute)
    plans = of_type(events, "care_plan_sent")
    if flow and any(not p.data.get("changes") for p in plans[1:]):
        found.append(
            Alert(
                "P12",
                "flowchart P12",
                None,
                "hospital",
                Reason(
                    "En opdateret plejeforløbsplan skal vise ændringerne i et nyt afsnit markeret med 'Dato' og "
                    "'NYT'.",
                    "An updated care plan must show the changes in a new section marked 'Dato' and 'NYT'.",
                ),
            )
        )
    if state.status == "discharged" and not of_type(events, "fmk_updated"):
        found.append(
            Alert(
                "S02",
                "flowchart S02",
                None,
                "hospital",
                Reason(
                    "FMK er ikke registreret ajourført ved udskrivelsen: hjemmesygeplejen eller apoteket kontakter "
                    "den udskrivende læge via hospitalets omstilling på hverdage kl. 8-15, ellers afdelingens "
                    "vagthavende læge.",
                    "FMK has not been recorded as updated at the discharge: home nursing or the pharmacy contacts "
                    "the discharging doctor through the hospital switchboard on weekdays 08-15, otherwise the "
                    "department's on-call doctor.",
                ),
            )
        )
    return found
