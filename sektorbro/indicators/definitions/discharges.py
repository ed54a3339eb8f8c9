"""``discharges``: admissions (stays of 12 hours or more) ending in the period."""

from __future__ import annotations

from typing import Any

ID = "discharges"
NAME = {"da": "Udskrivelser", "en": "Discharges"}
DEFINITION = (
    "Admissions (stays of at least 12 hours, contacts merged across hospitals) whose stay ends in the period."
)
SCALE = 1.0


def events(stays: Any) -> Any:
    """One row per counted unit: the numerator event with its time and strata; no denominator."""
    admissions = stays.filter(stays.admission)
    return admissions.mutate(at=admissions["end"], numerator=1, denominator=1)
