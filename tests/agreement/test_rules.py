"""The rules core, rule by rule, with fixed times (no database, no clock)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.agreement import calendar, rules
from sektorbro.agreement.cli import evaluate_main
from sektorbro.agreement.evaluate import evaluate
from sektorbro.agreement.model import (
    CPH,
    AcuteFunction,
    AgreementSettings,
    CitizenFacts,
    CourseSnapshot,
    Event,
    RuleInputError,
)
from sektorbro.agreement.scenario import ScenarioError, evaluate_scenario
from sektorbro.agreement.tariffs import load_tariffs

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
TARIFFS = load_tariffs()


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CPH)


def course(events: list[Event] = (), **kw: Any) -> CourseSnapshot:  # type: ignore[assignment]
    numbered = tuple(Event(e.type, e.at, e.date, e.seq or i + 1, e.data) for i, e in enumerate(events))
    defaults: dict[str, Any] = {"area": "somatic", "track": "acute", "admitted_at": t("2025-03-03 10:00")}
    defaults.update(kw)
    return CourseSnapshot(events=numbered, **defaults)


# --- Færdigbehandlet ------------------------------------------------------------------------------------------


def test_a_terminal_patient_is_never_registered_ready() -> None:
    snap = course(citizen=CitizenFacts(terminal=True))
    decision = rules.check_transition(snap, "ready_for_discharge", t("2025-03-05 09:00"))
    assert decision.value is False and "aftalen 2.1" in decision.sources
    assessed = course([Event("terminal_assessed", t("2025-03-04 09:00"))])
    assert rules.check_transition(assessed, "ready_for_discharge", t("2025-03-05 09:00")).value is False


def test_the_ready_date_cannot_be_moved_without_treatment_resumed() -> None:
    snap = course([Event("ready_for_discharge", t("2025-03-05 09:00"))])
    refused = rules.check_transition(snap, "ready_for_discharge", t("2025-03-06 09:00"))
    assert refused.value is False and "behandling genoptaget" in refused.reasons[0].da
    resumed = course(
        [
            Event("ready_for_discharge", t("2025-03-05 09:00")),
            Event("treatment_resumed", t("2025-03-06 08:00")),
        ]
    )
    assert rules.status(resumed) == "admitted"
    assert rules.check_transition(resumed, "ready_for_discharge", t("2025-03-07 09:00")).value is True


def test_treatment_resumed_needs_a_ready_registration() -> None:
    assert rules.check_transition(course(), "treatment_resumed", t("2025-03-05 09:00")).value is False


def test_same_day_discharge_needs_no_registration() -> None:
    snap = course([Event("discharge_date_agreed", date=dt.date(2025, 3, 5))])
    decision = rules.ready_for_discharge(snap, t("2025-03-05 09:00"))
    assert decision.value["registrable"] is True
    assert any("samme dag" in r.da for r in decision.reasons)


# --- Bed days --------------------------------------------------------------------------------------------------


def billing(events: list[Event], at: str = "2025-03-20 12:00", **kw: Any) -> dict[str, Any]:
    return rules.billable_days(course(events, **kw), t(at), TARIFFS).value


def test_nights_from_ready_date_to_discharge_are_billed_when_the_agreed_date_is_later() -> None:
    value = billing(
        [
            Event("ready_for_discharge", t("2025-03-07 09:00")),
            Event("discharge_date_agreed", date=dt.date(2025, 3, 10)),
            Event("discharged", t("2025-03-10 11:00")),
        ]
    )
    assert value["days"] == 3 and value["nights"] == ["2025-03-07", "2025-03-08", "2025-03-09"]
    assert value["amount_dkk"] == 3 * 2300.0 and value["tariff_is_example"] is True


def test_no_billing_when_the_agreed_date_is_the_ready_date_or_missing() -> None:
    same = billing(
        [
            Event("ready_for_discharge", t("2025-03-07 09:00")),
            Event("discharge_date_agreed", date=dt.date(2025, 3, 7)),
            Event("discharged", t("2025-03-09 11:00")),
        ]
    )
    assert same["days"] == 0 and same["accruing_days"] == 2
    none = billing(
        [Event("ready_for_discharge", t("2025-03-07 09:00")), Event("discharged", t("2025-03-09 11:00"))]
    )
    assert none["days"] == 0


def test_nights_after_treatment_resumed_are_not_billed_twice_resumed() -> None:
    value = billing(
        [
            Event("ready_for_discharge", t("2025-03-05 09:00")),
            Event("treatment_resumed", t("2025-03-07 15:00")),
            Event("ready_for_discharge", t("2025-03-09 09:00")),
            Event("treatment_resumed", t("2025-03-10 11:00")),
            Event("ready_for_discharge", t("2025-03-12 09:00")),
            Event("discharge_date_agreed", date=dt.date(2025, 3, 15)),
            Event("discharged", t("2025-03-15 10:00")),
        ]
    )
    assert value["nights"] == [
        "2025-03-05",
        "2025-03-06",
        "2025-03-09",
        "2025-03-12",
        "2025-03-13",
        "2025-03-14",
    ]


def test_days_accrue_while_the_patient_waits() -> None:
    value = billing(
        [
            Event("ready_for_discharge", t("2025-03-07 09:00")),
            Event("discharge_date_agreed", date=dt.date(2025, 3, 12)),
        ],
        at="2025-03-10 08:00",
    )
    assert value["days"] == 3


def test_tariff_table_is_dated() -> None:
    value = billing(
        [
            Event("ready_for_discharge", t("2025-12-30 09:00")),
            Event("discharge_date_agreed", date=dt.date(2026, 1, 2)),
            Event("discharged", t("2026-01-02 10:00")),
        ],
        at="2026-01-05 12:00",
        admitted_at=t("2025-12-20 10:00"),
    )
    assert value["amount_dkk"] == 2 * 2300.0 + 2400.0


stamp = st.integers(min_value=0, max_value=24 * 40)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["ready_for_discharge", "treatment_resumed"]), stamp), max_size=8),
    stamp,
    st.integers(0, 30),
)
def test_billable_days_are_never_negative_nor_more_than_the_nights_of_the_stay(
    moves: list[tuple[str, int]], stay_hours: int, agreed_offset: int
) -> None:
    admitted = t("2025-01-01 10:00")
    end = admitted + dt.timedelta(hours=stay_hours)
    events = [
        Event(kind, admitted + dt.timedelta(hours=h))
        for kind, h in sorted(moves, key=lambda m: m[1])
        if h <= stay_hours
    ]
    events.append(Event("discharge_date_agreed", date=dt.date(2025, 1, 1) + dt.timedelta(days=agreed_offset)))
    events.append(Event("discharged", end))
    snap = course(events, admitted_at=admitted, discharge_destination="own_home")
    value = rules.billable_days(snap, end + dt.timedelta(days=1), TARIFFS).value
    stay_nights = (end.astimezone(CPH).date() - admitted.astimezone(CPH).date()).days
    assert 0 <= value["days"] <= value["accruing_days"] <= stay_nights


# --- 72 hours --------------------------------------------------------------------------------------------------


def discharged(hours: float, destination: str, **kw: Any) -> CourseSnapshot:
    admitted = t("2025-03-03 10:00")
    end = admitted + dt.timedelta(hours=hours)
    events = [
        Event("ready_for_discharge", admitted + dt.timedelta(hours=hours / 2)),
        Event("discharged", end, data={"destination": destination}),
    ]
    return course(events, admitted_at=admitted, discharge_destination=destination, **kw)


def test_72_hours_applies_to_a_long_somatic_stay_discharged_to_a_municipal_place() -> None:
    snap = discharged(72, "temporary_bed")
    value = rules.extended_responsibility(snap, t("2025-03-07 12:00")).value
    assert value["applies"] is True and value["active"] is True
    assert value["until"] == (t("2025-03-06 10:00") + dt.timedelta(hours=72)).isoformat()


def test_exactly_24_hours_is_not_enough() -> None:
    assert (
        rules.extended_responsibility(discharged(24, "nursing_home"), t("2025-03-05 12:00")).value["applies"]
        is False
    )
    assert (
        rules.extended_responsibility(discharged(24.1, "nursing_home"), t("2025-03-05 12:00")).value[
            "applies"
        ]
        is True
    )


def test_own_home_needs_municipal_nursing() -> None:
    without = discharged(48, "own_home")
    with_nursing = discharged(48, "own_home", municipal_nursing_after_discharge=True)
    assert rules.extended_responsibility(without, t("2025-03-06 12:00")).value["applies"] is False
    assert rules.extended_responsibility(with_nursing, t("2025-03-06 12:00")).value["applies"] is True


def test_start_dates_differ_for_places_and_own_home() -> None:
    admitted = t("2023-10-01 10:00")
    events = [Event("ready_for_discharge", t("2023-10-03 10:00")), Event("discharged", t("2023-10-05 10:00"))]
    place = course(events, admitted_at=admitted, discharge_destination="nursing_home")
    home = course(
        events, admitted_at=admitted, discharge_destination="own_home", municipal_nursing_after_discharge=True
    )
    assert rules.extended_responsibility(place, t("2023-10-06 10:00")).value["applies"] is True
    assert rules.extended_responsibility(home, t("2023-10-06 10:00")).value["applies"] is False


@given(
    st.floats(min_value=1, max_value=500),
    st.sampled_from(["own_home", "nursing_home", "temporary_bed", "municipal_acute_bed"]),
)
def test_72_hours_never_applies_to_psychiatry(hours: float, destination: str) -> None:
    snap = discharged(hours, destination, area="psychiatric", municipal_nursing_after_discharge=True)
    assert rules.extended_responsibility(snap, t("2025-04-01 12:00")).value["applies"] is False


# --- Responsible doctor ----------------------------------------------------------------------------------------


def test_responsible_doctor_before_during_and_after_the_stay() -> None:
    snap = course([Event("discharged", t("2025-03-08 10:00"))], discharge_destination="own_home")
    assert rules.responsible_doctor(snap, t("2025-03-02 10:00")).value["party"] == "gp"
    assert rules.responsible_doctor(snap, t("2025-03-05 10:00")).value["party"] == "hospital"
    assert rules.responsible_doctor(snap, t("2025-03-09 10:00")).value["party"] == "gp"


def test_acute_function_referred_by_hospital_is_the_hospital_around_the_clock() -> None:
    acute = AcuteFunction("hospital", t("2025-03-08 10:00"))
    snap = course([Event("discharged", t("2025-03-08 10:00"))], citizen=CitizenFacts(acute_function=acute))
    decision = rules.responsible_doctor(snap, t("2025-03-09 03:00"))  # a Sunday night
    assert decision.value == {"party": "hospital", "phone_route": "hospital_24_7"}


def test_acute_function_referred_by_gp_uses_the_weekday_line() -> None:
    acute = AcuteFunction("out_of_hours", t("2025-03-10 10:00"), until=t("2025-03-20 10:00"))
    snap = course([Event("discharged", t("2025-03-08 10:00"))], citizen=CitizenFacts(acute_function=acute))
    assert rules.responsible_doctor(snap, t("2025-03-11 09:00")).value["phone_route"] == "gp_direct_line"
    assert rules.responsible_doctor(snap, t("2025-03-11 16:00")).value["phone_route"] == "out_of_hours"
    assert rules.responsible_doctor(snap, t("2025-03-21 09:00")).value["phone_route"] == "gp"


# --- Documents -------------------------------------------------------------------------------------------------


def docs(**kw: Any) -> dict[str, list[str]]:
    return rules.required_documents(course(**kw), t("2025-03-20 12:00")).value


def test_documents_follow_the_citizens_affiliations() -> None:
    assert docs(citizen=CitizenFacts(elderly_care=True))["required"] == [
        "admission_report", "care_plan", "discharge_report", "discharge_summary", "fmk_update"
    ]  # fmt: skip
    assert docs(citizen=CitizenFacts(social_area=True))["required"] == [
        "correspondence",
        "discharge_summary",
        "fmk_update",
    ]
    both = docs(citizen=CitizenFacts(elderly_care=True, social_area=True), rehabilitation_needed=True)[
        "required"
    ]
    assert {"care_plan", "correspondence", "rehab_plan"} <= set(both)
    assert docs(area="psychiatric")["required"][:2] == ["discharge_agreement", "coordination_plan"]


def test_missing_documents_disappear_when_recorded() -> None:
    snap = course([Event("care_plan_sent", t("2025-03-04 10:00")), Event("fmk_updated", t("2025-03-05 10:00"))],
                  citizen=CitizenFacts(elderly_care=True))  # fmt: skip
    missing = rules.required_documents(snap, t("2025-03-06 10:00")).value["missing"]
    assert "care_plan" not in missing and "fmk_update" not in missing and "discharge_report" in missing


# --- Deadlines -------------------------------------------------------------------------------------------------


def rule(deadlines: list[Any], rule_id: str) -> Any:
    return next(d for d in deadlines if d.rule == rule_id)


def test_admission_report_within_24_hours() -> None:
    snap = course(citizen=CitizenFacts(elderly_care=True))
    assert rule(rules.deadlines(snap, t("2025-03-04 09:59")), "P04").status == "open"
    assert rule(rules.deadlines(snap, t("2025-03-04 10:01")), "P04").status == "overdue"
    done = course(
        [Event("admission_report_sent", t("2025-03-03 18:00"))], citizen=CitizenFacts(elderly_care=True)
    )
    assert rule(rules.deadlines(done, t("2025-03-05 10:00")), "P04").status == "met"


@pytest.mark.parametrize(("sent", "due"), [("14:29", "2025-03-04 15:00"), ("14:30", "2025-03-05 15:00")])
def test_correspondence_to_a_ward_cut_off_at_14_30(sent: str, due: str) -> None:
    snap = course([Event("correspondence_sent", t(f"2025-03-04 {sent}"), data={"to": "hospital"})])
    assert rule(rules.deadlines(snap, t("2025-03-04 16:00")), "P18").due == t(due)


def test_clinics_read_on_weekdays_only_and_holidays_are_known() -> None:
    # Friday before Easter 2025 is Langfredag (18.04), Monday 21.04 is 2. påskedag: the next weekday is Tuesday.
    sent = t("2025-04-17 15:00")  # Skærtorsdag, a public holiday, after the cut-off
    assert calendar.is_public_holiday(dt.date(2025, 4, 21))
    assert calendar.read_by(sent, "clinic", AgreementSettings()) == t("2025-04-22 15:00")
    assert calendar.read_by(sent, "ward", AgreementSettings()) == t("2025-04-18 15:00")


def test_weekend_or_holiday_discharge_needs_an_agreement() -> None:
    ready = [Event("ready_for_discharge", t("2025-05-26 09:00"))]
    snap = course(ready, admitted_at=t("2025-05-20 10:00"))
    ascension = t("2025-05-29 11:00")  # Kristi himmelfartsdag
    refused = rules.check_transition(snap, "discharged", ascension)
    assert refused.value is False and refused.sources == ("flowchart P13",)
    assert "helligdag" in refused.reasons[0].da
    agreed = course(
        [*ready, Event("weekend_discharge_agreed", t("2025-05-27 10:00"))], admitted_at=t("2025-05-20 10:00")
    )
    assert rules.check_transition(agreed, "discharged", ascension).value is True
    assert rules.check_transition(snap, "discharged", ascension, source="message").value is True
    assert rules.check_transition(snap, "discharged", t("2025-05-28 11:00")).value is True


def test_care_plan_by_noon_on_the_discharge_day_or_a_phone_call() -> None:
    elderly = CitizenFacts(elderly_care=True)
    on_time = course(
        [Event("care_plan_sent", t("2025-03-10 11:59")), Event("discharged", t("2025-03-10 15:00"))],
        citizen=elderly,
    )
    assert not [d for d in rules.deadlines(on_time, t("2025-03-10 16:00")) if d.rule == "P14"]
    late = course(
        [Event("care_plan_sent", t("2025-03-10 12:01")), Event("discharged", t("2025-03-10 15:00"))],
        citizen=elderly,
    )
    assert rule(rules.deadlines(late, t("2025-03-10 16:00")), "P14").status == "overdue"


def test_friday_afternoon_admission_points_to_local_procedures() -> None:
    friday_noon = course(admitted_at=t("2025-03-14 12:00"))
    assert [a["rule"] for a in rules.alerts(friday_noon, t("2025-03-14 13:00"))] == ["P15"]
    friday_morning = course(admitted_at=t("2025-03-14 11:59"))
    assert rules.alerts(friday_morning, t("2025-03-14 13:00")) == []
    late_cluster = AgreementSettings(friday_afternoon_by_cluster=(("randersklyngen", dt.time(14, 0)),))
    randers = course(admitted_at=t("2025-03-14 12:00"), cluster="randersklyngen")
    assert rules.alerts(randers, t("2025-03-14 13:00"), late_cluster) == []


def test_municipality_reads_once_per_shift() -> None:
    snap = course([Event("correspondence_sent", t("2025-03-04 16:10"), data={"to": "municipality"})])
    assert rule(rules.deadlines(snap, t("2025-03-04 17:00")), "A05").due == t("2025-03-04 23:00")


def test_every_decision_carries_a_source() -> None:
    snap = discharged(60, "nursing_home", citizen=CitizenFacts(elderly_care=True))
    result = evaluate(snap, t("2025-03-07 12:00"), TARIFFS)
    for key in ("ready_for_discharge", "extended_responsibility_72h", "responsible_doctor"):
        assert result[key]["sources"], key
        assert all({"da", "en"} <= set(r) for r in result[key]["reasons"])


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(RuleInputError, match="time zone"):
        Event("admitted", dt.datetime(2025, 1, 1, 10, 0))


# --- Scenarios and the CLI -------------------------------------------------------------------------------------


def _subset(expected: Any, actual: Any, path: str = "") -> None:
    if isinstance(expected, dict):
        for key, value in expected.items():
            if key == "deadlines_include":
                assert set(value) <= {d["rule"] for d in actual["deadlines"]}, path
                continue
            _subset(value, actual[key], f"{path}.{key}")
    else:
        assert actual == expected, path


@pytest.mark.parametrize(
    "example",
    sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json")),
    ids=lambda p: p.stem,
)
def test_documented_example_scenarios(example: Path) -> None:
    expected = json.loads(example.with_suffix(".expected.json").read_text())
    out, err = StringIO(), StringIO()
    assert evaluate_main(str(example), out, err) == 0, err.getvalue()
    _subset(expected, json.loads(out.getvalue()))


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"at": "yesterday"}, "at: not an ISO 8601 datetime"),
        ({"at": "2025-03-11T12:00:00"}, "at: the datetime needs a UTC offset"),
        ({"course": {"area": "dental"}}, "course.area: must be one of"),
        (
            {"course": {"events": [{"type": "teleported", "at": "2025-03-04T10:00:00+01:00"}]}},
            "course.events[0].type",
        ),
        ({"course": {"events": [{"type": "admitted"}]}}, "course.events[0]: needs 'at'"),
        ({"citizen": {"elderly_care": "yes"}}, "citizen.elderly_care: must be true or false"),
        (
            {"course": {"discharged_at": "2025-03-01T10:00:00+01:00"}},
            "course.discharged_at: must not be before",
        ),
    ],
)
def test_malformed_scenarios_name_the_field(patch: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {
        "at": "2025-03-11T12:00:00+01:00",
        "citizen": {},
        "course": {
            "area": "somatic",
            "track": "acute",
            "admitted_at": "2025-03-03T10:00:00+01:00",
            "events": [],
        },
    }
    for key, value in patch.items():
        if isinstance(value, dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    with pytest.raises(ScenarioError) as err:
        evaluate_scenario(base)
    assert message in str(err.value)


def test_the_cli_reports_missing_files_and_bad_json(tmp_path: Path) -> None:
    err = StringIO()
    assert (
        evaluate_main(str(tmp_path / "none.json"), StringIO(), err) == 2 and "no such file" in err.getvalue()
    )
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    err = StringIO()
    assert evaluate_main(str(bad), StringIO(), err) == 2 and "line 1" in err.getvalue()
