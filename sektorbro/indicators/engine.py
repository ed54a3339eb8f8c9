"""Running the indicator definitions on DuckDB (default) or Spark and writing the long result table.

``compute`` builds the stays once (materialised in the backend), runs each definition's Ibis expression,
lets the backend aggregate the events per month and stratum cell, and rolls the small aggregate up in pandas
(``rollup.py``). The registry is always validated in DuckDB; for Spark its clean tables are handed over as
Parquet files and every Ibis expression then runs in Spark."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import logging
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from sektorbro.indicators.definitions import REGISTRY
from sektorbro.indicators.definitions.stays import (
    build_stays,
    diagnosis_flags,
    for_indicators,
    marked_contacts,
    stays_from_marked,
)
from sektorbro.indicators.model import POPULATION_RATE, RESULT_COLUMNS, Context, StayRules
from sektorbro.indicators.reference import AGE_BANDS, DATA, region
from sektorbro.indicators.registry import Registry, arrow_copies_allowed

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported only once the backend has been closed (``tabulate``): while DuckDB holds the stays the
# engine process stays lighter by pandas' 50 MB (docs/benchmarks.md).

ENGINES = ("duckdb", "spark")
DEMO_TARIFFS = DATA / "tariffs_demo.csv"
OPEN_END = dt.date(2999, 12, 31)
TARIFF_SECTORS = ("somatic", "psychiatric")
STAYS_PART_ROWS = 2_000_000  # contacts per part when the stays are built part by part (docs/benchmarks.md)


# ------------------------------------------------------------------------------------------------------------
# Tariffs
# ------------------------------------------------------------------------------------------------------------


TARIFF_COLUMNS = ("sector", "valid_from", "valid_to", "dkk_per_day", "source", "example")
TariffRow = tuple[str, dt.date, dt.date | None, float, str, bool]


def read_tariffs(path: Path | str | None = None) -> list[TariffRow]:
    """The dated tariff table's rows (CSV, or JSON as a list or ``{"items": [...]}``), checked; the demo table
    by default.

    Columns: sector (somatic/psychiatric), valid_from, valid_to (exclusive, empty = open), dkk_per_day, source,
    example. Rows of one sector must not overlap."""
    path = Path(path) if path is not None else DEMO_TARIFFS
    items: Any
    if path.suffix.lower() == ".json":
        payload = json.loads(path.read_text(encoding="utf-8"))
        items = payload.get("items") if isinstance(payload, dict) else payload
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValueError(f"{path.name}: expected a list of tariff rows or an object with 'items'")
        columns = {key for item in items for key in item}
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            items = list(reader)
            columns = set(reader.fieldnames or ())
    missing = [c for c in TARIFF_COLUMNS[:-1] if c not in columns]
    if missing:
        raise ValueError(f"{path.name}: missing columns: {', '.join(missing)}")
    rows: list[TariffRow] = []
    for i, row in enumerate(items, start=2):
        where = f"{path.name}:{i}"
        sector = str(row.get("sector") or "").strip()
        if sector not in TARIFF_SECTORS:
            raise ValueError(f"{where}: sector must be somatic or psychiatric")
        try:
            valid_from = dt.date.fromisoformat(str(row.get("valid_from") or "").strip())
            text_to = str(row.get("valid_to") or "").strip()
            valid_to = (
                dt.date.fromisoformat(text_to) if text_to and text_to.lower() not in ("none", "nan") else None
            )
        except ValueError as exc:
            raise ValueError(f"{where}: dates must be YYYY-MM-DD") from exc
        try:
            amount = float(row.get("dkk_per_day"))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: dkk_per_day must be a number") from exc
        if amount < 0 or (valid_to is not None and valid_to <= valid_from):
            raise ValueError(f"{where}: negative amount or valid_to not after valid_from")
        source = str(row.get("source") or "").strip()
        if not source:
            raise ValueError(f"{where}: source is required")
        example = str(row.get("example", "")).strip().lower() in ("true", "1", "yes")
        rows.append((sector, valid_from, valid_to, amount, source, example))
    for sector in TARIFF_SECTORS:
        part = sorted((r for r in rows if r[0] == sector), key=lambda r: r[1])
        for before, after in itertools.pairwise(part):
            if before[2] is None or before[2] > after[1]:
                raise ValueError(f"{path.name}: {sector} rows overlap")
    return rows


def load_tariffs(path: Path | str | None = None) -> pd.DataFrame:
    """``read_tariffs`` as a frame with the ``TARIFF_COLUMNS``."""
    import pandas as pd

    return pd.DataFrame(read_tariffs(path), columns=list(TARIFF_COLUMNS))


def _tariff_rows(tariffs: Any) -> list[TariffRow]:
    """Rows from ``read_tariffs``, a tariff frame (``load_tariffs``), a file or None (the demo table)."""
    if tariffs is None or isinstance(tariffs, str | Path):
        return read_tariffs(tariffs)
    if isinstance(tariffs, list):
        return tariffs
    return [
        (r["sector"], r["valid_from"], r["valid_to"], r["dkk_per_day"], r["source"], bool(r["example"]))
        for r in tariffs.to_dict("records")
    ]


def _tariff_values_sql(rows: Sequence[TariffRow]) -> str:
    """The tariff rows as a DuckDB query (sector, valid_from, valid_to, ore_per_day). Built as SQL, not as an
    Arrow table: pyarrow imports pandas when it converts Python values."""
    typed = "SELECT NULL::VARCHAR AS sector, NULL::DATE AS valid_from, NULL::DATE AS valid_to, NULL::BIGINT AS ore_per_day"
    if not rows:
        return f"{typed} WHERE false"
    values = ", ".join(
        f"({_sql_text(r[0])}, DATE '{r[1].isoformat()}', DATE '{(r[2] or OPEN_END).isoformat()}', "
        f"{round(r[3] * 100)}::BIGINT)"
        for r in rows
    )
    return f"SELECT * FROM (VALUES {values}) AS t(sector, valid_from, valid_to, ore_per_day)"  # noqa: S608


def _tariff_arrow(rows: Sequence[TariffRow]) -> pa.Table:
    return pa.table(
        {
            "sector": pa.array([r[0] for r in rows], type=pa.string()),
            "valid_from": pa.array([r[1] for r in rows], type=pa.date32()),
            "valid_to": pa.array([r[2] or OPEN_END for r in rows], type=pa.date32()),
            "ore_per_day": pa.array([round(r[3] * 100) for r in rows], type=pa.int64()),
        }
    )


# ------------------------------------------------------------------------------------------------------------
# Backends
# ------------------------------------------------------------------------------------------------------------


# Text codes that DuckDB holds as ENUMs while the stays are built (one or two bytes per value instead of a
# 16-byte string: the contacts' attributes travel through the ordering window, and at 10 million contacts the
# stays table goes from 214 to about 95 MB): the registry columns, and the stays columns that take their values.
# Ibis and every query see them as strings.
CODED_CONTACT_COLUMNS = (
    "area",
    "priority",
    "action_diagnosis",
    "municipality_code",
    "hospital_code",
    "discharge_mode",
)
CODED_STAYS_COLUMNS = {
    "area": ("contacts", "area"),
    "action_diagnosis": ("contacts", "action_diagnosis"),
    "municipality_code": ("contacts", "municipality_code"),
    "first_hospital": ("contacts", "hospital_code"),
    "last_hospital": ("contacts", "hospital_code"),
    "last_mode": ("contacts", "discharge_mode"),
    "sex": ("persons", "sex"),
}


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class DuckDBBackend:
    name = "duckdb"

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.con = registry.con
        self.raw = registry.con.con
        self.raw.execute("SET enable_progress_bar = false")
        self.created: list[str] = []  # materialised tables
        self.views: list[str] = []
        self.types: list[str] = []  # ENUM types of the coded columns
        self.code_types: dict[tuple[str, str], str] | None = None
        self.token = uuid.uuid4().hex[:8]

    def table(self, name: str) -> Any:
        return self.con.table(name)

    def register_tariffs(self, rows: Sequence[TariffRow]) -> Any:
        unique = f"tariffs_{self.token}"
        self.raw.execute(f"CREATE TEMP TABLE {unique} AS {_tariff_values_sql(rows)}")
        self.created.append(unique)
        return self.con.table(unique)

    def materialize(self, expr: Any, name: str) -> Any:
        unique = f"{name}_{self.token}"
        # A temporary table: it is not compressed and written into the database file (about a tenth of the
        # engine's CPU time at 10 million contacts, docs/benchmarks.md), and DuckDB still moves its blocks to
        # the temp directory when it needs the memory. The SQL is Ibis's compilation of our own expression;
        # the name is ours.
        self.raw.execute(f"CREATE OR REPLACE TEMP TABLE {unique} AS {self.con.compile(expr)}")
        self.created.append(unique)
        return self.con.table(unique)

    def _code_types(self) -> dict[tuple[str, str], str]:
        """ENUM types for the coded registry columns (``CODED_CONTACT_COLUMNS`` and the persons' sex), created
        once from the values in the registry; a column without any value stays text (it is left out)."""
        if self.code_types is not None:
            return self.code_types
        wanted = [("contacts", column) for column in CODED_CONTACT_COLUMNS] + [("persons", "sex")]
        # The loader's value checks found the values (``Registry.code_values``: a superset of the clean values);
        # a column they did not cover is scanned here.
        members = {key: self.registry.code_values.get(key) for key in wanted}
        for table in sorted({t for (t, c), found in members.items() if found is None}):
            columns = [c for (t, c), found in members.items() if t == table and found is None]
            lists = ", ".join(f'list(DISTINCT "{c}") FILTER (WHERE "{c}" IS NOT NULL)' for c in columns)
            scanned = self.raw.execute(f"SELECT {lists} FROM {table}").fetchone()  # noqa: S608 - our names
            for column, values in zip(columns, scanned or [None] * len(columns), strict=True):
                members[(table, column)] = tuple(str(v) for v in values or ())
        self.code_types = {}
        for (table, column), values in members.items():
            if not values:
                continue
            type_name = f"sb_{table}_{column}_{self.token}"
            listed = ", ".join(_sql_text(v) for v in sorted(set(values)))
            self.raw.execute(f"CREATE TYPE {type_name} AS ENUM ({listed})")
            self.types.append(type_name)
            self.code_types[(table, column)] = type_name
        return self.code_types

    def _coded_contacts(self, select: str, view: str) -> Any:
        """A view of the contacts ``select`` gives, with the ``CODED_CONTACT_COLUMNS`` as ENUMs: the window of
        ``marked_contacts`` carries them a byte or two wide."""
        types = self._code_types()
        casts = [
            f"{column}::{types[('contacts', column)]} AS {column}"
            for column in CODED_CONTACT_COLUMNS
            if ("contacts", column) in types
        ]
        if casts:
            select = f"SELECT * REPLACE ({', '.join(casts)}) FROM ({select})"  # noqa: S608 - our own query
        self.raw.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {select}")
        return self.con.table(view)

    def _compact_stays_sql(self, stays: Any) -> str:
        """The SQL of the ``stays`` expression narrowed to ``for_indicators``, with the ``CODED_STAYS_COLUMNS``
        as ENUMs and age as SMALLINT: the same values in a table less than half as wide."""
        types = self._code_types()
        casts = [
            f"{column}::{types[source]} AS {column}"
            for column, source in CODED_STAYS_COLUMNS.items()
            if source in types
        ]
        casts.append("age::SMALLINT AS age")
        sql = self.con.compile(for_indicators(stays))
        return f"SELECT * REPLACE ({', '.join(casts)}) FROM ({sql})"  # noqa: S608 - our own query

    def materialize_stays(self, diagnoses: Any | None, rules: StayRules, name: str) -> Any:
        """The stays table, built part by part when the contacts are clustered by person
        (``Registry.person_ranges``): the same statement runs over a view holding one range of person ids at a
        time, so the ordering window never holds more than about ``STAYS_PART_ROWS`` contacts. Stays never
        cross persons, so the parts add up to exactly the one-pass result."""
        persons = self.table("persons")
        contacts_view, persons_view = f"contacts_coded_{self.token}", f"persons_part_{self.token}"
        unique = f"{name}_{self.token}"
        self.created.append(unique)
        self.views += [contacts_view, persons_view]
        ranges = self.registry.person_ranges(STAYS_PART_ROWS)
        if len(ranges) == 1 or not persons.schema()["person_id"].is_integer():
            contacts = self._coded_contacts("SELECT * FROM contacts", contacts_view)
            sql = self._compact_stays_sql(build_stays(contacts, persons, diagnoses, rules))
            self.raw.execute(f"CREATE OR REPLACE TEMP TABLE {unique} AS {sql}")
            return self.con.table(unique)
        flags = (
            self.materialize(diagnosis_flags(diagnoses), "diagnosis_flags") if diagnoses is not None else None
        )
        stays_sql = None
        # DuckDB's partitioned execution would split each part's window again by the file's row groups and
        # scan the part once per split; the parts already are that split (60 M contacts: 24 s -> 13 s).
        self.raw.execute("SET disabled_optimizers = 'partitioned_execution'")
        try:
            for number, (low, high) in enumerate(ranges):
                within = f"WHERE person_id BETWEEN {int(low)} AND {int(high)}"
                part = self._coded_contacts(f"SELECT * FROM contacts {within}", contacts_view)  # noqa: S608
                select = f"SELECT * FROM persons {within}"  # noqa: S608 - our own names and integers
                self.raw.execute(f"CREATE OR REPLACE TEMP VIEW {persons_view} AS {select}")
                if stays_sql is None:
                    people = self.con.table(persons_view)
                    stays_sql = self._compact_stays_sql(
                        stays_from_marked(marked_contacts(part, rules), people, flags, rules)
                    )
                if number == 0:
                    self.raw.execute(f"CREATE OR REPLACE TEMP TABLE {unique} AS {stays_sql}")
                else:
                    self.raw.execute(f"INSERT INTO {unique} {stays_sql}")
        finally:
            self.raw.execute("RESET disabled_optimizers")
        return self.con.table(unique)

    def fetch(self, expr: Any) -> pa.Table:
        """The (small) result as an Arrow table, straight from DuckDB: Ibis's own conversion imports pandas."""
        with arrow_copies_allowed():  # a few thousand rows
            table = self.raw.execute(str(self.con.compile(expr))).to_arrow_table()
        return table.cast(expr.as_table().schema().to_pyarrow())  # the types Ibis would give

    def execute(self, expr: Any) -> pd.DataFrame:
        return self.con.to_pyarrow(expr).to_pandas()

    def close(self) -> None:
        for name in self.created:
            self.raw.execute(f"DROP TABLE IF EXISTS {name}")
        for name in self.views:
            self.raw.execute(f"DROP VIEW IF EXISTS {name}")
        for name in self.types:
            self.raw.execute(f"DROP TYPE IF EXISTS {name}")


def spark_session(*, cores: int = 2, memory: str = "2g") -> Any:
    """A local Spark session set up for the engine (loopback only, no UI, Arrow on, few shuffle partitions)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    # py4j logs every socket it opens and closes at INFO, and closes the last ones from ``__del__`` while the
    # interpreter exits, after the console (or a test run's captured stream) is gone: only its warnings matter.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    from pyspark.sql import SparkSession

    warehouse = Path(tempfile.gettempdir()) / "sektorbro-spark-warehouse"
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("sektorbro-indicators")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def stop_spark(session: Any) -> None:
    """Stop a session from :func:`spark_session` and close the Python side's connections to its JVM now, rather
    than from finalisers at interpreter exit."""
    from pyspark import SparkContext

    session.stop()
    gateway = SparkContext._gateway
    if gateway is not None:
        gateway.shutdown()
        SparkContext._gateway = None
        SparkContext._jvm = None


class SparkBackend:
    """The same Ibis expressions on Spark. The registry's clean tables are copied to Parquet for Spark to read."""

    name = "spark"

    def __init__(self, registry: Registry, session: Any | None = None) -> None:
        self.session = session or spark_session()
        self.con = ibis.pyspark.connect(self.session)
        self.folder = Path(tempfile.mkdtemp(prefix="sektorbro-spark-"))
        self.token = uuid.uuid4().hex[:8]
        self.views: list[str] = []
        self.cached: list[Any] = []
        raw = registry.con.con
        for name in registry.present:
            path = self.folder / f"{name}.parquet"
            quoted = "'" + str(path).replace("'", "''") + "'"
            raw.execute(f"COPY (SELECT * FROM {name}) TO {quoted} (FORMAT parquet)")  # noqa: S608 - our table name
            self._view(name, self.session.read.parquet(str(path)))

    def _view(self, name: str, frame: Any) -> str:
        unique = f"sb_{name}_{self.token}"
        frame.createOrReplaceTempView(unique)
        self.views.append(unique)
        return unique

    def table(self, name: str) -> Any:
        return self.con.table(f"sb_{name}_{self.token}")

    def register_tariffs(self, rows: Sequence[TariffRow]) -> Any:
        return self.register("tariffs", _tariff_arrow(rows))

    def register(self, name: str, table: pa.Table) -> Any:
        import pyarrow.parquet as pq

        path = self.folder / f"{name}.parquet"
        pq.write_table(table, path)
        return self.con.table(self._view(name, self.session.read.parquet(str(path))))

    def materialize_stays(self, diagnoses: Any | None, rules: StayRules, name: str) -> Any:
        stays = build_stays(self.table("contacts"), self.table("persons"), diagnoses, rules)
        return self.materialize(for_indicators(stays), name)

    def materialize(self, expr: Any, name: str) -> Any:
        frame = self.session.sql(str(self.con.compile(expr))).persist()
        frame.count()
        self.cached.append(frame)
        return self.con.table(self._view(name, frame))

    def fetch(self, expr: Any) -> pa.Table:
        return self.con.to_pyarrow(expr)

    def execute(self, expr: Any) -> pd.DataFrame:
        return self.con.to_pyarrow(expr).to_pandas()

    def close(self) -> None:
        for frame in self.cached:
            frame.unpersist()
        for view in self.views:
            self.session.catalog.dropTempView(view)
        shutil.rmtree(self.folder, ignore_errors=True)


# ------------------------------------------------------------------------------------------------------------
# compute
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aggregates:
    """What the backend hands over (``aggregate``): per indicator its aggregate and, for population rates, the
    denominators' aggregate, as Arrow tables, with the population weights and the notes so far."""

    start: dt.date
    end: dt.date
    region: Any
    notes: list[str]
    population: pa.Table
    parts: list[tuple[Any, pa.Table, pa.Table | None]]


def _age_group(age: Any) -> Any:
    cases = [(age <= high, label) for label, _low, high in AGE_BANDS if high is not None]
    return ibis.cases(*cases, else_=AGE_BANDS[-1][0])


def _aggregate_events(events: Any, start: dt.date, end: dt.date) -> Any:
    events = events.filter((events.day >= ibis.literal(start)) & (events.day <= ibis.literal(end)))
    month = (events.day.year() * 100 + events.day.month()).cast("int64")
    return events.group_by(
        month=month,
        municipality_code=events.municipality_code,
        hospital_code=events.hospital_code,
        area=events.area,
        sex=events.sex,
        age_group=_age_group(events.age),
    ).aggregate(
        numerator=events.numerator.sum().cast("int64"),
        denominator=events.denominator.sum().cast("int64"),
        amount_ore=events.amount_ore.sum().cast("int64"),
    )


def _aggregate_population(table: Any) -> Any:
    return table.group_by(
        year=table.year.cast("int64"),
        municipality_code=table.municipality_code,
        sex=table.sex,
        age_group=_age_group(table.age),
    ).aggregate(count=table["count"].sum().cast("int64"))


POPULATION_TEXT = ("municipality_code", "sex", "age_group")
EVENT_TEXT = ("municipality_code", "hospital_code", "area", "sex", "age_group")


def _normalise(frame: pd.DataFrame, text: Sequence[str]) -> pd.DataFrame:
    """Same dtypes whatever the backend returned (object/str, None for missing)."""
    frame = frame.copy()
    for column in text:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def aggregate(
    registry: Registry,
    start: dt.date,
    end: dt.date,
    *,
    indicators: Sequence[str] | None = None,
    engine: str = "duckdb",
    params: Mapping[str, Mapping[str, Any]] | None = None,
    tariffs: pd.DataFrame | list[TariffRow] | Path | str | None = None,
    spark: Any | None = None,
    progress: Callable[[str], None] | None = None,
) -> Aggregates:
    """The backend's part of ``compute``: each indicator's small aggregate (per month and stratum cell), to be
    rolled up by ``tabulate``. The registry may be closed in between, which frees DuckDB's memory before
    pandas is imported (the CLI does this).

    ``indicators``: ids from ``REGISTRY`` (default: all whose optional input tables are present).
    ``params``: per indicator id a mapping of parameter overrides, and ``"stays"`` for ``StayRules``.
    ``tariffs``: tariff rows (``read_tariffs``), a tariff table (``load_tariffs``) or a file; the demo table
    (example values) by default.
    ``engine``: ``duckdb`` or ``spark`` (``spark``: an existing SparkSession, else a local one is started).
    The notes list skipped indicators and other remarks."""
    if end < start:
        raise ValueError("the period ends before it starts")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (use {' or '.join(ENGINES)})")
    params = dict(params or {})
    unknown = sorted(set(params) - set(REGISTRY) - {"stays"})
    if unknown:
        raise ValueError(f"parameters for unknown indicators: {', '.join(unknown)}")
    notes: list[str] = []
    wanted = list(indicators) if indicators is not None else list(REGISTRY)
    for indicator_id in wanted:
        if indicator_id not in REGISTRY:
            raise ValueError(f"unknown indicator {indicator_id!r}")
    selected = []
    for indicator_id in wanted:
        indicator = REGISTRY[indicator_id]
        missing = [t for t in indicator.requires if t not in registry.present]
        if missing:
            notes.append(f"{indicator_id} skipped: the registry has no {', '.join(missing)} table")
            continue
        selected.append((indicator, indicator.resolve(params.get(indicator_id))))
    rules = StayRules(**dict(params.get("stays", {})))
    tariff_rows = _tariff_rows(tariffs)
    if any(row[5] for row in tariff_rows):
        notes.append("the tariff table holds example values, not official rates")
    reg = region()

    def step(name: str) -> None:
        if progress:
            progress(name)

    # The small aggregates are fetched as Arrow tables; pandas is not needed until ``tabulate``.
    fetched: list[tuple[Any, pa.Table, pa.Table | None]] = []
    backend: DuckDBBackend | SparkBackend
    backend = DuckDBBackend(registry) if engine == "duckdb" else SparkBackend(registry, spark)
    try:
        optional = {n: backend.table(n) if n in registry.present else None for n in ("diagnoses", "chronic")}
        contacts, persons = backend.table("contacts"), backend.table("persons")
        stays = backend.materialize_stays(optional["diagnoses"], rules, "stays")
        ctx = Context(
            persons=persons,
            contacts=contacts,
            population=backend.table("population"),
            stays=stays,
            tariffs=backend.register_tariffs(tariff_rows),
            start=start,
            end=end,
            rules=rules,
            diagnoses=optional["diagnoses"],
            ready=backend.table("ready_for_discharge") if "ready_for_discharge" in registry.present else None,
            chronic=optional["chronic"],
            materialize=backend.materialize,
        )
        step("stays")
        population_table = backend.fetch(_aggregate_population(ctx.population))
        for indicator, values in selected:
            aggregate = backend.fetch(_aggregate_events(indicator.events(ctx, values), start, end))
            denominators = None
            if indicator.kind == POPULATION_RATE:
                assert indicator.denominators is not None
                denominators = backend.fetch(_aggregate_population(indicator.denominators(ctx, values)))
            fetched.append((indicator, aggregate, denominators))
            step(indicator.id)
    finally:
        backend.close()

    return Aggregates(start, end, reg, notes, population_table, fetched)


def tabulate(aggregates: Aggregates) -> pd.DataFrame:
    """The long result table from ``aggregate``'s aggregates (pandas, the same for every backend)."""
    import pandas as pd

    from sektorbro.indicators.rollup import roll_up

    start, end, reg, notes = aggregates.start, aggregates.end, aggregates.region, list(aggregates.notes)
    population = _normalise(aggregates.population.to_pandas(), POPULATION_TEXT)
    frames = []
    for indicator, aggregate, denominators in aggregates.parts:
        rows, more = roll_up(
            indicator,
            _normalise(aggregate.to_pandas(), EVENT_TEXT),
            population,
            None if denominators is None else _normalise(denominators.to_pandas(), POPULATION_TEXT),
            start,
            end,
            reg,
        )
        notes += [n for n in more if n not in notes]
        frames.append(rows)
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(RESULT_COLUMNS))
    result.attrs["notes"] = notes
    return result


def compute(
    registry: Registry,
    start: dt.date,
    end: dt.date,
    *,
    indicators: Sequence[str] | None = None,
    engine: str = "duckdb",
    params: Mapping[str, Mapping[str, Any]] | None = None,
    tariffs: pd.DataFrame | list[TariffRow] | Path | str | None = None,
    spark: Any | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Compute indicators over ``start``..``end`` (inclusive, Danish dates) into the long result table:
    ``aggregate`` then ``tabulate`` (see ``aggregate`` for the arguments).

    The frame's ``attrs["notes"]`` lists skipped indicators and other remarks."""
    return tabulate(
        aggregate(
            registry,
            start,
            end,
            indicators=indicators,
            engine=engine,
            params=params,
            tariffs=tariffs,
            spark=spark,
            progress=progress,
        )
    )


def stays(registry: Registry, *, rules: StayRules | None = None) -> pd.DataFrame:
    """The stays the indicators can count (admissions and acute stays), on DuckDB, for inspection and tests."""
    backend = DuckDBBackend(registry)
    try:
        diagnoses = backend.table("diagnoses") if "diagnoses" in registry.present else None
        expr = build_stays(
            backend.table("contacts"), backend.table("persons"), diagnoses, rules or StayRules()
        )
        return backend.execute(expr.order_by(["person_id", "start_s"]))
    finally:
        backend.close()


def write(result: pd.DataFrame, path: Path | str) -> None:
    """Write the result as CSV or Parquet, by the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    table = result[list(RESULT_COLUMNS)]
    if suffix == ".parquet":
        table.to_parquet(path, index=False)
    elif suffix == ".csv":
        table.to_csv(path, index=False)
    else:
        raise ValueError(f"{path}: write .csv or .parquet")
