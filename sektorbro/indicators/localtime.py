"""Danish local dates from UTC epoch seconds, without a time-zone library in the hot path.

Every period and date rule of the indicators uses the Europe/Copenhagen date. Converting tens of millions of
times with DuckDB's ICU time-zone functions is slow, so the daylight-saving transitions are computed once
with ``zoneinfo`` and the conversion becomes integer arithmetic (a SQL macro for DuckDB, numpy for the
synthetic registry)."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import cache
from zoneinfo import ZoneInfo

CPH = ZoneInfo("Europe/Copenhagen")
FIRST_YEAR = 1970
LAST_YEAR = 2100
STANDARD_OFFSET = 3600
SUMMER_OFFSET = 7200
MEAN_YEAR_S = 31_556_952  # 365.2425 days: the year of an epoch, exact away from New Year (DST is not there)


def _offset(moment: dt.datetime) -> int:
    delta = moment.astimezone(CPH).utcoffset()
    assert delta is not None
    return int(delta.total_seconds())


def _change(low: dt.datetime, high: dt.datetime) -> int:
    """The first epoch second in (low, high] whose offset differs from low's (binary search to the second)."""
    before = _offset(low)
    lo, hi = int(low.timestamp()), int(high.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset(dt.datetime.fromtimestamp(mid, dt.UTC)) == before:
            lo = mid
        else:
            hi = mid
    return hi


@cache
def dst_periods(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> tuple[tuple[int, int], ...]:
    """Per year from ``first_year``: (start, end) epoch seconds of summer time, or (0, 0) without summer time."""
    periods = []
    for year in range(first_year, last_year + 1):
        start = end = 0
        months = [dt.datetime(year, m, 1, tzinfo=dt.UTC) for m in range(1, 13)] + [
            dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
        ]
        for low, high in itertools.pairwise(months):
            if _offset(low) != _offset(high):
                moment = _change(low, high)
                if _offset(dt.datetime.fromtimestamp(moment, dt.UTC)) == SUMMER_OFFSET:
                    start = moment
                else:
                    end = moment
        periods.append((start, end))
    return tuple(periods)


def duckdb_macro_sql(name: str = "sb_local_day") -> str:
    """``CREATE TEMP MACRO name(e)``: the Europe/Copenhagen DATE of epoch seconds ``e`` (1970-2100)."""
    periods = dst_periods()
    starts = "[" + ", ".join(str(s) for s, _e in periods) + "]"
    ends = "[" + ", ".join(str(e) for _s, e in periods) + "]"
    year = f"(CAST(e // {MEAN_YEAR_S} AS INTEGER) + 1)"
    offset = (
        f"CASE WHEN e >= list_extract({starts}, {year}) AND e < list_extract({ends}, {year}) "
        f"THEN {SUMMER_OFFSET} ELSE {STANDARD_OFFSET} END"
    )
    return (
        f"CREATE OR REPLACE TEMP MACRO {name}(e) AS "
        f"(DATE '1970-01-01' + CAST((e + {offset}) // 86400 AS INTEGER))"
    )
