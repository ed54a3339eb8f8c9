"""Helpers for showing results: small-number suppression and funnel-plot limits.

Funnel limits are Sektorbro's own analysis, not part of the national indicators; label them so on pages."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

MIN_COUNT = 5
Z95 = 1.959963984540054  # two-sided 95 %
Z998 = 3.090232306167813  # two-sided 99.8 %


def suppress(result: pd.DataFrame, *, min_count: int = MIN_COUNT, keep_zero: bool = False) -> pd.DataFrame:
    """Blank the cells that rest on fewer than ``min_count`` units (persons, stays or days).

    A row is suppressed when its numerator, or its denominator where it has one, is below ``min_count``
    (zero included, unless ``keep_zero``). Numerator, denominator, value and standardised value are set to
    missing and ``suppressed`` is True, so a page can show "<5" instead of the numbers."""
    out = result.copy()
    numerator = out["numerator"].astype("Float64")
    denominator = out["denominator"].astype("Float64")

    def small(series: pd.Series) -> pd.Series:
        below = series < min_count
        if keep_zero:
            below &= series != 0
        return below.fillna(False).astype(bool)

    hidden = small(numerator) | (denominator.notna() & small(denominator))
    out["suppressed"] = hidden.to_numpy()
    for column in ("numerator", "denominator"):
        out[column] = out[column].astype("Int64").mask(hidden)
    for column in ("value", "standardised_value"):
        out[column] = out[column].astype(float).mask(hidden)
    return out


def _limits(target: float, n: np.ndarray, z: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            spread = z * np.sqrt(target * (1 - target) / n)
            return np.clip(target - spread, 0, 1), np.clip(target + spread, 0, 1)
        spread = z * np.sqrt(target / n)
        return np.maximum(target - spread, 0), target + spread


def funnel_limits(
    target: float, denominators: Sequence[float] | np.ndarray, *, kind: str = "proportion", scale: float = 1.0
) -> pd.DataFrame:
    """95 % and 99.8 % control limits around ``target`` for each denominator.

    ``kind="proportion"``: binomial (normal approximation), ``target`` a share between 0 and 1.
    ``kind="rate"``: Poisson (normal approximation), ``target`` events per unit of denominator.
    Values are multiplied by ``scale`` (100 for per cent, 1,000 for per 1,000) to match the result table."""
    if kind not in ("proportion", "rate"):
        raise ValueError("kind must be proportion or rate")
    if kind == "proportion" and not 0 <= target <= 1:
        raise ValueError("a proportion target must lie between 0 and 1")
    n = np.asarray(denominators, dtype=float)
    lower95, upper95 = _limits(target, n, Z95, kind)
    lower998, upper998 = _limits(target, n, Z998, kind)
    return pd.DataFrame(
        {
            "denominator": n,
            "target": target * scale,
            "lower95": lower95 * scale,
            "upper95": upper95 * scale,
            "lower998": lower998 * scale,
            "upper998": upper998 * scale,
        }
    )


def add_funnel(rows: pd.DataFrame, *, kind: str, scale: float) -> pd.DataFrame:
    """Funnel limits for the rows of one indicator, period and stratum type (e.g. the municipalities).

    The target is the pooled value (sum of numerators over sum of denominators); each row gets its limits and
    ``outside95`` / ``outside998`` flags. Rows without a positive denominator get no limits."""
    usable = rows["denominator"].fillna(0).astype(float) > 0
    numerators = rows.loc[usable, "numerator"].astype(float)
    denominators = rows.loc[usable, "denominator"].astype(float)
    total = float(denominators.sum())
    target = float(numerators.sum()) / total if total else math.nan
    out = rows.copy()
    for column in ("target", "lower95", "upper95", "lower998", "upper998"):
        out[column] = np.nan
    if total:
        limits = funnel_limits(target, denominators.to_numpy(), kind=kind, scale=scale)
        for column in ("target", "lower95", "upper95", "lower998", "upper998"):
            out.loc[usable, column] = limits[column].to_numpy()
    raw = out["numerator"].astype(float) / out["denominator"].astype(float) * scale
    out["outside95"] = usable & ((raw < out["lower95"]) | (raw > out["upper95"]))
    out["outside998"] = usable & ((raw < out["lower998"]) | (raw > out["upper998"]))
    return out
