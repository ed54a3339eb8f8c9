"""Versioned code lists (value sets) with their verification status.

SKS diagnosis codes are ``D`` + the ICD-10 code without the dot; Danish sub-codes can be longer than WHO codes,
so every list is matched on code prefixes. Each value set carries a status taken from the project's research
notes (shared ``indicators.md``): ``verified`` (a cited source says it directly), ``partly verified`` (the
source supports it indirectly, e.g. one hospital's script) or ``unverified`` (from general knowledge; replace
before it drives numbers shown as official). The status is shown with the indicator, so an unverified list is
never presented as the national one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import ibis

VERIFIED = "verified"
PARTLY_VERIFIED = "partly verified"
UNVERIFIED = "unverified"
STATUSES = (VERIFIED, PARTLY_VERIFIED, UNVERIFIED)


def code_range(first: str, last: str) -> tuple[str, ...]:
    """``code_range("DJ12", "DJ18")`` -> DJ12, DJ13, ..., DJ18 (same-length codes differing in the last digits)."""
    if len(first) != len(last):
        raise ValueError(f"{first}..{last}: the ends must have the same length")
    stem = 0
    while stem < len(first) and first[stem] == last[stem]:
        stem += 1
    head, low, high = first[:stem], first[stem:], last[stem:]
    if not (low.isdigit() and high.isdigit()) or int(low) > int(high):
        raise ValueError(f"{first}..{last}: not a numeric range")
    return tuple(f"{head}{n:0{len(low)}d}" for n in range(int(low), int(high) + 1))


@dataclass(frozen=True)
class CodeGroup:
    key: str
    name_da: str
    name_en: str
    prefixes: tuple[str, ...]


@dataclass(frozen=True)
class ValueSet:
    id: str
    version: str
    name_da: str
    name_en: str
    status: str
    source: str
    groups: tuple[CodeGroup, ...]
    note: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"{self.id}: unknown status {self.status!r}")
        for prefix in self.prefixes:
            if not prefix.startswith("D") or prefix != prefix.upper():
                raise ValueError(f"{self.id}: {prefix!r} is not an SKS diagnosis prefix")

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(p for g in self.groups for p in g.prefixes)

    def matches(self, code: str | None) -> bool:
        """Plain-Python match (tests, the synthetic registry)."""
        return code is not None and any(code.upper().startswith(p) for p in self.prefixes)

    def group_of(self, code: str) -> str | None:
        for group in self.groups:
            if any(code.upper().startswith(p) for p in group.prefixes):
                return group.key
        return None

    def match_expr(self, column: Any) -> Any:
        """An Ibis boolean: the (upper-case) code column starts with one of the prefixes.

        Prefixes are grouped by length and tested with ``substr(...).isin(...)``, which both DuckDB and Spark
        run as a hash look-up instead of a chain of string comparisons."""
        by_length: dict[int, set[str]] = defaultdict(set)
        for prefix in self.prefixes:
            by_length[len(prefix)].add(prefix)
        tests = [column.substr(0, length).isin(sorted(codes)) for length, codes in sorted(by_length.items())]
        return ibis.or_(*tests) if tests else ibis.literal(False)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "name": {"da": self.name_da, "en": self.name_en},
            "status": self.status,
            "source": self.source,
            "note": self.note,
            "groups": [
                {"key": g.key, "name": {"da": g.name_da, "en": g.name_en}, "prefixes": list(g.prefixes)}
                for g in self.groups
            ],
        }


ESUNDHED_READMISSIONS = (
    "https://www.esundhed.dk/Emner/Patienter-og-sygehuse/Genindlaeggelser-i-somatik-og-psykiatri"
)
SDS_NEWS_2020 = "https://sundhedsdatastyrelsen.dk/da/nyheder/2020/uhensigtsmaessigesygehusophold280220"

CANCER = ValueSet(
    id="cancer",
    version="1",
    name_da="Kræft",
    name_en="Cancer",
    status=PARTLY_VERIFIED,
    source=f"{SDS_NEWS_2020} (cancer-related admissions are excluded); codes from a hospital's script of the "
    "national criteria",
    groups=(
        CodeGroup("malignant", "Ondartede svulster", "Malignant neoplasms", ("DC",)),
        CodeGroup("in_situ", "Carcinoma in situ", "In situ neoplasms", code_range("DD00", "DD09")),
    ),
)

BIRTH = ValueSet(
    id="birth",
    version="1",
    name_da="Fødsel",
    name_en="Childbirth",
    status=PARTLY_VERIFIED,
    source=f"{SDS_NEWS_2020} (readmissions connected with childbirth are excluded); the codes DO80-DO84 for the delivery",
    groups=(CodeGroup("delivery", "Fødsel", "Delivery", code_range("DO80", "DO84")),),
)

INJURY = ValueSet(
    id="injury",
    version="1",
    name_da="Ulykker, vold, selvmordsforsøg og forgiftninger",
    name_en="Injuries, violence, suicide attempts and poisonings",
    status=PARTLY_VERIFIED,
    source=f"{SDS_NEWS_2020} (readmissions caused by accidents, violence or suicide attempts are excluded)",
    groups=(
        CodeGroup("injury", "Læsioner", "Injuries", ("DS", "DT")),
        CodeGroup("external", "Ydre årsager", "External causes", ("DX", "DY")),
    ),
    note="The whole DT chapter is used; one hospital's reading of the national criteria keeps only some DT "
    "blocks (DT1, DT2, DT30-DT35, DT51-DT59, DT6, DT7, DT9).",
)

PREVENTABLE_ELDERLY = ValueSet(
    id="preventable_elderly",
    version="0-unverified",
    name_da="Forebyggelige sygehusophold blandt ældre (ni sygdomsgrupper)",
    name_en="Preventable hospital stays among the elderly (nine condition groups)",
    status=UNVERIFIED,
    source="The nine groups are verified (eSundhed, Sundhedsstyrelsen 2011); the code prefixes are candidates "
    "that were not checked against the official code appendix",
    groups=(
        CodeGroup("dehydration", "Dehydrering", "Dehydration", ("DE86",)),
        CodeGroup("constipation", "Forstoppelse", "Constipation", ("DK590",)),
        CodeGroup(
            "lower_respiratory",
            "Nedre luftvejssygdomme",
            "Lower respiratory disease",
            (*code_range("DJ12", "DJ18"), *code_range("DJ20", "DJ22"), *code_range("DJ40", "DJ44"), "DJ47"),
        ),
        CodeGroup("cystitis", "Blærebetændelse", "Cystitis", ("DN30", "DN390")),
        CodeGroup("gastroenteritis", "Gastroenteritis", "Gastroenteritis", ("DA09", "DK52")),
        CodeGroup(
            "fracture",
            "Brud",
            "Fractures",
            (
                "DS02",
                "DS12",
                "DS22",
                "DS32",
                "DS42",
                "DS52",
                "DS62",
                "DS72",
                "DS82",
                "DS92",
                "DT02",
                "DT08",
                "DT10",
                "DT12",
            ),
        ),
        CodeGroup("anaemia", "Ernæringsbetinget anæmi", "Nutritional anaemia", code_range("DD50", "DD53")),
        CodeGroup(
            "social",
            "Sociale og plejemæssige forhold",
            "Social and care reasons",
            ("DZ59", "DZ60", "DZ74", "DZ75"),
        ),
        CodeGroup("pressure_ulcer", "Tryksår", "Pressure ulcer", ("DL89",)),
    ),
    note="Group 3 includes COPD (DJ40-DJ44, DJ47), supported only by a regional report; group 5 uses DA09 and "
    "DK52 (possibly DA00-DA09 nationally).",
)

VALUE_SETS: dict[str, ValueSet] = {v.id: v for v in (CANCER, BIRTH, INJURY, PREVENTABLE_ELDERLY)}
