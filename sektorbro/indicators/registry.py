"""Registry input (docs/registry-format.md): loading and validating a folder of CSV or Parquet files into DuckDB.

Validation runs inside DuckDB (no Python loop per row). Every bad row is reported with its file and line;
``strict=True`` fails on the first report, otherwise the bad rows are excluded and counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import ibis

REQUIRED = {
    "persons": ["person_id", "birth_date", "sex", "municipality_code", "death_date"],
    "contacts": [
        "contact_id", "person_id", "start", "end", "unit_code", "hospital_code", "area", "priority",
        "contact_type", "action_diagnosis", "hospice", "discharge_mode", "municipality_code",
    ],
}  # fmt: skip

# Each check: (name, SQL condition that is TRUE for a bad row, message)
CHECKS: dict[str, list[tuple[str, str, str]]] = {
    "persons": [
        ("person_id", "person_id IS NULL OR person_id = ''", "person_id is empty"),
        ("birth_date", "TRY_CAST(birth_date AS DATE) IS NULL", "birth_date is not a date YYYY-MM-DD"),
        ("sex", "sex NOT IN ('M', 'F') OR sex IS NULL", "sex must be M or F"),
        (
            "municipality_code",
            "NOT regexp_full_match(coalesce(municipality_code, ''), '[0-9]{3}')",
            "municipality_code must be 3 digits",
        ),
        (
            "death_date",
            "death_date IS NOT NULL AND death_date <> '' AND TRY_CAST(death_date AS DATE) IS NULL",
            "death_date is not a date",
        ),
    ],
    "contacts": [
        ("contact_id", "contact_id IS NULL OR contact_id = ''", "contact_id is empty"),
        ("start", "TRY_CAST(start AS TIMESTAMPTZ) IS NULL", "start is not an ISO 8601 time with offset"),
        ("end", 'TRY_CAST("end" AS TIMESTAMPTZ) IS NULL', "end is not an ISO 8601 time with offset"),
        ("end", 'TRY_CAST("end" AS TIMESTAMPTZ) < TRY_CAST(start AS TIMESTAMPTZ)', "end is before start"),
        (
            "area",
            "area NOT IN ('somatic', 'psychiatric') OR area IS NULL",
            "area must be somatic or psychiatric",
        ),
        ("priority", "priority NOT IN ('ATA1', 'ATA3') OR priority IS NULL", "priority must be ATA1 or ATA3"),
        (
            "contact_type",
            "contact_type NOT IN ('ALCA00', 'ALCA03') OR contact_type IS NULL",
            "contact_type must be ALCA00 or ALCA03",
        ),
        ("hospice", "lower(coalesce(hospice, '')) NOT IN ('true', 'false')", "hospice must be true or false"),
        (
            "discharge_mode",
            "discharge_mode NOT IN ('home', 'died', 'transfer', 'other') OR discharge_mode IS NULL",
            "unknown discharge_mode",
        ),
        ("person_id", "person_id NOT IN (SELECT person_id FROM persons)", "person_id is not in persons"),
    ],
}


class RegistryError(ValueError):
    pass


@dataclass
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


@dataclass
class Registry:
    con: Any  # the ibis DuckDB backend
    problems: list[Problem] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)

    def table(self, name: str) -> Any:
        return self.con.table(name)


def _source(folder: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def load_registry(folder: Path, *, strict: bool = False, max_problems: int = 1000) -> Registry:
    if not folder.is_dir():
        raise RegistryError(f"{folder}: not a folder")
    con = ibis.duckdb.connect()
    raw: duckdb.DuckDBPyConnection = con.con
    registry = Registry(con)
    for name in ("persons", "contacts"):
        path = _source(folder, name)
        if path is None:
            raise RegistryError(f"{folder}: {name}.csv or {name}.parquet is missing")
        reader = (
            "read_csv($path, all_varchar = true, header = true)"
            if path.suffix == ".csv"
            else "read_parquet($path)"
        )
        raw.execute(
            f"CREATE TABLE raw_{name} AS SELECT row_number() OVER () + 1 AS _line, * FROM {reader}",
            {"path": str(path)},
        )
        columns = {row[0] for row in raw.execute(f"DESCRIBE raw_{name}").fetchall()}
        missing = [c for c in REQUIRED[name] if c not in columns]
        if missing:
            raise RegistryError(f"{path.name}: missing columns: {', '.join(missing)}")
        casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in REQUIRED[name])
        raw.execute(f"CREATE OR REPLACE TABLE raw_{name} AS SELECT _line, {casts} FROM raw_{name}")
        if name == "contacts":
            raw.execute("CREATE TEMP VIEW persons AS SELECT person_id FROM clean_persons")
        conditions = []
        for column, condition, message in CHECKS[name]:
            rows = raw.execute(
                f"SELECT _line FROM raw_{name} WHERE {condition} ORDER BY _line LIMIT {max_problems}"
            ).fetchall()
            registry.problems += [Problem(path.name, line, column, message) for (line,) in rows]
            conditions.append(f"({condition})")
        bad = " OR ".join(conditions)
        registry.excluded[name] = raw.execute(f"SELECT count(*) FROM raw_{name} WHERE {bad}").fetchone()[0]  # type: ignore[index]
        if strict and registry.problems:
            raise RegistryError("; ".join(str(p) for p in registry.problems[:20]))
        if name == "persons":
            raw.execute(
                f"""CREATE TABLE clean_persons AS SELECT person_id, CAST(birth_date AS DATE) AS birth_date, sex,
                municipality_code, TRY_CAST(NULLIF(death_date, '') AS DATE) AS death_date
                FROM raw_persons WHERE NOT ({bad})"""
            )
        else:
            raw.execute(
                f"""CREATE TABLE clean_contacts AS SELECT contact_id, person_id,
                CAST(start AS TIMESTAMPTZ) AS start, CAST("end" AS TIMESTAMPTZ) AS "end", unit_code, hospital_code,
                area, priority, contact_type, upper(coalesce(action_diagnosis, '')) AS action_diagnosis,
                lower(hospice) = 'true' AS hospice, discharge_mode, municipality_code
                FROM raw_contacts WHERE NOT ({bad})"""
            )
    raw.execute("DROP VIEW IF EXISTS persons")
    return registry
