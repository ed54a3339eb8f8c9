"""The derived status and the allowed transitions (aftalen 2.1, flowchart P13): one arm per allowed pair,
everything else refused with a reason in both languages."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.agreement import rules
from sektorbro.agreement.model import STATUSES, AgreementSettings, CitizenFacts, CourseSnapshot, Event
from tests.agreement.helpers import agreed, course, ev, t, weekend_agreed

READY = ev("ready_for_discharge", "2025-03-05 09:00")
RESUMED = ev("treatment_resumed", "2025-03-06 08:00")


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], "admitted"),
        ([READY], "ready_for_discharge"),
        ([READY, RESUMED], "treatment_resumed"),
        ([READY, RESUMED, ev("ready_for_discharge", "2025-03-07 09:00")], "ready_for_discharge"),
        ([ev("leave_started", "2025-03-04 10:00")], "on_leave"),
        ([ev("leave_started", "2025-03-04 10:00"), ev("leave_ended", "2025-03-04 18:00")], "admitted"),
        ([READY, ev("terminal_assessed", "2025-03-06 10:00")], "admitted"),
        ([ev("discharged", "2025-03-06 10:00")], "discharged"),
        ([ev("died", "2025-03-06 10:00")], "dead"),
        ([ev("discharged", "2025-03-06 10:00"), ev("died", "2025-03-07 10:00")], "dead"),
        ([ev("cancelled", "2025-03-03 11:00")], "cancelled"),
    ],
)
def test_status_is_derived_from_the_events(events: list[Event], expected: str) -> None:
    assert rules.status(course(events)) == expected


def test_a_ready_patient_on_leave_is_still_ready_after_the_leave() -> None:
    snap = course([READY, ev("leave_started", "2025-03-05 12:00"), ev("leave_ended", "2025-03-05 20:00")])
    assert rules.status(snap, t("2025-03-05 15:00")) == "on_leave"
    assert rules.status(snap) == "ready_for_discharge"
    assert len(rules.ready_periods(snap)) == 1


def test_status_at_a_moment_ignores_later_events() -> None:
    snap = course([READY, ev("discharged", "2025-03-08 10:00")])
    assert rules.status(snap, t("2025-03-02 10:00")) == "not_admitted"
    assert rules.status(snap, t("2025-03-04 10:00")) == "admitted"
    assert rules.status(snap, t("2025-03-06 10:00")) == "ready_for_discharge"
    assert rules.status(snap, t("2025-03-09 10:00")) == "discharged"


def test_a_discharge_given_on_the_snapshot_counts_unless_an_event_was_cancelled() -> None:
    assert rules.status(course(discharged_at=t("2025-03-06 10:00"))) == "discharged"
    assert rules.status(course(discharged_at=t("2025-03-06 10:00"), discharge_destination="dead")) == "dead"
    discharge = Event("discharged", t("2025-03-06 10:00"), seq=1)
    undone = course([discharge, Event("cancelled", t("2025-03-06 11:00"), seq=2, data={"target_seq": 1})])
    assert rules.status(undone) == "admitted"


def test_a_cancelled_admission_cancels_the_course() -> None:
    admitted = Event("admitted", t("2025-03-03 10:00"), seq=1)
    snap = course([admitted, Event("cancelled", t("2025-03-03 11:00"), seq=2, data={"target_seq": 1})])
    assert rules.status(snap) == "cancelled"
    assert rules.status(course([admitted])) == "admitted"


def test_a_correction_cannot_move_the_ready_date() -> None:
    ready = Event("ready_for_discharge", t("2025-03-05 09:00"), seq=1)
    fix = Event("corrected", t("2025-03-06 09:00"), seq=2, data={"target_seq": 1, "note": "tastefejl"})
    snap = course([ready, fix])
    assert rules.effective_events(snap)[0].at == t("2025-03-05 09:00")
    assert rules.effective_events(snap)[0].data["note"] == "tastefejl"
    allowed = AgreementSettings(ready_date_corrections_allowed=True)
    assert rules.effective_events(snap, allowed)[0].at == t("2025-03-06 09:00")
    refused = rules.check_transition(
        course([ready]), "corrected", t("2025-03-06 09:00"), data={"target_seq": 1, "at": "2025-03-06T09:00"}
    )
    assert refused.value is False and refused.sources == ("aftalen 2.1",)
    assert "behandling genoptaget" in refused.reasons[0].da


def test_other_corrections_amend_the_event() -> None:
    made = agreed("2025-03-05 09:00", date="2025-03-08")
    fix = Event("corrected", t("2025-03-06 09:00"), date=dt.date(2025, 3, 9), seq=2, data={"target_seq": 1})
    assert rules.agreed_discharge_date(course([made, fix])) == dt.date(2025, 3, 9)
    assert rules.check_transition(course([made]), "corrected", t("2025-03-06 09:00")).value is True


# --- færdigbehandlet -------------------------------------------------------------------------------------------


def test_a_terminal_patient_is_never_registered_ready() -> None:
    for snap in (
        course(citizen=CitizenFacts(terminal=True)),
        course([ev("terminal_assessed", "2025-03-04 09:00")]),
    ):
        refused = rules.check_transition(snap, "ready_for_discharge", t("2025-03-05 09:00"))
        assert refused.value is False and refused.sources == ("aftalen 2.1",)
        assert "terminal" in refused.reasons[0].da and "terminal" in refused.reasons[0].en


def test_a_ready_registration_for_a_terminal_patient_is_ignored_by_the_history() -> None:
    snap = course([READY], citizen=CitizenFacts(terminal=True))
    assert rules.status(snap) == "admitted" and rules.ready_periods(snap) == []


def test_a_second_registration_needs_treatment_resumed_in_between() -> None:
    refused = rules.check_transition(course([READY]), "ready_for_discharge", t("2025-03-06 09:00"))
    assert refused.value is False and "behandling genoptaget" in refused.reasons[0].da
    assert rules.check_transition(
        course([READY, RESUMED]), "ready_for_discharge", t("2025-03-07 09:00")
    ).value
    on_leave = course([READY, ev("leave_started", "2025-03-05 12:00")])
    assert rules.check_transition(on_leave, "ready_for_discharge", t("2025-03-05 13:00")).value is False


def test_treatment_resumed_twice() -> None:
    events = [
        READY,
        RESUMED,
        ev("ready_for_discharge", "2025-03-07 09:00"),
        ev("treatment_resumed", "2025-03-08 09:00"),
    ]
    snap = course(events)
    assert rules.status(snap) == "treatment_resumed"
    assert rules.check_transition(snap, "treatment_resumed", t("2025-03-08 10:00")).value is False
    assert rules.check_transition(snap, "ready_for_discharge", t("2025-03-09 09:00")).value is True
    assert [p.ended_by for p in rules.ready_periods(snap)] == ["treatment_resumed", "treatment_resumed"]


def test_treatment_resumed_needs_a_ready_patient() -> None:
    refused = rules.check_transition(course(), "treatment_resumed", t("2025-03-05 09:00"))
    assert refused.value is False and refused.sources == ("aftalen 2.1",)
    on_leave = course([READY, ev("leave_started", "2025-03-05 12:00")])
    assert rules.check_transition(on_leave, "treatment_resumed", t("2025-03-05 13:00")).value is True


# --- refusals --------------------------------------------------------------------------------------------------


DISCHARGED = [ev("discharged", "2025-03-06 10:00")]


@pytest.mark.parametrize(
    ("events", "event_type", "da", "en"),
    [
        (DISCHARGED, "discharged", "allerede afsluttet", "already ended"),
        ([ev("died", "2025-03-06 10:00")], "died", "allerede registreret", "already been recorded"),
        ([ev("leave_started", "2025-03-04 10:00")], "leave_started", "allerede på orlov", "already on leave"),
        ([], "leave_ended", "ikke på orlov", "not on leave"),
        ([], "admitted", "allerede indlagt", "already admitted"),
        (DISCHARGED, "ready_for_discharge", "færdigbehandlet kan ikke registreres", "cannot be recorded"),
        (DISCHARGED, "care_plan_sent", "plejeforløbsplan kan ikke", "care plan cannot"),
        ([ev("cancelled", "2025-03-04 10:00")], "fmk_updated", "annulleret", "cancelled"),
        ([ev("terminal_assessed", "2025-03-04 10:00")], "terminal_assessed", "allerede vurderet", "already"),
    ],
)
def test_refusals_say_why_in_both_languages(events: list[Event], event_type: str, da: str, en: str) -> None:
    decision = rules.check_transition(course(events), event_type, t("2025-03-07 10:00"))
    assert decision.value is False and decision.sources
    assert da in decision.reasons[0].da and en in decision.reasons[0].en


def test_before_the_admission_the_course_is_not_admitted() -> None:
    admitted = Event("admitted", t("2025-03-10 10:00"), seq=1)
    planned = CourseSnapshot(
        area="somatic", track="planned", admitted_at=t("2025-03-10 10:00"), events=(admitted,)
    )
    assert rules.status(planned, t("2025-03-09 10:00")) == "not_admitted"
    assert rules.current_step(planned, t("2025-03-09 10:00")) == "before_admission"
    assert rules.status(planned, t("2025-03-10 10:00")) == "admitted"
    assert rules.check_transition(planned, "admitted", t("2025-03-10 11:00")).value is False


def test_state_events_cannot_be_dated_before_the_admission() -> None:
    decision = rules.check_transition(course(), "ready_for_discharge", t("2025-03-02 10:00"))
    assert decision.value is False and "før indlæggelsen" in decision.reasons[0].da


def test_unknown_events_are_refused() -> None:
    decision = rules.check_transition(course(), "teleported", t("2025-03-04 10:00"))
    assert decision.value is False and "teleported" in decision.reasons[0].en


def test_documents_may_follow_the_discharge_but_not_plans() -> None:
    snap = course(DISCHARGED)
    for kind in ("discharge_summary_sent", "fmk_updated", "discharge_report_sent", "correspondence_sent"):
        assert rules.check_transition(snap, kind, t("2025-03-06 15:00")).value is True, kind
    for kind in ("discharge_date_agreed", "leave_started", "weekend_discharge_agreed", "treatment_resumed"):
        assert rules.check_transition(snap, kind, t("2025-03-06 15:00")).value is False, kind
    assert rules.check_transition(snap, "died", t("2025-03-07 15:00")).value is True


def test_an_agreed_discharge_date_before_the_admission_is_refused() -> None:
    phone = {"counterpart": "Visitator Lene Holm", "call_at": "2025-03-04T09:30:00+01:00"}
    refused = rules.check_transition(
        course(), "discharge_date_agreed", t("2025-03-04 10:00"), data={"date": "2025-03-01", **phone}
    )
    assert refused.value is False
    ok = rules.check_transition(
        course(), "discharge_date_agreed", t("2025-03-04 10:00"), data={"date": "2025-03-07", **phone}
    )
    assert ok.value is True and ok.sources == ("aftalen 2.1",)
    bad = rules.check_transition(
        course(), "discharge_date_agreed", t("2025-03-04 10:00"), data={"date": "7/3", **phone}
    )
    assert bad.value is False


# --- P13 at the moment of discharge ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "word"),
    [
        ("2025-05-29 11:00", "Kristi"),  # Kristi himmelfartsdag
        ("2025-04-21 11:00", "påske"),  # 2. påskedag
        ("2025-03-15 11:00", "weekend"),  # Saturday
    ],
)
def test_weekend_or_holiday_discharge_needs_an_agreement(moment: str, word: str) -> None:
    ready = ev("ready_for_discharge", "2025-03-10 09:00")
    nursing = {"municipal_nursing_after_discharge": True}
    refused = rules.check_transition(course([ready], **nursing), "discharged", t(moment))
    assert refused.value is False and refused.sources == ("flowchart P13",)
    assert word.lower() in refused.reasons[0].da.lower()
    agreed = course([ready, weekend_agreed("2025-03-11 10:00")], **nursing)
    assert rules.check_transition(agreed, "discharged", t(moment)).value is True
    message = rules.check_transition(course([ready], **nursing), "discharged", t(moment), source="message")
    assert message.value is True


def test_weekday_and_psychiatric_discharges_need_no_weekend_agreement() -> None:
    assert rules.check_transition(course(), "discharged", t("2025-05-28 11:00")).value is True
    psychiatric = course(area="psychiatric")
    assert rules.check_transition(psychiatric, "discharged", t("2025-03-15 11:00")).value is True
    lenient = AgreementSettings(block_weekend_discharge_without_agreement=False)
    assert rules.check_transition(course(), "discharged", t("2025-03-15 11:00"), settings=lenient).value


# --- a property: whatever is accepted keeps the history consistent --------------------------------------------

KINDS = [
    "ready_for_discharge",
    "treatment_resumed",
    "leave_started",
    "leave_ended",
    "terminal_assessed",
    "discharged",
    "died",
    "care_plan_sent",
    "fmk_updated",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.integers(1, 60)), max_size=14))
def test_accepted_events_keep_the_history_consistent(steps: list[tuple[str, int]]) -> None:
    events: list[Event] = []
    moment = t("2025-03-03 10:00")
    resumed = 0
    for kind, hours in steps:
        moment += dt.timedelta(hours=hours)
        snap = course(events)
        decision = rules.check_transition(snap, kind, moment, source="message")
        assert decision.reasons and decision.sources
        before = rules.status(snap)
        if decision.value:
            events.append(Event(kind, moment))
            resumed += kind == "treatment_resumed"
        elif kind == "discharged":
            assert before in ("discharged", "dead")
    final = course(events)
    state = rules.fold(final)
    assert state.status in STATUSES
    assert state.resumed_count == resumed
    periods = state.periods
    assert sum(1 for p in periods if p.end is None) <= 1
    for earlier, later in itertools.pairwise(periods):
        assert earlier.end is not None and earlier.end <= later.start
    terminal_at = next((e.at for e in events if e.type == "terminal_assessed"), None)
    if terminal_at is not None:
        assert all(p.start < terminal_at for p in periods)
        assert all(p.end is not None and p.end <= terminal_at for p in periods)
