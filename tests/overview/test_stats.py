"""The pure rules: suppression, funnel limits, periods and chart scaling (no database)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sektorbro.overview import periods as P
from sektorbro.overview.charts import FunnelUnit, funnel_plot, line_chart
from sektorbro.overview.stats import (
    MIN_COUNT,
    Scale,
    binomial_limits,
    is_suppressed,
    nice_ticks,
    poisson_limits,
    suppress,
)


@pytest.mark.parametrize(
    ("numerator", "denominator", "kind", "expected"),
    [
        (4, 100, "proportion", True),
        (5, 100, "proportion", False),
        (10, 4, "proportion", True),
        (0, 100, "proportion", True),  # zero is "fewer than 5" too
        (3, None, "count", True),
        (5, None, "count", False),
        (3, 1000, "population_rate", True),
        (12, 1000, "population_rate", False),
        (2, 7, "total", False),  # 2 days over 7 stays: days are not persons
        (40, 3, "total", True),  # 40 days over 3 stays
        (40, 3, "amount", True),
        (None, None, "count", False),
        (float("nan"), 100, "proportion", False),
    ],
)
def test_suppression(numerator: float | None, denominator: float | None, kind: str, expected: bool) -> None:
    assert is_suppressed(numerator, denominator, kind=kind) is expected


def test_a_suppressed_cell_hides_the_small_count_and_the_value_but_keeps_a_large_denominator() -> None:
    cell = suppress(3, 50, 6.0, kind="proportion")
    assert cell.suppressed and cell.numerator is None and cell.value is None
    assert cell.denominator == 50  # 50 index stays is not a small number; the 3 is
    assert suppress(30, 50, 60.0, kind="proportion").value == 60.0
    both_small = suppress(2, 4, 50.0, kind="proportion")
    assert both_small.numerator is None and both_small.denominator is None
    assert suppress(3, 10_000, 0.3, kind="population_rate").denominator == 10_000
    few_stays = suppress(
        40.0, 3, 13.3, kind="total"
    )  # 40 bed days over 3 stays: the stays are the small count
    assert few_stays.numerator is None and few_stays.denominator is None


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown indicator kind"):
        is_suppressed(10, 10, kind="ratio")


@given(
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["count", "proportion", "population_rate", "total", "amount"]),
)
def test_a_shown_cell_never_rests_on_fewer_than_five(numerator: int, denominator: int, kind: str) -> None:
    cell = suppress(numerator, denominator, 1.0, kind=kind)
    if not cell.suppressed:
        if kind in ("count", "proportion", "population_rate"):
            assert numerator >= MIN_COUNT
        if kind != "count":
            assert denominator >= MIN_COUNT
    else:
        assert cell.value is None and cell.numerator is None
        if cell.denominator is not None:
            assert kind in ("proportion", "population_rate") and denominator >= MIN_COUNT


# Known limits. Binomial: Binomial(100, 0.5) has 2.5% and 97.5% quantiles 40 and 60 (P(X<=39)=0.0176,
# P(X<=40)=0.0284; P(X<=59)=0.9716, P(X<=60)=0.9824). Poisson(100): quantiles 81 and 120 (P(X<=80)=0.0226,
# P(X<=81)=0.0282; P(X<=119)=0.9680, P(X<=120)=0.9750 (rounded)).
def test_binomial_limits_match_the_exact_quantiles() -> None:
    low, high = binomial_limits(0.5, 100, 0.95)
    assert 0.39 < low <= 0.40 and 0.59 < high <= 0.60
    # normal approximation for large n: p +- 1.96 sqrt(p(1-p)/n)
    low, high = binomial_limits(0.1, 10_000, 0.95)
    half = 1.96 * math.sqrt(0.1 * 0.9 / 10_000)
    assert low == pytest.approx(0.1 - half, abs=2e-4) and high == pytest.approx(0.1 + half, abs=2e-4)
    low998, high998 = binomial_limits(0.1, 10_000, 0.998)
    half998 = 3.09 * math.sqrt(0.1 * 0.9 / 10_000)
    assert low998 == pytest.approx(0.1 - half998, abs=3e-4) and high998 == pytest.approx(
        0.1 + half998, abs=3e-4
    )


def test_poisson_limits_match_the_exact_quantiles() -> None:
    low, high = poisson_limits(0.01, 10_000, 0.95)  # mu = 100
    assert 80 / 10_000 < low <= 81 / 10_000 and 119 / 10_000 < high <= 120 / 10_000
    low, high = poisson_limits(0.0, 500, 0.95)
    assert low == 0 and high == 0


@given(
    st.floats(min_value=0.01, max_value=0.99),
    st.integers(min_value=5, max_value=3000),
)
def test_binomial_limits_are_ordered_and_nest(p: float, n: int) -> None:
    low95, high95 = binomial_limits(p, n, 0.95)
    low998, high998 = binomial_limits(p, n, 0.998)
    assert 0 <= low998 <= low95 <= high95 <= high998 <= 1
    assert low95 <= p + 1e-9 and high95 >= p - 1e-9


def test_limit_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        binomial_limits(0.5, 0, 0.95)
    with pytest.raises(ValueError):
        binomial_limits(1.5, 10, 0.95)
    with pytest.raises(ValueError):
        poisson_limits(0.1, 0, 0.95)


def test_ticks_and_scale() -> None:
    assert nice_ticks(0, 9.3) == [0, 2.5, 5, 7.5, 10]
    assert nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    scale = Scale(0, 10, 200, 0)
    assert scale(0) == 200 and scale(10) == 0 and scale(5) == 100
    assert Scale(3, 3, 0, 100)(3) == 50


@given(st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=0.001, max_value=1e6))
def test_ticks_cover_the_range(low: float, width: float) -> None:
    ticks = nice_ticks(low, low + width)
    assert ticks[0] <= low + 1e-9 * max(1, abs(low)) and ticks[-1] >= (low + width) - 1e-9 * max(1, abs(low))
    assert ticks == sorted(ticks)


def test_line_chart_breaks_at_suppressed_values() -> None:
    chart = line_chart(["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"], [1.0, None, 3.0, 4.0])
    assert len(chart.paths) == 2 and len(chart.points) == 3
    ys = [p.y for p in chart.points]
    assert ys[0] > ys[1] > ys[2]  # larger value, higher up (smaller y)
    assert line_chart([], []).empty and line_chart(["2024"], [None]).empty


def test_funnel_plot_marks_only_the_given_units() -> None:
    units = [FunnelUnit("A", 10, 100), FunnelUnit("B", 30, 200, highlight=True), FunnelUnit("C", 0, 0)]
    chart = funnel_plot("proportion", units, 100)
    assert [p.label for p in chart.points] == ["A", "B"]
    assert len(chart.limit_paths) == 4 and chart.target_path
    with pytest.raises(ValueError):
        funnel_plot("count", units, 1)


def test_periods() -> None:
    codes = ["2024-01-01..2025-12-31", "2024", "2025", "2024-Q1", "2024-Q2", "2024-01", "2024-12"]
    assert P.of_granularity(codes, "quarter") == ["2024-Q1", "2024-Q2"]
    assert P.between(["2024-Q1", "2024-Q2", "2024-Q3"], "2024-Q3", "2024-Q2") == ["2024-Q2", "2024-Q3"]
    assert P.label("2024-Q3") == "3. kvt. 2024"
    assert P.label("2024-02") == "02.2024"
    assert P.label("2024-01-01..2025-12-31") == "01.01.2024–31.12.2025"
    with pytest.raises(ValueError):
        P.of_granularity(codes, "week")
