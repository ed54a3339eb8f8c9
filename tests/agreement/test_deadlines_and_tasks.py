"""The flowchart's clock rules as deadlines (P04, P05, P09, P10, P13, P14, P18, P19, A02, A05), the alerts
without a deadline (P12, P15, S02, ready without an agreed date) and the task list built from them."""

from __future__ import annotations

import datetime as dt

import pytest

from sektorbro.agreement import rules
from sektorbro.agreement.model import AgreementSettings, CitizenFacts, Event
from tests.agreement.helpers import agreed, course, ev, find, rules_of, t, weekend_agreed

ELDERLY = CitizenFacts(elderly_care=True)


# --- P04 / P05 -------------------------------------------------------------------------------------------------


def test_p04_admission_report_within_24_hours() -> None:
    snap = course(citizen=ELDERLY)
    assert find(rules.deadlines(snap, t("2025-03-04 10:00")), "P04").status == "open"  # exactly 24 h
    overdue = find(rules.deadlines(snap, t("2025-03-04 10:01")), "P04")
    assert (
        overdue.status == "overdue" and overdue.party == "municipality" and overdue.source == "flowchart P04"
    )
    done = course([ev("admission_report_sent", "2025-03-03 18:00")], citizen=ELDERLY)
    met = find(rules.deadlines(done, t("2025-03-05 10:00")), "P04")
    assert met.status == "met" and met.late is False and met.met_at == t("2025-03-03 18:00")
    late = course([ev("admission_report_received", "2025-03-04 12:00")], citizen=ELDERLY)
    assert find(rules.deadlines(late, t("2025-03-05 10:00")), "P04").late is True


def test_p04_only_for_elderly_care_and_p05_only_for_planned_admissions() -> None:
    assert "P04" not in rules_of(rules.deadlines(course(), t("2025-03-05 10:00")))
    assert "P05" not in rules_of(rules.deadlines(course(), t("2025-03-05 10:00")))
    planned = course(track="planned")
    assert find(rules.deadlines(planned, t("2025-03-04 10:01")), "P05").status == "overdue"
    made = course([ev("assessment_plan_made", "2025-03-03 15:00")], track="planned")
    assert find(rules.deadlines(made, t("2025-03-04 10:01")), "P05").status == "met"


def test_the_flowchart_deadlines_are_for_somatics() -> None:
    snap = course(
        [ev("discharged", "2025-03-15 10:00")], area="psychiatric", citizen=ELDERLY, track="planned"
    )
    assert rules.deadlines(snap, t("2025-03-16 10:00")) == []
    widened = AgreementSettings(flowchart_applies_to_psychiatry=True)
    assert {"P04", "P05", "P13"} <= set(rules_of(rules.deadlines(snap, t("2025-03-16 10:00"), widened)))


# --- short stays: P09 (planned) and A02 (acute) ----------------------------------------------------------------


def test_p09_short_planned_stay_needs_phone_and_letter() -> None:
    events = [ev("phone_contact_logged", "2025-03-03 14:00"), ev("discharged", "2025-03-03 18:00")]
    snap = course(events, track="planned", citizen=ELDERLY)
    assert find(rules.deadlines(snap, t("2025-03-03 19:00")), "P09").status == "overdue"
    both = course([events[0], ev("correspondence_sent", "2025-03-03 15:00", to="municipality"), events[1]],
                  track="planned", citizen=ELDERLY)  # fmt: skip
    met = find(rules.deadlines(both, t("2025-03-03 19:00")), "P09")
    assert met.status == "met" and met.met_at == t("2025-03-03 15:00")
    assert "P10" not in rules_of(rules.deadlines(both, t("2025-03-03 19:00")))


def test_a02_is_shown_while_a_short_acute_stay_is_possible() -> None:
    snap = course(municipal_nursing_after_discharge=True)
    live = find(rules.deadlines(snap, t("2025-03-03 20:00")), "A02")
    assert live.status == "open" and live.due == t("2025-03-04 10:00") and live.party == "hospital"
    assert "A02" not in rules_of(rules.deadlines(snap, t("2025-03-04 10:01")))  # now a longer stay: P10/P14


def test_a02_after_a_short_acute_stay() -> None:
    without = course([ev("discharged", "2025-03-03 22:00")], citizen=ELDERLY)
    assert find(rules.deadlines(without, t("2025-03-04 09:00")), "A02").status == "overdue"
    phoned = course(
        [ev("phone_contact_logged", "2025-03-03 21:00"), ev("discharged", "2025-03-03 22:00")],
        citizen=ELDERLY,
    )
    assert find(rules.deadlines(phoned, t("2025-03-04 09:00")), "A02").status == "met"
    assert "P09" not in rules_of(rules.deadlines(phoned, t("2025-03-04 09:00")))


def test_no_short_stay_rule_without_municipal_contact() -> None:
    snap = course([ev("discharged", "2025-03-03 22:00")])
    assert rules.deadlines(snap, t("2025-03-04 09:00")) == []


# --- P10 and P14 -----------------------------------------------------------------------------------------------


def discharge_on_monday(plan_at: str | None, *extra: Event) -> list[Event]:
    events = [
        ev("ready_for_discharge", "2025-03-07 09:00"),
        agreed("2025-03-07 10:00", date="2025-03-10"),
    ]
    if plan_at:
        events.append(ev("care_plan_sent", plan_at))
    return [*events, *extra]


def test_p10_care_plan_at_the_latest_noon_on_the_discharge_day() -> None:
    snap = course(discharge_on_monday(None), citizen=ELDERLY)
    p10 = find(rules.deadlines(snap, t("2025-03-08 10:00")), "P10")
    assert p10.status == "open" and p10.due == t("2025-03-10 12:00")
    assert find(rules.deadlines(snap, t("2025-03-10 12:01")), "P10").status == "overdue"
    no_date = course(citizen=ELDERLY)
    assert find(rules.deadlines(no_date, t("2025-03-05 10:00")), "P10").due is None


@pytest.mark.parametrize(("sent", "phone_needed"), [("11:59", False), ("12:00", False), ("12:01", True)])
def test_p14_same_day_action_needs_a_phone_call_unless_the_plan_came_by_noon(
    sent: str, phone_needed: bool
) -> None:
    snap = course(
        discharge_on_monday(f"2025-03-10 {sent}", ev("discharged", "2025-03-10 15:00")), citizen=ELDERLY
    )
    found = rules.deadlines(snap, t("2025-03-10 16:00"))
    assert ("P14" in rules_of(found)) is phone_needed
    if phone_needed:
        assert find(found, "P14").status == "overdue" and find(found, "P14").due == t("2025-03-10 15:00")


def test_p14_a_plan_from_the_discharge_morning_counts_unless_the_setting_says_otherwise() -> None:
    snap = course(
        discharge_on_monday("2025-03-10 08:00", ev("discharged", "2025-03-10 15:00")), citizen=ELDERLY
    )
    assert "P14" not in rules_of(rules.deadlines(snap, t("2025-03-10 16:00")))
    strict = AgreementSettings(care_plan_same_day_counts=False)
    assert "P14" in rules_of(rules.deadlines(snap, t("2025-03-10 16:00"), strict))


def test_p14_is_met_by_a_phone_call_on_the_discharge_day_or_the_day_before() -> None:
    events = discharge_on_monday(
        None, ev("phone_contact_logged", "2025-03-09 10:00"), ev("discharged", "2025-03-10 15:00")
    )
    p14 = find(rules.deadlines(course(events, citizen=ELDERLY), t("2025-03-10 16:00")), "P14")
    assert p14.status == "met" and p14.covers == ("phone_contact",)
    early = discharge_on_monday(
        None, ev("phone_contact_logged", "2025-03-07 11:00"), ev("discharged", "2025-03-10 15:00")
    )
    assert (
        find(rules.deadlines(course(early, citizen=ELDERLY), t("2025-03-10 16:00")), "P14").status
        == "overdue"
    )


def test_p14_while_waiting_is_open_until_the_end_of_the_planned_day() -> None:
    p14 = find(
        rules.deadlines(course(discharge_on_monday(None), citizen=ELDERLY), t("2025-03-10 12:30")), "P14"
    )
    assert p14.status == "open" and p14.due == t("2025-03-10 23:59")


# --- P13 -------------------------------------------------------------------------------------------------------


def test_p13_a_planned_weekend_discharge_needs_an_agreement() -> None:
    events = [
        ev("ready_for_discharge", "2025-03-13 09:00"),
        agreed("2025-03-13 10:00", date="2025-03-15"),
    ]
    p13 = find(rules.deadlines(course(events, citizen=ELDERLY), t("2025-03-14 12:00")), "P13")
    assert p13.status == "open" and p13.due == t("2025-03-15 00:00") and p13.party == "hospital+municipality"
    with_agreement = course([*events, weekend_agreed("2025-03-14 11:00")], citizen=ELDERLY)
    assert find(rules.deadlines(with_agreement, t("2025-03-14 12:00")), "P13").status == "met"


@pytest.mark.parametrize(
    ("day", "name"), [("2025-05-29", "kristi"), ("2025-04-21", "påske"), ("2025-06-09", "pinse")]
)
def test_p13_public_holidays_are_named(day: str, name: str) -> None:
    snap = course(
        [ev("discharged", f"{day} 11:00")],
        admitted_at=t(f"{day} 08:00") - dt.timedelta(days=3),
        municipal_nursing_after_discharge=True,
    )
    p13 = find(rules.deadlines(snap, t(f"{day} 12:00")), "P13")
    assert p13.status == "overdue" and name in p13.text.da.lower()


def test_p13_not_on_a_weekday() -> None:
    snap = course([ev("discharged", "2025-05-28 11:00")])
    assert "P13" not in rules_of(rules.deadlines(snap, t("2025-05-28 12:00")))


# --- correspondence reading: P18, P19, A05 ---------------------------------------------------------------------


@pytest.mark.parametrize(("sent", "due"), [("14:29", "2025-03-04 15:00"), ("14:30", "2025-03-05 15:00")])
def test_p18_ward_cut_off_at_14_30(sent: str, due: str) -> None:
    snap = course([ev("correspondence_sent", f"2025-03-04 {sent}", to="hospital")])
    p18 = find(rules.deadlines(snap, t("2025-03-04 16:00")), "P18")
    assert p18.due == t(due) and p18.status == ("overdue" if sent == "14:29" else "open")


def test_p19_clinic_letter_on_friday_afternoon_is_due_monday() -> None:
    snap = course([ev("correspondence_sent", "2025-03-14 14:30", to="hospital")], unit_kind="clinic")
    p19 = find(rules.deadlines(snap, t("2025-03-15 10:00")), "P19")
    assert p19.due == t("2025-03-17 15:00") and p19.status == "open"


def test_letters_are_read_by_reference_or_by_a_later_read() -> None:
    letter = Event("correspondence_sent", t("2025-03-04 10:00"), seq=1, data={"to": "hospital"})
    other = Event("correspondence_sent", t("2025-03-04 11:00"), seq=2, data={"to": "municipality"})
    read_one = Event("correspondence_read", t("2025-03-04 13:00"), seq=3, data={"ref_seq": 1})
    found = rules.deadlines(course([letter, other, read_one]), t("2025-03-05 16:00"))
    assert find(found, "P18").status == "met" and find(found, "A05").status == "overdue"
    read_all = Event("correspondence_read", t("2025-03-04 12:00"), seq=3, data={"by": "municipality"})
    found = rules.deadlines(course([letter, other, read_all]), t("2025-03-05 16:00"))
    assert find(found, "A05").status == "met" and find(found, "P18").status == "overdue"


def test_a05_municipality_reads_once_per_shift() -> None:
    snap = course([ev("correspondence_sent", "2025-03-04 16:10", to="municipality")])
    assert find(rules.deadlines(snap, t("2025-03-04 17:00")), "A05").due == t("2025-03-05 07:00")
    strict = AgreementSettings(municipal_read_grace_shifts=0)
    assert find(rules.deadlines(snap, t("2025-03-04 17:00"), strict), "A05").due == t("2025-03-04 23:00")


def test_reading_rules_apply_to_psychiatry_too() -> None:
    snap = course([ev("correspondence_sent", "2025-03-04 10:00", to="hospital")], area="psychiatric")
    assert rules_of(rules.deadlines(snap, t("2025-03-04 16:00"))) == ["P18"]


def test_no_deadlines_for_a_cancelled_course() -> None:
    snap = course([ev("correspondence_sent", "2025-03-04 10:00", to="hospital"), ev("cancelled", "2025-03-04 11:00")],
                  citizen=ELDERLY)  # fmt: skip
    assert (
        rules.deadlines(snap, t("2025-03-05 10:00")) == [] and rules.tasks(snap, t("2025-03-05 10:00")) == []
    )


# --- alerts ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("admitted", "alert"), [("2025-03-14 11:59", False), ("2025-03-14 12:00", True)])
def test_p15_friday_afternoon(admitted: str, alert: bool) -> None:
    snap = course(admitted_at=t(admitted))
    found = [a.rule for a in rules.alerts(snap, t("2025-03-14 13:00"))]
    assert ("P15" in found) is alert


def test_p15_per_cluster_and_until_monday_noon() -> None:
    later = AgreementSettings(friday_afternoon_by_cluster=(("randersklyngen", dt.time(14, 0)),))
    randers = course(admitted_at=t("2025-03-14 12:00"), cluster="randersklyngen")
    assert rules.alerts(randers, t("2025-03-14 13:00"), later) == []
    snap = course(admitted_at=t("2025-03-14 12:00"))
    (p15,) = [a for a in rules.alerts(snap, t("2025-03-15 10:00")) if a.rule == "P15"]
    assert p15.until == t("2025-03-17 12:00") and p15.source == "flowchart P15"
    assert [a for a in rules.alerts(snap, t("2025-03-17 12:01")) if a.rule == "P15"] == []
    stays = course([ev("discharged", "2025-03-18 10:00")], admitted_at=t("2025-03-14 12:00"))
    assert [a for a in rules.alerts(stays, t("2025-03-18 11:00")) if a.rule == "P15"] == []


def test_p15_moves_past_a_holiday_monday() -> None:
    snap = course(admitted_at=t("2025-06-06 15:00"))  # Friday before 2. pinsedag
    (p15,) = [a for a in rules.alerts(snap, t("2025-06-07 10:00")) if a.rule == "P15"]
    assert p15.until == t("2025-06-10 12:00")
    literal = AgreementSettings(p15_skip_holiday_monday=False)
    (p15,) = [a for a in rules.alerts(snap, t("2025-06-07 10:00"), literal) if a.rule == "P15"]
    assert p15.until == t("2025-06-09 12:00")


def test_alerts_for_ready_without_date_unmarked_care_plan_update_and_fmk() -> None:
    snap = course(
        [
            ev("ready_for_discharge", "2025-03-05 09:00"),
            ev("care_plan_sent", "2025-03-04 10:00"),
            ev("care_plan_sent", "2025-03-05 10:00"),
        ]
    )
    assert {a.rule for a in rules.alerts(snap, t("2025-03-05 12:00"))} == {"aftalen 2.1", "P12"}
    marked = course(
        [
            ev("care_plan_sent", "2025-03-04 10:00"),
            ev("care_plan_sent", "2025-03-05 10:00", changes=[{"dato": "2025-03-05", "nyt": "rollator"}]),
        ]
    )
    assert rules.alerts(marked, t("2025-03-05 12:00")) == []
    gone = course([ev("discharged", "2025-03-06 10:00")])
    assert [a.rule for a in rules.alerts(gone, t("2025-03-06 12:00"))] == ["S02"]
    updated = course([ev("fmk_updated", "2025-03-06 09:00"), ev("discharged", "2025-03-06 10:00")])
    assert rules.alerts(updated, t("2025-03-06 12:00")) == []


# --- tasks -----------------------------------------------------------------------------------------------------


def test_tasks_list_open_work_without_repeating_what_a_deadline_asks_for() -> None:
    snap = course(discharge_on_monday(None), citizen=ELDERLY)
    tasks = rules.tasks(snap, t("2025-03-10 12:30"))
    codes = [task.code for task in tasks]
    assert codes[:2] == ["deadline:P04", "deadline:P10"]  # overdue first, the earliest first
    assert "deadline:P14" in codes
    assert "document:care_plan" not in codes and "document:admission_report" not in codes
    assert "document:phone_contact" not in codes
    assert {"document:discharge_report", "document:fmk_update", "document:discharge_summary"} <= set(codes)
    assert all(task.source for task in tasks)
    p04 = tasks[0]
    assert p04.party == "municipality" and p04.overdue is True


def test_discharge_documents_wait_until_the_discharge_is_near() -> None:
    early = [task.code for task in rules.tasks(course(citizen=ELDERLY), t("2025-03-05 10:00"))]
    assert "document:discharge_report" not in early and "document:fmk_update" not in early


def test_missing_discharge_documents_are_overdue_after_the_discharge_but_the_epikrise_is_not() -> None:
    snap = course([ev("discharged", "2025-03-06 10:00")])
    tasks = {task.code: task for task in rules.tasks(snap, t("2025-03-06 12:00"))}
    assert tasks["document:fmk_update"].overdue is True
    assert (
        tasks["document:discharge_summary"].overdue is False
        and tasks["document:discharge_summary"].due is None
    )
    assert tasks["alert:S02"].party == "hospital"


def test_psychiatric_agreements_are_tasks_for_the_hospital() -> None:
    snap = course(
        [ev("ready_for_discharge", "2025-03-05 09:00")],
        area="psychiatric",
        citizen=CitizenFacts(social_area=True),
    )
    tasks = {task.code: task for task in rules.tasks(snap, t("2025-03-05 12:00"))}
    assert tasks["document:discharge_agreement"].source == "bilag 2"
    assert tasks["document:coordination_plan"].party == "hospital"
    assert tasks["document:correspondence"].party == "hospital"
