"""Server-rendered SVG charts as plain data (coordinates, paths, ticks); the templates only draw them.

No Django. A line chart has one series over periods with gaps where a value is suppressed or missing; a funnel
plot has the units as points (suppressed units are left out) and the control limits as paths."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sektorbro.overview.stats import Scale, binomial_limits, nice_ticks, poisson_limits

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44
LEVELS = (0.95, 0.998)


@dataclass(frozen=True)
class Tick:
    value: float
    label: str
    pos: float


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    title: str
    highlight: bool = False


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    paths: tuple[str, ...]
    points: tuple[Point, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    limit_paths: tuple[tuple[str, str], ...] = ()  # (css class, path)
    target_path: str = ""
    empty: bool = False


def fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.1f}".replace(".", ",")


def _y_scale(values: Sequence[float]) -> tuple[Scale, tuple[Tick, ...]]:
    low = min([0.0, *values])
    high = max(values) if values else 1.0
    ticks = nice_ticks(low, high if high > low else low + 1)
    scale = Scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    return scale, tuple(Tick(t, fmt(t), round(scale(t), 1)) for t in ticks)


def line_chart(periods: Sequence[str], values: Sequence[float | None]) -> Chart:
    """One series over ``periods``; ``None`` breaks the line (suppressed or missing)."""
    present = [v for v in values if v is not None]
    if not periods or not present:
        return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM, (), (), (), (), empty=True)
    y, y_ticks = _y_scale(present)
    x = Scale(0, len(periods) - 1, LEFT + 24, WIDTH - RIGHT - 32)  # room for the centred period labels
    paths: list[str] = []
    segment: list[str] = []
    points = []
    for i, (period, value) in enumerate(zip(periods, values, strict=True)):
        if value is None:
            if segment:
                paths.append(" ".join(segment))
            segment = []
            continue
        px, py = round(x(i), 1), round(y(value), 1)
        segment.append(f"{'M' if not segment else 'L'}{px},{py}")
        points.append(Point(px, py, period, f"{period}: {fmt(value)}"))
    if segment:
        paths.append(" ".join(segment))
    every = max(1, math.ceil(len(periods) / 8))
    x_ticks = tuple(Tick(i, p, round(x(i), 1)) for i, p in enumerate(periods) if i % every == 0)
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        WIDTH - RIGHT,
        TOP,
        HEIGHT - BOTTOM,
        tuple(paths),
        tuple(points),
        x_ticks,
        y_ticks,
    )


@dataclass(frozen=True)
class FunnelUnit:
    label: str
    numerator: float
    denominator: float
    highlight: bool = False


def funnel_limits(kind: str, target: float, size: float, level: float, scale: float) -> tuple[float, float]:
    """Control limits in display units (``value`` scale) for a unit of ``size`` around ``target`` (a
    proportion or a rate per person, unscaled)."""
    if kind == "proportion":
        low, high = binomial_limits(target, max(1, round(size)), level)
    elif kind == "population_rate":
        low, high = poisson_limits(target, size, level)
    else:
        raise ValueError(f"no funnel plot for {kind!r} indicators")
    return low * scale, high * scale


def funnel_plot(kind: str, units: Sequence[FunnelUnit], scale: float, *, steps: int = 40) -> Chart:
    """The units against their size, with the overall value and limits at 95% and 99.8%."""
    usable = [u for u in units if u.denominator > 0]
    if not usable:
        return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM, (), (), (), (), empty=True)
    target = sum(u.numerator for u in usable) / sum(u.denominator for u in usable)
    sizes = [u.denominator for u in usable]
    x_ticks_values = nice_ticks(0, max(sizes) * 1.05)
    x_high = x_ticks_values[-1]
    x_low = max(1.0, min(sizes) * 0.5)
    grid = [x_low + (x_high - x_low) * i / steps for i in range(steps + 1)]
    limits = {lv: [funnel_limits(kind, target, n, lv, scale) for n in grid] for lv in LEVELS}
    values = [u.numerator / u.denominator * scale for u in usable]
    y_values = values + [target * scale] + [b for lv in LEVELS for pair in limits[lv] for b in pair]
    y, y_ticks = _y_scale(y_values)
    x = Scale(0, x_ticks_values[-1], LEFT, WIDTH - RIGHT)
    x_ticks = tuple(Tick(t, fmt(t), round(x(t), 1)) for t in x_ticks_values)
    limit_paths = []
    for lv, css in zip(LEVELS, ("limit-95", "limit-998"), strict=True):
        for side in (0, 1):
            d = " ".join(
                f"{'M' if i == 0 else 'L'}{round(x(n), 1)},{round(y(pair[side]), 1)}"
                for i, (n, pair) in enumerate(zip(grid, limits[lv], strict=True))
            )
            limit_paths.append((css, d))
    target_path = (
        f"M{x(0)},{round(y(target * scale), 1)} L{x(x_ticks_values[-1])},{round(y(target * scale), 1)}"
    )
    points = tuple(
        Point(
            round(x(u.denominator), 1),
            round(y(v), 1),
            u.label,
            f"{u.label}: {fmt(v)} (n = {fmt(u.denominator)})",
            u.highlight,
        )
        for u, v in zip(usable, values, strict=True)
    )
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        WIDTH - RIGHT,
        TOP,
        HEIGHT - BOTTOM,
        (),
        points,
        x_ticks,
        y_ticks,
        tuple(limit_paths),
        target_path,
    )
