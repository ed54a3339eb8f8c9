"""Benchmark: the indicator suite over 1, 10 (and 60) million synthetic contacts, against two baselines.

    .venv/bin/python -m benchmarks.indicators --sizes 0.1                      # smoke run
    .venv/bin/python -m benchmarks.indicators --sizes 1 10 --repeat 3          # 1 and 10 million contacts
    .venv/bin/python -m benchmarks.indicators --sizes 60 --duckdb-memory 8GB   # 60 million (takes a while)

For each size a synthetic registry is written to Parquet (kept in ``--data``, default ``var/bench-data``, and
reused when it is there), then each measured thing runs in its own subprocess so it has its own peak memory
(``VmHWM``; a watchdog stops a task above ``--memory-cap-gb``):

* ``suite``: load and validate the registry, compute every indicator, write the result (the real run);
* ``engine_subset``: the same for the readmission (somatic, psychiatric) and preventable indicators only;
* ``pandas``: a vectorised pandas implementation of those three (sort, groupby-shift/cummax, merges; no Python
  loop per row or person), what a good analyst writes;
* ``engine_readmission`` and ``sql_readmission``: the readmission pass in the engine, and as one hand-written
  DuckDB SQL query over the Parquet files (the practical lower bound: no validation).

It prints wall and CPU seconds, peak memory, the load average and the ratios, checks that both baselines
count exactly what the engine counts (exit status 1 if not) and writes a JSON report. Targets on a 2-core,
24 GB machine: the suite over 10 million contacts under 30 s; at least 2x faster than pandas on the same
indicators with at most a quarter of its peak memory; the readmission pass within 2x of the hand-written SQL;
growth no worse than linear. Measured numbers: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

YEARS = 2
FIRST_YEAR = 2023
SEED = 11
START, END = dt.date(2023, 1, 1), dt.date(2024, 12, 31)
SUBSET = ["readmission_30d_somatic", "readmission_30d_psychiatric", "preventable_65plus"]
DATA = Path(__file__).resolve().parent.parent / "var" / "bench-data"  # never committed
TASKS = ("suite", "engine_subset", "pandas", "engine_readmission", "sql_readmission")


def _cpu() -> float:
    """CPU seconds (user + system, every thread) of this process so far: the work done, whatever the load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM starts afresh at exec; ru_maxrss would carry the parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# ------------------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------------------


def contacts_per_person(years: int) -> float:
    """Calibrate: contacts per synthetic person over ``years`` (from a small registry)."""
    from sektorbro.indicators.synth import synthesise

    with tempfile.TemporaryDirectory() as folder:
        summary = synthesise(folder, persons=40_000, years=years, seed=SEED, first_year=FIRST_YEAR)
    return summary.contacts / summary.persons


def ensure_data(folder: Path, millions: float, years: int, rate: float) -> dict[str, Any]:
    marker = folder / "benchmark.json"
    persons = round(millions * 1_000_000 / rate)
    wanted = {"persons": persons, "years": years, "seed": SEED, "first_year": FIRST_YEAR}
    if marker.is_file():
        info = json.loads(marker.read_text())
        if {k: info.get(k) for k in wanted} == wanted:
            return dict(info)
    from sektorbro.indicators.synth import synthesise

    started = time.perf_counter()
    summary = synthesise(folder, persons=persons, years=years, seed=SEED, first_year=FIRST_YEAR)
    info = {
        **wanted,
        "contacts": summary.contacts,
        "synth_seconds": round(time.perf_counter() - started, 2),
        "bytes": sum(p.stat().st_size for p in folder.glob("*.parquet")),
    }
    marker.write_text(json.dumps(info))
    return info


# ------------------------------------------------------------------------------------------------------------
# Measured tasks (each runs in its own process)
# ------------------------------------------------------------------------------------------------------------


def task_engine(folder: Path, indicators: list[str] | None, out: Path | None) -> dict[str, Any]:
    from sektorbro.indicators.engine import aggregate, tabulate, write
    from sektorbro.indicators.registry import load_registry

    started, cpu = time.perf_counter(), _cpu()
    registry = load_registry(folder)
    loaded = time.perf_counter()
    try:
        aggregates = aggregate(registry, START, END, indicators=indicators)
    finally:
        registry.close()  # as the CLI does: DuckDB's memory is freed before the roll-up imports pandas
    # Module imports are outside the timed work for every task (the pandas baseline imports pandas before its
    # clock starts). The engine imports pandas only here, after DuckDB has closed; that import is timed on its
    # own and reported as import_seconds instead of being counted as work.
    importing, import_cpu = time.perf_counter(), _cpu()
    import pandas as pd

    import_seconds, import_cpu = time.perf_counter() - importing, _cpu() - import_cpu
    result = tabulate(aggregates)
    computed = time.perf_counter()
    if out is not None:
        write(result, out)
    region = result[(result.stratum_type == "region") & (result.period == f"{START}..{END}")]
    return {
        "seconds": time.perf_counter() - started - import_seconds,
        "cpu_seconds": _cpu() - cpu - import_cpu,
        "import_seconds": import_seconds,
        "load_seconds": loaded - started,
        "compute_seconds": computed - loaded - import_seconds,
        "rows": len(result),
        "region": {
            r.indicator: [int(r.numerator), None if pd.isna(r.denominator) else int(r.denominator)]
            for r in region.itertuples()
        },
    }


def task_pandas(folder: Path) -> dict[str, Any]:
    """Readmissions (somatic, psychiatric) and preventable stays, vectorised pandas, from the Parquet files."""
    import numpy as np
    import pandas as pd

    from sektorbro.indicators.reference import region
    from sektorbro.indicators.valuesets import BIRTH, CANCER, INJURY, PREVENTABLE_ELDERLY

    started, cpu = time.perf_counter(), _cpu()
    columns = [
        "contact_id", "person_id", "start", "end", "hospital_code", "area", "priority", "contact_type",
        "action_diagnosis", "hospice", "discharge_mode", "municipality_code",
    ]  # fmt: skip
    c = pd.read_parquet(folder / "contacts.parquet", columns=columns)
    c = c[c["contact_type"] == "ALCA00"]
    unit = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[c["start"].dtype.unit]
    c["start_s"] = c["start"].astype("int64") // unit
    c["end_s"] = c["end"].astype("int64") // unit
    c = c.drop(columns=["start", "end", "contact_type"])
    dx = c["action_diagnosis"].astype(str)
    c["cancer"] = dx.str.startswith(CANCER.prefixes)
    c["birth"] = dx.str.startswith(BIRTH.prefixes)
    diagnoses = pd.read_parquet(folder / "diagnoses.parquet", columns=["contact_id", "code"])
    code = diagnoses["code"].astype(str)
    flagged = diagnoses.assign(
        cancer=code.str.startswith(CANCER.prefixes), birth=code.str.startswith(BIRTH.prefixes)
    )
    flagged = flagged[flagged.cancer | flagged.birth].groupby("contact_id")[["cancer", "birth"]].any()
    c = c.merge(flagged, left_on="contact_id", right_index=True, how="left", suffixes=("", "_b"))
    c["cancer"] |= c["cancer_b"].fillna(False).astype(bool)
    c["birth"] |= c["birth_b"].fillna(False).astype(bool)

    # stays: sort, running max of earlier ends per person, a new stay when the gap exceeds 4 hours
    c = c.sort_values(["person_id", "start_s", "end_s", "contact_id"], kind="stable", ignore_index=True)
    running = c.groupby("person_id", sort=False)["end_s"].cummax()
    latest_before = running.groupby(c["person_id"], sort=False).shift()
    c["stay"] = (latest_before.isna() | (c["start_s"] > latest_before + 4 * 3600)).cumsum()
    # the discharge mode of the contact that ends last; among contacts ending at the same moment the later one
    # in the order (idxmax keeps the first maximum, so it looks at the rows in reverse)
    backwards = c[["stay", "end_s"]].iloc[::-1]
    last = c.loc[backwards.groupby("stay", sort=False)["end_s"].idxmax(), ["stay", "discharge_mode"]]
    stays = c.groupby("stay", sort=False).agg(
        person_id=("person_id", "first"),
        start_s=("start_s", "first"),
        end_s=("end_s", "max"),
        area=("area", "first"),
        priority=("priority", "first"),
        action_diagnosis=("action_diagnosis", "first"),
        municipality_code=("municipality_code", "first"),
        any_hospice=("hospice", "any"),
        any_cancer=("cancer", "any"),
        any_birth=("birth", "any"),
    )
    stays = stays.join(last.set_index("stay"))
    del c, running, latest_before
    stays["hours"] = (stays["end_s"] - stays["start_s"]) / 3600
    local = pd.to_datetime(stays["start_s"], unit="s", utc=True).dt.tz_convert("Europe/Copenhagen")
    local_end = pd.to_datetime(stays["end_s"], unit="s", utc=True).dt.tz_convert("Europe/Copenhagen")
    stays["start_day"] = local.dt.tz_localize(None).dt.normalize()
    stays["end_day"] = local_end.dt.tz_localize(None).dt.normalize()
    first, last_day = pd.Timestamp(START), pd.Timestamp(END)
    residents = set(region().municipality_codes)

    # readmissions: the earliest later qualifying start per person (reverse cumulative minimum), by area
    out: dict[str, Any] = {}
    admissions = stays[stays["hours"] >= 12].copy()
    dx = admissions["action_diagnosis"].astype(str)
    for area in ("somatic", "psychiatric"):
        candidate = (
            (admissions["priority"] == "ATA1")
            & (admissions["area"] == area)
            & ~admissions["any_cancer"]
            & ~admissions["any_birth"]
            & ~admissions["any_hospice"]
            & ~dx.str.startswith(INJURY.prefixes)
        )
        starts = admissions["start_s"].where(candidate)
        following = starts.groupby(admissions["person_id"], sort=False).shift(-1).fillna(np.inf)
        reversed_ = following.iloc[::-1]
        next_start = reversed_.groupby(admissions["person_id"].iloc[::-1], sort=False).cummin().iloc[::-1]
        index = (
            (admissions["area"] == area)
            & (admissions["discharge_mode"] != "died")
            & ~admissions["any_cancer"]
            & ~admissions["any_hospice"]
            & admissions["end_day"].between(first, last_day)
            & admissions["municipality_code"].isin(residents)
        )
        readmitted = (next_start - admissions["end_s"]) <= 720 * 3600
        frame = pd.DataFrame(
            {
                "month": admissions.loc[index, "end_day"].dt.to_period("M"),
                "municipality_code": admissions.loc[index, "municipality_code"],
                "numerator": readmitted[index].astype("int64"),
                "denominator": 1,
            }
        )
        monthly = frame.groupby(["month", "municipality_code"], observed=True)[
            ["numerator", "denominator"]
        ].sum()
        out[f"readmission_30d_{area}"] = [int(monthly["numerator"].sum()), int(monthly["denominator"].sum())]

    # preventable: acute somatic stays of residents aged 65+ with a preventable action diagnosis
    persons = pd.read_parquet(folder / "persons.parquet", columns=["person_id", "birth_date"])
    acute = stays[(stays["priority"] == "ATA1") & (stays["area"] == "somatic")].merge(persons, on="person_id")
    born = pd.to_datetime(acute["birth_date"])
    day = acute["start_day"]
    age = (
        day.dt.year - born.dt.year - ((day.dt.month * 100 + day.dt.day) < (born.dt.month * 100 + born.dt.day))
    )
    chosen = (
        (age >= 65)
        & acute["action_diagnosis"].astype(str).str.startswith(PREVENTABLE_ELDERLY.prefixes)
        & day.between(first, last_day)
        & acute["municipality_code"].isin(residents)
    )
    events = acute[chosen].assign(year=day[chosen].dt.year)
    counts = events.groupby(["year", "municipality_code"], observed=True).size().rename("numerator")
    population = pd.read_parquet(folder / "population.parquet")
    old = population[population["age"] >= 65].groupby(["year", "municipality_code"])["count"].sum()
    rates = pd.concat([counts, old], axis=1).fillna(0)
    out["preventable_65plus"] = [
        int(rates["numerator"].sum()),
        int(np.round(old.groupby(level=0).sum().mean())),
    ]
    return {"seconds": time.perf_counter() - started, "cpu_seconds": _cpu() - cpu, "region": out}


def _prefix_sql(column: str, prefixes: tuple[str, ...]) -> str:
    """``column`` starts with one of ``prefixes``, as plain SQL (grouped by length, one IN list each)."""
    by_length: dict[int, list[str]] = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), []).append(prefix)
    tests = [
        f"{column}[1:{length}] IN ({', '.join(repr(p) for p in sorted(codes))})"
        for length, codes in sorted(by_length.items())
    ]
    return "(" + " OR ".join(tests) + ")"


def sql_readmission() -> str:
    """The readmission pass as one hand-written DuckDB query over the Parquet files.

    Stays: one window over the person's physical contacts (ordered by start, end, contact) finds the contacts
    that open a stay (start more than 4 hours after every earlier end); a running sum numbers the stays. The
    stay takes area, priority, action diagnosis and municipality from its opening contact, the discharge mode
    from the contact ending last; cancer and birth codes are searched in the action diagnoses and the
    diagnoses file. Admissions (12 hours or more) then get the next qualifying acute start of the same area
    with a second window. Index admissions are counted by their discharge's Danish month and municipality.
    Unlike the engine it does not validate or normalise the input (clean synthetic data is assumed)."""
    from sektorbro.indicators.localtime import duckdb_macro_sql
    from sektorbro.indicators.valuesets import BIRTH, CANCER, INJURY

    cancer, birth = CANCER.prefixes, BIRTH.prefixes
    return f"""
{duckdb_macro_sql("local_day")};
WITH flags AS (
    SELECT contact_id, bool_or({_prefix_sql("code", cancer)}) AS cancer, bool_or({_prefix_sql("code", birth)}) AS birth
    FROM read_parquet($diagnoses)
    WHERE {_prefix_sql("code", cancer + birth)}
    GROUP BY contact_id),
c AS (
    SELECT person_id, contact_id, CAST(epoch(start) AS BIGINT) AS s, CAST(epoch("end") AS BIGINT) AS e,
           area, priority, action_diagnosis AS dx, hospice, discharge_mode, municipality_code
    FROM read_parquet($contacts) WHERE contact_type = 'ALCA00'),
w AS (
    SELECT *,
           max(e) OVER (PARTITION BY person_id ORDER BY s, e, contact_id
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest,
           row_number() OVER (PARTITION BY person_id ORDER BY s, e, contact_id) AS seq
    FROM c),
g AS (
    SELECT *, latest IS NULL OR s > latest + 14400 AS opens,
           sum(CASE WHEN latest IS NULL OR s > latest + 14400 THEN 1 ELSE 0 END)
               OVER (PARTITION BY person_id ORDER BY seq) AS stay
    FROM w),
st AS (
    SELECT person_id, stay, min(s) AS s, max(e) AS e,
           any_value(area) FILTER (WHERE opens) AS area, any_value(priority) FILTER (WHERE opens) AS priority,
           any_value(dx) FILTER (WHERE opens) AS dx,
           any_value(municipality_code) FILTER (WHERE opens) AS municipality_code,
           arg_max(discharge_mode, e * 1048576 + seq) AS mode, bool_or(hospice) AS hospice,
           bool_or({_prefix_sql("dx", cancer)} OR coalesce(flags.cancer, false)) AS cancer,
           bool_or({_prefix_sql("dx", birth)} OR coalesce(flags.birth, false)) AS birth
    FROM g LEFT JOIN flags USING (contact_id)
    GROUP BY person_id, stay),
a AS (SELECT * FROM st WHERE e - s >= 43200),
n AS (
    SELECT *, min(CASE WHEN priority = 'ATA1' AND NOT cancer AND NOT birth AND NOT hospice
                        AND NOT {_prefix_sql("dx", INJURY.prefixes)} THEN s END)
              OVER (PARTITION BY person_id, area ORDER BY s
                    ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_s
    FROM a),
i AS (
    SELECT area, local_day(e) AS end_day, municipality_code, next_s - e <= 2592000 AS readmitted
    FROM n WHERE mode <> 'died' AND NOT cancer AND NOT hospice)
SELECT area, date_trunc('month', end_day) AS month, municipality_code,
       count(*) FILTER (WHERE readmitted) AS numerator, count(*) AS denominator
FROM i
WHERE end_day BETWEEN $first AND $last AND list_contains($residents, municipality_code)
GROUP BY ALL
"""  # noqa: S608 - value-set prefixes from our own code, data as parameters


def task_sql_readmission(folder: Path) -> dict[str, Any]:
    import duckdb

    from sektorbro.indicators.reference import region

    started, cpu = time.perf_counter(), _cpu()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if os.environ.get("SEKTORBRO_DUCKDB_MEMORY"):  # the same cap as the engine's (``--duckdb-memory``)
        con.execute("SET memory_limit = $limit", {"limit": os.environ["SEKTORBRO_DUCKDB_MEMORY"]})
    macro, query = sql_readmission().split(";", 1)
    con.execute(macro)
    parameters = {
        "contacts": str(folder / "contacts.parquet"),
        "diagnoses": str(folder / "diagnoses.parquet"),
        "first": START,
        "last": END,
        "residents": list(region().municipality_codes),
    }
    rows = con.execute(query, parameters).fetchall()
    seconds, cpu_seconds = time.perf_counter() - started, _cpu() - cpu
    totals: dict[str, list[int]] = {}
    for area, _month, _municipality, numerator, denominator in rows:
        total = totals.setdefault(f"readmission_30d_{area}", [0, 0])
        total[0] += int(numerator)
        total[1] += int(denominator)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "groups": len(rows), "region": totals}


def run_task(task: str, folder: Path) -> dict[str, Any]:
    if task == "suite":
        result = task_engine(folder, None, folder.parent / f"result-{folder.name}.parquet")
    elif task == "engine_subset":
        result = task_engine(folder, SUBSET, None)
    elif task == "engine_readmission":
        result = task_engine(folder, SUBSET[:2], None)
    elif task == "pandas":
        result = task_pandas(folder)
    elif task == "sql_readmission":
        result = task_sql_readmission(folder)
    else:
        raise ValueError(task)
    result["peak_mb"] = _peak_mb()
    return result


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def measure(task: str, folder: Path, timeout: float, cap_mb: float) -> dict[str, Any]:
    """Run one task in a fresh interpreter; its own peak RSS is measured there.

    The machine is shared, so a watchdog samples the child's resident memory and stops it above ``cap_mb``
    (reported as not finished, with the memory it had reached)."""
    command = [sys.executable, "-m", "benchmarks.indicators", "--task", task, "--data", str(folder)]
    load_before = _load()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        sampled = 0.0
        killed: str | None = None
        while child.poll() is None:
            sampled = max(sampled, _rss_mb(child.pid))
            if sampled > cap_mb:
                killed = f"stopped above the memory cap ({sampled:,.0f} MB > {cap_mb:,.0f} MB)"
            elif time.perf_counter() - started > timeout:
                killed = f"stopped after the timeout ({timeout:.0f} s)"
            if killed:
                child.kill()
                child.wait()
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    base = {"wall_seconds": round(wall, 2), "load_before": load_before, "load_after": _load()}
    if killed or child.returncode != 0:
        reason = killed or (stderr.strip().splitlines()[-1:] or ["failed"])[0]
        return {**base, "error": reason, "sampled_peak_mb": round(sampled)}
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return {**result, **base}


def repeated(task: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """``--repeat`` runs of one task (the machine is shared and noisy): the median run's figures, every run kept.

    ``seconds`` and ``peak_mb`` are medians over the finished runs; one unfinished run makes the task
    unfinished (its error is reported)."""
    runs = [measure(task, folder, args.timeout, args.memory_cap_gb * 1024) for _ in range(args.repeat)]
    failed = [r for r in runs if "seconds" not in r]
    if failed:
        return {**failed[0], "runs": runs}
    ordered = sorted(runs, key=lambda r: r["seconds"])
    summary = dict(ordered[len(ordered) // 2])
    summary["peak_mb"] = statistics.median(r["peak_mb"] for r in runs)
    summary["cpu_seconds"] = statistics.median(r["cpu_seconds"] for r in runs)
    summary["all_seconds"] = [round(r["seconds"], 2) for r in runs]
    summary["runs"] = runs
    return summary


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def agreement(results: dict[str, Any]) -> dict[str, Any]:
    """Region totals ([numerator, denominator] over the whole period) of each baseline against the engine.

    ``None`` where a side did not finish."""
    pairs = (("pandas", "engine_subset"), ("sql_readmission", "engine_readmission"), ("pandas", "suite"))
    checks: dict[str, Any] = {}
    for baseline, engine in pairs:
        theirs = results.get(baseline, {}).get("region")
        ours = results.get(engine, {}).get("region")
        if theirs is None or ours is None:
            continue
        checks[f"{baseline}_vs_{engine}"] = {
            name: {"baseline": value, "engine": ours.get(name), "equal": value == ours.get(name)}
            for name, value in theirs.items()
        }
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.indicators", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=float, nargs="+", default=[1, 10], help="millions of contacts (default 1 10)"
    )
    parser.add_argument("--years", type=int, default=YEARS)
    parser.add_argument("--data", type=Path, default=DATA, help=f"where the registries live (default {DATA})")
    parser.add_argument("--report", type=Path, help="JSON report (default: DATA/report-SIZES.json)")
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per task")
    parser.add_argument(
        "--memory-cap-gb",
        type=float,
        default=14.0,
        help="stop a task above this resident memory (shared machine)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per task; medians are reported (default 1)"
    )
    parser.add_argument(
        "--duckdb-memory",
        help="DuckDB memory_limit for the engine and the SQL baseline, e.g. 8GB (default: DuckDB's, 80%% of RAM)",
    )
    parser.add_argument("--task", choices=TASKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        print(json.dumps(run_task(args.task, args.data), default=str))
        return 0

    if args.duckdb_memory:
        os.environ["SEKTORBRO_DUCKDB_MEMORY"] = args.duckdb_memory  # inherited by every measured task
    args.data.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(
            ["python -m benchmarks.indicators", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_at_start": _load(),
        },
        "duckdb_memory_limit": args.duckdb_memory or "DuckDB default (80% of RAM)",
        "memory_cap_gb": args.memory_cap_gb,
        "repeat": args.repeat,
        "period": f"{START}..{END}",
        "sizes": {},
    }
    rate = contacts_per_person(args.years)
    print(f"calibration: {rate:.2f} contacts per person over {args.years} years", flush=True)
    mismatches: list[str] = []
    for millions in args.sizes:
        label = f"{millions:g}M"
        folder = args.data / label
        folder.mkdir(parents=True, exist_ok=True)
        info = ensure_data(folder, millions, args.years, rate)
        print(f"\n== {label}: {info['contacts']:,} contacts, {info['persons']:,} persons", flush=True)
        results: dict[str, Any] = {"data": info}
        for task in args.tasks:
            results[task] = r = repeated(task, folder, args)
            if "seconds" in r:
                shown, peak_mb = f"{r['seconds']:.1f} s", r.get("peak_mb", 0)
            else:
                shown, peak_mb = "not finished", r.get("sampled_peak_mb", 0)
            spread = (
                f" ({min(r['all_seconds']):.1f}-{max(r['all_seconds']):.1f})" if len(r["runs"]) > 1 else ""
            )
            print(
                f"  {task:<20} {shown:>8}{spread:<13} peak {peak_mb:>8,.0f} MB   load {r['load_before'][0]:.2f}"
                + (f"   ({r['error']})" if "error" in r else ""),
                flush=True,
            )

        def seconds(task: str, res: dict[str, Any] = results) -> float | None:
            return res.get(task, {}).get("seconds")

        def cpu(task: str, res: dict[str, Any] = results) -> float | None:
            return res.get(task, {}).get("cpu_seconds")

        def peak(task: str, res: dict[str, Any] = results) -> float | None:
            return res.get(task, {}).get("peak_mb")

        ratios = {
            "pandas_over_engine_time": _ratio(seconds("pandas"), seconds("engine_subset")),
            "pandas_over_engine_cpu": _ratio(cpu("pandas"), cpu("engine_subset")),
            "engine_over_sql_readmission_cpu": _ratio(cpu("engine_readmission"), cpu("sql_readmission")),
            "engine_over_pandas_memory": _ratio(peak("engine_subset"), peak("pandas")),
            "engine_over_sql_readmission_time": _ratio(
                seconds("engine_readmission"), seconds("sql_readmission")
            ),
            "suite_seconds_per_million_contacts": _ratio(seconds("suite"), info["contacts"] / 1e6),
        }
        checks = agreement(results)
        for pair, by_indicator in checks.items():
            for name, check in by_indicator.items():
                if not check["equal"]:
                    mismatches.append(f"{label} {pair} {name}: {check['baseline']} != {check['engine']}")
        results["ratios"] = ratios
        results["agreement"] = checks
        report["sizes"][label] = results
        print(f"  ratios: {json.dumps(ratios)}", flush=True)
        print(
            "  baselines agree with the engine: "
            + ", ".join(f"{pair} {all(c['equal'] for c in v.values())}" for pair, v in checks.items()),
            flush=True,
        )
    sizes = list(report["sizes"].values())
    if len(sizes) > 1:
        per_million = [s["ratios"]["suite_seconds_per_million_contacts"] for s in sizes]
        report["scaling_seconds_per_million"] = per_million
        print(f"\nsuite seconds per million contacts by size: {per_million}")
    report["mismatches"] = mismatches
    path = args.report or args.data / f"report-{'-'.join(f'{m:g}' for m in args.sizes)}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"report: {path}")
    if mismatches:
        print("MISMATCH between a baseline and the engine:\n  " + "\n  ".join(mismatches), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
