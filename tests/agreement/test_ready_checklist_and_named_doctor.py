"""Aftalen 2.1's criteria on a færdigbehandlet registration, and aftalen 2.2's named patient-responsible doctor
(issue 17, "Rules applied where they belong")."""

from __future__ import annotations

from typing import Any

from sektorbro.agreement import rules
from sektorbro.agreement.model import AcuteFunction, CitizenFacts
from tests.agreement.helpers import course, ev, t

CHECKED: dict[str, Any] = {
    "fmk_updated": True,
    "rehab_plan_made": True,
    "patient_informed": True,
    "discharge_time_agreed": False,
    "waiting_for": "nursing_home",
    "waiting_reason": "Plejehjemsplads fra mandag.",
}


def test_the_registration_carries_its_checklist_and_what_the_stay_waits_for() -> None:
    snap = course([ev("ready_for_discharge", "2025-03-05 09:00", **CHECKED)])
    decision = rules.ready_for_discharge(snap, t("2025-03-05 12:00"))
    value = decision.value
    assert value["checklist"] == {
        "fmk_updated": True,
        "rehab_plan_made": True,
        "patient_informed": True,
        "discharge_time_agreed": False,
    }
    assert value["waiting_for"] == "nursing_home" and value["waiting_reason"] == "Plejehjemsplads fra mandag."
    texts = [r.da for r in decision.reasons]
    assert any("FMK er ajourført" in r for r in texts)
    assert "Endnu ikke ved registreringen: Udskrivelsestidspunktet er aftalt med kommunen." in texts
    assert any("venter på en plejehjemsplads: Plejehjemsplads fra mandag." in r for r in texts)


def test_without_a_checklist_nothing_is_claimed() -> None:
    value = rules.ready_for_discharge(
        course([ev("ready_for_discharge", "2025-03-05 09:00")]), t("2025-03-05 12:00")
    ).value
    assert set(value["checklist"].values()) == {None} and value["waiting_for"] is None


def test_a_new_registration_after_treatment_resumed_shows_its_own_checklist() -> None:
    snap = course(
        [
            ev("ready_for_discharge", "2025-03-05 09:00", **CHECKED),
            ev("treatment_resumed", "2025-03-06 09:00"),
            ev("ready_for_discharge", "2025-03-08 09:00", waiting_for="home_measures"),
        ]
    )
    value = rules.ready_for_discharge(snap, t("2025-03-08 12:00")).value
    assert value["waiting_for"] == "home_measures" and value["checklist"]["fmk_updated"] is None


def test_the_hospital_names_the_responsible_doctor_and_the_latest_name_counts() -> None:
    snap = course(
        [
            ev("admitted", "2025-03-03 10:00", responsible_doctor="Overlæge Anne Berg"),
            ev("transferred", "2025-03-05 10:00", responsible_doctor="Afdelingslæge Jens Lund"),
        ]
    )
    early = rules.responsible_doctor(snap, t("2025-03-04 12:00"))
    assert early.value == {"party": "hospital", "phone_route": "department", "name": "Overlæge Anne Berg"}
    assert any("Overlæge Anne Berg" in r.da for r in early.reasons)
    assert rules.responsible_doctor(snap, t("2025-03-06 12:00")).value["name"] == "Afdelingslæge Jens Lund"


def test_the_gp_is_named_where_the_gp_gives_a_name() -> None:
    citizen = CitizenFacts(gp_doctor="Læge Mette Holm")
    gone = course([ev("discharged", "2025-03-07 10:00", responsible_doctor="x")], citizen=citizen)
    after = rules.responsible_doctor(gone, t("2025-03-08 12:00"))
    assert after.value["party"] == "gp" and after.value["name"] == "Læge Mette Holm"
    unnamed = rules.responsible_doctor(course([ev("discharged", "2025-03-07 10:00")]), t("2025-03-08 12:00"))
    assert unnamed.value["name"] is None
    assert any("ikke navngivet" in r.da for r in unnamed.reasons)


def test_an_acute_function_referred_by_the_hospital_keeps_the_hospital_doctor_named() -> None:
    acute = AcuteFunction(referred_by="hospital", since=t("2025-03-07 10:00"))
    snap = course(
        [
            ev("admitted", "2025-03-03 10:00", responsible_doctor="Overlæge Anne Berg"),
            ev("discharged", "2025-03-07 10:00"),
        ],
        citizen=CitizenFacts(acute_function=acute, gp_doctor="Læge Mette Holm"),
    )
    value = rules.responsible_doctor(snap, t("2025-03-08 03:00")).value
    assert value["party"] == "hospital" and value["name"] == "Overlæge Anne Berg"
