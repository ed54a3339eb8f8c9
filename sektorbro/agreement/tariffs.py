"""The dated tariff table (færdigbehandlingstakst, aftalen 2.1: "efter gældende takst").

The official amounts are set nationally each year and could not be verified, so the package ships a demo
table (``data/tariffs_demo.json``) whose rows are marked ``example``. Administrators maintain the real rows;
the rules only need the pure rows (``model.Tariff``) and the lookup below."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sektorbro.agreement.model import RuleInputError, Tariff

DEMO_TARIFFS = Path(__file__).resolve().parent / "data" / "tariffs_demo.json"
TARIFF_KEYS = frozenset({"sector", "valid_from", "valid_to", "dkk_per_day", "source", "example"})


def tariff_from_dict(item: Any, where: str = "tariff") -> Tariff:
    """One row from JSON-like data; errors name the row and the field."""
    if not isinstance(item, dict):
        raise RuleInputError(f"{where}: must be an object")
    unknown = sorted(set(item) - TARIFF_KEYS)
    if unknown:
        raise RuleInputError(f"{where}.{unknown[0]}: unknown field")
    for key in ("sector", "valid_from", "dkk_per_day", "source"):
        if item.get(key) is None:
            raise RuleInputError(f"{where}.{key}: required")
    amount = item["dkk_per_day"]
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise RuleInputError(f"{where}.dkk_per_day: must be a number")
    example = item.get("example", False)
    if not isinstance(example, bool):
        raise RuleInputError(f"{where}.example: must be true or false")
    try:
        valid_from = dt.date.fromisoformat(str(item["valid_from"]))
    except ValueError as exc:
        raise RuleInputError(f"{where}.valid_from: not a date YYYY-MM-DD") from exc
    try:
        valid_to = dt.date.fromisoformat(str(item["valid_to"])) if item.get("valid_to") else None
    except ValueError as exc:
        raise RuleInputError(f"{where}.valid_to: not a date YYYY-MM-DD") from exc
    try:
        return Tariff(
            sector=str(item["sector"]),
            valid_from=valid_from,
            valid_to=valid_to,
            dkk_per_day=float(amount),
            source=str(item["source"]),
            example=example,
        )
    except RuleInputError as exc:
        raise RuleInputError(f"{where}.{str(exc).removeprefix('tariff.')}") from exc


def check_no_overlap(tariffs: Iterable[Tariff]) -> None:
    """Refuse two rows for the same sector whose periods overlap (the amount for a day must be unique)."""
    rows = sorted(tariffs, key=lambda t: (t.sector, t.valid_from))
    for before, after in itertools.pairwise(rows):
        if before.sector == after.sector and (before.valid_to is None or before.valid_to > after.valid_from):
            raise RuleInputError(
                f"tariffs: {before.sector} rows from {before.valid_from} and {after.valid_from} overlap"
            )


def tariffs_from_data(payload: Any, where: str = "tariffs") -> tuple[Tariff, ...]:
    """A table from JSON data: a list of rows, or ``{"items": [...]}``."""
    items = payload.get("items") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise RuleInputError(f"{where}: must be a list of rows (or an object with 'items')")
    table = tuple(tariff_from_dict(item, f"{where}[{i}]") for i, item in enumerate(items))
    check_no_overlap(table)
    return table


def load_tariffs(path: Path = DEMO_TARIFFS) -> tuple[Tariff, ...]:
    """Read a tariff file (by default the demo table with example values)."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RuleInputError(f"{path.name}: invalid JSON (line {exc.lineno}): {exc.msg}") from exc
    return tariffs_from_data(payload, path.name)


def tariff_for(tariffs: Iterable[Tariff], sector: str, day: dt.date) -> Tariff | None:
    """The row in force for a sector on a day, or ``None`` when the table has no row for it."""
    return next((t for t in tariffs if t.covers(sector, day)), None)
