"""What an indicator definition is: metadata, named parameters, value sets and an Ibis expression.

A definition never touches a backend: ``events(ctx, params)`` builds an Ibis table from the context's Ibis tables,
and the engine runs it on DuckDB or Spark. The events table has one row per counted unit with the columns in
``EVENT_COLUMNS``; the engine aggregates, rolls up to periods and strata and computes rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sektorbro.indicators.valuesets import ValueSet

# kinds of indicator (how value is computed from the sums)
COUNT = "count"  # value = numerator; no denominator
TOTAL = "total"  # value = numerator (e.g. days); denominator = the units the total is over
AMOUNT = "amount"  # value = the summed amount (DKK); numerator = days, denominator = units
PROPORTION = "proportion"  # value = numerator / denominator * scale (per cent)
POPULATION_RATE = "population_rate"  # value = numerator / residents * scale (per 1,000)
KINDS = (COUNT, TOTAL, AMOUNT, PROPORTION, POPULATION_RATE)

STRATUM_TYPES = ("region", "cluster", "municipality", "hospital", "area", "age_group", "sex")
RESIDENCE_STRATA = ("region", "cluster", "municipality", "age_group", "sex")

# Columns of an events table: the local date that places the event in a period, the strata and the counts.
EVENT_COLUMNS = (
    "day",  # date (Europe/Copenhagen)
    "municipality_code",  # residence, 3 digits
    "hospital_code",
    "area",
    "sex",  # M / F
    "age",  # whole years
    "numerator",  # int64
    "denominator",  # int64 (0 when the denominator comes from the population)
    "amount_ore",  # int64 (amount in øre; 0 when unused)
)
# Columns of a population denominator table (residents per year).
# The long result table's columns, in order.
RESULT_COLUMNS = (
    "indicator",
    "period",
    "stratum_type",
    "stratum",
    "numerator",
    "denominator",
    "value",
    "standardised_value",
)
DENOMINATOR_COLUMNS = ("year", "municipality_code", "sex", "age", "count")


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    description_da: str
    description_en: str
    status: str = ""  # where the value comes from and whether it is verified

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "default": self.default,
            "description": {"da": self.description_da, "en": self.description_en},
            "status": self.status,
        }


@dataclass(frozen=True)
class StayRules:
    """How contacts become stays and admissions (shared by every indicator)."""

    gap_hours: float = 4.0  # contacts at most this far apart (or overlapping) are one stay
    admission_hours: float = 12.0  # a stay at least this long is an admission
    attributes_from: str = "first"  # area, priority, action diagnosis from the "first" or "longest" contact

    def __post_init__(self) -> None:
        if self.gap_hours < 0 or self.admission_hours < 0:
            raise ValueError("stay thresholds must not be negative")
        if self.attributes_from not in ("first", "longest"):
            raise ValueError("attributes_from must be 'first' or 'longest'")


STAY_PARAMETERS = (
    Parameter(
        "gap_hours",
        4.0,
        "Fysiske fremmøder, der overlapper eller ligger højst så mange timer fra hinanden, er ét sygehusophold "
        "(også på tværs af sygehuse).",
        "Physical contacts that overlap or lie at most this many hours apart form one stay (across hospitals).",
        "verified (eSundhed: <= 4 hours)",
    ),
    Parameter(
        "admission_hours",
        12.0,
        "Et ophold på mindst så mange timer er en indlæggelse.",
        "A stay of at least this many hours is an admission.",
        "verified (eSundhed: >= 12 hours)",
    ),
    Parameter(
        "attributes_from",
        "first",
        "Hvilken kontakt giver opholdets område, prioritet og aktionsdiagnose: 'first' (første) eller 'longest' "
        "(den længste, tidsmæssigt dominerende).",
        "Which contact gives the stay its area, priority and action diagnosis: 'first' or 'longest' (the "
        "contact covering most time).",
        "unverified (SDS's rule for a stay's representative contact is not documented)",
    ),
)


@dataclass
class Context:
    """The Ibis tables a definition may use, on one backend."""

    persons: Any
    contacts: Any
    population: Any
    stays: Any  # from definitions.stays (materialised once per run)
    tariffs: Any
    start: dt.date
    end: dt.date
    rules: StayRules
    diagnoses: Any | None = None
    ready: Any | None = None
    chronic: Any | None = None
    shared: dict[str, Any] = field(default_factory=dict)  # expressions shared between definitions
    materialize: Callable[[Any, str], Any] = field(default=lambda expr, name: expr, repr=False)

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))


@dataclass(frozen=True)
class Indicator:
    id: str
    name_da: str
    name_en: str
    definition_da: str
    definition_en: str
    kind: str
    scale: float
    unit_da: str
    unit_en: str
    numerator_da: str
    numerator_en: str
    denominator_da: str
    denominator_en: str
    status: str  # e.g. "national definition, simplified", "proxy", "local follow-up"
    events: Callable[[Context, Mapping[str, Any]], Any]
    parameters: tuple[Parameter, ...] = ()
    value_sets: tuple[ValueSet, ...] = ()
    deviations: tuple[str, ...] = ()
    strata: tuple[str, ...] = STRATUM_TYPES
    denominators: Callable[[Context, Mapping[str, Any]], Any] | None = None
    standardise: bool = False
    min_age: int = 0  # the youngest age in the indicator's population (standardisation weights)
    requires: tuple[str, ...] = ()  # optional registry tables this indicator needs

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: unknown kind {self.kind}")
        if (self.kind == POPULATION_RATE) != (self.denominators is not None):
            raise ValueError(f"{self.id}: population rates (and only they) need denominators")
        unknown = set(self.strata) - set(STRATUM_TYPES)
        if unknown:
            raise ValueError(f"{self.id}: unknown strata {sorted(unknown)}")

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The parameter values: defaults, replaced by ``overrides`` (unknown names are refused)."""
        values = {p.name: p.default for p in self.parameters}
        for name, value in (overrides or {}).items():
            if name not in values:
                raise ValueError(
                    f"{self.id}: unknown parameter {name!r} (known: {', '.join(values) or 'none'})"
                )
            values[name] = value
        return values

    def describe(self) -> dict[str, Any]:
        """Everything a page needs to explain the indicator (JSON-friendly)."""
        return {
            "id": self.id,
            "name": {"da": self.name_da, "en": self.name_en},
            "definition": {"da": self.definition_da, "en": self.definition_en},
            "kind": self.kind,
            "scale": self.scale,
            "unit": {"da": self.unit_da, "en": self.unit_en},
            "numerator": {"da": self.numerator_da, "en": self.numerator_en},
            "denominator": {"da": self.denominator_da, "en": self.denominator_en},
            "status": self.status,
            "parameters": [p.describe() for p in self.parameters],
            "stay_parameters": [p.describe() for p in STAY_PARAMETERS],
            "value_sets": [v.describe() for v in self.value_sets],
            "deviations": list(self.deviations),
            "strata": list(self.strata),
            "standardised": self.standardise,
            "requires": list(self.requires),
        }
