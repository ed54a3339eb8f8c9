"""Tiny hand-made registries for the indicator tests: write local Danish times, get ISO 8601 with offset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from sektorbro.indicators.registry import Registry, registry_from_tables

CPH = ZoneInfo("Europe/Copenhagen")
PERSON_COLUMNS = ["person_id", "birth_date", "sex", "municipality_code", "death_date"]
CONTACT_COLUMNS = [
    "contact_id", "person_id", "start", "end", "unit_code", "hospital_code", "area", "priority",
    "contact_type", "action_diagnosis", "hospice", "discharge_mode", "municipality_code",
]  # fmt: skip


def t(local: str) -> str:
    """``"2024-01-10 08:00"`` (Danish local time) -> ``"2024-01-10T08:00:00+01:00"``."""
    return dt.datetime.fromisoformat(local).replace(tzinfo=CPH).isoformat()


@dataclass
class World:
    """A registry under construction; every value is text, as in a CSV file."""

    persons: list[dict[str, str]] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)
    diagnoses: list[dict[str, str]] = field(default_factory=list)
    ready: list[dict[str, str]] = field(default_factory=list)
    population: list[dict[str, str]] = field(default_factory=list)
    chronic: list[dict[str, str]] = field(default_factory=list)

    def person(
        self, pid: str, birth: str, sex: str = "F", municipality: str = "730", death: str = ""
    ) -> World:
        self.persons.append(
            {
                "person_id": pid,
                "birth_date": birth,
                "sex": sex,
                "municipality_code": municipality,
                "death_date": death,
            }
        )
        return self

    def contact(
        self,
        cid: str,
        pid: str,
        start: str,
        end: str,
        *,
        hospital: str = "rhr",
        area: str = "somatic",
        priority: str = "ATA1",
        kind: str = "ALCA00",
        diagnosis: str = "DI509",
        hospice: bool = False,
        mode: str = "home",
        municipality: str | None = None,
        unit: str = "U1",
    ) -> World:
        if municipality is None:
            municipality = next(p["municipality_code"] for p in self.persons if p["person_id"] == pid)
        self.contacts.append(
            {
                "contact_id": cid,
                "person_id": pid,
                "start": t(start),
                "end": t(end),
                "unit_code": unit,
                "hospital_code": hospital,
                "area": area,
                "priority": priority,
                "contact_type": kind,
                "action_diagnosis": diagnosis,
                "hospice": "true" if hospice else "false",
                "discharge_mode": mode,
                "municipality_code": municipality,
            }
        )
        return self

    def secondary(self, cid: str, code: str) -> World:
        self.diagnoses.append({"contact_id": cid, "code": code, "kind": "B"})
        return self

    def ready_at(self, cid: str, ready: str, resumed: str | None = None) -> World:
        self.ready.append(
            {"contact_id": cid, "ready_at": t(ready), "resumed_at": t(resumed) if resumed else ""}
        )
        return self

    def residents(self, year: int, municipality: str, sex: str, age: int, count: int) -> World:
        self.population.append(
            {
                "year": str(year),
                "municipality_code": municipality,
                "sex": sex,
                "age": str(age),
                "count": str(count),
            }
        )
        return self

    def condition(self, pid: str, condition: str, since: str) -> World:
        self.chronic.append({"person_id": pid, "condition": condition, "from_date": since})
        return self

    def tables(self) -> dict[str, pd.DataFrame]:
        tables = {
            "persons": pd.DataFrame(self.persons, columns=PERSON_COLUMNS),
            "contacts": pd.DataFrame(self.contacts, columns=CONTACT_COLUMNS),
            "population": pd.DataFrame(
                self.population
                or [{"year": "2024", "municipality_code": "730", "sex": "F", "age": "80", "count": "1"}]
            ),
        }
        if self.diagnoses:
            tables["diagnoses"] = pd.DataFrame(self.diagnoses)
        if self.ready:
            tables["ready_for_discharge"] = pd.DataFrame(self.ready)
        if self.chronic:
            tables["chronic"] = pd.DataFrame(self.chronic)
        return tables

    def registry(self, **options: Any) -> Registry:
        return registry_from_tables(self.tables(), **options)

    def write_csv(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables().items():
            frame.to_csv(folder / f"{name}.csv", index=False)
        return folder


def pick(
    result: pd.DataFrame,
    indicator: str,
    period: str = "2024",
    stratum_type: str = "region",
    stratum: str | None = None,
) -> pd.DataFrame:
    rows = result[
        (result.indicator == indicator) & (result.period == period) & (result.stratum_type == stratum_type)
    ]
    if stratum is not None:
        rows = rows[rows.stratum == stratum]
    return rows


def one(
    result: pd.DataFrame,
    indicator: str,
    period: str = "2024",
    stratum_type: str = "region",
    stratum: str | None = None,
) -> pd.Series:
    rows = pick(result, indicator, period, stratum_type, stratum)
    assert len(rows) == 1, (indicator, period, stratum_type, stratum, rows)
    return rows.iloc[0]


def table(
    rows: pd.DataFrame, columns: Iterable[str] = ("stratum", "numerator", "denominator", "value")
) -> list[tuple[Any, ...]]:
    """Rows as plain tuples (missing values as None, floats rounded) for readable expected tables."""
    out = []
    for row in rows[list(columns)].itertuples(index=False):
        values: list[Any] = []
        for v in row:
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                values.append(None)
            elif isinstance(v, float):
                values.append(round(v, 4))
            else:
                values.append(v.item() if hasattr(v, "item") else v)
        out.append(tuple(values))
    return out
