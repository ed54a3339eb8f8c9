"""The 72-hour extended responsibility (aftalen 2.2, flowchart S01) and the patient-responsible doctor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.agreement import rules
from sektorbro.agreement.model import AcuteFunction, AgreementSettings, CitizenFacts, CourseSnapshot, Event
from tests.agreement.helpers import course, ev, t

ADMITTED = t("2025-03-03 10:00")


def discharged(hours: float, destination: str, *, ready: bool = True, **kw: Any) -> CourseSnapshot:
    end = ADMITTED + dt.timedelta(hours=hours)
    events = [Event("ready_for_discharge", ADMITTED + dt.timedelta(hours=hours / 2))] if ready else []
    events.append(Event("discharged", end, data={"destination": destination}))
    kw.setdefault("admitted_at", ADMITTED)
    return course(events, **kw)


def applies(snap: CourseSnapshot, at: str = "2025-04-01 12:00", **kw: Any) -> bool:
    return bool(rules.extended_responsibility(snap, t(at), **kw).value["applies"])


@pytest.mark.parametrize("destination", ["temporary_bed", "municipal_acute_bed", "nursing_home"])
def test_applies_to_a_long_somatic_stay_discharged_to_a_municipal_place(destination: str) -> None:
    snap = discharged(72, destination)
    decision = rules.extended_responsibility(snap, t("2025-03-07 12:00"))
    assert decision.value == {
        "applies": True,
        "until": "2025-03-09T10:00:00+01:00",
        "active": True,
        "call": "discharging_department",
        "call_after": "gp",
    }
    assert decision.sources == ("aftalen 2.2", "flowchart S01")


def test_the_window_is_72_hours_from_the_discharge() -> None:
    snap = discharged(72, "nursing_home")  # discharged 06.03 10:00
    assert rules.extended_responsibility(snap, t("2025-03-09 09:59")).value["active"] is True
    after = rules.extended_responsibility(snap, t("2025-03-09 10:00")).value
    assert after["applies"] is True and after["active"] is False and after["call"] == "gp"


def test_exactly_24_hours_is_not_enough() -> None:
    assert applies(discharged(24, "nursing_home")) is False
    assert applies(discharged(24 + 1 / 60, "nursing_home")) is True


def test_own_home_needs_municipal_nursing() -> None:
    assert applies(discharged(48, "own_home")) is False
    assert applies(discharged(48, "own_home", municipal_nursing_after_discharge=True)) is True


@pytest.mark.parametrize("destination", ["other_hospital", "other"])
def test_other_destinations_are_not_covered(destination: str) -> None:
    assert applies(discharged(48, destination, municipal_nursing_after_discharge=True)) is False


@pytest.mark.parametrize(
    ("discharge", "destination", "nursing", "expected"),
    [
        ("2023-09-14 10:00", "nursing_home", False, False),
        ("2023-09-15 10:00", "nursing_home", False, True),
        ("2023-10-31 10:00", "own_home", True, False),
        ("2023-11-01 10:00", "own_home", True, True),
    ],
)
def test_start_dates_differ_for_places_and_own_home(
    discharge: str, destination: str, nursing: bool, expected: bool
) -> None:
    end = t(discharge)
    snap = course(
        [Event("discharged", end, data={"destination": destination})],
        admitted_at=end - dt.timedelta(days=3),
        municipal_nursing_after_discharge=nursing,
    )
    assert applies(snap, "2023-11-02 10:00") is expected


def test_only_region_midtjylland() -> None:
    assert applies(discharged(48, "nursing_home", region="Region Midtjylland")) is True
    assert applies(discharged(48, "nursing_home", region="Nordjylland")) is False


def test_not_before_the_discharge_and_not_for_deaths() -> None:
    admitted = course([ev("ready_for_discharge", "2025-03-05 09:00")])
    assert applies(admitted, "2025-03-06 12:00") is False
    died = course([ev("died", "2025-03-06 10:00")], discharge_destination="dead")
    assert applies(died) is False


def test_a_terminal_patient_is_not_færdigbehandlet() -> None:
    snap = discharged(48, "nursing_home", ready=False, citizen=CitizenFacts(terminal=True))
    decision = rules.extended_responsibility(snap, t("2025-03-06 12:00"))
    assert decision.value["applies"] is False and "terminal" in decision.reasons[0].da


def test_a_normal_discharge_counts_as_færdigbehandlet_unless_a_registration_is_required() -> None:
    snap = discharged(48, "nursing_home", ready=False)
    assert applies(snap) is True
    assert applies(snap, settings=AgreementSettings(s01_requires_ready_registration=True)) is False


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=0.1, max_value=500),
    st.sampled_from(["own_home", "nursing_home", "temporary_bed", "municipal_acute_bed", "other"]),
    st.booleans(),
)
def test_72_hours_never_applies_to_psychiatry(hours: float, destination: str, nursing: bool) -> None:
    snap = discharged(hours, destination, area="psychiatric", municipal_nursing_after_discharge=nursing)
    decision = rules.extended_responsibility(snap, t("2025-04-01 12:00"))
    assert decision.value["applies"] is False and decision.value["until"] is None
    assert decision.sources


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=0.01, max_value=24), st.sampled_from(["own_home", "nursing_home", "temporary_bed"])
)
def test_72_hours_never_applies_to_stays_of_24_hours_or_less(hours: float, destination: str) -> None:
    assert applies(discharged(hours, destination, municipal_nursing_after_discharge=True)) is False


# --- the patient-responsible doctor ----------------------------------------------------------------------------


def doctor(snap: CourseSnapshot, at: str) -> dict[str, str]:
    decision = rules.responsible_doctor(snap, t(at))
    assert decision.sources[0] == "aftalen 2.2"
    return {"party": decision.value["party"], "phone_route": decision.value["phone_route"]}


def test_gp_before_hospital_during_gp_after() -> None:
    snap = course([ev("leave_started", "2025-03-05 10:00"), ev("discharged", "2025-03-08 10:00")])
    assert doctor(snap, "2025-03-02 10:00") == {"party": "gp", "phone_route": "gp"}
    assert doctor(snap, "2025-03-04 10:00") == {"party": "hospital", "phone_route": "department"}
    assert doctor(snap, "2025-03-06 10:00")["party"] == "hospital"  # on leave: still admitted
    assert doctor(snap, "2025-03-09 10:00")["party"] == "gp"


def test_after_discharge_the_gp_is_told_about_the_72_hour_window() -> None:
    snap = discharged(48, "nursing_home")
    decision = rules.responsible_doctor(snap, t("2025-03-06 12:00"))
    assert decision.value["party"] == "gp" and "flowchart S01" in decision.sources


def test_acute_function_referred_by_the_hospital_is_the_hospital_around_the_clock() -> None:
    acute = AcuteFunction("hospital", t("2025-03-08 10:00"), until=t("2025-03-12 10:00"))
    snap = course([ev("discharged", "2025-03-08 10:00")], citizen=CitizenFacts(acute_function=acute))
    assert doctor(snap, "2025-03-09 03:00") == {
        "party": "hospital",
        "phone_route": "hospital_24_7",
    }  # Sunday night
    assert doctor(snap, "2025-03-12 09:59")["party"] == "hospital"
    assert doctor(snap, "2025-03-12 10:00") == {"party": "gp", "phone_route": "gp"}  # left the acute function


@pytest.mark.parametrize("referred_by", ["gp", "out_of_hours"])
@pytest.mark.parametrize(
    ("moment", "route"),
    [
        ("2025-03-11 07:59", "out_of_hours"),
        ("2025-03-11 08:00", "gp_direct_line"),
        ("2025-03-11 15:59", "gp_direct_line"),
        ("2025-03-11 16:00", "out_of_hours"),
        ("2025-03-15 10:00", "out_of_hours"),  # Saturday
        ("2025-05-29 10:00", "out_of_hours"),  # Kristi himmelfartsdag
    ],
)
def test_acute_function_referred_by_the_gp_uses_the_weekday_line(
    referred_by: str, moment: str, route: str
) -> None:
    acute = AcuteFunction(referred_by, t("2025-03-10 10:00"))
    snap = course([ev("discharged", "2025-03-08 10:00")], citizen=CitizenFacts(acute_function=acute))
    assert doctor(snap, moment) == {"party": "gp", "phone_route": route}


def test_while_admitted_the_hospital_is_responsible_even_for_a_citizen_in_an_acute_function() -> None:
    acute = AcuteFunction("gp", t("2025-02-26 10:00"))
    snap = course(citizen=CitizenFacts(acute_function=acute))
    assert doctor(snap, "2025-03-04 10:00")["party"] == "hospital"
    assert doctor(snap, "2025-02-28 10:00") == {"party": "gp", "phone_route": "gp_direct_line"}  # Friday
