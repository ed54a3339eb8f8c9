"""Pure rules of the overview pages: small-number suppression, funnel plot limits and chart scaling.

No Django here. Suppression: a cell whose numerator or denominator counts fewer than ``MIN_COUNT`` persons or
stays is never shown (nor exported). Funnel limits: exact binomial limits for proportions and exact Poisson
limits for population rates and counts, around the overall (target) value, at 95% and 99.8%."""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_COUNT = 5
SUPPRESSED = "<5"


def checked_counts(numerator: float | None, denominator: float | None, *, kind: str) -> list[float | None]:
    """The numbers of ``kind`` that count persons or stays (those the suppression rule looks at)."""
    if kind == "count":
        return [numerator]
    if kind in ("proportion", "population_rate"):
        return [numerator, denominator]
    if kind in ("total", "amount"):
        return [denominator]  # the numerator is days or DKK; the denominator counts stays
    raise ValueError(f"unknown indicator kind {kind!r}")


def is_suppressed(numerator: float | None, denominator: float | None, *, kind: str) -> bool:
    """True when the cell must not be shown: a person/stay count below ``MIN_COUNT`` (zero included).

    A missing count (no denominator for ``count`` indicators) is not checked."""
    return any(
        c is not None and not (isinstance(c, float) and math.isnan(c)) and c < MIN_COUNT
        for c in checked_counts(numerator, denominator, kind=kind)
    )


@dataclass(frozen=True)
class Cell:
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool


def _small(count: float | None) -> bool:
    return count is not None and not (isinstance(count, float) and math.isnan(count)) and count < MIN_COUNT


def suppress(numerator: float | None, denominator: float | None, value: float | None, *, kind: str) -> Cell:
    """The cell as it may be shown. When it is suppressed the numerator and the value are blanked; the
    denominator of a proportion or a population rate stays when it is itself 5 or more (35 index stays with
    fewer than 5 readmissions shows "35", not "<5": the small count is the numerator alone)."""
    if is_suppressed(numerator, denominator, kind=kind):
        keep = (
            kind in ("proportion", "population_rate") and denominator is not None and not _small(denominator)
        )
        return Cell(None, denominator if keep else None, None, True)
    return Cell(numerator, denominator, value, False)


def _log_binom_pmf(k: int, n: int, p: float) -> float:
    if p <= 0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1:
        return 0.0 if k == n else -math.inf
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )


def _log_poisson_pmf(k: int, mu: float) -> float:
    if mu <= 0:
        return 0.0 if k == 0 else -math.inf
    return k * math.log(mu) - mu - math.lgamma(k + 1)


def _window(mean: float, sd: float, top: int | None) -> range:
    low = max(0, math.floor(mean - 12 * sd - 10))
    high = math.ceil(mean + 12 * sd + 10)
    if top is not None:
        high = min(high, top)
    return range(low, high + 1)


def _interpolated_quantile(pmf: dict[int, float], q: float) -> float:
    """The ``q`` quantile r of a discrete distribution, minus the interpolation step alpha (Spiegelhalter 2005,
    appendix A.1.1): alpha = (P(X <= r) - q) / P(X = r), so the limit is r - alpha."""
    cumulative = 0.0
    for k in sorted(pmf):
        cumulative += pmf[k]
        if cumulative >= q:
            return k - (cumulative - q) / pmf[k] if pmf[k] > 0 else float(k)
    return float(max(pmf))


def binomial_limits(p: float, n: int, level: float) -> tuple[float, float]:
    """Exact binomial control limits (as proportions) for a unit of ``n`` cases around target ``p``."""
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= p <= 1:
        raise ValueError("p must lie in 0..1")
    if not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1")
    window = _window(n * p, math.sqrt(n * p * (1 - p)), n)
    pmf = {k: math.exp(_log_binom_pmf(k, n, p)) for k in window}
    low, high = (_interpolated_quantile(pmf, q) for q in ((1 - level) / 2, (1 + level) / 2))
    return min(max(low / n, 0.0), 1.0), min(max(high / n, 0.0), 1.0)


def poisson_limits(rate: float, exposure: float, level: float) -> tuple[float, float]:
    """Exact Poisson control limits (as rates per unit of exposure) around target ``rate``."""
    if exposure <= 0:
        raise ValueError("exposure must be positive")
    if rate < 0:
        raise ValueError("rate must not be negative")
    if not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1")
    mu = rate * exposure
    pmf = {k: math.exp(_log_poisson_pmf(k, mu)) for k in _window(mu, math.sqrt(mu), None)}
    low, high = (_interpolated_quantile(pmf, q) for q in ((1 - level) / 2, (1 + level) / 2))
    return max(low / exposure, 0.0), max(high / exposure, 0.0)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low``..``high`` (1, 2, 2.5, 5 × 10^k steps)."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    count_steps = max(1, math.ceil((high - start) / step - 1e-9))
    return [round(start + i * step, 10) for i in range(count_steps + 1)]


@dataclass(frozen=True)
class Scale:
    """A linear map from data ``domain`` to pixel ``range``."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, x: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (x - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)
