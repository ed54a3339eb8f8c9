"""Registry input (``docs/registry-format.md``): load and validate registry tables into DuckDB.

Input is either a folder of CSV or Parquet files (``load_registry``) or in-memory pyarrow/pandas tables of the
same shape (``registry_from_tables``), e.g. the platform's own courses exported into this shape. Both run the
same checks. Validation is vectorised: every check is a SQL condition evaluated by DuckDB in one scan per table,
never a Python loop over rows. Every bad row is kept in a ``bad_<table>`` table with its file and line; by
default bad rows are excluded and counted, with ``strict=True`` loading fails after all tables were checked.

The clean tables have a canonical shape the indicator definitions rely on: times become epoch seconds
(``start_s``) plus the local Europe/Copenhagen date (``start_day``), codes are trimmed and upper-case, ids keep
an integer type when every file has integer ids (cheaper joins), otherwise they become text. Big tables
(contacts, diagnoses) stay views over the source, so a Parquet registry is read column by column and never
copied into memory as a whole."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.backends.duckdb
import pyarrow as pa
import pyarrow.compute as pc

from sektorbro.indicators.localtime import duckdb_macro_sql

if TYPE_CHECKING:
    import pandas as pd  # imported where used: the engine keeps it out of memory while DuckDB computes

TIME_ZONE = "Europe/Copenhagen"
LOCAL_DAY = "sb_local_day"  # SQL macro: epoch seconds -> Danish date
CODE_COLUMNS = frozenset(
    {"hospital_code", "area", "priority", "contact_type", "action_diagnosis", "hospice", "discharge_mode"}
    | {"municipality_code", "sex", "code", "kind", "condition"}
)  # text columns with few distinct values: checked once per distinct value
DISTINCT_LIMIT = 10_000  # value checks run on distinct values unless a column has more bad values than this

# name -> (required?, big?, columns). Big tables stay views over the source: each query reads the rows it needs
# again, which costs less than copying them into the database (persons at 10 million contacts: 0.3 s).
TABLES: dict[str, tuple[bool, bool, tuple[str, ...]]] = {
    "persons": (True, True, ("person_id", "birth_date", "sex", "municipality_code", "death_date")),
    "contacts": (
        True,
        True,
        (
            "contact_id", "person_id", "start", "end", "unit_code", "hospital_code", "area", "priority",
            "contact_type", "action_diagnosis", "hospice", "discharge_mode", "municipality_code",
        ),
    ),
    "diagnoses": (False, True, ("contact_id", "code", "kind")),
    "ready_for_discharge": (False, False, ("contact_id", "ready_at", "resumed_at")),
    "population": (True, False, ("year", "municipality_code", "sex", "age", "count")),
    "chronic": (False, False, ("person_id", "condition", "from_date")),
}  # fmt: skip
LOAD_ORDER = tuple(TABLES)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
KEYS = {"persons": "person_id", "contacts": "contact_id"}  # the tables other tables refer to, by their id

AREAS = ("somatic", "psychiatric")
PRIORITIES = ("ATA1", "ATA3")
CONTACT_TYPES = ("ALCA00", "ALCA03")
DISCHARGE_MODES = ("home", "died", "transfer", "other")
SEXES = ("M", "F")
DIAGNOSIS_KINDS = ("A", "B")
CONDITIONS = ("copd", "diabetes2")

SKS_PATTERN = "^D[A-Z][0-9]{2}[0-9A-Z]*$"
TIME_PATTERN = "[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER"}


class RegistryError(ValueError):
    """The registry cannot be used (missing file or column, or bad rows with ``strict=True``)."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


@dataclass
class Registry:
    """A validated registry in a DuckDB connection (``con`` is the Ibis backend, ``con.con`` the raw one)."""

    con: Any
    files: dict[str, str] = field(default_factory=dict)  # table -> file name (or "<name> (in memory)")
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows read
    excluded: dict[str, int] = field(default_factory=dict)  # table -> bad rows excluded
    problems: list[Problem] = field(default_factory=list)  # the first ``max_problems`` problems
    problem_count: int = 0  # all problems (a row can have several)
    scratch: Path | None = None  # spill folder for DuckDB, removed by close()
    person_groups: list[tuple[int, int, int]] | None = None  # contacts clustered by person: (low, high, rows)
    checks: dict[str, list[tuple[str, str]]] = field(
        default_factory=dict, repr=False
    )  # table -> (column, message)
    # (table, column) -> every text value the clean table can hold in a coded column (a superset: the source's
    # distinct values as they are, trimmed and upper-cased), found by the value checks; the engine types the
    # stays table's codes with them without scanning the data again
    code_values: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, repr=False)
    _remove_scratch: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A registry that is never closed (a script that stops without close()) still removes its spill folder
        # once its connection is garbage-collected, or when the interpreter exits.
        if self.scratch is not None:
            self._remove_scratch = weakref.finalize(self.con, shutil.rmtree, str(self.scratch), True)

    @property
    def present(self) -> set[str]:
        return set(self.files)

    def table(self, name: str) -> Any:
        """The clean table ``name`` as an Ibis table."""
        if name not in self.files:
            raise KeyError(f"the registry has no {name} table")
        return self.con.table(name)

    def bad_rows(self, name: str) -> pd.DataFrame:
        """Every excluded row of one table: file, line and the problems found (one row per problem)."""
        import pandas as pd

        if name not in self.files:
            return pd.DataFrame(columns=["file", "line", "column", "message"])
        return self._problem_frame(name, limit=None)

    def all_problems(self) -> pd.DataFrame:
        import pandas as pd

        frames = [self.bad_rows(name) for name in LOAD_ORDER if name in self.files]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=["file", "line", "column", "message"])
        return pd.concat(frames, ignore_index=True)

    def _problem_frame(self, name: str, limit: int | None) -> pd.DataFrame:
        import pandas as pd

        raw = self.con.con
        checks = self.checks.get(name, [])
        if not checks:
            return pd.DataFrame(columns=["file", "line", "column", "message"])
        selects = [f"SELECT _line, {i} AS check_no FROM bad_{name} WHERE b{i}" for i in range(len(checks))]
        sql = " UNION ALL ".join(selects) + " ORDER BY _line, check_no"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        found = raw.execute(sql).fetchall()
        return pd.DataFrame(
            [(self.files[name], line, checks[no][0], checks[no][1]) for line, no in found],
            columns=["file", "line", "column", "message"],
        )

    def person_ranges(self, rows: int) -> list[tuple[int, int]]:
        """Ranges of person ids that split the contacts into parts of about ``rows`` rows each (at least one
        row group), covering every possible id; one range when the contacts are not clustered by person.

        Stays never cross persons, so they can be built part by part: with a Parquet file whose row groups
        hold disjoint person ranges (an extract sorted by person), each part reads only its own row groups and
        the ordering pass needs a fraction of the memory."""
        every = [(INT64_MIN, INT64_MAX)]
        groups = self.person_groups
        total = sum(n for _lo, _hi, n in groups) if groups else 0
        if not groups or total <= rows:
            return every
        target = total / -(-total // rows)  # parts of equal size, none above ``rows`` where groups allow
        starts: list[int] = []
        count = target  # the first group opens a part
        for low, _high, n in groups:
            if count + n / 2 > target and (not starts or low > starts[-1]):
                starts.append(low)
                count = 0
            count += n
        ranges = [(lo, nxt - 1) for lo, nxt in itertools.pairwise(starts)]
        ranges.append((starts[-1], INT64_MAX))
        return [(INT64_MIN, ranges[0][1]), *ranges[1:]]

    def close(self) -> None:
        try:
            self.con.disconnect()
        finally:
            if self._remove_scratch is not None:
                self._remove_scratch()  # runs once
            elif self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


def _person_clusters(path: Path) -> list[tuple[int, int, int]] | None:
    """The contacts file's row groups as (lowest person_id, highest person_id, rows), ordered by person, when
    the groups' person ranges do not overlap, apart from one person continuing into the next group (the file
    is sorted or clustered by person); else None. Read from the Parquet footer's statistics, without reading
    the data."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    if "person_id" not in names:
        return None
    column = names.index("person_id")
    groups = []
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        if not group.num_rows:
            continue
        stats = group.column(column).statistics
        if stats is None or not stats.has_min_max or not isinstance(stats.min, int):
            return None
        groups.append((int(stats.min), int(stats.max), int(group.num_rows)))
    groups.sort()
    for (_lo, high, _n), (low, _hi, _m) in itertools.pairwise(groups):
        if low < high:  # equal is fine: one person's contacts continue in the next group
            return None
    return groups or None


def connect(*, memory_limit: str | None = None, threads: int | None = None) -> tuple[Any, Path]:
    """A fresh DuckDB connection (through Ibis) set up for the engine, and its spill folder."""
    scratch = Path(tempfile.mkdtemp(prefix="sektorbro-duckdb-"))
    # A database file in the scratch folder rather than memory: its tables are compressed and can leave
    # memory when DuckDB needs room, which keeps the peak low on big registries.
    # The backend class itself, imported with this module: ``ibis.duckdb`` would look it up among the installed
    # packages' entry points and import it at the first connection (0.3 s).
    con = ibis.backends.duckdb.Backend().connect(database=str(scratch / "engine.duckdb"))
    raw = con.con
    raw.execute(f"SET TimeZone = '{TIME_ZONE}'")
    raw.execute("SET enable_progress_bar = false")
    raw.execute(duckdb_macro_sql(LOCAL_DAY))
    raw.execute("SET temp_directory = $dir", {"dir": str(scratch)})
    limit = memory_limit or os.environ.get("SEKTORBRO_DUCKDB_MEMORY")
    if limit:
        raw.execute("SET memory_limit = $limit", {"limit": limit})
    if threads:
        raw.execute(f"SET threads = {int(threads)}")
    return con, scratch


# ------------------------------------------------------------------------------------------------------------
# Public entry points
# ------------------------------------------------------------------------------------------------------------


def load_registry(
    folder: Path | str,
    *,
    strict: bool = False,
    max_problems: int = 10_000,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Registry:
    """Load and validate a folder of ``<table>.csv`` or ``<table>.parquet`` files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RegistryError(f"{folder}: not a folder")
    sources: dict[str, Path] = {}
    for name, (required, _big, _columns) in TABLES.items():
        found = [
            folder / f"{name}{suffix}"
            for suffix in (".parquet", ".csv")
            if (folder / f"{name}{suffix}").is_file()
        ]
        if len(found) > 1:
            raise RegistryError(f"{folder}: both {name}.parquet and {name}.csv exist; keep one")
        if found:
            sources[name] = found[0]
        elif required:
            raise RegistryError(f"{folder}: {name}.csv or {name}.parquet is missing")
    con, scratch = connect(memory_limit=memory_limit, threads=threads)
    registry = Registry(con, scratch=scratch)
    try:
        raw = con.con
        for name, path in sources.items():
            if path.suffix == ".parquet":
                # a view cannot keep a bound parameter, so the path is quoted into the SQL
                raw.execute(
                    f"CREATE TEMP VIEW src_{name} AS SELECT file_row_number + 1 AS _line, * "
                    f"FROM read_parquet({_quote(str(path))}, file_row_number = true)"
                )
            else:
                raw.execute(
                    f"CREATE TABLE csv_{name} AS SELECT * FROM read_csv($path, all_varchar = true, "
                    "header = true, delim = ',', quote = '\"', escape = '\"', null_padding = false)",
                    {"path": str(path)},
                )
                raw.execute(f"CREATE TEMP VIEW src_{name} AS SELECT rowid + 2 AS _line, * FROM csv_{name}")
            registry.files[name] = path.name
        _validate(registry, strict=strict, max_problems=max_problems)
        if sources["contacts"].suffix == ".parquet":
            registry.person_groups = _person_clusters(sources["contacts"])
    except BaseException:
        registry.close()
        raise
    return registry


def registry_from_tables(
    tables: Mapping[str, pa.Table | pd.DataFrame],
    *,
    strict: bool = False,
    max_problems: int = 10_000,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Registry:
    """Load and validate in-memory tables (pyarrow or pandas) shaped like the registry files.

    Keys are the table names (``persons``, ``contacts``, ...). Problems name the table as
    ``<name> (in memory)`` and the 1-based row number as the line."""
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise RegistryError(f"unknown tables: {', '.join(unknown)}")
    for name, (required, _big, _columns) in TABLES.items():
        if required and name not in tables:
            raise RegistryError(f"the {name} table is missing")
    con, scratch = connect(memory_limit=memory_limit, threads=threads)
    registry = Registry(con, scratch=scratch)
    try:
        raw = con.con
        for name, data in tables.items():
            table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
            if "_line" in table.column_names:
                table = table.drop_columns(["_line"])
            table = table.append_column("_line", pa.array(range(1, table.num_rows + 1), type=pa.int64()))
            raw.register(f"arrow_{name}", table)
            raw.execute(f"CREATE TEMP VIEW src_{name} AS SELECT * FROM arrow_{name}")
            registry.files[name] = f"{name} (in memory)"
        _validate(registry, strict=strict, max_problems=max_problems)
    except BaseException:
        registry.close()
        raise
    return registry


# ------------------------------------------------------------------------------------------------------------
# Checks
# ------------------------------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class _Column:
    name: str
    type: str

    @property
    def sql(self) -> str:
        return _ident(self.name)

    @property
    def text(self) -> bool:
        return self.type == "VARCHAR"

    @property
    def integer(self) -> bool:
        return self.type in INTEGER_TYPES

    @property
    def as_text(self) -> str:
        return self.sql if self.text else f"CAST({self.sql} AS VARCHAR)"

    @property
    def blank(self) -> str:
        """TRUE when the value is missing (NULL or, for text, empty after trimming)."""
        return f"({self.sql} IS NULL OR trim({self.sql}) = '')" if self.text else f"({self.sql} IS NULL)"


def _date_check(col: _Column, *, required: bool) -> tuple[str, str]:
    if col.text:
        bad = f"TRY_CAST(trim({col.sql}) AS DATE) IS NULL OR NOT regexp_full_match(trim({col.sql}), '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
        bad = f"({bad})" if required else f"(NOT {col.blank} AND ({bad}))"
        if required:
            bad = f"({col.blank} OR {bad})"
        return bad, "not a date YYYY-MM-DD"
    if col.type in (
        "DATE",
        "TIMESTAMP",
        "TIMESTAMP WITH TIME ZONE",
        "TIMESTAMP_NS",
        "TIMESTAMP_MS",
        "TIMESTAMP_S",
    ):
        return (f"({col.sql} IS NULL)" if required else "FALSE"), "missing date"
    return "TRUE", f"has type {col.type}, expected a date"


def _date_value(col: _Column) -> str:
    if col.text:
        return f"TRY_CAST(NULLIF(trim({col.sql}), '') AS DATE)"
    return f"CAST({col.sql} AS DATE)"


def _time_check(col: _Column, *, required: bool) -> tuple[str, str]:
    if col.text:
        bad = (
            f"TRY_CAST(trim({col.sql}) AS TIMESTAMPTZ) IS NULL "
            f"OR NOT regexp_matches(trim({col.sql}), '{TIME_PATTERN}')"
        )
        bad = f"({col.blank} OR {bad})" if required else f"(NOT {col.blank} AND ({bad}))"
        return bad, "not an ISO 8601 time with offset (e.g. 2024-01-10T08:00:00+01:00)"
    if col.type.startswith("TIMESTAMP"):
        return (f"({col.sql} IS NULL)" if required else "FALSE"), "missing time"
    return "TRUE", f"has type {col.type}, expected a time"


def _time_value(col: _Column) -> str:
    if col.text:
        return f"TRY_CAST(NULLIF(trim({col.sql}), '') AS TIMESTAMPTZ)"
    return f"CAST({col.sql} AS TIMESTAMPTZ)"


def _choice_check(col: _Column, choices: tuple[str, ...], *, upper: bool = False) -> tuple[str, str]:
    value = f"trim({col.as_text})"
    if upper:
        value = f"upper({value})"
    listed = ", ".join(_quote(c) for c in choices)
    return f"({col.sql} IS NULL OR {value} NOT IN ({listed}))", "must be one of " + ", ".join(choices)


def _bool_check(col: _Column) -> tuple[str, str]:
    if col.type == "BOOLEAN":
        return f"({col.sql} IS NULL)", "must be true or false"
    return (
        f"({col.sql} IS NULL OR lower(trim({col.as_text})) NOT IN ('true', 'false'))",
        "must be true or false",
    )


def _bool_value(col: _Column) -> str:
    return col.sql if col.type == "BOOLEAN" else f"(lower(trim({col.as_text})) = 'true')"


def _municipality_check(col: _Column) -> tuple[str, str]:
    if col.integer:
        return (
            f"({col.sql} IS NULL OR {col.sql} NOT BETWEEN 100 AND 999)",
            "must be a 3-digit municipality code",
        )
    return (
        f"({col.sql} IS NULL OR NOT regexp_full_match(trim({col.as_text}), '[0-9]{{3}}'))",
        "must be a 3-digit municipality code",
    )


def _municipality_value(col: _Column) -> str:
    return f"CAST({col.sql} AS VARCHAR)" if col.integer else f"trim({col.as_text})"


def _sks_check(col: _Column) -> tuple[str, str]:
    return (
        f"({col.sql} IS NULL OR NOT regexp_matches(upper(trim({col.as_text})), '{SKS_PATTERN}'))",
        "not an SKS diagnosis code (D + letter + digits, e.g. DJ189)",
    )


def _integer_check(col: _Column, low: int, high: int | None) -> tuple[str, str]:
    value = col.sql if col.integer else f"TRY_CAST(trim({col.as_text}) AS BIGINT)"
    upper = f" OR {value} > {high}" if high is not None else ""
    limits = f"{low}..{high}" if high is not None else f">= {low}"
    return f"({value} IS NULL OR {value} < {low}{upper})", f"must be a whole number {limits}"


def _integer_value(col: _Column) -> str:
    return f"CAST({col.sql} AS BIGINT)" if col.integer else f"TRY_CAST(trim({col.as_text}) AS BIGINT)"


def _id_value(col: _Column, canonical: str) -> str:
    if canonical == "BIGINT":
        return f"CAST({col.sql} AS BIGINT)"
    return f"trim({col.as_text})"


@dataclass
class _Check:
    column: str
    sql: str  # TRUE for a bad row
    message: str
    value_rule: Any = None  # for single-column value checks: a rule builder run on the distinct values
    prepare: tuple[str, ...] = ()  # statements to run before the scan (helper tables)
    unless_increasing: str | None = None  # an integer id expression: no check needed if strictly increasing


def _distinct_values(raw: Any, name: str, columns: Sequence[_Column]) -> str:
    """A table of each column's distinct values, from one scan of ``src_<name>`` (grouping sets): column
    ``v<j>`` holds the values of ``columns[j]`` in the rows where ``g<j>`` is 0."""
    table = f"badv_{name}_distinct"
    values = ", ".join(f"{col.sql} AS v{j}, grouping({col.sql}) AS g{j}" for j, col in enumerate(columns))
    sets = ", ".join(f"({col.sql})" for col in columns)
    raw.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT {values} FROM src_{name} GROUP BY GROUPING SETS ({sets})"
    )
    return table


def _value_checks(
    raw: Any,
    name: str,
    check: _Check,
    col: _Column,
    index: int,
    distinct: tuple[str, int],
    tidy: set[tuple[str, str]],
    code_values: dict[tuple[str, str], tuple[str, ...]],
) -> str:
    """Rewrite a value check to test the column's distinct values once, then look bad values up per row.

    Codes repeat a lot (a few thousand distinct diagnoses in millions of rows), so evaluating a regular
    expression per distinct value and a hash look-up per row is much cheaper than the expression per row.
    Columns whose values are already trimmed (and upper-case) are noted in ``tidy``, so the clean view can
    pass them through without string functions on every row."""
    probe = _Column("v", col.type)
    predicate = check.value_rule(probe)[0]
    table = f"badv_{name}_{index}"
    # the column's distinct values, already gathered by ``_distinct_values``
    source, j = distinct
    raw.execute(f"CREATE OR REPLACE TEMP VIEW {table}_all AS SELECT v{j} AS v FROM {source} WHERE g{j} = 0")
    raw.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT v FROM {table}_all "
        f"WHERE coalesce({predicate}, FALSE) LIMIT {DISTINCT_LIMIT + 1}"
    )
    state = raw.execute(
        f"SELECT count(*) FILTER (WHERE v <> trim(v)), count(*) FILTER (WHERE v <> upper(trim(v))), count(DISTINCT v), "
        f"list(DISTINCT w) FILTER (WHERE w IS NOT NULL) FROM {table}_all, "
        f"unnest([v, trim(v), upper(trim(v))]) AS forms(w)"
    ).fetchone()
    raw.execute(f"DROP VIEW {table}_all")
    if state is not None and col.text and state[2] <= DISTINCT_LIMIT:
        code_values[(name, col.name)] = tuple(sorted(state[3] or ()))
    if state is not None:
        if not state[0]:
            tidy.add((col.name, "trim"))
        if not state[1]:
            tidy.add((col.name, "upper"))
    found = raw.execute(f"SELECT count(*), count(*) FILTER (WHERE v IS NULL) FROM {table}").fetchone()
    assert found is not None
    total, nulls = int(found[0]), int(found[1])
    if total > DISTINCT_LIMIT:
        return check.sql
    parts = []
    if nulls:
        parts.append(f"{col.sql} IS NULL")
    if total - nulls:
        parts.append(f"{col.sql} IN (SELECT v FROM {table} WHERE v IS NOT NULL)")
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def _validate(registry: Registry, *, strict: bool, max_problems: int) -> None:
    raw = registry.con.con
    columns: dict[str, dict[str, _Column]] = {}
    for name in registry.files:
        described = raw.execute(f"DESCRIBE src_{name}").fetchall()
        columns[name] = {row[0]: _Column(row[0], str(row[1])) for row in described}
        missing = [c for c in TABLES[name][2] if c not in columns[name]]
        if missing:
            raise RegistryError(f"{registry.files[name]}: missing columns: {', '.join(missing)}")
    # Canonical id types: integers only when every table that holds the id has integer ids.
    id_type: dict[str, str] = {}
    for key in ("person_id", "contact_id"):
        types = [cols[key] for cols in columns.values() if key in cols]
        id_type[key] = "BIGINT" if types and all(c.integer for c in types) else "VARCHAR"

    messages = registry.checks
    dense: dict[str, tuple[int, int]] = {}  # parent table -> (lowest, highest) id when its ids are dense
    for name in LOAD_ORDER:
        if name not in registry.files:
            continue
        cols = columns[name]
        tidy: set[tuple[str, str]] = set()
        checks, select_list = _table_rules(name, cols, id_type, tidy, dense)
        messages[name] = [(check.column, check.message) for check in checks]
        conditions = []
        coded = list(dict.fromkeys(check.column for check in checks if check.value_rule))
        distinct = _distinct_values(raw, name, [cols[c] for c in coded]) if coded else ""
        for i, check in enumerate(checks):
            if check.unless_increasing and _strictly_increasing(raw, name, check.unless_increasing):
                conditions.append("FALSE")  # every id is larger than the one before: no duplicates
                continue
            for statement in check.prepare:
                raw.execute(statement)
            if check.value_rule:
                position = (distinct, coded.index(check.column))
                conditions.append(
                    _value_checks(
                        raw, name, check, cols[check.column], i, position, tidy, registry.code_values
                    )
                )
            else:
                conditions.append(check.sql)
        if distinct:
            raw.execute(f"DROP TABLE {distinct}")
        select = select_list()
        flags = ", ".join(f"coalesce({sql}, FALSE) AS b{i}" for i, sql in enumerate(conditions))
        any_bad = " OR ".join(f"b{i}" for i in range(len(conditions)))
        raw.execute(
            f"CREATE TABLE bad_{name} AS SELECT * FROM (SELECT _line, {flags} FROM src_{name}) WHERE {any_bad}"
        )
        counts = raw.execute(
            "SELECT count(*), "
            + ", ".join(f"count(*) FILTER (WHERE b{i})" for i in range(len(conditions)))
            + f" FROM bad_{name}"
        ).fetchone()
        assert counts is not None
        registry.excluded[name] = int(counts[0])
        registry.problem_count += sum(int(c) for c in counts[1:])
        total = raw.execute(f"SELECT count(*) FROM src_{name}").fetchone()
        registry.rows[name] = int(total[0]) if total else 0
        where = f"WHERE _line NOT IN (SELECT _line FROM bad_{name})" if registry.excluded[name] else ""
        kind = "TEMP VIEW" if TABLES[name][1] else "TABLE"
        raw.execute(f"CREATE {kind} {name} AS SELECT {select} FROM src_{name} {where}")
        id_key = KEYS.get(name)
        if id_key and id_type[id_key] == "BIGINT":
            span = _dense_range(raw, name, id_key)
            if span:
                dense[name] = span
        room = max_problems - len(registry.problems)
        if registry.excluded[name] and room > 0:
            frame = registry._problem_frame(name, limit=room)
            registry.problems += [
                Problem(row.file, int(row.line), row.column, row.message) for row in frame.itertuples()
            ]
    if strict and registry.problem_count:
        shown = "; ".join(str(p) for p in registry.problems[:20])
        more = registry.problem_count - min(20, len(registry.problems))
        raise RegistryError(shown + (f"; and {more} more" if more > 0 else ""))


@contextlib.contextmanager
def arrow_copies_allowed() -> Iterator[None]:
    """DuckDB 2.0 warns that Arrow output of an ``execute()`` result is a copy of the rows. The engine reads
    small results and batches that way on purpose: ``con.sql()``, which avoids the copy, cannot follow an
    unfinished ``execute()`` on the same connection."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
        yield


def _strictly_increasing(raw: Any, name: str, value: str) -> bool:
    """True when the integer ids ``value`` of ``src_<name>`` are all present and each is larger than the one
    before (extracts are usually written in id order). Then no id can appear twice, whatever the order the
    rows were read in, and the sort of every id is saved. Read in batches, so memory stays small."""
    with arrow_copies_allowed():
        reader = raw.execute(f"SELECT {value} AS k FROM src_{name}").to_arrow_reader(1 << 20)
    try:
        last: int | None = None
        for batch in reader:
            if not batch.num_rows:
                continue
            ids = batch.column(0)
            if ids.null_count:
                return False
            if last is not None and ids[0].as_py() <= last:
                return False
            count = len(ids)
            if count > 1 and not pc.all(pc.greater(ids.slice(1), ids.slice(0, count - 1))).as_py():
                return False
            last = ids[count - 1].as_py()
    finally:
        reader.close()
    return True


def _dense_range(raw: Any, name: str, key: str) -> tuple[int, int] | None:
    """(lowest, highest) when the clean table's integer ids are exactly every number in between (they are
    unique: duplicates were excluded). A reference to such a table is then a range test, not a hash look-up."""
    found = raw.execute(f"SELECT count({key}), min({key}), max({key}) FROM {name}").fetchone()
    if not found or not found[0]:
        return None
    count, low, high = (int(v) for v in found)
    return (low, high) if high - low + 1 == count else None


def _table_rules(
    name: str,
    c: dict[str, _Column],
    id_type: dict[str, str],
    tidy: set[tuple[str, str]],
    dense: Mapping[str, tuple[int, int]],
) -> tuple[list[_Check], Callable[[], str]]:
    """(the checks, a function giving the SELECT list of the clean table) for one registry table.

    The SELECT list is built after the checks ran, when ``tidy`` tells which text columns need no trimming
    or upper-casing."""
    checks: list[_Check] = []

    def code(column: str, upper: bool = False) -> str:
        col = c[column]
        if not col.text:
            return col.as_text
        if (column, "upper" if upper else "trim") in tidy:
            return col.sql
        return f"upper(trim({col.sql}))" if upper else f"trim({col.sql})"

    def municipality(column: str) -> str:
        col = c[column]
        return f"CAST({col.sql} AS VARCHAR)" if col.integer else code(column)

    def add(column: str, rule: Any) -> None:
        """A check on the column's value alone. Text codes (few distinct values) are checked on their distinct
        values; typed columns and times (many distinct values, cheap checks) row by row."""
        sql, message = rule(c[column])
        coded = c[column].text and column in CODE_COLUMNS
        checks.append(_Check(column, sql, message, value_rule=rule if coded else None))

    def row(column: str, sql: str, message: str) -> None:
        checks.append(_Check(column, sql, message))

    def unique(column: str) -> None:
        value = _id_value(c[column], id_type[column])
        helper = f"dup_{name}_{column}"
        # one sort and a look at the neighbour: cheaper than a hash aggregate over every id
        prepare = (
            f"CREATE OR REPLACE TABLE {helper} AS SELECT DISTINCT k FROM (SELECT k, lag(k) OVER (ORDER BY k) AS p "
            f"FROM (SELECT {value} AS k FROM src_{name} WHERE k IS NOT NULL)) WHERE k = p",
        )
        checks.append(
            _Check(
                column,
                f"({value} IN (SELECT k FROM {helper}))",
                "appears on more than one row",
                prepare=prepare,
                unless_increasing=value if id_type[column] == "BIGINT" else None,
            )
        )

    def present(column: str) -> None:
        row(column, c[column].blank, "is empty")

    def reference(column: str, parent: str) -> None:
        value = _id_value(c[column], id_type[column])
        message = f"is not in {parent} (or its row there was excluded)"
        if parent in dense and id_type[column] == "BIGINT":
            low, high = dense[parent]
            row(column, f"({value} NOT BETWEEN {low} AND {high})", message)
        elif parent == "contacts":
            # the parent is big: join the (few) distinct referenced ids to it instead of hashing every contact
            helper = f"found_{name}_{column}"
            prepare = (
                f"CREATE OR REPLACE TABLE {helper} AS SELECT DISTINCT r.v FROM (SELECT DISTINCT {value} AS v "
                f"FROM src_{name}) AS r JOIN {parent} AS p ON r.v = p.{column}",
            )
            checks.append(
                _Check(column, f"({value} NOT IN (SELECT v FROM {helper}))", message, prepare=prepare)
            )
        else:
            row(column, f"({value} NOT IN (SELECT {column} FROM {parent}))", message)

    if name == "persons":
        pid = _id_value(c["person_id"], id_type["person_id"])
        present("person_id")
        unique("person_id")
        add("birth_date", lambda col: _date_check(col, required=True))
        add("sex", lambda col: _choice_check(col, SEXES, upper=True))
        add("municipality_code", _municipality_check)
        add("death_date", lambda col: _date_check(col, required=False))
        row(
            "death_date",
            f"({_date_value(c['death_date'])} < {_date_value(c['birth_date'])})",
            "is before birth_date",
        )
        return (
            checks,
            lambda: (
                f"{pid} AS person_id, {_date_value(c['birth_date'])} AS birth_date, "
                f"{code('sex', upper=True)} AS sex, {municipality('municipality_code')} AS municipality_code, "
                f"{_date_value(c['death_date'])} AS death_date"
            ),
        )

    if name == "contacts":
        cid = _id_value(c["contact_id"], id_type["contact_id"])
        pid = _id_value(c["person_id"], id_type["person_id"])
        start, end = _time_value(c["start"]), _time_value(c["end"])
        present("contact_id")
        unique("contact_id")
        present("person_id")
        reference("person_id", "persons")
        add("start", lambda col: _time_check(col, required=True))
        add("end", lambda col: _time_check(col, required=True))
        row("end", f"({end} < {start})", "is before start")
        add("hospital_code", lambda col: (col.blank, "is empty"))
        add("area", lambda col: _choice_check(col, AREAS))
        add("priority", lambda col: _choice_check(col, PRIORITIES, upper=True))
        add("contact_type", lambda col: _choice_check(col, CONTACT_TYPES, upper=True))
        add("action_diagnosis", _sks_check)
        add("hospice", _bool_check)
        add("discharge_mode", lambda col: _choice_check(col, DISCHARGE_MODES))
        add("municipality_code", _municipality_check)
        return (
            checks,
            lambda: (
                f"{cid} AS contact_id, {pid} AS person_id, "
                f"CAST(epoch({start}) AS BIGINT) AS start_s, CAST(epoch({end}) AS BIGINT) AS end_s, "
                f"{LOCAL_DAY}(CAST(epoch({start}) AS BIGINT)) AS start_day, "
                f"{LOCAL_DAY}(CAST(epoch({end}) AS BIGINT)) AS end_day, "
                f"coalesce({c['unit_code'].as_text}, '') AS unit_code, {code('hospital_code')} AS hospital_code, "
                f"{code('area')} AS area, {code('priority', upper=True)} AS priority, "
                f"{code('contact_type', upper=True)} AS contact_type, "
                f"{code('action_diagnosis', upper=True)} AS action_diagnosis, {_bool_value(c['hospice'])} AS hospice, "
                f"{code('discharge_mode')} AS discharge_mode, "
                f"{municipality('municipality_code')} AS municipality_code"
            ),
        )

    if name == "diagnoses":
        cid = _id_value(c["contact_id"], id_type["contact_id"])
        present("contact_id")
        reference("contact_id", "contacts")
        add("code", _sks_check)
        add("kind", lambda col: _choice_check(col, DIAGNOSIS_KINDS, upper=True))
        return (
            checks,
            lambda: (
                f"{cid} AS contact_id, {code('code', upper=True)} AS code, {code('kind', upper=True)} AS kind"
            ),
        )

    if name == "ready_for_discharge":
        cid = _id_value(c["contact_id"], id_type["contact_id"])
        ready, resumed = _time_value(c["ready_at"]), _time_value(c["resumed_at"])
        present("contact_id")
        reference("contact_id", "contacts")
        add("ready_at", lambda col: _time_check(col, required=True))
        add("resumed_at", lambda col: _time_check(col, required=False))
        row("resumed_at", f"({resumed} < {ready})", "is before ready_at")
        # Optional: the day the municipality's payment stops (exclusive; the agreed discharge date, aftalen 2.1),
        # empty when nothing is billed. Without the column every ready day is priced (registries lack it).
        if "billed_until" in c:
            add("billed_until", lambda col: _date_check(col, required=False))
            billed = f"{_date_value(c['billed_until'])} AS billed_until_day, TRUE AS billing_known"
        else:
            billed = "CAST(NULL AS DATE) AS billed_until_day, FALSE AS billing_known"
        return (
            checks,
            lambda: (
                f"{cid} AS contact_id, CAST(epoch({ready}) AS BIGINT) AS ready_s, "
                f"{LOCAL_DAY}(CAST(epoch({ready}) AS BIGINT)) AS ready_day, "
                f"CAST(epoch({resumed}) AS BIGINT) AS resumed_s, "
                f"{LOCAL_DAY}(CAST(epoch({resumed}) AS BIGINT)) AS resumed_day, {billed}"
            ),
        )

    if name == "population":
        add("year", lambda col: _integer_check(col, 1900, 2200))
        add("municipality_code", _municipality_check)
        add("sex", lambda col: _choice_check(col, SEXES, upper=True))
        add("age", lambda col: _integer_check(col, 0, 130))
        add("count", lambda col: _integer_check(col, 0, None))
        key = (
            f"{_integer_value(c['year'])}, {_municipality_value(c['municipality_code'])}, "
            f"upper(trim({c['sex'].as_text})), {_integer_value(c['age'])}"
        )
        row(
            "year",
            f"(({key}) IN (SELECT ({key}) FROM src_population GROUP BY ALL HAVING count(*) > 1))",
            "the same year, municipality_code, sex and age appear on more than one row",
        )
        return (
            checks,
            lambda: (
                f"{_integer_value(c['year'])} AS year, {municipality('municipality_code')} AS municipality_code, "
                f"{code('sex', upper=True)} AS sex, {_integer_value(c['age'])} AS age, "
                f"{_integer_value(c['count'])} AS count"
            ),
        )

    if name == "chronic":
        pid = _id_value(c["person_id"], id_type["person_id"])
        present("person_id")
        reference("person_id", "persons")
        add("condition", lambda col: _choice_check(col, CONDITIONS))
        add("from_date", lambda col: _date_check(col, required=True))
        return (
            checks,
            lambda: (
                f"{pid} AS person_id, {code('condition')} AS condition, {_date_value(c['from_date'])} AS from_date"
            ),
        )

    raise AssertionError(name)
