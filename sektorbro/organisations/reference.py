"""Loading the versioned reference data files into the database.

The files in ``data/`` are the source of truth; loading is an idempotent upsert by key/code, so running it
again after a data change updates the rows in place. A data migration and ``sektorbro reference load`` both
call :func:`load_reference_data`. It takes a model getter so the migration can pass its historical models.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
REGION_KEY = "region-midtjylland"


class ReferenceDataError(ValueError):
    """A data file is malformed: the message names the file, the item and the field."""


def read_items(name: str) -> list[dict[str, Any]]:
    path = DATA_DIR / name
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReferenceDataError(f"{name}: cannot be read as JSON: {exc}") from exc
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise ReferenceDataError(f"{name}: expected an object with a list under 'items'")
    return items


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ReferenceDataError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _required(item: dict[str, Any], key: str, where: str) -> Any:
    if item.get(key) in (None, ""):
        raise ReferenceDataError(f"{where}: missing '{key}'")
    return item[key]


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[what] = target.get(what, 0) + 1


def load_reference_data(get_model: Callable[[str, str], Any]) -> LoadReport:
    Cluster = get_model("organisations", "Cluster")
    Municipality = get_model("organisations", "Municipality")
    Unit = get_model("organisations", "OrganisationUnit")
    Alias = get_model("organisations", "OrganisationAlias")
    report = LoadReport()

    def dated(item: dict[str, Any], where: str) -> dict[str, Any]:
        valid_from = _date(_required(item, "valid_from", where), where + ".valid_from")
        valid_to = _date(item.get("valid_to"), where + ".valid_to")
        if valid_to is not None and valid_from is not None and valid_to <= valid_from:
            raise ReferenceDataError(f"{where}: valid_to must be after valid_from")
        return {"valid_from": valid_from, "valid_to": valid_to}

    # A migration that runs before the example flag existed loads the rest and leaves the flag out.
    has_example_flag = any(f.name == "phone_is_example" for f in Unit._meta.get_fields())

    def identifiers(item: dict[str, Any]) -> dict[str, Any]:
        values = {
            "sor_code": item.get("sor_code", ""),
            "location_number": item.get("location_number", ""),
            "identifiers_are_demo": bool(item.get("identifiers_are_demo", False)),
            "phone": item.get("phone", ""),
        }
        if has_example_flag:
            values["phone_is_example"] = bool(item.get("phone_is_example", False))
        return values

    def aliases(item: dict[str, Any], where: str, **target: Any) -> None:
        for i, alias in enumerate(item.get("aliases", [])):
            awhere = f"{where}.aliases[{i}]"
            _, created = Alias.objects.update_or_create(
                name=_required(alias, "name", awhere),
                **target,
                defaults={**dated(alias, awhere), "note": alias.get("note", "")},
            )
            report.count("aliases", created)

    def unit(key: str, **values: Any) -> Any:
        obj, created = Unit.objects.update_or_create(key=key, defaults=values)
        report.count("units", created)
        return obj

    clusters = {}
    for i, item in enumerate(read_items("clusters.json")):
        where = f"clusters.json[{i}]"
        key = _required(item, "key", where)
        obj, created = Cluster.objects.update_or_create(
            key=key, defaults={"name": _required(item, "name", where), **dated(item, where)}
        )
        report.count("clusters", created)
        clusters[key] = obj
        aliases(item, where, cluster=obj)

    def cluster_of(key: str, where: str) -> Any:
        if not key:
            return None
        if key not in clusters:
            raise ReferenceDataError(f"{where}: unknown cluster {key!r}")
        return clusters[key]

    municipalities = {}
    for i, item in enumerate(read_items("municipalities.json")):
        where = f"municipalities.json[{i}]"
        code = str(_required(item, "code", where))
        if len(code) != 3 or not code.isdigit():
            raise ReferenceDataError(f"{where}.code: {code!r} is not a 3-digit municipality code")
        obj, created = Municipality.objects.update_or_create(
            code=code,
            defaults={
                "name": _required(item, "name", where),
                "cluster": cluster_of(_required(item, "cluster", where), where + ".cluster"),
                **dated(item, where),
            },
        )
        report.count("municipalities", created)
        municipalities[code] = obj

    def municipality_of(code: str, where: str) -> Any:
        if code not in municipalities:
            raise ReferenceDataError(f"{where}: unknown municipality code {code!r}")
        return municipalities[code]

    region = unit(REGION_KEY, kind="region", name="Region Midtjylland", valid_from=dt.date(2007, 1, 1))

    for i, item in enumerate(read_items("hospitals.json")):
        where = f"hospitals.json[{i}]"
        hospital = unit(
            _required(item, "key", where),
            kind="hospital",
            name=_required(item, "name", where),
            parent=region,
            cluster=cluster_of(item.get("cluster", ""), where + ".cluster"),
            area=item.get("area", ""),
            **identifiers(item),
            **dated(item, where),
        )
        aliases(item, where, unit=hospital)
        for j, dep in enumerate(item.get("departments", [])):
            dwhere = f"{where}.departments[{j}]"
            if dep.get("department_type") not in ("ward", "clinic"):
                raise ReferenceDataError(f"{dwhere}.department_type: must be 'ward' or 'clinic'")
            if dep.get("area") not in ("somatic", "psychiatric"):
                raise ReferenceDataError(f"{dwhere}.area: must be 'somatic' or 'psychiatric'")
            unit(
                _required(dep, "key", dwhere),
                kind="department",
                name=_required(dep, "name", dwhere),
                parent=hospital,
                cluster=hospital.cluster,
                department_type=dep["department_type"],
                area=dep["area"],
                **identifiers(dep),
                valid_from=_date(dep.get("valid_from") or item["valid_from"], dwhere),
                valid_to=_date(dep.get("valid_to"), dwhere),
            )

    services = {"visitation", "home_care", "home_nursing", "acute_function", "nursing_home", "social_area"}
    services.add("children_youth")
    for i, item in enumerate(read_items("municipal_units.json")):
        where = f"municipal_units.json[{i}]"
        muni = municipality_of(str(_required(item, "municipality", where)), where + ".municipality")
        service = _required(item, "municipal_service", where)
        if service not in services:
            raise ReferenceDataError(f"{where}.municipal_service: unknown service {service!r}")
        unit(
            _required(item, "key", where),
            kind="municipal_unit",
            name=_required(item, "name", where),
            municipality=muni,
            cluster=muni.cluster,
            municipal_service=service,
            **identifiers(item),
            **dated(item, where),
        )

    for i, item in enumerate(read_items("gp_clinics.json")):
        where = f"gp_clinics.json[{i}]"
        muni = municipality_of(str(_required(item, "municipality", where)), where + ".municipality")
        unit(
            _required(item, "key", where),
            kind="gp_clinic",
            name=_required(item, "name", where),
            municipality=muni,
            cluster=muni.cluster,
            **identifiers(item),
            **dated(item, where),
        )

    for i, item in enumerate(read_items("regional_social_units.json")):
        where = f"regional_social_units.json[{i}]"
        unit(
            _required(item, "key", where),
            kind="regional_social_unit",
            name=_required(item, "name", where),
            parent=region,
            **identifiers(item),
            **dated(item, where),
        )

    for i, item in enumerate(read_items("secretariats.json")):
        where = f"secretariats.json[{i}]"
        unit(
            _required(item, "key", where),
            kind="secretariat",
            name=_required(item, "name", where),
            parent=region,
            cluster=cluster_of(item.get("cluster", ""), where + ".cluster"),
            **dated(item, where),
        )
    return report
