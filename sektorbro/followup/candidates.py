"""Finding courses for a cross-sector audit: citizens with many acute somatic admissions in a recent window.

Plain Python over the indicator engine (no Django). The admissions are the engine's own stays
(``indicators.definitions.stays.build_stays``: physical contacts at most 4 hours apart are one stay, a stay of 12
hours or more is an admission), kept when they are acute and somatic and *start* inside the window. A stay that
started before the window and ended inside it does not count; neither does one that starts after ``at``.

The window is the ``months`` calendar months up to and including ``at``: from the day after ``at``, moved back
``months`` months (the day of the month clamped to the month's length), to ``at``. With ``at`` = 2021-09-30 and
three months that is 2021-07-01..2021-09-30; with 2021-10-15, 2021-07-16..2021-10-15.

A citizen is a candidate with at least ``min_admissions`` admissions in the window (``more than 3`` in the
seed round is the default of 4). With ``preventable_only`` only the admissions whose representative diagnosis is
on the ``preventable_elderly`` code list (the ``preventable_65plus`` indicator's list) count towards the
threshold. The municipality is the residence recorded on the latest admission of the window. ``sample``
draws at most N candidates per municipality, reproducibly for a seed."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sektorbro.indicators.definitions.stays import build_stays
from sektorbro.indicators.engine import DuckDBBackend
from sektorbro.indicators.model import StayRules
from sektorbro.indicators.registry import Registry
from sektorbro.indicators.valuesets import PREVENTABLE_ELDERLY

CSV_COLUMNS = (
    "person_id",
    "municipality_code",
    "admissions",
    "preventable_admissions",
    "first_admission",
    "last_admission",
)
DEFAULT_MONTHS = 3
DEFAULT_MIN_ADMISSIONS = 4


@dataclass(frozen=True, order=True)
class Admission:
    """One acute somatic admission (a stay of 12 hours or more) of one person."""

    person_id: str
    start_s: int  # epoch seconds of the stay's start
    day: dt.date  # the local (Danish) date of the start
    municipality_code: str
    preventable: bool


@dataclass(frozen=True)
class Candidate:
    person_id: str
    municipality_code: str
    admissions: int
    preventable_admissions: int
    first_admission: dt.date
    last_admission: dt.date

    def row(self) -> dict[str, str]:
        return {
            "person_id": self.person_id,
            "municipality_code": self.municipality_code,
            "admissions": str(self.admissions),
            "preventable_admissions": str(self.preventable_admissions),
            "first_admission": self.first_admission.isoformat(),
            "last_admission": self.last_admission.isoformat(),
        }


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier, clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def window(at: dt.date, months: int = DEFAULT_MONTHS) -> tuple[dt.date, dt.date]:
    """First and last day (both inclusive) of the ``months`` months up to and including ``at``."""
    if months < 1:
        raise ValueError("months must be at least 1")
    return months_before(at + dt.timedelta(days=1), months), at


def registry_admissions(
    registry: Registry, first: dt.date, last: dt.date, *, rules: StayRules | None = None
) -> list[Admission]:
    """The acute somatic admissions that start on ``first``..``last`` (local dates), by the engine's stays."""
    backend = DuckDBBackend(registry)
    try:
        diagnoses = backend.table("diagnoses") if "diagnoses" in registry.present else None
        stays = build_stays(
            backend.table("contacts"), backend.table("persons"), diagnoses, rules or StayRules()
        )
        chosen = stays.filter(
            stays.admission
            & stays.acute
            & (stays.area == "somatic")
            & (stays.start_day >= first)
            & (stays.start_day <= last)
        )
        table = backend.fetch(
            chosen.select(
                "person_id",
                "start_s",
                "start_day",
                "municipality_code",
                preventable=PREVENTABLE_ELDERLY.match_expr(chosen.action_diagnosis),
            )
        )
    finally:
        backend.close()
    return [
        Admission(
            person_id=str(row["person_id"]),
            start_s=int(row["start_s"]),
            day=row["start_day"],
            municipality_code=str(row["municipality_code"]),
            preventable=bool(row["preventable"]),
        )
        for row in table.to_pylist()
    ]


def _person_key(person_id: str) -> tuple[int, int, str]:
    """Integer ids in numeric order, then other ids as text."""
    return (0, int(person_id), "") if person_id.isdigit() else (1, 0, person_id)


def sort_key(candidate: Candidate) -> tuple[str, tuple[int, int, str]]:
    return candidate.municipality_code, _person_key(candidate.person_id)


def find_candidates(
    admissions: Iterable[Admission],
    *,
    min_admissions: int = DEFAULT_MIN_ADMISSIONS,
    preventable_only: bool = False,
) -> list[Candidate]:
    """One candidate per person with enough admissions, sorted by municipality then person."""
    if min_admissions < 1:
        raise ValueError("min_admissions must be at least 1")
    per_person: dict[str, list[Admission]] = defaultdict(list)
    for admission in admissions:
        per_person[admission.person_id].append(admission)
    found = []
    for person_id, own in per_person.items():
        own.sort(key=lambda a: (a.start_s, a.day))
        preventable = sum(1 for a in own if a.preventable)
        counted = preventable if preventable_only else len(own)
        if counted < min_admissions:
            continue
        found.append(
            Candidate(
                person_id=person_id,
                municipality_code=own[-1].municipality_code,
                admissions=len(own),
                preventable_admissions=preventable,
                first_admission=own[0].day,
                last_admission=own[-1].day,
            )
        )
    return sorted(found, key=sort_key)


def sample(candidates: Sequence[Candidate], *, per_municipality: int, seed: int) -> list[Candidate]:
    """At most ``per_municipality`` candidates from each municipality, drawn at random but the same for the same
    candidates and seed; sorted like ``find_candidates``."""
    if per_municipality < 1:
        raise ValueError("per_municipality must be at least 1")
    by_municipality: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in sorted(candidates, key=sort_key):
        by_municipality[candidate.municipality_code].append(candidate)
    chosen: list[Candidate] = []
    for code in sorted(by_municipality):
        group = by_municipality[code]
        # One generator per municipality: adding a municipality does not change another's draw.
        rng = random.Random(f"{seed}:{code}")
        chosen.extend(group if len(group) <= per_municipality else rng.sample(group, per_municipality))
    return sorted(chosen, key=sort_key)


def relabel(admissions: Iterable[Admission], ids: Mapping[str, str]) -> list[Admission]:
    """The admissions with their person ids replaced (e.g. internal ids by opaque ones); unknown ids dropped."""
    return [
        Admission(ids[a.person_id], a.start_s, a.day, a.municipality_code, a.preventable)
        for a in admissions
        if a.person_id in ids
    ]


def write_csv(candidates: Iterable[Candidate], path: Path | str) -> int:
    rows = [c.row() for c in candidates]
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def read_csv(path: Path | str) -> list[Candidate]:
    """A candidates file as written by ``write_csv`` (the audit round's import reads it back)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return read_rows(handle)


def read_text(text: str) -> list[Candidate]:
    """A candidates file's content (an uploaded file); a byte-order mark is ignored."""
    return read_rows(io.StringIO(text.lstrip("\ufeff"), newline=""))


def read_rows(handle: Iterable[str]) -> list[Candidate]:
    """The candidates of a CSV text; a malformed file is a ``ValueError`` naming the line."""
    reader = csv.DictReader(handle)
    try:
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"missing columns: {', '.join(missing)}")
        return [_from_row(row, line) for line, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise ValueError(f"line {reader.line_num}: {exc}") from exc


def _from_row(row: Mapping[str, Any], line: int) -> Candidate:
    try:
        return Candidate(
            person_id=str(row["person_id"]).strip(),
            municipality_code=str(row["municipality_code"]).strip(),
            admissions=int(row["admissions"]),
            preventable_admissions=int(row["preventable_admissions"]),
            first_admission=dt.date.fromisoformat(str(row["first_admission"])),
            last_admission=dt.date.fromisoformat(str(row["last_admission"])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"line {line}: {exc}") from exc
