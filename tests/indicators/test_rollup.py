"""The roll-up from per-month aggregates to the long result table, on hand-made aggregates (no database)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.indicators.definitions import REGISTRY
from sektorbro.indicators.reference import region
from sektorbro.indicators.rollup import roll_up

REG = region()
AARHUS, RANDERS = "751", "730"
RATE = REGISTRY["preventable_65plus"]  # residents 65+, per 1,000, standardised


def _events(rows: list[tuple[int, str, str, str, int]]) -> pd.DataFrame:
    """(month, municipality, sex, age group, count) -> an aggregate of stays (no hospital: residence strata)."""
    return pd.DataFrame(
        {
            "month": [r[0] for r in rows],
            "municipality_code": [r[1] for r in rows],
            "hospital_code": [None] * len(rows),
            "area": ["somatic"] * len(rows),
            "sex": [r[2] for r in rows],
            "age_group": [r[3] for r in rows],
            "numerator": [r[4] for r in rows],
            "denominator": [0] * len(rows),
            "amount_ore": [0] * len(rows),
        }
    )


def _population(rows: list[tuple[int, str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "municipality_code", "sex", "age_group", "count"])


def _row(result: pd.DataFrame, period: str, stratum_type: str, stratum: str) -> pd.Series:
    found = result[
        (result["period"] == period)
        & (result["stratum_type"] == stratum_type)
        & (result["stratum"] == stratum)
    ]
    assert len(found) == 1
    return found.iloc[0]


def test_a_population_rate_over_two_years_uses_each_year_half() -> None:
    events = _events([(202301, AARHUS, "F", "65-74", 3), (202402, AARHUS, "M", "75-84", 2)])
    population = _population(
        [
            (2023, AARHUS, "F", "65-74", 1000),
            (2023, AARHUS, "M", "75-84", 1000),
            (2024, AARHUS, "F", "65-74", 1200),
            (2024, AARHUS, "M", "75-84", 1000),
            (2024, RANDERS, "F", "65-74", 500),
        ]
    )
    result, notes = roll_up(
        RATE, events, population, population, dt.date(2023, 1, 1), dt.date(2024, 12, 31), REG
    )
    assert notes == []
    whole = _row(result, "2023-01-01..2024-12-31", "municipality", AARHUS)
    assert whole["numerator"] == 5
    assert whole["denominator"] == 2100  # (2000 + 2200) / 2
    assert whole["value"] == pytest.approx(5 / 2100 * 1000, abs=1e-6)
    year = _row(result, "2024", "municipality", AARHUS)
    assert (year["numerator"], year["denominator"]) == (2, 2200)
    assert _row(result, "2024", "municipality", RANDERS)["numerator"] == 0
    region_2023 = _row(result, "2023", "region", REG.key)
    assert (region_2023["numerator"], region_2023["denominator"]) == (3, 2000)


def test_a_missing_population_year_is_replaced_and_noted() -> None:
    events = _events([(202401, AARHUS, "F", "65-74", 4)])
    population = _population([(2023, AARHUS, "F", "65-74", 800)])
    result, notes = roll_up(
        RATE, events, population, population, dt.date(2024, 1, 1), dt.date(2024, 12, 31), REG
    )
    assert notes == ["population for 2024 is missing; 2023 is used instead"]
    assert _row(result, "2024", "municipality", AARHUS)["denominator"] == 800


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=5000), min_size=14, max_size=14),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_denominators_do_not_depend_on_the_order_of_the_rows(counts: list[int], seed: int) -> None:
    """A period of seven years weighs each year 1/7; the result must not change when the rows come in another
    order (a database gives no order)."""
    years = range(2018, 2025)
    population = _population(
        [
            (y, code, "F", "65-74", counts[i * 2 + j])
            for i, y in enumerate(years)
            for j, code in enumerate((AARHUS, RANDERS))
        ]
    )
    events = _events([(y * 100 + 6, AARHUS, "F", "65-74", 1) for y in years])
    start, end = dt.date(2018, 1, 1), dt.date(2024, 12, 31)
    first, _ = roll_up(RATE, events, population, population, start, end, REG)
    order = np.random.default_rng(seed).permutation(len(population))
    shuffled = population.iloc[order].reset_index(drop=True)
    events_shuffled = events.iloc[np.random.default_rng(seed).permutation(len(events))].reset_index(drop=True)
    second, _ = roll_up(RATE, events_shuffled, shuffled, shuffled, start, end, REG)
    pd.testing.assert_frame_equal(first, second)
    whole = _row(first, "2018-01-01..2024-12-31", "municipality", AARHUS)
    assert whole["denominator"] == round(sum(counts[0::2]) / 7)
