"""The seed groups, their members and kommissorier, and Randersklyngens klyngestyregruppe's meeting of 5 May 2021,
transcribed from the seed documents (``seed/*.json``). ``load_demo()`` is safe to run again: it updates what is
there and never duplicates."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from sektorbro.governance import documents, importer
from sektorbro.governance.models import Group, GroupMember, TermsOfReference

SEED_DIR = Path(__file__).resolve().parent / "seed"
GROUPS_FILE = SEED_DIR / "groups.json"
MEETING_FILES = [SEED_DIR / "randersklyngen-2021-05-05.json"]
GROUPS_FORMAT = "sektorbro.governance.groups"
CLUSTER_STEERING_GROUP = "randersklyngen-klyngestyregruppe"

_TERMS_FIELDS = (
    "title",
    "status_note",
    "background",
    "purpose",
    "tasks",
    "organisation",
    "composition",
    "chairs",
    "secretariat",
    "reporting",
    "other_sections",
    "timeline",
)


@dataclass
class SeedResult:
    groups: int = 0
    members: int = 0
    terms: int = 0
    imports: list[importer.ImportResult] = field(default_factory=list)

    def summary(self) -> str:
        meetings = "; ".join(r.summary() for r in self.imports)
        return f"{self.groups} groups, {self.members} members, {self.terms} terms of reference; meetings: {meetings}"


def read_groups(path: Path = GROUPS_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != GROUPS_FORMAT:
        raise ValueError(f"{path.name}: format must be {GROUPS_FORMAT!r}")
    return data


def _ensure_group(raw: dict[str, Any], parents: dict[str, Group]) -> Group:
    parent = parents[raw["parent"]] if raw.get("parent") else None
    group, _created = Group.objects.update_or_create(
        key=raw["key"],
        defaults={
            "name": raw["name"],
            "short_name": raw.get("short_name", ""),
            "kind": raw["kind"],
            "parent": parent,
            "description": raw.get("description", ""),
            "secretariat": raw.get("secretariat", ""),
        },
    )
    return group


def _ensure_members(group: Group, members: list[dict[str, Any]]) -> int:
    """The seed's members, matched by name; members added by hand (and user links) are left alone."""
    for position, raw in enumerate(members):
        GroupMember.objects.update_or_create(
            group=group,
            name=raw["name"],
            defaults={
                "title": raw.get("title", ""),
                "organisation": raw.get("organisation", ""),
                "organisation_kind": raw.get("organisation_kind", ""),
                "role": raw.get("role", "member"),
                "alternate": raw.get("alternate", ""),
                "position": position,
            },
        )
    return len(members)


def _ensure_terms(group: Group, raw: dict[str, Any]) -> None:
    values: dict[str, Any] = {name: raw[name] for name in _TERMS_FIELDS if name in raw}
    values["dated"] = dt.date.fromisoformat(raw["dated"]) if raw.get("dated") else None
    TermsOfReference.objects.update_or_create(group=group, version=raw["version"], defaults=values)


@transaction.atomic
def load_groups(path: Path = GROUPS_FILE) -> SeedResult:
    data = read_groups(path)
    result = SeedResult()
    by_key: dict[str, Group] = {}
    for raw in data["groups"]:  # parents come before their children in the file
        by_key[raw["key"]] = _ensure_group(raw, by_key)
        result.groups += 1
        result.members += _ensure_members(by_key[raw["key"]], raw.get("members", []))
    for raw in data["terms_of_reference"]:
        _ensure_terms(by_key[raw["group"]], raw)
        result.terms += 1
    return result


@transaction.atomic
def load_demo(*, actor: Any = None) -> SeedResult:
    """Groups, members, kommissorier and the seed meeting (imported, its minutes published)."""
    result = load_groups()
    for path in MEETING_FILES:
        result.imports.append(importer.import_document(documents.parse(path.read_text("utf-8")), actor=actor))
    return result
