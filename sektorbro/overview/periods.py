"""Period codes of the result table (pure): ``FROM..TO``, ``2024``, ``2024-Q1``, ``2024-01``."""

from __future__ import annotations

import re

GRANULARITIES = ("year", "quarter", "month")
_PATTERNS = {
    "year": re.compile(r"^\d{4}$"),
    "quarter": re.compile(r"^\d{4}-Q[1-4]$"),
    "month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
}


def granularity(period: str) -> str | None:
    """``year``, ``quarter``, ``month``, or ``None`` for a whole range (``FROM..TO``) or anything else."""
    for name, pattern in _PATTERNS.items():
        if pattern.match(period):
            return name
    return None


def of_granularity(periods: list[str] | set[str], wanted: str) -> list[str]:
    """The periods of one granularity, sorted (the codes sort chronologically as text)."""
    if wanted not in GRANULARITIES:
        raise ValueError(f"unknown granularity {wanted!r}")
    return sorted(p for p in periods if granularity(p) == wanted)


def between(periods: list[str], start: str | None, end: str | None) -> list[str]:
    """The sorted ``periods`` from ``start`` to ``end`` inclusive (either may be missing); swapped if reversed."""
    if start and end and start > end:
        start, end = end, start
    return [p for p in periods if (not start or p >= start) and (not end or p <= end)]


def label(period: str, language: str = "da") -> str:
    """A label for people: in Danish ``2024``, ``1. kvt. 2024``, ``01.2024``, ``01.01.2024–31.12.2025``; in
    English (``language="en"``) the quarter is ``Q1 2024``; the other forms are the same in both."""
    kind = granularity(period)
    if kind == "quarter":
        return f"Q{period[-1]} {period[:4]}" if language == "en" else f"{period[-1]}. kvt. {period[:4]}"
    if kind == "month":
        return f"{period[5:]}.{period[:4]}"
    if ".." in period:
        start, end = period.split("..")
        return f"{_date(start)}–{_date(end)}"
    return period


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"
