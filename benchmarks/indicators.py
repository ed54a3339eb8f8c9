"""Benchmark: the indicator suite over 1, 10 (and 60) million synthetic contacts, against two baselines.

    .venv/bin/python -m benchmarks.indicators                 # 1 and 10 million contacts
    .venv/bin/python -m benchmarks.indicators --sizes 1 10 60 # also 60 million (takes a while)

For each size a synthetic registry is written to Parquet (kept in ``--data`` and reused when it is there), then
each measured thing runs in its own subprocess so it has its own peak memory (``ru_maxrss``):

* ``suite``: load and validate the registry, compute every indicator, write the result (the real run);
* ``engine_subset``: the same for the readmission (somatic, psychiatric) and preventable indicators only;
* ``pandas``: a vectorised pandas implementation of those three (sort, groupby-shift/cummax, merges; no Python
  loop per row or person), what a good analyst writes;
* ``engine_readmission`` and ``sql_readmission``: the readmission pass in the engine, and as one hand-written
  DuckDB SQL query over the Parquet files (the practical lower bound: no validation, no secondary diagnoses).

It prints the timings, memory and ratios and writes a JSON report. Targets on a 2-core, 24 GB machine: the
suite over 10 million contacts under 30 s; at least 2x faster than pandas on the same indicators with at most a
quarter of its peak memory; the readmission pass within 2x of the hand-written SQL; growth no worse than linear.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

YEARS = 2
FIRST_YEAR = 2023
SEED = 11
START, END = dt.date(2023, 1, 1), dt.date(2024, 12, 31)
SUBSET = ["readmission_30d_somatic", "readmission_30d_psychiatric", "preventable_65plus"]
TASKS = ("suite", "engine_subset", "pandas", "engine_readmission", "sql_readmission")


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
    import tempfile

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
    import pandas as pd

    from sektorbro.indicators.engine import compute, write
    from sektorbro.indicators.registry import load_registry

    started = time.perf_counter()
    registry = load_registry(folder)
    loaded = time.perf_counter()
    try:
        result = compute(registry, START, END, indicators=indicators)
    finally:
        registry.close()
    computed = time.perf_counter()
    if out is not None:
        write(result, out)
    region = result[(result.stratum_type == "region") & (result.period == f"{START}..{END}")]
    return {
        "seconds": time.perf_counter() - started,
        "load_seconds": loaded - started,
        "compute_seconds": computed - loaded,
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

    started = time.perf_counter()
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
    last = c.loc[c.groupby("stay", sort=False)["end_s"].idxmax(), ["stay", "discharge_mode"]]
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
    return {"seconds": time.perf_counter() - started, "region": out}


SQL_READMISSION = """
WITH c AS (
    SELECT person_id, contact_id, CAST(epoch(start) AS BIGINT) AS s, CAST(epoch("end") AS BIGINT) AS e,
           area, priority, action_diagnosis AS dx, hospice, discharge_mode, municipality_code
    FROM read_parquet($contacts) WHERE contact_type = 'ALCA00'),
w AS (
    SELECT *, max(e) OVER (PARTITION BY person_id ORDER BY s, e, contact_id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest FROM c),
g AS (
    SELECT *, sum(CASE WHEN latest IS NULL OR s > latest + 14400 THEN 1 ELSE 0 END)
              OVER (PARTITION BY person_id ORDER BY s, e, contact_id) AS stay FROM w),
st AS (
    SELECT person_id, stay, min(s) AS s, max(e) AS e, arg_min(area, s) AS area, arg_min(priority, s) AS priority,
           arg_min(dx, s) AS dx, arg_min(municipality_code, s) AS municipality_code,
           arg_max(discharge_mode, e) AS mode, bool_or(hospice) AS hospice,
           bool_or(dx[1:2] = 'DC' OR dx[1:4] BETWEEN 'DD00' AND 'DD09') AS cancer,
           bool_or(dx[1:4] BETWEEN 'DO80' AND 'DO84') AS birth
    FROM g GROUP BY person_id, stay),
a AS (SELECT * FROM st WHERE e - s >= 43200),
n AS (
    SELECT *, min(CASE WHEN priority = 'ATA1' AND NOT cancer AND NOT birth AND NOT hospice
                        AND dx[1:2] NOT IN ('DS', 'DT', 'DX', 'DY') THEN s END)
              OVER (PARTITION BY person_id, area ORDER BY s
                    ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_s
    FROM a)
SELECT area, date_trunc('month', make_timestamp(e * 1000000)) AS month, municipality_code,
       count(*) AS denominator, count(*) FILTER (WHERE next_s - e <= 2592000) AS numerator
FROM n WHERE mode <> 'died' AND NOT cancer AND NOT hospice
GROUP BY ALL
"""


def task_sql_readmission(folder: Path) -> dict[str, Any]:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    rows = con.execute(SQL_READMISSION, {"contacts": str(folder / "contacts.parquet")}).fetchall()
    return {"seconds": time.perf_counter() - started, "groups": len(rows)}


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


def measure(task: str, folder: Path, timeout: float) -> dict[str, Any]:
    """Run one task in a fresh interpreter; its own peak RSS is measured there."""
    command = [sys.executable, "-m", "benchmarks.indicators", "--task", task, "--data", str(folder)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"], "wall_seconds": wall}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = wall
    return result


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.indicators", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=float, nargs="+", default=[1, 10], help="millions of contacts (default 1 10)"
    )
    parser.add_argument("--years", type=int, default=YEARS)
    parser.add_argument(
        "--data", type=Path, default=Path("/tmp/sektorbro-bench"), help="where the registries live"
    )
    parser.add_argument("--report", type=Path, help="JSON report (default: DATA/report.json)")
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--task", choices=TASKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        print(json.dumps(run_task(args.task, args.data), default=str))
        return 0

    args.data.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "period": f"{START}..{END}",
        "sizes": {},
    }
    rate = contacts_per_person(args.years)
    print(f"calibration: {rate:.2f} contacts per person over {args.years} years", flush=True)
    for millions in args.sizes:
        label = f"{millions:g}M"
        folder = args.data / label
        folder.mkdir(parents=True, exist_ok=True)
        info = ensure_data(folder, millions, args.years, rate)
        print(f"\n== {label}: {info['contacts']:,} contacts, {info['persons']:,} persons", flush=True)
        results: dict[str, Any] = {"data": info}
        for task in args.tasks:
            results[task] = measure(task, folder, args.timeout)
            r = results[task]
            shown = f"{r['seconds']:.1f} s" if "seconds" in r else f"FAILED {r.get('error')}"
            print(f"  {task:<20} {shown:>10}   peak {r.get('peak_mb', 0):,.0f} MB", flush=True)

        def seconds(task: str, res: dict[str, Any] = results) -> float | None:
            return res.get(task, {}).get("seconds")

        def peak(task: str, res: dict[str, Any] = results) -> float | None:
            return res.get(task, {}).get("peak_mb")

        ratios = {
            "pandas_over_engine_time": _ratio(seconds("pandas"), seconds("engine_subset")),
            "engine_over_pandas_memory": _ratio(peak("engine_subset"), peak("pandas")),
            "engine_over_sql_readmission_time": _ratio(
                seconds("engine_readmission"), seconds("sql_readmission")
            ),
            "suite_seconds_per_million_contacts": _ratio(seconds("suite"), info["contacts"] / 1e6),
        }
        agree: dict[str, Any] | None = None
        if "region" in results.get("pandas", {}) and "region" in results.get("engine_subset", {}):
            agree = {
                name: results["pandas"]["region"][name] == results["engine_subset"]["region"].get(name)
                for name in results["pandas"]["region"]
            }
        ratios["pandas_matches_engine"] = agree  # type: ignore[assignment]
        results["ratios"] = ratios
        report["sizes"][label] = results
        print(f"  ratios: {json.dumps(ratios)}", flush=True)
    sizes = list(report["sizes"].values())
    if len(sizes) > 1:
        per_million = [s["ratios"]["suite_seconds_per_million_contacts"] for s in sizes]
        report["scaling_seconds_per_million"] = per_million
        print(f"\nsuite seconds per million contacts by size: {per_million}")
    path = args.report or args.data / "report.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
