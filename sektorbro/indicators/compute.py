"""Running the indicator definitions and writing one long result table.

Columns: indicator, period, stratum_type, stratum, numerator, denominator, value, standardised_value.
Periods: the whole range ``FROM..TO`` plus each year, quarter and month; strata: region, cluster,
municipality (3-digit code), hospital and area. The heavy work (stays, joins) runs in DuckDB; only the small
aggregate per month, municipality, hospital and area comes back to Python to be rolled up."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from sektorbro.indicators.definitions import discharges, readmission, stays
from sektorbro.indicators.registry import Registry

COLUMNS = [
    "indicator",
    "period",
    "stratum_type",
    "stratum",
    "numerator",
    "denominator",
    "value",
    "standardised_value",
]
REGION = "Midtjylland"
MUNICIPALITIES = Path(__file__).resolve().parents[1] / "organisations" / "data" / "municipalities.json"


def cluster_of() -> dict[str, str]:
    items = json.loads(MUNICIPALITIES.read_text(encoding="utf-8"))["items"]
    return {item["code"]: item["cluster"] for item in items}


INDICATORS: dict[str, tuple[Callable[[Any], Any], float, bool]] = {
    # id: (events from stays, scale, is a rate with a denominator)
    "discharges": (discharges.events, 1.0, False),
    "readmission_30d_somatic": (lambda s: readmission.events(s, "somatic"), 100.0, True),
    "readmission_30d_psychiatric": (lambda s: readmission.events(s, "psychiatric"), 100.0, True),
}


def compute(
    registry: Registry,
    start: dt.date,
    end: dt.date,
    *,
    indicators: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    registry.con.con.execute("SET TimeZone = 'Europe/Copenhagen'")
    stay_table = stays.stays(registry.table("clean_contacts"))
    clusters = cluster_of()
    frames: list[pd.DataFrame] = []
    for indicator in indicators or list(INDICATORS):
        if indicator not in INDICATORS:
            raise ValueError(f"unknown indicator {indicator!r}")
        if progress:
            progress(indicator)
        make_events, scale, rate = INDICATORS[indicator]
        events = make_events(stay_table)
        local = events.at.cast("timestamp").date()
        in_period = events.filter((local >= ibis.literal(start)) & (local <= ibis.literal(end)))
        local = in_period.at.cast("timestamp").date()
        monthly = (
            in_period.mutate(month=local.truncate("M"))
            .group_by(["month", "municipality_code", "hospital_code", "area"])
            .aggregate(numerator=in_period.numerator.sum(), denominator=in_period.denominator.sum())
        )
        frame = registry.con.execute(monthly)
        frames.append(_roll_up(indicator, frame, start, end, scale, rate, clusters))
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return result[COLUMNS]


def _roll_up(
    indicator: str,
    frame: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    scale: float,
    rate: bool,
    clusters: dict[str, str],
) -> pd.DataFrame:
    frame = frame.copy()
    frame["month"] = pd.to_datetime(frame["month"])
    frame["cluster"] = frame["municipality_code"].map(clusters).fillna("uden for regionen")
    frame["region"] = REGION
    periods = {
        f"{start.isoformat()}..{end.isoformat()}": pd.Series(True, index=frame.index),
    }
    rows: list[dict[str, Any]] = []
    keys = [
        ("whole", lambda f: f"{start.isoformat()}..{end.isoformat()}"),
        ("year", lambda f: f["month"].dt.year.astype(str)),
        ("quarter", lambda f: f["month"].dt.year.astype(str) + "-Q" + f["month"].dt.quarter.astype(str)),
        ("month", lambda f: f["month"].dt.strftime("%Y-%m")),
    ]
    del periods
    strata = [
        ("region", "region"),
        ("cluster", "cluster"),
        ("municipality", "municipality_code"),
        ("hospital", "hospital_code"),
        ("area", "area"),
    ]
    for _kind, key in keys:
        with_period = frame.assign(period=key(frame))
        for stratum_type, column in strata:
            grouped = (
                with_period.groupby(["period", column], dropna=False)[["numerator", "denominator"]]
                .sum()
                .reset_index()
            )
            for _, row in grouped.iterrows():
                numerator = int(row["numerator"])
                denominator = int(row["denominator"]) if rate else None
                value = (
                    (numerator / denominator * scale if denominator else None) if rate else float(numerator)
                )
                rows.append(
                    {
                        "indicator": indicator,
                        "period": row["period"],
                        "stratum_type": stratum_type,
                        "stratum": str(row[column]),
                        "numerator": numerator,
                        "denominator": denominator,
                        "value": None if value is None else round(value, 4),
                        "standardised_value": None,
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def write(result: pd.DataFrame, path: Path) -> None:
    if path.suffix.lower() == ".parquet":
        result.to_parquet(path, index=False)
    elif path.suffix.lower() == ".csv":
        result.to_csv(path, index=False)
    else:
        raise ValueError(f"{path}: write .csv or .parquet")
