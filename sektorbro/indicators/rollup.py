"""From the small per-month aggregate of an indicator to the long result table.

The backend (DuckDB or Spark) hands over sums per month, municipality, hospital, area, sex and age group (a few
thousand rows). This module places them in periods (the whole range, years, quarters, months) and strata,
adds population denominators, computes raw values and direct sex/age-standardised values. It is plain pandas on
small frames and identical for both backends, so their results are identical too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sektorbro.indicators.model import (
    AMOUNT,
    COUNT,
    POPULATION_RATE,
    PROPORTION,
    RESULT_COLUMNS,
    STRATUM_TYPES,
    TOTAL,
    Indicator,
)
from sektorbro.indicators.reference import AGE_BANDS, Region

COLUMNS = list(RESULT_COLUMNS)
CELL = ["sex", "age_group"]
SEXES = ("F", "M")
AREAS = ("somatic", "psychiatric")


@dataclass(frozen=True)
class Period:
    label: str
    kind: str  # whole, year, quarter, month
    months: tuple[int, ...]  # yyyymm
    years: tuple[int, ...]


def periods(start: dt.date, end: dt.date) -> list[Period]:
    """The whole range, then every year, quarter and month it touches (in that order)."""
    months: list[int] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    years = sorted({m // 100 for m in months})
    result = [Period(f"{start.isoformat()}..{end.isoformat()}", "whole", tuple(months), tuple(years))]
    result += [Period(str(y), "year", tuple(m for m in months if m // 100 == y), (y,)) for y in years]
    quarters: dict[str, list[int]] = {}
    for m in months:
        quarters.setdefault(f"{m // 100}-Q{(m % 100 - 1) // 3 + 1}", []).append(m)
    result += [Period(label, "quarter", tuple(ms), (ms[0] // 100,)) for label, ms in quarters.items()]
    result += [Period(f"{m // 100}-{m % 100:02d}", "month", (m,), (m // 100,)) for m in months]
    return result


def domain_bands(min_age: int) -> list[str]:
    """The age bands inside an indicator's population (a band counts if its upper end reaches min_age)."""
    return [label for label, _low, high in AGE_BANDS if high is None or high >= min_age]


def _month_periods(all_periods: list[Period]) -> pd.DataFrame:
    rows = [(m, p.label) for p in all_periods for m in p.months]
    return pd.DataFrame(rows, columns=["month", "period"])


def _year_periods(all_periods: list[Period], available: list[int]) -> tuple[pd.DataFrame, list[str]]:
    """(period, year, share) rows: the population years behind each period, with a fallback for missing years."""
    notes: list[str] = []
    rows = []
    for p in all_periods:
        for year in p.years:
            used = year
            if available and year not in available:
                earlier = [y for y in available if y < year]
                used = max(earlier) if earlier else min(available)
                note = f"population for {year} is missing; {used} is used instead"
                if note not in notes:
                    notes.append(note)
            rows.append((p.label, used, 1.0 / len(p.years)))
    return pd.DataFrame(rows, columns=["period", "year", "share"]), notes


def _stratified(
    frame: pd.DataFrame, strata: tuple[str, ...], reg: Region, by: str, values: list[str]
) -> pd.DataFrame:
    """Sums by (``by``, stratum_type, stratum, sex, age_group): every row once per stratum type it belongs to.

    Hospital strata hold every row with a hospital; the other strata only the region's residents."""
    resident = frame["municipality_code"].isin(reg.municipality_codes)
    parts = []
    for stratum_type in strata:
        if stratum_type == "hospital":
            rows = frame[frame["hospital_code"].notna()]
            stratum = rows["hospital_code"].astype(str)
        else:
            rows = frame[resident]
            if stratum_type == "region":
                stratum = pd.Series(reg.key, index=rows.index)
            elif stratum_type == "cluster":
                stratum = rows["municipality_code"].map(reg.municipality_cluster)
            elif stratum_type == "municipality":
                stratum = rows["municipality_code"]
            else:
                stratum = rows[stratum_type]
        parts.append(
            pd.DataFrame(
                {
                    by: rows[by].to_numpy(),
                    "stratum_type": stratum_type,
                    "stratum": stratum.astype(str).to_numpy(),
                    "sex": rows["sex"].to_numpy(),
                    "age_group": rows["age_group"].to_numpy(),
                    **{v: rows[v].to_numpy() for v in values},
                }
            )
        )
    keys = [by, "stratum_type", "stratum", *CELL]
    if not parts:
        return pd.DataFrame(columns=[*keys, *values])
    return pd.concat(parts, ignore_index=True).groupby(keys, as_index=False, sort=False)[values].sum()


def _expected_strata(
    indicator: Indicator, reg: Region, hospitals: list[str], areas: list[str]
) -> pd.DataFrame:
    rows: list[tuple[str, str]] = []
    for stratum_type in STRATUM_TYPES:
        if stratum_type not in indicator.strata:
            continue
        if stratum_type == "region":
            values = [reg.key]
        elif stratum_type == "cluster":
            values = [c.key for c in reg.clusters]
        elif stratum_type == "municipality":
            values = sorted(reg.municipality_codes)
        elif stratum_type == "hospital":
            values = sorted(hospitals)
        elif stratum_type == "area":
            values = [a for a in AREAS if a in areas]
        elif stratum_type == "age_group":
            values = domain_bands(indicator.min_age)
        else:
            values = list(SEXES)
        rows += [(stratum_type, v) for v in values]
    return pd.DataFrame(rows, columns=["stratum_type", "stratum"])


def roll_up(
    indicator: Indicator,
    aggregate: pd.DataFrame,
    population: pd.DataFrame,
    denominators: pd.DataFrame | None,
    start: dt.date,
    end: dt.date,
    reg: Region,
) -> tuple[pd.DataFrame, list[str]]:
    """The long result rows of one indicator, and notes (e.g. a population year that was missing).

    ``aggregate``: month, municipality_code, hospital_code, area, sex, age_group, numerator, denominator,
    amount_ore. ``population``: year, municipality_code, sex, age_group, count (all residents; the
    standardisation weights). ``denominators``: the same shape, for population rates."""
    all_periods = periods(start, end)
    month_map = _month_periods(all_periods)
    aggregate = aggregate.astype(
        {"month": "int64", "numerator": "int64", "denominator": "int64", "amount_ore": "int64"}
    )
    sums = ["numerator", "denominator", "amount_ore"]
    keys = ["period", "stratum_type", "stratum", *CELL]
    # reduce to the strata by month first, then spread each month over its periods (whole, year, quarter, month)
    by_month = _stratified(aggregate, indicator.strata, reg, "month", sums)
    cell_frame = by_month.merge(month_map, on="month").groupby(keys, as_index=False, sort=False)[sums].sum()

    available = sorted(int(y) for y in population["year"].unique()) if len(population) else []
    year_map, notes = _year_periods(all_periods, available)
    bands = domain_bands(indicator.min_age)

    if indicator.kind == POPULATION_RATE:
        assert denominators is not None
        by_year = _stratified(
            denominators.assign(hospital_code=None, area="somatic"), indicator.strata, reg, "year", ["count"]
        )
        dens = by_year.merge(year_map, on="year")
        dens = dens.assign(denominator=dens["count"] * dens["share"])
        den_frame = dens.groupby(keys, as_index=False, sort=False)["denominator"].sum()
        # Plain object keys: pandas cannot merge empty Arrow-backed key columns (a month with no events).
        cell_frame = cell_frame.drop(columns=["denominator"]).astype({k: object for k in keys})
        den_frame = den_frame.astype({k: object for k in keys})
        cell_frame = cell_frame.merge(den_frame, on=keys, how="outer")
        cell_frame[["numerator", "amount_ore"]] = cell_frame[["numerator", "amount_ore"]].fillna(0)
        cell_frame["denominator"] = cell_frame["denominator"].fillna(0.0)

    totals = cell_frame.groupby(["period", "stratum_type", "stratum"], as_index=False)[sums].sum()

    # direct standardisation: the region's population of the period's years by sex and age group as weights
    standardised = None
    if indicator.standardise and indicator.kind in (PROPORTION, POPULATION_RATE):
        region_pop = population[population["municipality_code"].isin(reg.municipality_codes)]
        weights = region_pop.merge(year_map, on="year")
        weights = weights.assign(weight=weights["count"] * weights["share"])
        weights = weights[weights["age_group"].isin(bands)]
        weights = weights.groupby(["period", *CELL], as_index=False)["weight"].sum()
        rated = cell_frame[cell_frame["denominator"] > 0].merge(weights, on=["period", *CELL])
        rated = rated[rated["weight"] > 0]
        rated = rated.assign(
            weighted=rated["weight"] * rated["numerator"] / rated["denominator"],
        )
        std = rated.groupby(["period", "stratum_type", "stratum"], as_index=False)[
            ["weighted", "weight"]
        ].sum()
        standardised = std.assign(standardised_value=std["weighted"] / std["weight"] * indicator.scale)[
            ["period", "stratum_type", "stratum", "standardised_value"]
        ]

    hospitals = sorted(aggregate["hospital_code"].dropna().astype(str).unique())
    areas = sorted(aggregate["area"].dropna().astype(str).unique())
    expected = _expected_strata(indicator, reg, hospitals, areas)
    period_frame = pd.DataFrame({"period": [p.label for p in all_periods], "order": range(len(all_periods))})
    grid = period_frame.merge(expected, how="cross")
    result = grid.merge(totals, on=["period", "stratum_type", "stratum"], how="left")
    result[sums] = result[sums].fillna(0)
    if standardised is not None:
        result = result.merge(standardised, on=["period", "stratum_type", "stratum"], how="left")
    else:
        result["standardised_value"] = np.nan

    numerator = result["numerator"].round().astype("int64")
    denominator = result["denominator"].round().astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(denominator > 0, numerator / denominator.where(denominator > 0, 1), np.nan)
    if indicator.kind == COUNT:
        value = numerator.astype(float)
        denominator_out = pd.array([pd.NA] * len(result), dtype="Int64")
    elif indicator.kind == TOTAL:
        value = numerator.astype(float)
        denominator_out = pd.array(denominator, dtype="Int64")
    elif indicator.kind == AMOUNT:
        value = result["amount_ore"].astype(float) / 100.0
        denominator_out = pd.array(denominator, dtype="Int64")
    else:
        value = pd.Series(ratio * indicator.scale, index=result.index)
        denominator_out = pd.array(denominator, dtype="Int64")
    type_order = {t: i for i, t in enumerate(STRATUM_TYPES)}
    out = pd.DataFrame(
        {
            "indicator": indicator.id,
            "period": result["period"],
            "stratum_type": result["stratum_type"],
            "stratum": result["stratum"].astype(str),
            "numerator": pd.array(numerator, dtype="Int64"),
            "denominator": denominator_out,
            "value": np.round(value.astype(float), 6),
            "standardised_value": np.round(result["standardised_value"].astype(float), 6),
            "_order": result["order"],
            "_type": result["stratum_type"].map(type_order),
        }
    )
    out = out.sort_values(["_order", "_type", "stratum"], kind="stable").drop(columns=["_order", "_type"])
    return out.reset_index(drop=True)[COLUMNS], notes
