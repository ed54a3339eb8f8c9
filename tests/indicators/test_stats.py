"""Suppression of small cells and funnel-plot limits."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sektorbro.indicators.stats import add_funnel, funnel_limits, suppress


def rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["r"] * 5,
            "period": ["2024"] * 5,
            "stratum_type": ["municipality"] * 5,
            "stratum": ["a", "b", "c", "d", "e"],
            "numerator": pd.array([12, 4, 0, 7, 30], dtype="Int64"),
            "denominator": pd.array([100, 80, 50, 3, pd.NA], dtype="Int64"),
            "value": [12.0, 5.0, 0.0, 233.3, 30.0],
            "standardised_value": [11.0, 5.5, 0.0, 200.0, math.nan],
        }
    )


def test_cells_under_five_are_blanked() -> None:
    out = suppress(rows())
    assert list(out.suppressed) == [False, True, True, True, False]
    assert out.loc[1, ["numerator", "denominator"]].isna().all() and math.isnan(out.loc[1, "value"])
    assert out.loc[0, "value"] == 12.0 and out.loc[4, "numerator"] == 30  # a count without denominator
    assert list(suppress(rows(), keep_zero=True).suppressed) == [False, True, False, True, False]


def test_funnel_limits_narrow_with_the_denominator() -> None:
    limits = funnel_limits(0.1, [100, 10_000], kind="proportion", scale=100)
    assert list(limits.target) == [10.0, 10.0]
    assert limits.lower95[0] == pytest.approx(10 - 1.96 * 3, abs=0.01)
    assert limits.upper998[1] - limits.lower998[1] < limits.upper998[0] - limits.lower998[0]
    assert (limits.lower998 <= limits.lower95).all() and (limits.upper95 <= limits.upper998).all()
    rate = funnel_limits(0.012, [750], kind="rate", scale=1000)
    assert rate.upper95[0] == pytest.approx(12 + 1.96 * math.sqrt(0.012 / 750) * 1000, rel=1e-4)
    with pytest.raises(ValueError):
        funnel_limits(1.5, [10])


def test_add_funnel_flags_units_outside_the_limits() -> None:
    frame = pd.DataFrame({"numerator": [10, 40, 10, 0], "denominator": [100, 100, 100, 0]})
    out = add_funnel(frame, kind="proportion", scale=100)
    assert out.target[0] == pytest.approx(20.0)
    assert list(out.outside95) == [True, True, True, False]
    assert list(out.outside998) == [False, True, False, False]
    assert math.isnan(out.lower95[3])
