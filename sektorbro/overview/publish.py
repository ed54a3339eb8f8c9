"""Read, validate and import a result table (CSV or Parquet) from ``sektorbro indicators compute``."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction

from sektorbro.overview.models import IndicatorRun, IndicatorValue

COLUMNS = ("indicator", "period", "stratum_type", "stratum", "numerator", "denominator", "value",
           "standardised_value")  # fmt: skip
NUMBERS = ("numerator", "denominator", "value", "standardised_value")
STRATUM_TYPES = ("region", "cluster", "municipality", "hospital", "area", "age_group", "sex")
PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}|\d{4}|\d{4}-Q[1-4]|\d{4}-(0[1-9]|1[0-2]))$")


class PublishError(ValueError):
    """The result file cannot be published; the message names file, row and column."""


def read_result(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise PublishError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            raise PublishError(f"{path}: unknown file type {suffix!r} (use .csv or .parquet)")
    except PublishError:
        raise
    except Exception as exc:
        raise PublishError(f"{path}: cannot be read: {exc}") from exc
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise PublishError(f"{path}: missing column(s) {', '.join(missing)}")
    if frame.empty:
        raise PublishError(f"{path}: no rows")
    return frame


def _number(raw: Any) -> float | None:
    if raw is None or raw is pd.NA or (isinstance(raw, str) and raw.strip() == ""):
        return None
    value = float(raw)
    if math.isnan(value):
        return None
    if math.isinf(value):
        raise ValueError("infinite")
    return value


def validate(frame: pd.DataFrame, path: Path) -> list[IndicatorValue]:
    """Every row as an unsaved IndicatorValue; the first bad cell raises with file, row (file line) and column."""
    rows: list[IndicatorValue] = []
    header = 1 if path.suffix.lower() == ".csv" else 0
    seen: set[tuple[str, str, str, str]] = set()
    for index, record in enumerate(frame[list(COLUMNS)].itertuples(index=False, name=None)):
        line = index + 1 + header

        def bad(column: str, message: str, line: int = line) -> PublishError:
            return PublishError(f"{path}: row {line}, column {column}: {message}")

        indicator, period, stratum_type, stratum = (str(v).strip() for v in record[:4])
        if not indicator:
            raise bad("indicator", "empty")
        if not PERIOD.match(period):
            raise bad("period", f"{period!r} is not FROM..TO, YYYY, YYYY-Qn or YYYY-MM")
        if stratum_type not in STRATUM_TYPES:
            raise bad("stratum_type", f"{stratum_type!r} is not one of {', '.join(STRATUM_TYPES)}")
        if not stratum:
            raise bad("stratum", "empty")
        numbers: list[float | None] = []
        for column, raw in zip(NUMBERS, record[4:], strict=True):
            try:
                numbers.append(_number(raw))
            except (TypeError, ValueError):
                raise bad(column, f"{raw!r} is not a number") from None
        if numbers[0] is not None and numbers[0] < 0:
            raise bad("numerator", "negative")
        if numbers[1] is not None and numbers[1] < 0:
            raise bad("denominator", "negative")
        key = (indicator, period, stratum_type, stratum)
        if key in seen:
            raise bad("stratum", f"duplicate row for {indicator} {period} {stratum_type} {stratum}")
        seen.add(key)
        rows.append(
            IndicatorValue(
                indicator=indicator,
                period=period,
                stratum_type=stratum_type,
                stratum=stratum,
                numerator=numbers[0],
                denominator=numbers[1],
                value=numbers[2],
                standardised_value=numbers[3],
            )
        )
    return rows


def _whole_period(rows: list[IndicatorValue], path: Path) -> tuple[dt.date, dt.date]:
    ranges = {r.period for r in rows if ".." in r.period}
    if len(ranges) != 1:
        raise PublishError(f"{path}: expected exactly one FROM..TO period, found {len(ranges)}")
    start, end = ranges.pop().split("..")
    try:
        return dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError as exc:
        raise PublishError(f"{path}: period {start}..{end}: {exc}") from None


def publish(
    path: Path | str,
    *,
    label: str,
    engine: str = "duckdb",
    registry_description: str = "",
    user: Any = None,
) -> IndicatorRun:
    """Validate the whole file, then import it in one transaction (a failure imports nothing)."""
    path = Path(path)
    if not label.strip():
        raise PublishError("a label is required")
    frame = read_result(path)
    rows = validate(frame, path)
    start, end = _whole_period(rows, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with transaction.atomic():
        run = IndicatorRun.objects.create(
            label=label.strip(),
            period_from=start,
            period_to=end,
            engine=engine,
            registry_description=registry_description,
            sha256=digest,
            created_by=user,
        )
        for row in rows:
            row.run = run
        IndicatorValue.objects.bulk_create(rows, batch_size=2000)
    return run
