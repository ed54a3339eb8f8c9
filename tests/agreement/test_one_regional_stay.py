"""Issue 17, "A stay in the region is one stay, across hospitals" (aftalen 2.2: admission "på en somatisk
afdeling i Region Midtjylland i over 24 timer"): a course that continues a stay at another region hospital is
judged over the whole regional stay."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sektorbro.agreement import rules
from sektorbro.agreement.model import (
    AgreementSettings,
    CitizenFacts,
    CourseSnapshot,
    EarlierStay,
    Event,
    RuleInputError,
)
from tests.agreement.helpers import course, ev, find, rules_of, t

ELDERLY = CitizenFacts(elderly_care=True)
RANDERS = EarlierStay(
    hospital="Regionshospitalet Randers",
    admitted_at=t("2025-03-03 10:00"),
    ended_at=t("2025-03-08 10:00"),
    admission_report_at=t("2025-03-03 12:00"),
)
GONE_HOME = ev("discharged", "2025-03-09 09:00", destination="own_home")  # 22 hours at the second hospital
AFTER = t("2025-03-09 10:00")


def second(*events: Event, earlier: tuple[EarlierStay, ...] = (RANDERS,), **kw: Any) -> CourseSnapshot:
    values = {
        "admitted_at": t("2025-03-08 11:00"),
        "citizen": ELDERLY,
        "municipal_nursing_after_discharge": True,
        "earlier_stays": earlier,
    }
    values.update(kw)
    return course(list(events), **values)


def test_five_days_and_22_hours_at_a_second_hospital_is_not_a_short_stay() -> None:
    assert rules.is_short_stay(second(GONE_HOME), AFTER) is False
    assert rules.stay_hours(second(GONE_HOME), t("2025-03-09 09:00")) == pytest.approx(143.0)
    # the same 22 hours without the earlier stay: a short stay
    assert rules.is_short_stay(second(GONE_HOME, earlier=()), AFTER) is True


def test_the_72_hour_responsibility_applies_over_the_regional_stay() -> None:
    window = rules.extended_responsibility(second(GONE_HOME), AFTER)
    assert window.value["applies"] is True and window.value["active"] is True
    assert rules.extended_responsibility(second(GONE_HOME, earlier=()), AFTER).value["applies"] is False


def test_the_care_plan_and_discharge_report_not_phone_and_letter() -> None:
    documents = rules.required_documents(second(GONE_HOME), AFTER).value
    assert {"care_plan", "discharge_report"} <= set(documents["required"])
    assert "phone_contact" not in documents["required"] and "correspondence" not in documents["required"]
    deadlines = rules.deadlines(second(GONE_HOME), AFTER)
    assert (
        "P10" in rules_of(deadlines) and "P09" not in rules_of(deadlines) and "A02" not in rules_of(deadlines)
    )


def test_the_admission_report_sent_for_the_first_hospital_is_not_demanded_again() -> None:
    running = second()
    at = t("2025-03-08 12:00")
    assert "admission_report" not in rules.required_documents(running, at).value["missing"]
    assert find(rules.deadlines(running, at), "P04").status == "met"
    assert "document:admission_report" not in {task.code for task in rules.tasks(running, at)}


def test_a_missing_admission_report_is_due_from_the_first_admission() -> None:
    without = EarlierStay("Regionshospitalet Randers", t("2025-03-03 10:00"), t("2025-03-08 10:00"))
    p04 = find(rules.deadlines(second(earlier=(without,)), t("2025-03-08 12:00")), "P04")
    assert p04.due == t("2025-03-04 10:00") and p04.status == "overdue"


def test_the_first_hospital_hands_its_work_over_at_a_transfer() -> None:
    """The first course ends with the citizen moved to another hospital: its before-discharge work is neither
    open nor missed, and the discharge documents to the municipality pass to the receiving hospital."""
    moved = course(
        [
            ev("ready_for_discharge", "2025-03-07 09:00"),
            ev("discharged", "2025-03-08 10:00", destination="other_hospital"),
        ],
        citizen=ELDERLY,
        municipal_nursing_after_discharge=True,
        rehabilitation_needed=True,
    )
    at = t("2025-03-08 12:00")
    codes = {task.code for task in rules.tasks(moved, at)}
    assert codes <= {"document:fmk_update", "alert:S02", "document:admission_report", "deadline:P04"}
    assert not {"deadline:P10", "deadline:P14", "document:discharge_report", "document:rehab_plan"} & codes
    assert rules.missed(moved, at) == []
    assert set(rules.required_documents(moved, at).value["required"]) <= {"admission_report", "fmk_update"}


def test_a_short_regional_stay_is_still_short() -> None:
    brief = EarlierStay("Regionshospitalet Randers", t("2025-03-08 00:00"), t("2025-03-08 10:00"))
    home = ev("discharged", "2025-03-08 20:00", destination="own_home")  # 20 hours in all
    assert rules.is_short_stay(second(home, earlier=(brief,)), AFTER) is True


def test_the_transfer_gap_is_a_setting() -> None:
    assert AgreementSettings().transfer_gap_hours == 4
    with pytest.raises(RuleInputError):
        AgreementSettings(transfer_gap_hours=-1)


def test_an_earlier_stay_after_the_admission_is_refused() -> None:
    later = EarlierStay("X", t("2025-03-09 10:00"), t("2025-03-09 11:00"))
    with pytest.raises(RuleInputError, match="earlier_stays"):
        second(earlier=(later,))


@pytest.mark.parametrize(
    ("admitted", "continues"),
    [
        ("2025-03-08 10:00", True),  # at the discharge
        ("2025-03-08 14:00", True),  # exactly 4 hours after
        ("2025-03-08 14:01", False),
        ("2025-03-08 09:30", True),  # registered before the discharge: the clocks differ
        ("2025-03-03 09:00", False),  # before the first admission
    ],
)
def test_continues_stay_at_its_boundaries(admitted: str, continues: bool) -> None:
    assert rules.continues_stay(t("2025-03-03 10:00"), t("2025-03-08 10:00"), t(admitted)) is continues


def test_a_wider_gap_is_a_setting() -> None:
    wide = AgreementSettings(transfer_gap_hours=6)
    assert rules.continues_stay(t("2025-03-03 10:00"), t("2025-03-08 10:00"), t("2025-03-08 15:00"), wide)


def test_a_scenario_names_a_malformed_earlier_stay() -> None:
    from sektorbro.agreement.scenario import ScenarioError, parse_scenario

    data: dict[str, Any] = {
        "at": "2025-03-09T10:00:00+01:00",
        "course": {
            "area": "somatic",
            "track": "acute",
            "admitted_at": "2025-03-08T11:00:00+01:00",
            "earlier_stays": [{"hospital": "Randers", "admitted_at": "2025-03-03T10:00:00+01:00"}],
        },
    }
    with pytest.raises(ScenarioError, match=r"course\.earlier_stays\[0\]\.ended_at: required"):
        parse_scenario(data)
    data["course"]["earlier_stays"][0]["ended_at"] = "2025-03-08T10:00:00+01:00"
    snapshot = parse_scenario(data).snapshot
    assert snapshot.stay_started_at == dt.datetime.fromisoformat("2025-03-03T10:00:00+01:00")
