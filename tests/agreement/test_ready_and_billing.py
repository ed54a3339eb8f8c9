"""Færdigbehandlet and the bed days the municipality pays for (aftalen 2.1), with the dated tariff table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.agreement import rules
from sektorbro.agreement.model import CPH, AgreementSettings, CitizenFacts, Event, RuleInputError, Tariff
from sektorbro.agreement.tariffs import DEMO_TARIFFS, load_tariffs, tariff_for, tariffs_from_data
from tests.agreement.helpers import agreed, course, ev, t

TARIFFS = load_tariffs()


# --- færdigbehandlet now ---------------------------------------------------------------------------------------


def test_an_admitted_patient_may_be_registered_and_the_decision_says_when_it_is_needed() -> None:
    decision = rules.ready_for_discharge(course(), t("2025-03-05 09:00"))
    assert decision.value["registrable"] is True and decision.value["needed"] is True
    assert decision.value["registered"] is False and decision.value["date"] is None
    assert "aftalen 2.1" in decision.sources


def test_no_registration_is_needed_when_the_patient_goes_home_the_same_day() -> None:
    snap = course([agreed("2025-03-05 08:00", date="2025-03-05")])
    decision = rules.ready_for_discharge(snap, t("2025-03-05 09:00"))
    assert decision.value["registrable"] is True and decision.value["needed"] is False
    assert any("samme dag" in r.da for r in decision.reasons)


def test_a_terminal_patient_cannot_be_registered() -> None:
    decision = rules.ready_for_discharge(course(citizen=CitizenFacts(terminal=True)), t("2025-03-05 09:00"))
    assert decision.value["registrable"] is False and decision.value["needed"] is False


def test_the_current_ready_date_and_treatment_resumed() -> None:
    registered = course([ev("ready_for_discharge", "2025-03-05 09:00")])
    value = rules.ready_for_discharge(registered, t("2025-03-06 09:00")).value
    assert value["registered"] is True and value["date"] == "2025-03-05" and value["registrable"] is False
    resumed = course(
        [ev("ready_for_discharge", "2025-03-05 09:00"), ev("treatment_resumed", "2025-03-06 08:00")]
    )
    value = rules.ready_for_discharge(resumed, t("2025-03-06 09:00")).value
    assert value["registered"] is False and value["date"] is None and value["registrable"] is True
    assert value["resumed_count"] == 1
    assert value["periods"] == [
        {
            "start": "2025-03-05T09:00:00+01:00",
            "end": "2025-03-06T08:00:00+01:00",
            "ended_by": "treatment_resumed",
        }
    ]


def test_the_ready_date_is_kept_after_the_discharge() -> None:
    snap = course([ev("ready_for_discharge", "2025-03-05 09:00"), ev("discharged", "2025-03-07 10:00")])
    value = rules.ready_for_discharge(snap, t("2025-03-08 09:00")).value
    assert value["date"] == "2025-03-05" and value["registered"] is True and value["registrable"] is False


# --- bed days --------------------------------------------------------------------------------------------------


def billing(events: list[Event], at: str = "2025-03-20 12:00", **kw: Any) -> dict[str, Any]:
    cfg = kw.pop("settings", AgreementSettings())
    return dict(rules.billable_days(course(events, **kw), t(at), TARIFFS, cfg).value)


WAIT = [
    ev("ready_for_discharge", "2025-03-07 09:00"),
    agreed("2025-03-07 10:00", date="2025-03-10"),
    ev("discharged", "2025-03-10 11:00"),
]


def test_one_day_per_midnight_from_the_ready_date_to_the_discharge() -> None:
    value = billing(WAIT)
    assert value["days"] == 3 and value["nights"] == ["2025-03-07", "2025-03-08", "2025-03-09"]
    assert value["amount_dkk"] == 3 * 2300.0 and value["tariff_is_example"] is True
    assert value["lines"] == [
        {
            "source": "eksempeltakst 2025 (ikke officiel)",
            "dkk_per_day": 2300.0,
            "days": 3,
            "amount_dkk": 6900.0,
            "example": True,
        }
    ]


@pytest.mark.parametrize(
    ("ready_day", "discharge_day", "expected"),
    [
        (True, False, ["2025-03-07", "2025-03-08", "2025-03-09"]),
        (True, True, ["2025-03-07", "2025-03-08", "2025-03-09", "2025-03-10"]),
        (False, True, ["2025-03-08", "2025-03-09", "2025-03-10"]),
        (False, False, ["2025-03-08", "2025-03-09"]),
    ],
)
def test_the_counting_convention_is_a_setting(
    ready_day: bool, discharge_day: bool, expected: list[str]
) -> None:
    cfg = AgreementSettings(bill_ready_day=ready_day, bill_discharge_day=discharge_day)
    assert billing(WAIT, settings=cfg)["nights"] == expected


def test_nothing_is_paid_when_the_agreed_date_is_not_after_the_ready_date() -> None:
    same = billing(
        [
            ev("ready_for_discharge", "2025-03-07 09:00"),
            agreed("2025-03-07 10:00", date="2025-03-07"),
            ev("discharged", "2025-03-09 11:00"),
        ]
    )
    assert same["days"] == 0 and same["accruing_days"] == 2 and same["amount_dkk"] == 0.0


def test_without_an_agreed_date_days_accrue_but_are_not_billed() -> None:
    snap = course([ev("ready_for_discharge", "2025-03-07 09:00"), ev("discharged", "2025-03-09 11:00")])
    decision = rules.billable_days(snap, t("2025-03-10 12:00"), TARIFFS)
    assert decision.value["days"] == 0 and decision.value["accruing_days"] == 2
    assert any("ingen aftalt udskrivningsdato" in r.da for r in decision.reasons)
    anyway = AgreementSettings(require_agreed_date_for_billing=False)
    assert rules.billable_days(snap, t("2025-03-10 12:00"), TARIFFS, anyway).value["days"] == 2


def test_days_accrue_while_the_patient_waits() -> None:
    waiting = [
        ev("ready_for_discharge", "2025-03-07 09:00"),
        agreed("2025-03-07 10:00", date="2025-03-12"),
    ]
    assert billing(waiting, at="2025-03-10 08:00")["days"] == 3
    assert billing(waiting, at="2025-03-07 23:59")["days"] == 0


def test_billing_stops_at_the_agreed_date() -> None:
    """Aftalen 2.1: the municipality pays for the days between the ready date and the agreed date; when the
    hospital keeps the patient longer, those days are not the municipality's (the reading in
    docs/agreement-rules.md). The old reading (to the discharge) is a setting."""
    late = [
        ev("ready_for_discharge", "2025-03-07 09:00"),
        agreed("2025-03-07 10:00", date="2025-03-09"),
        ev("discharged", "2025-03-12 11:00"),
    ]
    assert billing(late)["days"] == 2
    assert billing(late, settings=AgreementSettings(bill_until_agreed_date=False))["days"] == 5


def test_nights_in_treatment_resumed_periods_are_excluded_twice_resumed() -> None:
    value = billing(
        [
            ev("ready_for_discharge", "2025-03-05 09:00"),
            ev("treatment_resumed", "2025-03-07 15:00"),
            ev("ready_for_discharge", "2025-03-09 09:00"),
            ev("treatment_resumed", "2025-03-10 11:00"),
            ev("ready_for_discharge", "2025-03-12 09:00"),
            agreed("2025-03-12 10:00", date="2025-03-15"),
            ev("discharged", "2025-03-15 10:00"),
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
    assert value["accruing_days"] == 6


def test_each_period_is_compared_with_the_agreed_date() -> None:
    value = billing(
        [
            ev("ready_for_discharge", "2025-03-05 09:00"),
            agreed("2025-03-05 10:00", date="2025-03-08"),
            ev("treatment_resumed", "2025-03-07 15:00"),
            ev("ready_for_discharge", "2025-03-09 09:00"),
            ev("discharged", "2025-03-11 10:00"),
        ]
    )
    # the agreed 08.03 is after the first ready date (05.03) but not after the second (09.03)
    assert value["nights"] == ["2025-03-05", "2025-03-06"] and value["accruing_days"] == 4


def test_a_resumption_and_a_new_registration_on_the_same_day() -> None:
    value = billing(
        [
            ev("ready_for_discharge", "2025-03-05 09:00"),
            ev("treatment_resumed", "2025-03-06 08:00"),
            ev("ready_for_discharge", "2025-03-06 16:00"),
            agreed("2025-03-06 17:00", date="2025-03-08"),
            ev("discharged", "2025-03-08 10:00"),
        ]
    )
    assert value["nights"] == ["2025-03-05", "2025-03-06", "2025-03-07"]


def test_midnights_are_counted_in_local_time_across_summer_time() -> None:
    value = billing(
        [
            ev("ready_for_discharge", "2025-03-29 09:00"),
            agreed("2025-03-29 10:00", date="2025-04-01"),
            ev("discharged", "2025-04-01 10:00"),
        ],
        at="2025-04-02 12:00",
        admitted_at=t("2025-03-25 10:00"),
    )
    assert value["nights"] == ["2025-03-29", "2025-03-30", "2025-03-31"]


def test_the_tariff_table_is_dated_and_per_sector() -> None:
    across_new_year = [
        ev("ready_for_discharge", "2025-12-30 09:00"),
        agreed("2025-12-30 10:00", date="2026-01-02"),
        ev("discharged", "2026-01-02 10:00"),
    ]
    somatic = billing(across_new_year, at="2026-01-05 12:00", admitted_at=t("2025-12-20 10:00"))
    assert somatic["amount_dkk"] == 2 * 2300.0 + 2400.0 and len(somatic["lines"]) == 2
    psychiatric = billing(
        across_new_year, at="2026-01-05 12:00", admitted_at=t("2025-12-20 10:00"), area="psychiatric"
    )
    assert psychiatric["amount_dkk"] == 3 * 2150.0


def test_a_day_without_a_tariff_is_reported() -> None:
    table = (Tariff("somatic", dt.date(2025, 3, 9), None, 1000.0, "test"),)
    decision = rules.billable_days(course(WAIT), t("2025-03-20 12:00"), table)
    assert decision.value["amount_dkk"] == 1000.0
    assert decision.value["missing_tariff_days"] == ["2025-03-07", "2025-03-08"]
    assert any("ufuldstændigt" in r.da for r in decision.reasons)
    assert decision.sources == ("aftalen 2.1", "test")


def test_nothing_to_pay_without_a_registration() -> None:
    decision = rules.billable_days(
        course([ev("discharged", "2025-03-10 11:00")]), t("2025-03-20 12:00"), TARIFFS
    )
    assert decision.value["days"] == 0 and decision.value["accruing_days"] == 0
    assert decision.sources == ("aftalen 2.1",)


# --- the tariff table -------------------------------------------------------------------------------------------


def test_the_demo_table_is_marked_as_example_values() -> None:
    payload = json.loads(DEMO_TARIFFS.read_text(encoding="utf-8"))
    assert "EXAMPLE" in payload["about"]
    assert TARIFFS and all(row.example and "ikke officiel" in row.source for row in TARIFFS)
    assert {row.sector for row in TARIFFS} == {"somatic", "psychiatric"}


def test_lookup_uses_valid_to_as_the_first_day_outside() -> None:
    assert tariff_for(TARIFFS, "somatic", dt.date(2024, 12, 31)).dkk_per_day == 2200.0  # type: ignore[union-attr]
    assert tariff_for(TARIFFS, "somatic", dt.date(2025, 1, 1)).dkk_per_day == 2300.0  # type: ignore[union-attr]
    assert tariff_for(TARIFFS, "somatic", dt.date(2022, 12, 31)) is None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [
                {"sector": "somatic", "valid_from": "2025-01-01", "dkk_per_day": 1, "source": "x"},
                {"sector": "somatic", "valid_from": "2025-06-01", "dkk_per_day": 2, "source": "y"},
            ],
            "overlap",
        ),
        (
            [{"sector": "somatic", "valid_from": "2025-13-01", "dkk_per_day": 1, "source": "x"}],
            r"tariffs\[0\]\.valid_from",
        ),
        (
            [{"sector": "somatic", "valid_from": "2025-01-01", "dkk_per_day": "1", "source": "x"}],
            r"tariffs\[0\]\.dkk_per_day",
        ),
        (
            [{"sector": "somatic", "valid_from": "2025-01-01", "dkk_per_day": 1}],
            r"tariffs\[0\]\.source: required",
        ),
        (
            [{"sector": "somatic", "valid_from": "2025-01-01", "dkk_per_day": 1, "source": "x", "vat": 1}],
            r"tariffs\[0\]\.vat",
        ),
        (
            [{"sector": "dental", "valid_from": "2025-01-01", "dkk_per_day": 1, "source": "x"}],
            r"tariffs\[0\]\.sector",
        ),
        ({"rows": []}, "must be a list"),
    ],
)
def test_a_bad_tariff_table_names_the_row_and_field(rows: Any, message: str) -> None:
    with pytest.raises(RuleInputError, match=message):
        tariffs_from_data(rows)


def test_load_tariffs_reports_invalid_json(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text("[{", encoding="utf-8")
    with pytest.raises(RuleInputError, match="invalid JSON"):
        load_tariffs(bad)


# --- properties ------------------------------------------------------------------------------------------------

hours = st.integers(min_value=0, max_value=24 * 30)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["ready_for_discharge", "treatment_resumed"]), hours), max_size=8),
    hours,
    st.integers(-3, 30),
    st.booleans(),
)
def test_billable_days_are_never_negative_nor_more_than_the_nights_of_the_stay(
    moves: list[tuple[str, int]], stay: int, agreed_offset: int, until_agreed: bool
) -> None:
    admitted = t("2025-03-20 10:00")
    end = admitted + dt.timedelta(hours=stay)
    events = [
        Event(kind, admitted + dt.timedelta(hours=h))
        for kind, h in sorted(moves, key=lambda m: m[1])
        if h <= stay
    ]
    events.append(Event("discharge_date_agreed", date=admitted.date() + dt.timedelta(days=agreed_offset)))
    events.append(Event("discharged", end))
    snap = course(events, admitted_at=admitted)
    cfg = AgreementSettings(bill_until_agreed_date=until_agreed)
    value = rules.billable_days(snap, end + dt.timedelta(days=1), TARIFFS, cfg).value
    stay_nights = (end.astimezone(CPH).date() - admitted.astimezone(CPH).date()).days
    assert 0 <= value["days"] <= value["accruing_days"] <= stay_nights
    assert value["amount_dkk"] >= 0
    assert len(set(value["nights"])) == value["days"]


@settings(max_examples=100, deadline=None)
@given(hours, hours)
def test_billable_days_never_grow_backwards_in_time(first: int, second: int) -> None:
    earlier, later = sorted((first, second))
    snap = course(
        [
            ev("ready_for_discharge", "2025-03-04 09:00"),
            agreed("2025-03-04 10:00", date="2025-04-30"),
        ]
    )
    start = t("2025-03-04 09:00")
    days_then = rules.billable_days(snap, start + dt.timedelta(hours=earlier), TARIFFS).value["days"]
    days_later = rules.billable_days(snap, start + dt.timedelta(hours=later), TARIFFS).value["days"]
    assert 0 <= days_then <= days_later
