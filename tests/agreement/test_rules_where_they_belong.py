"""Issue 17, "Rules applied where they belong": P13 only for discharges the municipality receives, A03's care
plan instead of a letter, the social area with municipal nursing, psychiatry without municipal contact, and
psychiatry dated from 1 April 2024 (aftalen 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sektorbro.agreement import rules
from sektorbro.agreement.model import AgreementSettings, CitizenFacts, Event
from tests.agreement.helpers import course, ev, find, rules_of, t

SATURDAY = "2025-03-15 11:00"
READY = ev("ready_for_discharge", "2025-03-10 09:00")
ALWAYS = ["discharge_summary", "fmk_update"]


# --- P13 (flowchart P13): discharges the municipality must receive --------------------------------------------


def test_p13_does_not_apply_without_any_municipal_involvement() -> None:
    """No elderly care, no social area, no municipal nursing: nothing for the municipality to receive."""
    snap = course([READY])
    assert rules.check_transition(snap, "discharged", t(SATURDAY)).value is True
    gone = course([READY, ev("discharged", SATURDAY)])
    assert "P13" not in rules_of(rules.deadlines(gone, t("2025-03-15 12:00")))


def test_p13_does_not_apply_to_a_transfer_to_another_hospital() -> None:
    snap = course([READY], citizen=CitizenFacts(elderly_care=True))
    transfer = {"destination": "other_hospital"}
    assert rules.check_transition(snap, "discharged", t(SATURDAY), data=transfer).value is True
    gone = course([READY, ev("discharged", SATURDAY, **transfer)], citizen=CitizenFacts(elderly_care=True))
    assert "P13" not in rules_of(rules.deadlines(gone, t("2025-03-15 12:00")))


@pytest.mark.parametrize(
    "kw",
    [
        {"citizen": CitizenFacts(elderly_care=True)},
        {"citizen": CitizenFacts(social_area=True)},
        {"municipal_nursing_after_discharge": True},
        {"discharge_destination": "nursing_home"},
    ],
)
def test_p13_still_applies_when_the_municipality_receives_the_citizen(kw: dict[str, object]) -> None:
    refused = rules.check_transition(course([READY], **kw), "discharged", t(SATURDAY))
    assert refused.value is False and refused.sources == ("flowchart P13",)
    gone = course([READY, ev("discharged", SATURDAY)], **kw)
    assert find(rules.deadlines(gone, t("2025-03-15 12:00")), "P13").status == "overdue"


# --- A03: after a short acute stay a care plan counts as the message --------------------------------------------


def _short_acute(*events: Event, **kw: Any) -> list[str]:
    snap = course(
        [*events, ev("discharged", "2025-03-03 20:00")], municipal_nursing_after_discharge=True, **kw
    )
    return rules.required_documents(snap, t("2025-03-04 09:00")).value["missing"]


def test_a03_a_care_plan_satisfies_the_correspondence_after_a_short_acute_stay() -> None:
    assert "correspondence" in _short_acute()
    assert "correspondence" not in _short_acute(ev("care_plan_sent", "2025-03-03 15:00"))
    assert "correspondence" not in _short_acute(ev("correspondence_sent", "2025-03-03 15:00"))


def test_a03_not_for_the_planned_track_nor_the_social_area() -> None:
    plan = ev("care_plan_sent", "2025-03-03 15:00")
    assert "correspondence" in _short_acute(plan, track="planned")  # P09: a letter documents the agreement
    social = CitizenFacts(social_area=True)
    assert "correspondence" in _short_acute(plan, citizen=social)  # aftalen 1 fodnote 4


# --- the social area with municipal nursing after the discharge (aftalen 1 fodnote 4) ---------------------------


def test_social_area_with_municipal_nursing_list_and_reason_agree() -> None:
    snap = course(
        [ev("discharged", "2025-03-10 11:00")],
        citizen=CitizenFacts(social_area=True),
        municipal_nursing_after_discharge=True,
        rehabilitation_needed=True,
    )
    decision = rules.required_documents(snap, t("2025-03-10 12:00"))
    required = decision.value["required"]
    assert {"care_plan", "discharge_report", "correspondence", "rehab_plan"} <= set(required)
    texts = " ".join(r.en for r in decision.reasons)
    assert "not used" not in texts and "in addition to the care documents" in texts


def test_social_area_only_still_uses_no_care_documents() -> None:
    snap = course([ev("discharged", "2025-03-10 11:00")], citizen=CitizenFacts(social_area=True))
    decision = rules.required_documents(snap, t("2025-03-10 12:00"))
    assert decision.value["required"] == ["correspondence", *ALWAYS]
    assert any("not used" in r.en for r in decision.reasons)


# --- psychiatry (bilag 2, aftalen 4) ----------------------------------------------------------------------------


def test_psychiatry_without_municipal_or_social_contact_needs_no_discharge_agreement() -> None:
    snap = course([ev("discharged", "2025-03-10 11:00")], area="psychiatric")
    decision = rules.required_documents(snap, t("2025-03-10 12:00"))
    assert decision.value["required"] == ALWAYS and "bilag 2" in decision.sources
    tasks = {task.code for task in rules.tasks(snap, t("2025-03-10 12:00"))}
    assert not tasks & {"document:discharge_agreement", "document:coordination_plan"}


def test_psychiatry_with_municipal_nursing_keeps_the_discharge_agreement() -> None:
    snap = course(area="psychiatric", municipal_nursing_after_discharge=True)
    required = rules.required_documents(snap, t("2025-03-04 12:00")).value["required"]
    assert required[:2] == ["discharge_agreement", "coordination_plan"]


def test_a_psychiatric_course_before_1_april_2024_gets_no_psychiatric_obligations() -> None:
    social = CitizenFacts(elderly_care=True, social_area=True)
    before = course(area="psychiatric", citizen=social, admitted_at=t("2024-03-31 23:00"))
    decision = rules.required_documents(before, t("2024-04-05 12:00"))
    assert decision.value["required"] == ALWAYS and "aftalen 4" in decision.sources
    from_date = course(area="psychiatric", citizen=social, admitted_at=t("2024-04-01 00:30"))
    required = rules.required_documents(from_date, t("2024-04-05 12:00")).value["required"]
    assert {"discharge_agreement", "coordination_plan", "care_plan", "correspondence"} <= set(required)


def test_the_psychiatry_date_also_limits_a_widened_flowchart() -> None:
    widened = AgreementSettings(flowchart_applies_to_psychiatry=True)
    before = course(area="psychiatric", admitted_at=t("2024-03-20 10:00"))
    after = course(area="psychiatric", admitted_at=t("2024-04-02 10:00"))
    assert not rules.flowchart_applies(before, widened)
    assert rules.flowchart_applies(after, widened)
    assert not rules.flowchart_applies(after)  # aftalen 3: somatics only by default
    later = AgreementSettings(flowchart_applies_to_psychiatry=True, psychiatry_from=dt.date(2025, 1, 1))
    assert not rules.flowchart_applies(after, later)


def test_p13_counts_the_municipal_nursing_given_with_the_discharge() -> None:
    nursing = {"destination": "own_home", "municipal_nursing": True}
    refused = rules.check_transition(course([READY]), "discharged", t(SATURDAY), data=nursing)
    assert refused.value is False and refused.sources == ("flowchart P13",)
    transfer = {"destination": "other_hospital", "municipal_nursing": True}
    assert rules.check_transition(course([READY]), "discharged", t(SATURDAY), data=transfer).value is True
