"""The indicator registry: one definition per module, listed here in display order.

Each module defines ``INDICATOR`` (``model.Indicator``): id, Danish and English name and plain-language
definition, parameters, value sets with their verification status, known deviations and an Ibis expression.
``stays.py`` holds the shared stay and admission rules; ``common.py`` shared pieces."""

from __future__ import annotations

from sektorbro.indicators.definitions import (
    acute_per_copd,
    acute_per_diabetes2,
    discharges,
    preventable_65plus,
    readmission_30d_psychiatric,
    readmission_30d_somatic,
    ready_days,
    ready_days_amount,
    ready_discharged_same_day,
)
from sektorbro.indicators.model import Indicator

REGISTRY: dict[str, Indicator] = {
    module.INDICATOR.id: module.INDICATOR
    for module in (
        discharges,
        readmission_30d_somatic,
        readmission_30d_psychiatric,
        preventable_65plus,
        acute_per_copd,
        acute_per_diabetes2,
        ready_days,
        ready_days_amount,
        ready_discharged_same_day,
    )
}


def describe_all() -> list[dict[str, object]]:
    """The registry as JSON-friendly dictionaries (for pages and docs)."""
    return [indicator.describe() for indicator in REGISTRY.values()]
