"""The dated tariff table: reading it from a data file (the demo table ships with the package)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sektorbro.agreement.model import RuleInputError, Tariff

DEMO_TARIFFS = Path(__file__).resolve().parent / "data" / "tariffs_demo.json"


def tariff_from_dict(item: dict[str, Any], where: str = "tariff") -> Tariff:
    try:
        valid_to = item.get("valid_to")
        tariff = Tariff(
            sector=str(item["sector"]),
            valid_from=dt.date.fromisoformat(item["valid_from"]),
            valid_to=dt.date.fromisoformat(valid_to) if valid_to else None,
            dkk_per_day=float(item["dkk_per_day"]),
            source=str(item["source"]),
            example=bool(item.get("example", False)),
        )
    except KeyError as exc:
        raise RuleInputError(f"{where}: missing {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        raise RuleInputError(f"{where}: {exc}") from exc
    if tariff.sector not in ("somatic", "psychiatric"):
        raise RuleInputError(f"{where}.sector: must be 'somatic' or 'psychiatric'")
    if tariff.dkk_per_day < 0:
        raise RuleInputError(f"{where}.dkk_per_day: must not be negative")
    if tariff.valid_to is not None and tariff.valid_to <= tariff.valid_from:
        raise RuleInputError(f"{where}.valid_to: must be after valid_from")
    return tariff


def load_tariffs(path: Path = DEMO_TARIFFS) -> tuple[Tariff, ...]:
    payload = json.loads(path.read_text(encoding="utf-8"))
    items = payload["items"] if isinstance(payload, dict) else payload
    return tuple(tariff_from_dict(item, f"{path.name}[{i}]") for i, item in enumerate(items))
