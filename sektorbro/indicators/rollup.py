"""From the small per-month aggregate of an indicator to the long result table.

The backend (DuckDB or Spark) hands over sums per month, municipality, hospital, area, sex and age group (a few
thousand rows). This module places them in periods (the whole range, years, quarters, months) and strata,
adds population denominators, computes raw values and direct sex/age-standardised values. It is plain numpy on
small arrays and identical for both backends, so their results are identical too.

Every text value is turned into an integer once per distinct value; rows are summed with ``np.bincount`` into
dense (month or population year, stratum, sex, age group) arrays, which are spread over the periods. Only the
result is built as a DataFrame. Population counts are summed as whole numbers before a period's share of its
years is applied, so the denominators do not depend on the order the rows came in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
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
SEXES = ("F", "M")
AREAS = ("somatic", "psychiatric")
Codes = npt.NDArray[np.intp]  # integer codes, -1 for a missing value or none
Sums = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


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


# ------------------------------------------------------------------------------------------------------------
# Periods and population years
# ------------------------------------------------------------------------------------------------------------


def _month_shares(all_periods: list[Period]) -> tuple[npt.NDArray[np.int64], Sums]:
    """The months of the range, and a (period, month) matrix holding 1 where the month lies in the period."""
    months = np.array(all_periods[0].months, dtype=np.int64)  # the whole range comes first
    shares = np.zeros((len(all_periods), len(months)))
    for i, p in enumerate(all_periods):
        shares[i, np.searchsorted(months, p.months)] = 1.0
    return months, shares


@dataclass(frozen=True)
class _Years:
    """The population years behind the periods: ``years`` (sorted), per period the positions of the years it
    uses in the period's order (-1 padded; a year standing in for missing years repeats) and each one's share."""

    years: npt.NDArray[np.int64]
    used: Codes  # (period, position)
    share: Sums  # (period,)


def _population_years(all_periods: list[Period], available: list[int]) -> tuple[_Years, list[str]]:
    """The population years behind each period, and notes on missing years.

    A missing year is replaced by the latest earlier year available (else the earliest)."""
    notes: list[str] = []
    used: list[list[int]] = []
    for p in all_periods:
        used.append([])
        for year in p.years:
            instead = year
            if available and year not in available:
                earlier = [y for y in available if y < year]
                instead = max(earlier) if earlier else min(available)
                note = f"population for {year} is missing; {instead} is used instead"
                if note not in notes:
                    notes.append(note)
            used[-1].append(instead)
    years = np.array(sorted({y for ys in used for y in ys}), dtype=np.int64)
    positions = np.full((len(used), max(len(ys) for ys in used)), -1, dtype=np.intp)
    for i, ys in enumerate(used):
        positions[i, : len(ys)] = np.searchsorted(years, ys)
    share = np.array([1.0 / len(p.years) for p in all_periods])
    return _Years(years, positions, share), notes


# ------------------------------------------------------------------------------------------------------------
# Rows as codes
# ------------------------------------------------------------------------------------------------------------


def _positions(values: npt.NDArray[np.int64], keys: npt.NDArray[np.int64]) -> Codes:
    """Each value's position in the sorted ``keys`` (-1 where it is not one of them)."""
    if not len(keys):
        return np.full(len(values), -1, dtype=np.intp)
    at = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    return np.where(keys[at] == values, at, -1)


class _Column:
    """A text column as codes of its distinct values, so that each distinct value is looked up only once."""

    def __init__(self, column: pd.Series) -> None:
        codes, uniques = pd.factorize(column)  # -1 for a missing value
        self.codes = codes
        self.values: list[Hashable] = list(uniques)

    def map(self, code: Callable[[Hashable], int]) -> Codes:
        """Per row ``code(value)``; -1 where the value is missing."""
        return np.array([code(v) for v in self.values] + [-1], dtype=np.intp)[self.codes]


class _Vocabulary(dict[Hashable, int]):
    """Integer codes for values (sexes, age groups, strata), shared by the frames of one roll-up."""

    def code(self, value: Hashable) -> int:
        return self.setdefault(value, len(self))


@dataclass(frozen=True)
class _Rows:
    """An input frame's rows as codes (-1: missing or none): the month or population year, the row's stratum
    for each stratum type, its sex and its age group."""

    slot: Codes
    strata: list[Codes]
    sex: Codes
    age: Codes

    def _keys(self, shape: tuple[int, int, int]) -> tuple[Codes, Codes]:
        """For each row and stratum it is in: the flat (slot, stratum, sex, age group) position and the row.
        Rows missing the slot, the sex or the age group are left out."""
        n_strata, n_sexes, n_ages = shape
        cells = n_sexes * n_ages
        valid = (self.slot >= 0) & (self.sex >= 0) & (self.age >= 0)
        key = self.slot * n_strata * cells + self.sex * n_ages + self.age  # without the stratum
        keys, rows = [np.empty(0, dtype=np.intp)], [np.empty(0, dtype=np.intp)]
        for stratum in self.strata:
            row = np.flatnonzero(valid & (stratum >= 0))
            keys.append(key[row] + stratum[row] * cells)
            rows.append(row)
        return np.concatenate(keys), np.concatenate(rows)

    def sums(
        self, values: Sequence[npt.NDArray[np.int64]], slots: int, shape: tuple[int, int, int]
    ) -> list[Sums]:
        """Sums of ``values`` as dense (slot, stratum, sex, age group) arrays; a row counts once in each stratum
        it is in."""
        keys, rows = self._keys(shape)
        size = slots * shape[0] * shape[1] * shape[2]
        return [np.bincount(keys, weights=v[rows], minlength=size).reshape(slots, *shape) for v in values]


def _through(mapping: Mapping[str, str], code: Callable[[Hashable], int]) -> Callable[[Hashable], int]:
    """``code`` of a value's entry in ``mapping`` (-1 for a value without one)."""
    return lambda value: code(mapping[value]) if isinstance(value, str) and value in mapping else -1


def _rows(
    frame: pd.DataFrame,
    slot: Codes,
    stratum_types: Sequence[str],
    stratum: Callable[[str], Callable[[Hashable], int]],
    reg: Region,
    sexes: _Vocabulary,
    ages: _Vocabulary,
) -> _Rows:
    """``frame``'s rows as codes; ``stratum(stratum_type)`` codes a stratum value of that type.

    Hospital strata hold every row with a hospital; the other strata only the region's residents."""
    clusters = reg.municipality_cluster
    municipality = _Column(frame["municipality_code"])
    resident = municipality.map(lambda v: int(v in clusters)) == 1
    columns = {"sex": _Column(frame["sex"]), "age_group": _Column(frame["age_group"])}
    found = []
    for stratum_type in stratum_types:
        at = stratum(stratum_type)
        if stratum_type == "hospital":
            found.append(_Column(frame["hospital_code"]).map(at))
        elif stratum_type == "region":
            found.append(np.where(resident, at(reg.key), -1))
        elif stratum_type == "cluster":
            found.append(municipality.map(_through(clusters, at)))
        elif stratum_type == "municipality":
            found.append(np.where(resident, municipality.map(at), -1))
        else:
            column = columns.get(stratum_type) or _Column(frame[stratum_type])
            found.append(np.where(resident, column.map(at), -1))
    return _Rows(slot, found, columns["sex"].map(sexes.code), columns["age_group"].map(ages.code))


def _result_strata(
    indicator: Indicator, reg: Region, hospitals: list[str], areas: list[str]
) -> list[tuple[str, str]]:
    """The (stratum type, stratum) pairs of the result in its order: by type as in ``STRATUM_TYPES``, then by
    stratum."""
    rows: list[tuple[str, str]] = []
    for stratum_type in STRATUM_TYPES:
        if stratum_type not in indicator.strata:
            continue
        if stratum_type == "region":
            values = [reg.key]
        elif stratum_type == "cluster":
            values = [c.key for c in reg.clusters]
        elif stratum_type == "municipality":
            values = list(reg.municipality_codes)
        elif stratum_type == "hospital":
            values = hospitals
        elif stratum_type == "area":
            values = [a for a in AREAS if a in areas]
        elif stratum_type == "age_group":
            values = domain_bands(indicator.min_age)
        else:
            values = list(SEXES)
        rows += [(stratum_type, v) for v in sorted(values)]
    return rows


# ------------------------------------------------------------------------------------------------------------
# Sums over periods
# ------------------------------------------------------------------------------------------------------------


def _spread_months(shares: Sums, sums: Sums) -> Sums:
    """(month, ...) integer sums spread over the periods with the (period, month) matrix: (period, ...)."""
    return np.tensordot(shares, sums, axes=1)


def _spread_years(years: _Years, sums: Sums, present: Mask) -> tuple[Sums, Mask]:
    """(year, ...) population counts spread over the periods: each period's count summed over the years it uses
    (a year standing in for missing ones counts once for each), still whole numbers, so the sums are exact and
    the same in any order; and where the period has rows. The period's share (``_Years.share``) is applied by
    the caller."""
    uses = np.zeros((len(years.used), len(years.years)))
    for period, used in enumerate(years.used):
        np.add.at(uses[period], used[used >= 0], 1.0)
    holds = np.tensordot(uses, present.astype(np.float64), axes=1) > 0
    return np.tensordot(uses, sums, axes=1), holds


# ------------------------------------------------------------------------------------------------------------
# The roll-up
# ------------------------------------------------------------------------------------------------------------


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
    months, month_shares = _month_shares(all_periods)
    available = sorted(int(y) for y in population["year"].unique()) if len(population) else []
    years, notes = _population_years(all_periods, available)

    hospitals = sorted({str(v) for v in _Column(aggregate["hospital_code"]).values})
    areas = sorted({str(v) for v in _Column(aggregate["area"]).values})
    result_strata = _result_strata(indicator, reg, hospitals, areas)
    n_periods, n_strata = len(all_periods), len(result_strata)
    strata, sexes, ages = _Vocabulary(), _Vocabulary(), _Vocabulary()
    for pair in result_strata:
        strata.code(pair)

    def reported(stratum_type: str) -> Callable[[Hashable], int]:
        return lambda value: strata.get((stratum_type, str(value)), -1)

    def ints(frame: pd.DataFrame, column: str) -> npt.NDArray[np.int64]:
        return frame[column].astype("int64").to_numpy()

    def ones(frame: pd.DataFrame) -> npt.NDArray[np.int64]:
        return np.ones(len(frame), dtype=np.int64)

    def region_only(stratum_type: str) -> Callable[[Hashable], int]:
        return lambda value: 0

    month = _positions(ints(aggregate, "month"), months)
    events = _rows(aggregate, month, indicator.strata, reported, reg, sexes, ages)
    residents = dens = None
    if indicator.kind == POPULATION_RATE:
        assert denominators is not None
        year = _positions(ints(denominators, "year"), years.years)
        dens = _rows(
            denominators.assign(hospital_code=None, area="somatic"),
            year,
            indicator.strata,
            reported,
            reg,
            sexes,
            ages,
        )
    if indicator.standardise and indicator.kind in (PROPORTION, POPULATION_RATE):
        # the weights: the region's residents (one stratum) in the indicator's age bands
        year = _positions(ints(population, "year"), years.years)
        residents = _rows(population, year, ["region"], region_only, reg, sexes, ages)
        bands = [ages[b] for b in domain_bands(indicator.min_age) if b in ages]
        residents = replace(residents, age=np.where(np.isin(residents.age, bands), residents.age, -1))

    # (period, stratum, sex, age group) sums: the month sums spread over the periods
    shape = (len(strata), len(sexes), len(ages))
    columns = [ints(aggregate, c) for c in ("numerator", "denominator", "amount_ore")]
    sums = events.sums([*columns, ones(aggregate)], len(months), shape)
    numerator, denominator, amount, rows = (_spread_months(month_shares, s)[:, :n_strata] for s in sums)
    present = rows > 0  # the cells holding events
    denominator_sum = denominator.sum(axis=(2, 3))
    if dens is not None:
        assert denominators is not None
        counts, den_rows = dens.sums(
            [ints(denominators, "count"), ones(denominators)], len(years.years), shape
        )
        residents_of, den_present = _spread_years(years, counts, den_rows > 0)
        residents_of, present = residents_of[:, :n_strata], present | den_present[:, :n_strata]
        denominator = residents_of * years.share[:, None, None, None]
        denominator_sum = residents_of.sum(axis=(2, 3)) * years.share[:, None]

    # direct standardisation: the region's population of the period's years by sex and age group as weights
    standardised = np.full((n_periods, n_strata), np.nan)
    if residents is not None:
        counts, resident_rows = residents.sums(
            [ints(population, "count"), ones(population)], len(years.years), (1, *shape[1:])
        )
        weights, _ = _spread_years(years, counts, resident_rows > 0)  # (period, 1, sex, age group)
        weights = weights * years.share[:, None, None, None]
        rated = present & (denominator > 0) & (weights > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            weighted = np.where(rated, weights * numerator / denominator, 0.0).sum(axis=(2, 3))
            weight = np.where(rated, weights, 0.0).sum(axis=(2, 3))
            standardised = np.where(rated.any(axis=(2, 3)), weighted / weight * indicator.scale, np.nan)

    numerator_total = np.rint(numerator.sum(axis=(2, 3))).astype(np.int64).ravel()
    denominator_total = np.rint(denominator_sum).astype(np.int64).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(denominator_total > 0, numerator_total / np.maximum(denominator_total, 1), np.nan)
    no_denominator = np.full(len(numerator_total), indicator.kind == COUNT)
    if indicator.kind in (COUNT, TOTAL):
        value = numerator_total.astype(float)
    elif indicator.kind == AMOUNT:
        value = amount.sum(axis=(2, 3)).ravel() / 100.0
    else:
        value = ratio * indicator.scale

    def text(values: list[str], repeat: int = 1, tile: int = 1) -> pd.api.extensions.ExtensionArray:
        return pd.array(np.tile(np.repeat(np.array(values, dtype=object), repeat), tile), dtype="str")

    out = pd.DataFrame(
        {
            "indicator": text([indicator.id], n_periods * n_strata),
            "period": text([p.label for p in all_periods], repeat=n_strata),
            "stratum_type": text([t for t, _ in result_strata], tile=n_periods),
            "stratum": text([v for _, v in result_strata], tile=n_periods),
            "numerator": pd.arrays.IntegerArray(numerator_total, np.zeros(len(numerator_total), dtype=bool)),
            "denominator": pd.arrays.IntegerArray(denominator_total, no_denominator),
            "value": np.round(value, 6),
            "standardised_value": np.round(standardised.ravel(), 6),
        },
        columns=COLUMNS,
    )
    return out, notes
