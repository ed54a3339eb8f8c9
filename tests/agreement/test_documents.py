"""Which documents a course needs (aftalen 1 fodnote 4, flowchart P09/P10, bilag 2), and which are missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sektorbro.agreement import rules
from sektorbro.agreement.model import CitizenFacts, Event
from tests.agreement.helpers import course, ev, t

ELDERLY = CitizenFacts(elderly_care=True)
SOCIAL = CitizenFacts(social_area=True)
BOTH = CitizenFacts(elderly_care=True, social_area=True)
ALWAYS = ["discharge_summary", "fmk_update"]


def required(at: str = "2025-03-20 12:00", **kw: Any) -> list[str]:
    return list(rules.required_documents(course(**kw), t(at)).value["required"])


def test_elderly_care() -> None:
    assert required(citizen=ELDERLY) == ["admission_report", "care_plan", "discharge_report", *ALWAYS]
    assert "rehab_plan" in required(citizen=ELDERLY, rehabilitation_needed=True)


def test_social_area_only_uses_correspondence() -> None:
    assert required(citizen=SOCIAL) == ["correspondence", *ALWAYS]
    assert "rehab_plan" not in required(citizen=SOCIAL, rehabilitation_needed=True)


def test_both_affiliations_use_both() -> None:
    assert required(citizen=BOTH) == [
        "admission_report",
        "care_plan",
        "discharge_report",
        "correspondence",
        *ALWAYS,
    ]


def test_municipal_nursing_without_elderly_care_needs_a_care_plan() -> None:
    assert required(municipal_nursing_after_discharge=True) == ["care_plan", "discharge_report", *ALWAYS]


def test_no_municipal_contact_needs_only_epikrise_and_fmk() -> None:
    decision = rules.required_documents(course(), t("2025-03-20 12:00"))
    assert decision.value["required"] == ALWAYS
    assert "aftalen 2.1" in decision.sources


@pytest.mark.parametrize(("hours", "short"), [(23.99, True), (24, True), (24.02, False)])
def test_stays_of_24_hours_or_less_use_phone_and_correspondence(hours: float, short: bool) -> None:
    end = t("2025-03-03 10:00") + dt.timedelta(hours=hours)
    snap = course([Event("discharged", end)], citizen=ELDERLY)
    value = rules.required_documents(snap, end + dt.timedelta(hours=1)).value
    assert value["short_stay"] is short
    if short:
        assert value["required"] == ["phone_contact", "correspondence", "admission_report", *ALWAYS]
        assert "care_plan" not in value["required"]
    else:
        assert "care_plan" in value["required"] and "phone_contact" not in value["required"]


def test_a_running_stay_is_undecided_until_it_passes_24_hours() -> None:
    snap = course(citizen=ELDERLY)
    early = rules.required_documents(snap, t("2025-03-03 20:00"))
    assert early.value["short_stay"] is None and "care_plan" in early.value["required"]
    assert any("under 24 timer" in r.da for r in early.reasons)
    assert rules.required_documents(snap, t("2025-03-04 10:01")).value["short_stay"] is False


@pytest.mark.parametrize(
    ("citizen", "expected"),
    [
        (CitizenFacts(), ALWAYS),  # bilag 2: no municipal or social contact, no parties to invite
        (SOCIAL, ["discharge_agreement", "coordination_plan", "correspondence", *ALWAYS]),
        (
            ELDERLY,
            [
                "discharge_agreement",
                "coordination_plan",
                "admission_report",
                "care_plan",
                "discharge_report",
                *ALWAYS,
            ],
        ),
        (
            BOTH,
            [
                "discharge_agreement",
                "coordination_plan",
                "admission_report",
                "care_plan",
                "discharge_report",
                "correspondence",
                *ALWAYS,
            ],
        ),
    ],
)
def test_psychiatry(citizen: CitizenFacts, expected: list[str]) -> None:
    decision = rules.required_documents(course(area="psychiatric", citizen=citizen), t("2025-03-20 12:00"))
    assert decision.value["required"] == expected and "bilag 2" in decision.sources


def test_a_short_psychiatric_stay_still_needs_the_agreements() -> None:
    snap = course([ev("discharged", "2025-03-03 20:00")], area="psychiatric", citizen=SOCIAL)
    assert "phone_contact" not in rules.required_documents(snap, t("2025-03-04 10:00")).value["required"]


def test_a_death_in_hospital_drops_the_discharge_documents() -> None:
    snap = course([ev("died", "2025-03-06 10:00")], citizen=ELDERLY, rehabilitation_needed=True)
    assert rules.required_documents(snap, t("2025-03-07 10:00")).value["required"] == ["admission_report"]


def test_missing_documents_disappear_when_recorded() -> None:
    snap = course(
        [
            ev("admission_report_received", "2025-03-03 11:00"),
            ev("care_plan_sent", "2025-03-04 10:00"),
            ev("fmk_updated", "2025-03-05 10:00"),
        ],
        citizen=ELDERLY,
    )
    assert rules.required_documents(snap, t("2025-03-06 10:00")).value["missing"] == [
        "discharge_report",
        "discharge_summary",
    ]
    # as known at an earlier moment, the later documents were still missing
    assert "care_plan" in rules.required_documents(snap, t("2025-03-04 09:00")).value["missing"]
