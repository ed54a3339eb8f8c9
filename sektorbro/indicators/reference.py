"""Reference data: the region's municipalities, clusters and hospitals (``data/region.json``), and the age bands.

Plain data, no Django. The cluster of a municipality and of a hospital is looked up here; strata for clusters
use the cluster key (``randersklyngen``), strata for municipalities the 3-digit code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
REGION_FILE = DATA / "region.json"

# Age bands for the age_group stratum and for sex/age standardisation: (label, lowest age, highest age).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 17),
    ("18-44", 18, 44),
    ("45-64", 45, 64),
    ("65-74", 65, 74),
    ("75-84", 75, 84),
    ("85+", 85, None),
)


def age_band(age: int) -> str:
    for label, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    raise ValueError(f"negative age {age}")


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    cluster: str
    population_approx: int
    population_65plus_approx: int


@dataclass(frozen=True)
class Cluster:
    key: str
    name: str
    hospital: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Hospital:
    code: str
    name: str
    cluster: str | None
    area: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    version: str
    municipalities: tuple[Municipality, ...]
    clusters: tuple[Cluster, ...]
    hospitals: tuple[Hospital, ...]

    @property
    def municipality_cluster(self) -> dict[str, str]:
        return {m.code: m.cluster for m in self.municipalities}

    @property
    def municipality_codes(self) -> list[str]:
        return [m.code for m in self.municipalities]

    @property
    def hospital_cluster(self) -> dict[str, str | None]:
        return {h.code: h.cluster for h in self.hospitals}

    def cluster_key(self, name_or_alias: str) -> str:
        """The cluster key for a key, a name or an alias (``Vestklyngen`` -> ``goedstrupklyngen``)."""
        wanted = name_or_alias.strip().lower()
        for cluster in self.clusters:
            if wanted in {cluster.key, cluster.name.lower(), *(a.lower() for a in cluster.aliases)}:
                return cluster.key
        raise KeyError(name_or_alias)

    def hospital_code(self, code_or_alias: str) -> str:
        """The hospital code for a code, a name or an alias (``hev`` -> ``goedstrup``); unknown codes pass through."""
        wanted = code_or_alias.strip().lower()
        for hospital in self.hospitals:
            if wanted in {hospital.code, hospital.name.lower(), *(a.lower() for a in hospital.aliases)}:
                return hospital.code
        return code_or_alias


def _region_from(payload: dict[str, Any]) -> Region:
    return Region(
        key=payload["region"]["key"],
        name=payload["region"]["name"],
        version=payload["version"],
        municipalities=tuple(
            Municipality(
                code=m["code"],
                name=m["name"],
                cluster=m["cluster"],
                population_approx=int(m["population_approx"]),
                population_65plus_approx=int(m["population_65plus_approx"]),
            )
            for m in payload["municipalities"]
        ),
        clusters=tuple(
            Cluster(key=c["key"], name=c["name"], hospital=c["hospital"], aliases=tuple(c["aliases"]))
            for c in payload["clusters"]
        ),
        hospitals=tuple(
            Hospital(
                code=h["code"],
                name=h["name"],
                cluster=h["cluster"],
                area=h["area"],
                aliases=tuple(h["aliases"]),
            )
            for h in payload["hospitals"]
        ),
    )


@cache
def region() -> Region:
    """The bundled reference data (``data/region.json``)."""
    return _region_from(json.loads(REGION_FILE.read_text(encoding="utf-8")))
