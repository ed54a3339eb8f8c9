"""Aftalen 2.1, read again (issue 17, "Dates that no party can move alone"): the ready date cannot be moved by
cancelling and registering again, a discharge date needs both parties, a proposal cannot lie in the past, and
the municipality pays for the days between the ready date and the agreed date."""

from __future__ import annotations

import datetime as dt

from sektorbro.agreement import rules
from sektorbro.agreement.model import AgreementSettings, CitizenFacts, Decision
from tests.agreement.helpers import agreed, course, ev, t, weekend_agreed

READY = ev("ready_for_discharge", "2025-03-05 09:00")
ELDERLY = CitizenFacts(elderly_care=True)


def cancel(at: str, **data: object) -> Decision[bool]:
    return rules.check_transition(course([READY]), "cancelled", t(at), data={"target_seq": 1, **data})


# --- cancelling a færdigbehandlet registration ----------------------------------------------------------------


def test_a_ready_registration_may_be_cancelled_as_an_error_within_the_window_with_a_reason() -> None:
    ok = cancel("2025-03-05 15:00", reason="Registreret på den forkerte patient.")
    assert ok.value is True and ok.sources == ("aftalen 2.1",)


def test_a_ready_registration_cannot_be_cancelled_after_the_window() -> None:
    refused = cancel("2025-03-06 09:01", reason="Patienten fik feber.")
    assert refused.value is False
    assert "behandling genoptaget" in refused.reasons[0].da
    assert "treatment resumed" in refused.reasons[0].en
    assert cancel("2025-03-06 09:00", reason="Fejl").value is True  # 24 hours sharp is still inside


def test_a_ready_cancellation_needs_a_reason() -> None:
    for data in ({}, {"reason": "   "}):
        refused = cancel("2025-03-05 10:00", **data)
        assert refused.value is False and "begrundelse" in refused.reasons[0].da


def test_the_window_is_a_setting() -> None:
    short = AgreementSettings(ready_cancellation_hours=2)
    snap = course([READY])
    data = {"target_seq": 1, "reason": "Fejl"}
    assert rules.check_transition(snap, "cancelled", t("2025-03-05 11:00"), data=data, settings=short).value
    assert not rules.check_transition(
        snap, "cancelled", t("2025-03-05 11:01"), data=data, settings=short
    ).value


def test_other_cancellations_are_not_limited() -> None:
    snap = course([ev("care_plan_sent", "2025-03-04 09:00")])
    assert rules.check_transition(snap, "cancelled", t("2025-03-20 09:00"), data={"target_seq": 1}).value


def test_cancel_and_register_again_does_not_move_the_ready_date() -> None:
    """A late cancellation that reached the history anyway (e.g. from another system) leaves the registration
    standing, so a new registration cannot move the date; an error correction in time does remove it."""
    late = course(
        [
            READY,
            ev("cancelled", "2025-03-07 10:00", target_seq=1, reason="Forkert dato"),
            ev("ready_for_discharge", "2025-03-07 10:05"),
        ]
    )
    assert rules.ready_for_discharge(late, t("2025-03-08 12:00")).value["date"] == "2025-03-05"
    in_time = course(
        [
            READY,
            ev("cancelled", "2025-03-05 11:00", target_seq=1, reason="Registreret på den forkerte patient"),
            ev("ready_for_discharge", "2025-03-07 10:05"),
        ]
    )
    assert rules.ready_for_discharge(in_time, t("2025-03-08 12:00")).value["date"] == "2025-03-07"
    no_reason = course([READY, ev("cancelled", "2025-03-05 11:00", target_seq=1)])
    assert rules.status(no_reason, t("2025-03-05 12:00")) == "ready_for_discharge"


# --- a discharge date needs both parties ----------------------------------------------------------------------


def test_a_date_recorded_by_one_party_without_details_is_refused_and_is_no_agreement() -> None:
    refused = rules.check_transition(
        course([READY]), "discharge_date_agreed", t("2025-03-05 10:00"), data={"date": "2025-03-07"}
    )
    assert refused.value is False and "telefon" in refused.reasons[0].da
    alone = course([READY, ev("discharge_date_agreed", "2025-03-05 10:00", date="2025-03-07", by="hospital")])
    assert rules.agreed_discharge_date(alone) is None
    billing = rules.billable_days(alone, t("2025-03-07 12:00")).value
    assert billing["days"] == 0 and billing["accruing_days"] == 2


def test_a_phone_agreement_names_the_person_and_the_call() -> None:
    data = {
        "date": "2025-03-07",
        "counterpart": "Visitator Lene Holm",
        "call_at": "2025-03-05T09:30:00+01:00",
    }
    ok = rules.check_transition(course([READY]), "discharge_date_agreed", t("2025-03-05 10:00"), data=data)
    assert ok.value is True
    later_call = {**data, "call_at": "2025-03-05T11:00:00+01:00"}
    assert not rules.check_transition(
        course([READY]), "discharge_date_agreed", t("2025-03-05 10:00"), data=later_call
    ).value
    no_time = {k: v for k, v in data.items() if k != "call_at"}
    assert not rules.check_transition(
        course([READY]), "discharge_date_agreed", t("2025-03-05 10:00"), data=no_time
    ).value


def test_a_weekend_agreement_needs_the_same_details() -> None:
    refused = rules.check_transition(course([READY]), "weekend_discharge_agreed", t("2025-03-05 10:00"))
    assert refused.value is False
    ok = rules.check_transition(
        course([READY]),
        "weekend_discharge_agreed",
        t("2025-03-05 10:00"),
        data={"counterpart": "Sygeplejerske Ib Kro", "call_at": "2025-03-05T09:50:00+01:00"},
    )
    assert ok.value is True and ok.sources == ("flowchart P13",)


def test_an_undocumented_weekend_agreement_does_not_meet_p13_nor_allow_the_discharge() -> None:
    events = [
        ev("ready_for_discharge", "2025-03-13 09:00"),
        agreed("2025-03-13 10:00", date="2025-03-15"),
        ev("weekend_discharge_agreed", "2025-03-14 11:00", by="hospital"),
    ]
    snap = course(events, citizen=ELDERLY)
    [p13] = [d for d in rules.deadlines(snap, t("2025-03-14 12:00")) if d.rule == "P13"]
    assert p13.status == "open"
    assert not rules.check_transition(snap, "discharged", t("2025-03-15 11:00")).value


def test_the_municipality_accepts_the_hospitals_proposal() -> None:
    proposed = [READY, ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-07", by="hospital")]
    assert rules.agreed_discharge_date(course(proposed)) is None
    accept = rules.check_transition(
        course(proposed), "discharge_date_accepted", t("2025-03-05 13:00"), data={"by": "municipality"}
    )
    assert accept.value is True
    own = rules.check_transition(
        course(proposed), "discharge_date_accepted", t("2025-03-05 13:00"), data={"by": "hospital"}
    )
    assert own.value is False
    other_date = rules.check_transition(
        course(proposed),
        "discharge_date_accepted",
        t("2025-03-05 13:00"),
        data={"by": "municipality", "date": "2025-03-08"},
    )
    assert other_date.value is False
    accepted = course([*proposed, ev("discharge_date_accepted", "2025-03-05 13:00", by="municipality")])
    assert rules.agreed_discharge_date(accepted) == dt.date(2025, 3, 7)
    assert not [
        a for a in rules.alerts(accepted, t("2025-03-05 14:00")) if a.rule == "discharge_date_proposed"
    ]
    assert rules.billable_days(accepted, t("2025-03-07 12:00")).value["days"] == 2


def test_nothing_to_accept_without_a_pending_proposal() -> None:
    refused = rules.check_transition(course([READY]), "discharge_date_accepted", t("2025-03-05 13:00"))
    assert refused.value is False


def test_only_the_latest_proposal_can_be_accepted() -> None:
    events = [
        READY,
        ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-07", by="hospital"),
        ev("discharge_date_proposed", "2025-03-05 11:00", date="2025-03-08", by="hospital"),
    ]
    at = t("2025-03-05 13:00")
    assert not rules.check_transition(
        course(events), "discharge_date_accepted", at, data={"by": "municipality", "ref_seq": 2}
    ).value
    assert rules.check_transition(
        course(events), "discharge_date_accepted", at, data={"by": "municipality", "ref_seq": 3}
    ).value


def test_a_counter_proposal_is_accepted_by_the_hospital() -> None:
    events = [
        READY,
        ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-07", by="hospital"),
        ev("discharge_date_proposed", "2025-03-05 12:00", date="2025-03-10", by="municipality"),
        ev("discharge_date_accepted", "2025-03-05 14:00", by="hospital"),
    ]
    assert rules.agreed_discharge_date(course(events)) == dt.date(2025, 3, 10)


def test_the_municipality_disputes_a_phone_agreement() -> None:
    events = [READY, agreed("2025-03-05 10:00", date="2025-03-09")]
    assert rules.agreed_discharge_date(course(events)) == dt.date(2025, 3, 9)
    dispute = rules.check_transition(
        course(events), "discharge_agreement_disputed", t("2025-03-05 12:00"), data={"by": "municipality"}
    )
    assert dispute.value is True
    own = rules.check_transition(
        course(events), "discharge_agreement_disputed", t("2025-03-05 12:00"), data={"by": "hospital"}
    )
    assert own.value is False
    disputed = course([*events, ev("discharge_agreement_disputed", "2025-03-05 12:00", by="municipality")])
    assert rules.agreed_discharge_date(disputed) is None
    assert rules.billable_days(disputed, t("2025-03-09 12:00")).value["days"] == 0
    [alert] = [
        a for a in rules.alerts(disputed, t("2025-03-05 13:00")) if a.rule == "discharge_agreement_disputed"
    ]
    assert alert.party == "hospital"


def test_a_disputed_weekend_agreement_no_longer_allows_the_weekend_discharge() -> None:
    events = [
        ev("ready_for_discharge", "2025-03-13 09:00"),
        weekend_agreed("2025-03-14 11:00"),
        ev("discharge_agreement_disputed", "2025-03-14 12:00", by="municipality", ref_seq=2),
    ]
    nursing = {"municipal_nursing_after_discharge": True}
    assert not rules.check_transition(course(events, **nursing), "discharged", t("2025-03-15 11:00")).value
    assert rules.check_transition(course(events[:2], **nursing), "discharged", t("2025-03-15 11:00")).value


def test_nothing_to_dispute_without_a_phone_agreement() -> None:
    assert not rules.check_transition(
        course([READY]), "discharge_agreement_disputed", t("2025-03-05 12:00")
    ).value


# --- no proposal in the past ------------------------------------------------------------------------------------


def test_a_proposal_for_a_past_date_is_refused_in_danish_dates() -> None:
    snap = course([READY])

    def propose(at: dt.datetime, day: str) -> bool:
        return rules.check_transition(snap, "discharge_date_proposed", at, data={"date": day}).value

    assert not propose(t("2025-03-06 10:00"), "2025-03-05")
    assert propose(t("2025-03-06 10:00"), "2025-03-06")  # today is fine
    # 23:30 UTC on 05.03 is already 06.03 in Denmark: the 5th is in the past there
    assert not propose(dt.datetime(2025, 3, 5, 23, 30, tzinfo=dt.UTC), "2025-03-05")


def test_a_stale_proposal_cannot_be_accepted_and_asks_the_proposer_for_a_new_date() -> None:
    events = [READY, ev("discharge_date_proposed", "2025-03-05 10:00", date="2025-03-06", by="hospital")]
    assert not rules.check_transition(
        course(events), "discharge_date_accepted", t("2025-03-07 09:00"), data={"by": "municipality"}
    ).value
    [alert] = [
        a for a in rules.alerts(course(events), t("2025-03-07 09:00")) if a.rule == "discharge_date_proposed"
    ]
    assert alert.party == "hospital" and "passeret" in alert.text.da


# --- billing: the days between the ready date and the agreed date ----------------------------------------------


def test_the_municipality_pays_for_the_days_between_the_ready_date_and_the_agreed_date() -> None:
    kept_longer = [READY, agreed("2025-03-05 10:00", date="2025-03-07"), ev("discharged", "2025-03-10 11:00")]
    value = rules.billable_days(course(kept_longer), t("2025-03-11 12:00")).value
    assert value["nights"] == ["2025-03-05", "2025-03-06"] and value["accruing_days"] == 5
    earlier = [READY, agreed("2025-03-05 10:00", date="2025-03-09"), ev("discharged", "2025-03-07 11:00")]
    assert rules.billable_days(course(earlier), t("2025-03-11 12:00")).value["days"] == 2
