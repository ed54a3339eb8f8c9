"""A course's history read as state: the effective events (after cancellations and corrections), the derived
status, the færdigbehandlet periods and the dates the other rules need. Status is never stored by hand; it
is always folded from the events (style point 6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sektorbro.agreement.calendar import at_local
from sektorbro.agreement.model import (
    DEFAULT_SETTINGS,
    AgreementSettings,
    CourseSnapshot,
    Event,
    Reason,
    local_date,
)

STATUS_LABELS = {
    "not_admitted": Reason("Ikke indlagt", "Not admitted"),
    "admitted": Reason("Indlagt", "Admitted"),
    "on_leave": Reason("På orlov", "On leave"),
    "ready_for_discharge": Reason("Færdigbehandlet", "Ready for discharge"),
    "treatment_resumed": Reason("Behandling genoptaget", "Treatment resumed"),
    "discharged": Reason("Udskrevet", "Discharged"),
    "dead": Reason("Død", "Died"),
    "cancelled": Reason("Annulleret", "Cancelled"),
}
STEP_LABELS = {
    "before_admission": Reason("Før indlæggelse", "Before admission"),
    "admission": Reason("Indlæggelse", "Admission"),
    "care_plan": Reason("Plejeforløbsplan", "Care plan"),
    "discharge_planning": Reason("Planlægning af udskrivelsen", "Planning the discharge"),
    "after_discharge": Reason("Efter udskrivelsen", "After the discharge"),
}
MUNICIPAL_PLACES = ("municipal_acute_bed", "temporary_bed", "nursing_home")
EVENT_LABELS = {
    "admitted": Reason("indlæggelse", "admission"),
    "transferred": Reason("overflytning", "transfer"),
    "leave_started": Reason("orlov", "leave"),
    "leave_ended": Reason("tilbage fra orlov", "return from leave"),
    "ready_for_discharge": Reason("færdigbehandlet", "ready for discharge"),
    "treatment_resumed": Reason("behandling genoptaget", "treatment resumed"),
    "discharge_date_proposed": Reason("foreslået udskrivningsdato", "proposed discharge date"),
    "discharge_date_agreed": Reason(
        "aftalt udskrivningsdato (telefonaftale)", "agreed discharge date (by phone)"
    ),
    "discharge_date_accepted": Reason("accepteret udskrivningsdato", "accepted discharge date"),
    "discharge_agreement_disputed": Reason("aftale bestridt", "agreement disputed"),
    "care_plan_sent": Reason("plejeforløbsplan", "care plan"),
    "care_plan_acknowledged": Reason(
        "plejeforløbsplan læst af kommunen", "care plan read by the municipality"
    ),
    "admission_report_received": Reason("modtaget indlæggelsesrapport", "admission report received"),
    "admission_report_sent": Reason("sendt indlæggelsesrapport", "admission report sent"),
    "assessment_plan_made": Reason("udrednings- og behandlingsplan", "assessment and treatment plan"),
    "correspondence_sent": Reason("korrespondancebrev", "correspondence message"),
    "correspondence_read": Reason("læst korrespondancebrev", "correspondence read"),
    "phone_contact_logged": Reason("telefonisk kontakt", "phone contact"),
    "discharge_report_sent": Reason("udskrivningsrapport", "discharge report"),
    "rehab_plan_sent": Reason("genoptræningsplan", "rehabilitation plan"),
    "discharge_summary_sent": Reason("epikrise", "discharge summary"),
    "fmk_updated": Reason("FMK ajourført", "FMK updated"),
    "discharge_agreement_made": Reason("udskrivningsaftale", "discharge agreement"),
    "coordination_plan_made": Reason("koordinationsplan", "coordination plan"),
    "weekend_discharge_agreed": Reason(
        "aftale om weekend-/helligdagsudskrivelse", "weekend/holiday discharge agreement"
    ),
    "discharged": Reason("udskrivelse", "discharge"),
    "died": Reason("dødsfald", "death"),
    "terminal_assessed": Reason("vurderet terminal", "assessed terminal"),
    "cancelled": Reason("annullering", "cancellation"),
    "corrected": Reason("rettelse", "correction"),
}


def cancels_ready(
    registration: Event, cancellation: Event, settings: AgreementSettings = DEFAULT_SETTINGS
) -> bool:
    """Does a cancellation correct an error in a færdigbehandlet registration (aftalen 2.1: the registered time
    "kan som udgangspunkt ikke ændres")? Only when made at most ``settings.ready_cancellation_hours`` after the
    registration and with a reason (``reason``, or a ``note``) the municipality sees. A later cancellation
    leaves the registration standing: a changed condition is *behandling genoptaget*, not a cancellation."""
    reason = cancellation.data.get("reason") or cancellation.data.get("note")
    if not isinstance(reason, str) or not reason.strip():
        return False
    if registration.at is None or cancellation.at is None:
        return True
    return cancellation.at <= registration.at + dt.timedelta(hours=settings.ready_cancellation_hours)


def _is_course_cancellation(event: Event) -> bool:
    return event.type == "cancelled" and event.data.get("target_seq") is None


def effective_events(snapshot: CourseSnapshot, settings: AgreementSettings = DEFAULT_SETTINGS) -> list[Event]:
    """The history as it stands: a ``cancelled`` event with ``target_seq`` removes that event, a
    ``corrected`` one amends it (its ``at``, ``date`` and data fields replace the target's). A ``cancelled``
    event without a target cancels the whole course and stays in the list.

    A registered ready date cannot be moved (aftalen 2.1): unless ``ready_date_corrections_allowed``, a
    correction keeps the time of a ``ready_for_discharge`` event and amends only its data."""
    removed: set[int] = set()
    fixes: dict[int, list[Event]] = {}
    by_seq = {e.seq: e for e in snapshot.events if e.seq is not None}
    for event in snapshot.events:
        target = event.data.get("target_seq")
        if target is None:
            continue
        if event.type == "cancelled":
            aimed = by_seq.get(int(target))
            if (
                aimed is not None
                and aimed.type == "ready_for_discharge"
                and not cancels_ready(aimed, event, settings)
            ):
                continue  # aftalen 2.1: only an error correction removes a registration
            removed.add(int(target))
        elif event.type == "corrected":
            fixes.setdefault(int(target), []).append(event)
    result: list[Event] = []
    for event in snapshot.events:
        if event.type == "corrected" or (event.type == "cancelled" and not _is_course_cancellation(event)):
            continue
        if event.seq is not None and event.seq in removed:
            continue
        for fix in fixes.get(event.seq, []) if event.seq is not None else []:
            moves_ready = event.type == "ready_for_discharge" and not settings.ready_date_corrections_allowed
            extra = {k: v for k, v in fix.data.items() if k != "target_seq"}
            event = replace(
                event,
                at=event.at if moves_ready else (fix.at or event.at),
                date=event.date if moves_ready else (fix.date or event.date),
                data={**event.data, **extra},
            )
        result.append(event)
    return result


#: Events whose ``date`` is the discharge date they are about, not when they happened.
DATE_ABOUT_EVENTS = ("discharge_date_proposed", "discharge_date_agreed", "discharge_date_accepted")
#: Agreements one party records on the strength of a phone call with the other party (aftalen 2.1; P13).
PHONE_AGREEMENTS = ("discharge_date_agreed", "weekend_discharge_agreed")
#: What a phone agreement must name: the other party's person and when the call was made.
PHONE_DETAILS = ("counterpart", "call_at")


def of_type(events: Iterable[Event], *types: str) -> list[Event]:
    return [e for e in events if e.type in types]


def last_of(events: Iterable[Event], *types: str) -> Event | None:
    found = of_type(events, *types)
    return found[-1] if found else None


def event_time(event: Event) -> dt.datetime | None:
    """When an event happened: its ``at``, or the start of its ``date`` when only a date is known (but the
    date of a proposed or agreed discharge is what the event is about, not when it happened)."""
    if event.at is not None:
        return event.at
    if event.date is not None and event.type not in DATE_ABOUT_EVENTS:
        return at_local(event.date, dt.time(0, 0))
    return None


def until(events: Iterable[Event], at: dt.datetime | None) -> list[Event]:
    """The events known at ``at`` (events without a time are always included)."""
    if at is None:
        return list(events)
    return [e for e in events if (t := event_time(e)) is None or t <= at]


@dataclass(frozen=True)
class ReadyPeriod:
    """One færdigbehandlet period: from a registration to treatment resumed, a terminal assessment, the
    discharge or death (``end`` is ``None`` while it runs)."""

    start: dt.datetime
    end: dt.datetime | None
    ended_by: str | None  # treatment_resumed | terminal_assessed | discharged | died | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "ended_by": self.ended_by,
        }


@dataclass(frozen=True)
class CourseState:
    """The history folded into state at one moment."""

    status: str
    admitted: bool
    on_leave: bool
    ready_since: dt.datetime | None
    periods: tuple[ReadyPeriod, ...]
    resumed_count: int
    terminal: bool
    ended_at: dt.datetime | None
    destination: str | None

    @property
    def in_hospital(self) -> bool:
        return self.status in ("admitted", "on_leave", "ready_for_discharge", "treatment_resumed")


def _discharge_from_snapshot(snapshot: CourseSnapshot, events: list[Event]) -> Event | None:
    """A discharge given directly on the snapshot (scenarios), when no event records one."""
    if snapshot.discharged_at is None or of_type(events, "discharged", "died"):
        return None
    if any(e.type in ("discharged", "died") for e in snapshot.events):
        return None  # there was one, but it was cancelled
    kind = "died" if snapshot.discharge_destination == "dead" else "discharged"
    return Event(kind, snapshot.discharged_at, data={"destination": snapshot.discharge_destination})


def timeline(snapshot: CourseSnapshot, settings: AgreementSettings = DEFAULT_SETTINGS) -> list[Event]:
    """The effective events plus a discharge given only on the snapshot, in order of recording."""
    events = effective_events(snapshot, settings)
    implicit = _discharge_from_snapshot(snapshot, events)
    return [*events, implicit] if implicit is not None else events


def fold(
    snapshot: CourseSnapshot,
    at: dt.datetime | None = None,
    settings: AgreementSettings = DEFAULT_SETTINGS,
) -> CourseState:
    """Fold the history (as known at ``at``, or all of it) into a ``CourseState``."""
    events = until(timeline(snapshot, settings), at)
    has_admission_event = any(e.type == "admitted" for e in snapshot.events)
    admission_cancelled = has_admission_event and not of_type(
        effective_events(snapshot, settings), "admitted"
    )
    admitted = not has_admission_event and (at is None or snapshot.admitted_at <= at)
    on_leave = False
    terminal = snapshot.citizen.terminal
    ready_since: dt.datetime | None = None
    resumed = False
    resumed_count = 0
    periods: list[ReadyPeriod] = []
    ended_at: dt.datetime | None = None
    ended_as: str | None = None
    destination = snapshot.discharge_destination
    cancelled = admission_cancelled

    def close(end: dt.datetime, why: str) -> None:
        nonlocal ready_since
        if ready_since is not None:
            periods.append(ReadyPeriod(ready_since, max(end, ready_since), why))
            ready_since = None

    for event in events:
        when = event_time(event)
        match event.type:
            case "admitted":
                admitted = True
            case "leave_started":
                on_leave = True
            case "leave_ended":
                on_leave = False
            case "ready_for_discharge" if (
                ready_since is None and when is not None and ended_as is None and not terminal
            ):
                ready_since = max(when, snapshot.admitted_at)
                resumed = False
            case "treatment_resumed" if ready_since is not None and when is not None:
                close(when, "treatment_resumed")
                resumed = True
                resumed_count += 1
            case "terminal_assessed":
                terminal = True
                if settings.ready_period_ends_on_terminal and when is not None:
                    close(when, "terminal_assessed")
            case "discharged" | "died" if when is not None and ended_as in (None, "discharged"):
                if ended_as is None:
                    close(when, event.type)
                    ended_at = when
                ended_as = "dead" if event.type == "died" else "discharged"
                if event.type == "died":
                    destination = destination if ended_at != when else "dead"
                elif event.data.get("destination"):
                    destination = str(event.data["destination"])
            case "cancelled" if _is_course_cancellation(event):
                cancelled = True
            case _:
                pass
    if cancelled:
        status = "cancelled"
    elif ended_as is not None:
        status = ended_as
    elif not admitted:
        status = "not_admitted"
    elif on_leave:
        status = "on_leave"
    elif ready_since is not None:
        status = "ready_for_discharge"
    elif resumed:
        status = "treatment_resumed"
    else:
        status = "admitted"
    if ready_since is not None:
        periods.append(ReadyPeriod(ready_since, None, None))
    return CourseState(
        status=status,
        admitted=admitted,
        on_leave=on_leave,
        ready_since=ready_since,
        periods=tuple(periods),
        resumed_count=resumed_count,
        terminal=terminal,
        ended_at=ended_at,
        destination=destination,
    )


def status(
    snapshot: CourseSnapshot, at: dt.datetime | None = None, settings: AgreementSettings = DEFAULT_SETTINGS
) -> str:
    """The derived status: ``not_admitted``, ``admitted``, ``on_leave``, ``ready_for_discharge``,
    ``treatment_resumed``, ``discharged``, ``dead`` or ``cancelled``."""
    return fold(snapshot, at, settings).status


def discharged_at(
    snapshot: CourseSnapshot,
    events: list[Event] | None = None,
    settings: AgreementSettings = DEFAULT_SETTINGS,
) -> dt.datetime | None:
    """When the stay ended (discharge or death), or ``None`` while it runs. ``events`` is accepted for
    compatibility and ignored: the effective history is always used."""
    del events
    return fold(snapshot, None, settings).ended_at


def ready_periods(
    snapshot: CourseSnapshot, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[ReadyPeriod]:
    return list(fold(snapshot, None, settings).periods)


def _date_of(event: Event | None) -> dt.date | None:
    if event is None:
        return None
    if event.date is not None:
        return event.date
    return local_date(event.at) if event.at is not None else None


def call_time(event: Event) -> dt.datetime | None:
    """When the phone call behind a phone agreement was made (``call_at``), or ``None`` if not given or not
    an aware ISO datetime."""
    raw = event.data.get("call_at")
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            return None
    else:
        return None
    return value if value.tzinfo is not None and value.utcoffset() is not None else None


def is_documented(event: Event) -> bool:
    """A phone agreement counts only when it names the other party's person and the time of the call."""
    counterpart = event.data.get("counterpart")
    return isinstance(counterpart, str) and bool(counterpart.strip()) and call_time(event) is not None


def disputed(events: list[Event]) -> set[int]:
    """The positions (in ``events``) of the phone agreements the other party disputed: a
    ``discharge_agreement_disputed`` names its target by ``ref_seq``, else it disputes the latest phone
    agreement before it that is not disputed yet."""
    found: set[int] = set()
    for i, event in enumerate(events):
        if event.type != "discharge_agreement_disputed":
            continue
        target = dispute_target(events[:i], event, found)
        if target is not None:
            found.add(target)
    return found


def dispute_target(before: list[Event], dispute: Event, already: set[int] | None = None) -> int | None:
    """The position in ``before`` of the phone agreement a dispute is about, or ``None``."""
    already = already or set()
    ref = dispute.data.get("ref_seq")
    for j in range(len(before) - 1, -1, -1):
        event = before[j]
        if event.type not in PHONE_AGREEMENTS or j in already:
            continue
        if ref is None or event.seq == ref:
            return j
    return None


def _proposal_before(events: list[Event], i: int) -> Event | None:
    """The proposal an acceptance at position ``i`` answers: the one named by ``ref_seq``, else the latest."""
    ref = events[i].data.get("ref_seq")
    for event in reversed(events[:i]):
        if event.type == "discharge_date_proposed" and (ref is None or event.seq == ref):
            return event
    return None


def agreements(events: list[Event]) -> list[tuple[int, dt.date]]:
    """The real agreements on a discharge date, in order, as (position, date) (aftalen 2.1: "Udskrivelses-
    tidspunktet er altid en gensidig aftale mellem hospitalet og kommunen"): a proposal the other party
    accepted (``discharge_date_accepted``), or a phone agreement (``discharge_date_agreed``) that names the
    other party's person and the time of the call and was not disputed. A date recorded by one party alone is
    no agreement."""
    gone = disputed(events)
    found: list[tuple[int, dt.date]] = []
    for i, event in enumerate(events):
        if event.type == "discharge_date_accepted":
            proposal = _proposal_before(events, i)
            day = event.date or (proposal.date if proposal is not None else None)
            if day is not None and proposal is not None:
                found.append((i, day))
        elif event.type == "discharge_date_agreed" and event.date is not None:
            if is_documented(event) and i not in gone:
                found.append((i, event.date))
    return found


def weekend_agreement(events: list[Event]) -> Event | None:
    """The first documented, undisputed agreement on a weekend or holiday discharge (flowchart P13)."""
    gone = disputed(events)
    return next(
        (
            e
            for i, e in enumerate(events)
            if e.type == "weekend_discharge_agreed" and is_documented(e) and i not in gone
        ),
        None,
    )


def agreed_discharge_date(
    snapshot: CourseSnapshot, at: dt.datetime | None = None, settings: AgreementSettings = DEFAULT_SETTINGS
) -> dt.date | None:
    """The date of the latest real agreement (aftalen 2.1: always a mutual agreement; see ``agreements``)."""
    found = agreements(until(effective_events(snapshot, settings), at))
    return found[-1][1] if found else None


def pending_proposal(events: list[Event]) -> Event | None:
    """The latest proposed discharge date if no real agreement was made after it (whoever did not propose it
    answers: accept, or propose another)."""
    latest: int | None = None
    for i, event in enumerate(events):
        if event.type == "discharge_date_proposed":
            latest = i
    if latest is None:
        return None
    if any(i > latest for i, _day in agreements(events)):
        return None
    return events[latest]


def proposed_discharge_date(
    snapshot: CourseSnapshot, at: dt.datetime | None = None, settings: AgreementSettings = DEFAULT_SETTINGS
) -> dt.date | None:
    return _date_of(last_of(until(effective_events(snapshot, settings), at), "discharge_date_proposed"))


def discharge_day(
    snapshot: CourseSnapshot, at: dt.datetime | None = None, settings: AgreementSettings = DEFAULT_SETTINGS
) -> dt.date | None:
    """The discharge date: the actual one, else the agreed one, else the proposed one."""
    state = fold(snapshot, at, settings)
    if state.ended_at is not None:
        return local_date(state.ended_at)
    return agreed_discharge_date(snapshot, at, settings) or proposed_discharge_date(snapshot, at, settings)


def stay_hours(snapshot: CourseSnapshot, end: dt.datetime | None) -> float | None:
    """Hours from the start of the regional stay (the first hospital's admission, aftalen 2.2) to ``end``."""
    if end is None:
        return None
    return (end - snapshot.stay_started_at).total_seconds() / 3600


def is_transfer(destination: str | None) -> bool:
    """A course that ended with the citizen moved to another hospital: the discharge to the municipality (its
    documents and warnings) passes to the receiving hospital."""
    return destination == "other_hospital"


def continues_stay(
    earlier_admitted: dt.datetime,
    earlier_ended: dt.datetime,
    admitted: dt.datetime,
    settings: AgreementSettings = DEFAULT_SETTINGS,
) -> bool:
    """Does an admission at another region hospital continue the stay that ended at ``earlier_ended`` (one
    regional stay, aftalen 2.2)? Yes when it starts at most ``settings.transfer_gap_hours`` after that end. A
    start before the registered end counts too (after the earlier admission): the two hospitals register on
    their own clocks, and a citizen lies in one hospital at a time."""
    return earlier_admitted < admitted <= earlier_ended + dt.timedelta(hours=settings.transfer_gap_hours)


def earlier_admission_report(snapshot: CourseSnapshot) -> dt.datetime | None:
    """When the municipality's admission report for the regional stay reached an earlier hospital."""
    times = [s.admission_report_at for s in snapshot.earlier_stays if s.admission_report_at is not None]
    return min(times) if times else None


def is_terminal(snapshot: CourseSnapshot, events: Iterable[Event] | None = None) -> bool:
    return snapshot.citizen.terminal or bool(
        of_type(effective_events(snapshot) if events is None else events, "terminal_assessed")
    )


def current_step(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> str:
    """A coarse position in the flowchart for "you are here": ``before_admission``, ``admission``
    (pages 2-0 to 2-3), ``care_plan`` (2-4/2-5), ``discharge_planning`` (2-5/2-6) or ``after_discharge``."""
    state = fold(snapshot, at, settings)
    kinds = {e.type for e in until(effective_events(snapshot, settings), at)}
    if state.status == "not_admitted":
        return "before_admission"
    if state.status in ("discharged", "dead", "cancelled"):
        return "after_discharge"
    if state.ready_since is not None or kinds & {*DATE_ABOUT_EVENTS}:
        return "discharge_planning"
    if "care_plan_sent" in kinds:
        return "care_plan"
    return "admission"


def flowchart_applies(snapshot: CourseSnapshot, settings: AgreementSettings = DEFAULT_SETTINGS) -> bool:
    """The flowchart (and so its clock rules) covers somatics only (aftalen 3), unless a setting widens it
    (and then only to psychiatric courses the agreement covers, see ``psychiatry_covered``)."""
    if snapshot.area == "somatic":
        return True
    return settings.flowchart_applies_to_psychiatry and psychiatry_covered(snapshot, settings)


def psychiatry_covered(snapshot: CourseSnapshot, settings: AgreementSettings = DEFAULT_SETTINGS) -> bool:
    """Is a psychiatric course covered by the agreement? Aftalen 4: the updated agreement, which includes
    psychiatry, applies from 1 April 2024 (``settings.psychiatry_from``). A course admitted earlier gets none
    of the psychiatric obligations (bilag 2): they begin at the admission and cannot be met after it."""
    return snapshot.area == "psychiatric" and local_date(snapshot.admitted_at) >= settings.psychiatry_from


def municipality_receives(snapshot: CourseSnapshot, destination: str | None) -> bool:
    """Must the municipality receive the citizen at this discharge? Not at a transfer to another hospital; yes
    to a municipal place; otherwise when the citizen has municipal involvement at all (elderly care, the social
    area or municipal nursing after the discharge). P13 concerns only these discharges."""
    if destination == "other_hospital":
        return False
    if destination in MUNICIPAL_PLACES:
        return True
    citizen = snapshot.citizen
    return citizen.elderly_care or citizen.social_area or snapshot.municipal_nursing_after_discharge


def discharge_date_status(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> dict[str, Any]:
    """The date everyone waits for (aftalen 2.1: the discharge time is always a mutual agreement): the agreed
    discharge date with who agreed it, and a proposal made after it that nobody has answered yet, with who
    proposed it and whether its date has passed without an agreement. JSON-ready (dates as ISO text):

    ``{"agreed": {"date", "how": "accepted"|"phone", "proposed_by", "accepted_by", "counterpart", "seq"} | None,
    "proposal": {"date", "by", "seq", "passed"} | None}``."""
    events = until(effective_events(snapshot, settings), at)
    state = fold(snapshot, at, settings)
    agreed: dict[str, Any] | None = None
    found = agreements(events)
    if found:
        i, day = found[-1]
        event = events[i]
        if event.type == "discharge_date_accepted":
            answered = _proposal_before(events, i)
            agreed = {
                "date": day.isoformat(),
                "how": "accepted",
                "proposed_by": answered.data.get("by") if answered is not None else None,
                "accepted_by": event.data.get("by"),
                "counterpart": None,
                "seq": event.seq,
            }
        else:
            agreed = {
                "date": day.isoformat(),
                "how": "phone",
                "proposed_by": event.data.get("by"),
                "accepted_by": None,
                "counterpart": event.data.get("counterpart"),
                "seq": event.seq,
            }
    proposal: dict[str, Any] | None = None
    pending = pending_proposal(events)
    if pending is not None and pending.date is not None:
        proposal = {
            "date": pending.date.isoformat(),
            "by": pending.data.get("by"),
            "seq": pending.seq,
            "passed": state.ended_at is None and pending.date < local_date(at),
        }
    return {"agreed": agreed, "proposal": proposal}
