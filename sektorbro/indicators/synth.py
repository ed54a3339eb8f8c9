"""A synthetic registry for Region Midtjylland (``registry synth``): realistic in shape, invented in every value.

Everything is generated vectorised with numpy, person chunk by person chunk (a fixed chunk size, so the output
depends only on the arguments and the seed), and streamed to Parquet or CSV. What is modelled:

* persons in the 19 municipalities by their (approximate, unverified) sizes and shares aged 65+, plus a few
  residents of other regions; sex; birth dates; deaths by a Gompertz-like hazard, some of them in hospital;
* contacts by age: planned outpatient visits, virtual contacts, acute short stays, acute and planned somatic
  admissions, psychiatric visits and admissions, births; transfers between hospitals and ward changes (contacts
  at most 4 hours apart, sometimes overlapping), acute readmissions after discharge, hospice stays;
* a diagnosis mix with preventable (the nine groups), cancer, injury, birth and psychiatric codes, and secondary
  (B) diagnoses on inpatient contacts;
* ready-for-discharge registrations of older inpatients, most discharged the same day, some resumed;
* COPD and type 2 diabetes populations that are admitted more often;
* a FOLK1A-shaped population table counted from the synthetic persons (1 January of each year).

The rates are plausible orders of magnitude for a Danish region, not estimates: the data is for testing and
benchmarking only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sektorbro.indicators.reference import region

CHUNK_PERSONS = 200_000
DAY = 86_400
HOUR = 3_600
CPH = ZoneInfo("Europe/Copenhagen")
OUTSIDE_MUNICIPALITIES = ("101", "851", "461", "561")  # residents of other regions treated here
OUTSIDE_SHARE = 0.005

HOSPITALS = ("auh", "rhr", "rhh", "hem", "goedstrup", "psykiatrien")
PSYCHIATRY = HOSPITALS.index("psykiatrien")
CLUSTER_HOSPITAL = {"aarhusklyngen": 0, "randersklyngen": 1, "horsensklyngen": 2, "midtklyngen": 3}
WARDS = ("med", "kir", "ort", "akut", "onk", "geri", "gyn", "amb")
PSYCH_WARDS = ("psyk-sengeafsnit", "psyk-ambulatorium")
UNIT_CODES = tuple(f"{h}-{w}" for h in HOSPITALS[:PSYCHIATRY] for w in WARDS) + tuple(
    f"psykiatrien-{w}" for w in PSYCH_WARDS
)
AREAS = ("somatic", "psychiatric")
PRIORITIES = ("ATA1", "ATA3")
CONTACT_TYPES = ("ALCA00", "ALCA03")
MODES = ("home", "died", "transfer", "other")
SEXES = ("M", "F")

# Diagnosis pools: (codes, weights). The preventable pool spreads over the nine groups.
PREVENTABLE = (
    (
        "DE869",
        "DK590",
        "DJ189",
        "DJ159",
        "DJ209",
        "DJ441",
        "DJ449",
        "DN309",
        "DN390",
        "DA099",
        "DK529",
        "DS720",
        "DS721",
        "DS422",
        "DS525",
        "DS322",
        "DT089",
        "DD509",
        "DD519",
        "DZ599",
        "DZ740",
        "DL899",
    ),
    (3, 2, 14, 4, 5, 7, 5, 6, 8, 3, 2, 7, 4, 3, 3, 2, 1, 1, 1, 1, 1, 2),
)
ACUTE_OTHER = (
    (
        "DI219",
        "DI509",
        "DR074",
        "DK359",
        "DN179",
        "DR559",
        "DA419",
        "DI639",
        "DK800",
        "DR104",
        "DI269",
        "DE119",
        "DK922",
        "DR060",
        "DI480",
        "DG409",
    ),
    (6, 7, 10, 3, 3, 5, 4, 5, 2, 6, 2, 2, 2, 4, 5, 2),
)
INJURY = (("DS060", "DS610", "DS934", "DT149", "DT424", "DX609", "DS800", "DT675"), (4, 4, 4, 3, 2, 1, 3, 1))
CANCER = (("DC509", "DC189", "DC349", "DC619", "DC439", "DD059", "DC900"), (4, 4, 4, 3, 1, 1, 1))
PLANNED = (
    ("DM161", "DM171", "DK402", "DI251", "DH251", "DM511", "DN401", "DK801", "DZ098", "DM199"),
    (5, 5, 3, 3, 2, 3, 2, 2, 3, 3),
)
OUTPATIENT = (
    (
        "DZ098",
        "DZ031",
        "DM545",
        "DH269",
        "DI109",
        "DE119",
        "DJ459",
        "DR519",
        "DL409",
        "DZ000",
        "DM179",
        "DK219",
        "DC509",
        "DC619",
        "DJ449",
    ),
    (10, 8, 6, 4, 5, 5, 3, 4, 3, 6, 3, 3, 1, 1, 1),
)
PSYCHIATRIC = (
    ("DF200", "DF329", "DF311", "DF603", "DF102", "DF431", "DF250", "DF900"),
    (5, 6, 3, 3, 3, 3, 2, 2),
)
BIRTH = (("DO800", "DO809", "DO810", "DO820", "DO829", "DO839", "DO849"), (10, 8, 2, 4, 3, 1, 1))
SECONDARY = (
    ("DI109", "DE119", "DJ449", "DZ921", "DI489", "DN184", "DE039", "DF329", "DC509", "DR262", "DZ740"),
    (8, 5, 3, 4, 4, 3, 3, 2, 1, 2, 1),
)

# Episode kinds: (name, area, priority, contact type)
KINDS = (
    ("outpatient", 0, 1, 0),
    ("virtual", 0, 1, 1),
    ("acute_short", 0, 0, 0),
    ("acute_admission", 0, 0, 0),
    ("planned_admission", 0, 1, 0),
    ("psych_outpatient", 1, 1, 0),
    ("psych_admission", 1, 0, 0),
    ("birth", 0, 0, 0),
)
K = {name: i for i, (name, *_rest) in enumerate(KINDS)}


@dataclass
class SynthSummary:
    persons: int = 0
    contacts: int = 0
    diagnoses: int = 0
    ready_for_discharge: int = 0
    chronic: int = 0
    population_rows: int = 0
    files: list[str] = field(default_factory=list)


def _pool(rng: np.random.Generator, pool: tuple[tuple[str, ...], tuple[int, ...]], n: int) -> np.ndarray:
    codes, weights = pool
    p = np.asarray(weights, dtype=float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=p / p.sum())]


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


class _LocalClock:
    """Vectorised Europe/Copenhagen offsets from the zone's transitions in the years needed."""

    def __init__(self, first_year: int, last_year: int) -> None:
        edges = [dt.datetime(first_year - 1, 1, 1, tzinfo=dt.UTC)]
        offsets = [int(edges[0].astimezone(CPH).utcoffset().total_seconds())]  # type: ignore[union-attr]
        hour = dt.timedelta(hours=1)
        moment = edges[0]
        end = dt.datetime(last_year + 2, 1, 1, tzinfo=dt.UTC)
        while moment < end:
            moment += hour
            offset = int(moment.astimezone(CPH).utcoffset().total_seconds())  # type: ignore[union-attr]
            if offset != offsets[-1]:
                edges.append(moment)
                offsets.append(offset)
        self.edges = np.asarray([int(e.timestamp()) for e in edges], dtype=np.int64)
        self.offsets = np.asarray(offsets, dtype=np.int64)

    def offset(self, epoch: np.ndarray) -> np.ndarray:
        return self.offsets[np.searchsorted(self.edges, epoch, side="right") - 1]

    def local_day(self, epoch: np.ndarray) -> np.ndarray:
        """Days since 1970-01-01 of the local date."""
        return (epoch + self.offset(epoch)) // DAY

    def at_local(self, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Epoch seconds of a local day number plus seconds after local midnight."""
        guess = day * DAY + seconds
        return guess - self.offset(guess - 2 * HOUR)


@dataclass
class _Chunk:
    persons: dict[str, Any]
    contacts: dict[str, Any]
    diagnoses: dict[str, Any]
    ready: dict[str, Any]
    chronic: dict[str, Any]
    population: np.ndarray  # counts [year, municipality, sex, age]


def _generate_chunk(
    index: int, first_id: int, n: int, seed: int, first_year: int, years: int, clock: _LocalClock
) -> _Chunk:
    rng = np.random.default_rng([seed, index])
    reg = region()
    munis = [m.code for m in reg.municipalities] + list(OUTSIDE_MUNICIPALITIES)
    size = np.asarray([m.population_approx for m in reg.municipalities], dtype=float)
    share65 = np.asarray([m.population_65plus_approx / m.population_approx for m in reg.municipalities])
    weights = np.concatenate([size / size.sum() * (1 - OUTSIDE_SHARE), np.full(4, OUTSIDE_SHARE / 4)])
    home_hospital = np.asarray(
        [CLUSTER_HOSPITAL.get(m.cluster, 4) for m in reg.municipalities] + [0, 0, 0, 0], dtype=np.int64
    )
    window_start = _epoch(dt.date(first_year, 1, 1))
    window_end = _epoch(dt.date(first_year + years, 1, 1))
    ref_day = _day_number(dt.date(first_year, 1, 1))

    # --- persons -----------------------------------------------------------------------------------------
    muni = rng.choice(len(munis), size=n, p=weights)
    old_share = np.concatenate([share65, np.full(4, 0.2)])[muni]
    old = rng.random(n) < old_share
    young_age = rng.integers(0, 65, size=n)
    old_weights = np.exp(-0.09 * np.arange(40))
    old_age = 65 + rng.choice(40, size=n, p=old_weights / old_weights.sum())
    age0 = np.where(old, old_age, young_age)  # age on 1 January of the first year
    female = rng.random(n) < np.where(old, 0.56, 0.5)
    birth_day = ref_day - (age0 * 365.25).astype(np.int64) - rng.integers(1, 365, size=n)
    age_mid = age0 + years / 2
    hazard = np.minimum(0.6, np.exp(-10.4 + 0.098 * age_mid))  # deaths per person-year
    death_at = window_start + (rng.exponential(1.0, size=n) / hazard * 365.25 * DAY).astype(np.int64)
    death_at = np.where(death_at < window_end, death_at, np.iinfo(np.int64).max)
    exposure = (np.minimum(death_at, window_end) - window_start) / (365.25 * DAY)
    person_id = np.arange(first_id, first_id + n, dtype=np.int64)

    # chronic conditions (from_date may fall inside the window: incident cases)
    copd = rng.random(n) < np.clip(0.0028 * (age_mid - 38), 0, 0.13)
    diabetes = rng.random(n) < np.clip(0.0032 * (age_mid - 30), 0, 0.16)

    # --- episodes ----------------------------------------------------------------------------------------
    a = age_mid
    lam = np.zeros((n, len(KINDS)))
    lam[:, K["outpatient"]] = 0.7 + 0.022 * a
    lam[:, K["virtual"]] = 0.25 + 0.004 * a
    lam[:, K["acute_short"]] = 0.05 + 0.0022 * a
    lam[:, K["acute_admission"]] = (0.025 + 0.000045 * a**2) * (1 + 0.9 * copd + 0.4 * diabetes)
    lam[:, K["planned_admission"]] = 0.015 + 0.0012 * a
    young_adult = (a >= 12) & (a <= 75)
    lam[:, K["psych_outpatient"]] = np.where(young_adult, 0.12, 0.01)
    lam[:, K["psych_admission"]] = np.where(young_adult, 0.007, 0.002)
    lam[:, K["birth"]] = np.where(female & (a >= 20) & (a <= 44), 0.05, 0.0)
    counts = rng.poisson(lam * exposure[:, None])
    kind = np.repeat(np.tile(np.arange(len(KINDS)), n), counts.ravel())
    owner = np.repeat(np.repeat(np.arange(n), len(KINDS)), counts.ravel())
    m = len(kind)
    alive_span = (np.minimum(death_at, window_end) - window_start)[owner]
    start = window_start + (rng.random(m) * alive_span).astype(np.int64) // 60 * 60

    # --- readmissions: extra acute admissions after an admission --------------------------------------
    admitted = np.isin(kind, [K["acute_admission"], K["planned_admission"], K["psych_admission"]])
    p_readmit = np.where(age0[owner] >= 80, 0.17, np.where(age0[owner] >= 65, 0.13, 0.06))
    p_readmit = np.where(kind == K["psych_admission"], 0.16, p_readmit)
    again = np.flatnonzero(admitted & (rng.random(m) < p_readmit))
    # duration of everything (seconds)
    duration = _durations(rng, kind)
    gap = np.where(
        rng.random(len(again)) < 0.8, rng.uniform(0.3, 30, len(again)), rng.uniform(30, 45, len(again))
    )
    re_start = start[again] + duration[again] + (gap * DAY).astype(np.int64) // 60 * 60
    re_kind = np.where(kind[again] == K["psych_admission"], K["psych_admission"], K["acute_admission"])
    kind = np.concatenate([kind, re_kind])
    owner = np.concatenate([owner, owner[again]])
    start = np.concatenate([start, re_start])
    duration = np.concatenate([duration, _durations(rng, re_kind)])
    is_readmission = np.concatenate([np.zeros(m, bool), np.ones(len(again), bool)])
    m = len(kind)

    # --- deaths in hospital: some acute admissions of the old end in death ---------------------------------
    died = (kind == K["acute_admission"]) & (age0[owner] >= 75) & (rng.random(m) < 0.035)
    death_in_hospital = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(death_in_hospital, owner[died], start[died] + duration[died])
    death_at = np.minimum(death_at, death_in_hospital)
    end = start + duration
    keep = (start < np.minimum(death_at[owner], window_end)) & (end <= np.maximum(death_at[owner], 0))
    keep |= died & (end == death_at[owner])
    keep &= end < window_end + 60 * DAY
    kind, owner, start, duration, end, died, is_readmission = (
        x[keep] for x in (kind, owner, start, duration, end, died, is_readmission)
    )
    died &= end == death_at[owner]
    m = len(kind)

    # --- episode attributes ------------------------------------------------------------------------------
    psych = np.isin(kind, [K["psych_outpatient"], K["psych_admission"]])
    area = psych.astype(np.int8)
    priority = np.asarray([KINDS[k][2] for k in range(len(KINDS))], dtype=np.int8)[kind]
    contact_type = np.asarray([KINDS[k][3] for k in range(len(KINDS))], dtype=np.int8)[kind]
    priority = np.where(is_readmission, 0, priority).astype(np.int8)
    priority = np.where((kind == K["psych_admission"]) & (rng.random(m) < 0.3), 1, priority).astype(np.int8)
    priority = np.where((kind == K["birth"]) & (rng.random(m) < 0.4), 1, priority).astype(np.int8)
    home = home_hospital[muni[owner]]
    choice = rng.random(m)
    other = rng.integers(0, PSYCHIATRY, size=m)
    hospital = np.where(choice < 0.82, home, np.where(choice < 0.94, 0, other))
    hospital = np.where(psych, PSYCHIATRY, hospital)
    diagnosis = _diagnoses(rng, kind, age0[owner], copd[owner], diabetes[owner])
    old_owner = age0[owner] >= 65
    hospice = (
        (kind == K["acute_admission"])
        & np.char.startswith(diagnosis.astype(str), "DC")
        & (rng.random(m) < 0.1)
    )
    hospice |= (kind == K["planned_admission"]) & old_owner & (rng.random(m) < 0.004)

    # --- contacts: split some admissions into transfers and ward changes ------------------------------------
    inpatient = np.isin(
        kind, [K["acute_admission"], K["planned_admission"], K["psych_admission"], K["birth"]]
    )
    split_draw = rng.random(m)
    transfer = inpatient & ~psych & (split_draw < 0.10)
    ward_change = inpatient & ~transfer & (split_draw < 0.25)
    split = transfer | ward_change
    parts = 1 + split.astype(np.int64)
    episode = np.repeat(np.arange(m), parts)
    second = np.zeros(len(episode), bool)
    second[np.cumsum(parts)[split] - 1] = True
    first_of_split = np.repeat(split, parts) & ~second
    frac = rng.uniform(0.2, 0.6, size=len(episode))
    c_gap = np.where(
        np.repeat(transfer, parts),
        np.where(
            rng.random(len(episode)) < 0.15,
            -rng.integers(1, 120, len(episode)) * 60,
            rng.integers(0, 240, len(episode)) * 60,
        ),
        0,
    )  # transfers: 0-4 h apart, sometimes overlapping by up to 2 hours
    e_start, e_end = start[episode], end[episode]
    cut = e_start + ((e_end - e_start) * frac).astype(np.int64) // 60 * 60
    first_end = np.where(first_of_split, cut, e_end)
    second_start = np.where(second, np.roll(cut, 1) + c_gap, e_start)
    c_start = np.where(second, second_start, e_start)
    c_end = np.where(second, np.maximum(e_end, second_start + HOUR), first_end)
    c_hospital = hospital[episode].copy()
    moved = second & np.repeat(transfer, parts)
    # a transfer goes to Aarhus Universitetshospital, or from it to a regional hospital
    c_hospital[moved] = np.where(
        c_hospital[moved] == 0, rng.integers(1, PSYCHIATRY, size=int(moved.sum())), 0
    )
    c_mode = np.where(np.repeat(died, parts) & ~first_of_split, 1, 0)
    c_mode = np.where(first_of_split & np.repeat(transfer, parts), 2, c_mode)
    c_mode = np.where(first_of_split & np.repeat(ward_change, parts), 3, c_mode)
    ward = rng.integers(0, len(WARDS), size=len(episode))
    c_psych = np.repeat(psych, parts)
    unit = np.where(
        c_psych,
        len(UNIT_CODES) - 2 + (np.repeat(kind, parts) == K["psych_outpatient"]),
        np.minimum(c_hospital, PSYCHIATRY - 1) * len(WARDS) + ward,
    )
    unit = np.where(
        ~c_psych & np.repeat(~inpatient, parts), np.minimum(c_hospital, PSYCHIATRY - 1) * len(WARDS) + 7, unit
    )
    c_diag = diagnosis[episode].copy()
    follow = second & (rng.random(len(episode)) < 0.3)
    c_diag[follow] = _pool(rng, ACUTE_OTHER, int(follow.sum()))
    c_owner = owner[episode]
    chunk_contacts = {
        "person_id": person_id[c_owner],
        "start": c_start,
        "end": c_end,
        "unit": unit,
        "hospital": c_hospital,
        "area": area[episode],
        "priority": priority[episode],
        "contact_type": contact_type[episode],
        "diagnosis": c_diag,
        "hospice": hospice[episode],
        "mode": c_mode,
        "municipality": muni[c_owner],
    }
    mc = len(episode)

    # --- ready for discharge on the last contact of older patients' somatic admissions -------------------------
    last_contact = ~first_of_split
    stay_days = (end - start)[episode] / DAY
    candidate = (
        last_contact
        & np.repeat(inpatient & ~died, parts)
        & (stay_days >= 2)
        & (np.repeat(old_owner, parts) | c_psych)
    )
    p_ready = np.where(c_psych, 0.04, np.where(np.repeat(age0[owner] >= 80, parts), 0.2, 0.1))
    ready_rows = np.flatnonzero(candidate & (rng.random(mc) < p_ready))
    end_day = clock.local_day(c_end[ready_rows])
    start_day = clock.local_day(start[episode][ready_rows])
    wait = np.minimum(rng.geometric(0.5, size=len(ready_rows)) - 1, end_day - start_day - 1)
    wait = np.maximum(wait, 0)
    ready_at = clock.at_local(
        end_day - wait, rng.integers(9 * HOUR, 14 * HOUR, size=len(ready_rows)) // 60 * 60
    )
    ready_at = np.minimum(ready_at, c_end[ready_rows] - HOUR)
    resumed = (wait >= 1) & (rng.random(len(ready_rows)) < 0.12)
    resumed_at = np.where(
        resumed,
        ready_at + (rng.uniform(0.2, 1.0, len(ready_rows)) * wait * DAY).astype(np.int64) // 60 * 60,
        -1,
    )
    resumed_at = np.where(resumed & (resumed_at >= c_end[ready_rows]), c_end[ready_rows] - 60, resumed_at)
    again_ready = resumed & (rng.random(len(ready_rows)) < 0.5) & (c_end[ready_rows] - resumed_at > DAY)
    ready_again_at = resumed_at + (c_end[ready_rows] - resumed_at) // 2 // 60 * 60
    ready = {
        "row": np.concatenate([ready_rows, ready_rows[again_ready]]),
        "ready_at": np.concatenate([ready_at, ready_again_at[again_ready]]),
        "resumed_at": np.concatenate([resumed_at, np.full(int(again_ready.sum()), -1)]),
    }

    # --- secondary diagnoses on inpatient contacts --------------------------------------------------------
    inpatient_contacts = np.flatnonzero(np.repeat(inpatient, parts))
    extra = rng.poisson(0.5, size=len(inpatient_contacts))
    diag_rows = np.repeat(inpatient_contacts, extra)
    diag_codes = _pool(rng, SECONDARY, len(diag_rows))
    diagnoses = {"row": diag_rows, "code": diag_codes}

    # --- chronic populations --------------------------------------------------------------------------------
    chronic_rows = []
    for condition, flag, onset in (("copd", copd, 45), ("diabetes2", diabetes, 35)):
        who = np.flatnonzero(flag)
        earliest = np.maximum(birth_day[who] + int(onset * 365.25), ref_day - 20 * 365)
        latest = ref_day + int(years * 365.25) - 1
        earliest = np.minimum(earliest, latest)
        incident = rng.random(len(who)) < 0.12
        from_day = np.where(
            incident,
            ref_day + (rng.random(len(who)) * (latest - ref_day)).astype(np.int64),
            earliest + (rng.random(len(who)) * np.maximum(ref_day - earliest, 1)).astype(np.int64),
        )
        chronic_rows.append((condition, who, from_day))
    chronic = {
        "person_id": np.concatenate([person_id[w] for _c, w, _f in chronic_rows]),
        "condition": np.concatenate([np.full(len(w), c, dtype=object) for c, w, _f in chronic_rows]),
        "from_day": np.concatenate([f for _c, _w, f in chronic_rows]),
    }

    # --- population on 1 January of each year (region residents only) ---------------------------------------
    population = np.zeros((years, len(reg.municipalities), 2, 131), dtype=np.int64)
    resident = muni < len(reg.municipalities)
    for y in range(years):
        jan1 = _day_number(dt.date(first_year + y, 1, 1))
        alive = resident & (birth_day <= jan1) & (clock.local_day(np.minimum(death_at, 2**62)) >= jan1)
        age = _ages(birth_day[alive], jan1)
        np.add.at(population[y], (muni[alive], female[alive].astype(np.int64), np.minimum(age, 130)), 1)

    death_day = np.where(death_at < 2**62, clock.local_day(np.minimum(death_at, 2**62)), -1)
    persons = {
        "person_id": person_id,
        "birth_day": birth_day,
        "female": female,
        "municipality": muni,
        "death_day": death_day,
    }
    return _Chunk(persons, chunk_contacts, diagnoses, ready, chronic, population)


def _ages(birth_day: np.ndarray, on_day: int) -> np.ndarray:
    births = np.asarray(birth_day, dtype="datetime64[D]")
    on = np.datetime64(dt.date(1970, 1, 1) + dt.timedelta(days=int(on_day)), "D")
    years = on.astype("datetime64[Y]").astype(int) - births.astype("datetime64[Y]").astype(int)
    on_md = (on - on.astype("datetime64[Y]")).astype(int)
    birth_md = (births - births.astype("datetime64[Y]")).astype(int)
    # compare month-day via the day of year of the same calendar date (good enough: off by one around 29 Feb)
    return years - (on_md < birth_md).astype(np.int64)


def _durations(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    m = len(kind)
    hours = np.empty(m)
    for name, low, high, median, sigma in (
        ("outpatient", 0.25, 3.5, None, None),
        ("virtual", 0.1, 0.5, None, None),
        ("acute_short", 1.0, 11.9, None, None),
        ("psych_outpatient", 0.5, 2.0, None, None),
        ("acute_admission", 12.0, None, 60.0, 0.9),
        ("planned_admission", 12.0, None, 48.0, 0.8),
        ("psych_admission", 12.0, None, 300.0, 1.0),
        ("birth", 12.0, None, 40.0, 0.5),
    ):
        where = kind == K[name]
        count = int(where.sum())
        if median is None:
            hours[where] = rng.uniform(low, high, count)  # type: ignore[arg-type]
        else:
            hours[where] = np.maximum(low, rng.lognormal(np.log(median), sigma, count))  # type: ignore[arg-type]
    # a few stays land exactly on the 12-hour boundary
    boundary = rng.random(m) < 0.002
    hours[boundary] = 12.0
    return (hours * HOUR).astype(np.int64) // 60 * 60


def _diagnoses(
    rng: np.random.Generator, kind: np.ndarray, age: np.ndarray, copd: np.ndarray, diabetes: np.ndarray
) -> np.ndarray:
    m = len(kind)
    out = _pool(rng, OUTPATIENT, m)
    draw = rng.random(m)
    acute = np.isin(kind, [K["acute_short"], K["acute_admission"]])
    old = age >= 65
    p_prev = np.where(old, 0.24, 0.07)
    p_inj = np.where(old, 0.10, 0.2)
    p_can = np.where(old, 0.06, 0.03)
    choose = [
        (acute & (draw < p_prev), PREVENTABLE),
        (acute & (draw >= p_prev) & (draw < p_prev + p_inj), INJURY),
        (acute & (draw >= p_prev + p_inj) & (draw < p_prev + p_inj + p_can), CANCER),
        (acute & (draw >= p_prev + p_inj + p_can), ACUTE_OTHER),
        ((kind == K["planned_admission"]) & (draw < 0.28), CANCER),
        ((kind == K["planned_admission"]) & (draw >= 0.28), PLANNED),
        (np.isin(kind, [K["psych_outpatient"], K["psych_admission"]]), PSYCHIATRIC),
        (kind == K["birth"], BIRTH),
    ]
    for where, pool in choose:
        out[where] = _pool(rng, pool, int(where.sum()))
    chronic_code = acute & (rng.random(m) < 0.25)
    out[chronic_code & copd] = "DJ441"
    out[chronic_code & diabetes & ~copd] = "DE111"
    return out


# ------------------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------------------


def _dict(indices: np.ndarray, values: tuple[str, ...]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), pa.array(values))


def _dates(day_numbers: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    days = pa.array(day_numbers.astype(np.int32), type=pa.int32(), mask=missing)
    return days.cast(pa.date32())


def _times(epoch: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(epoch, type=pa.int64(), mask=missing).cast(pa.timestamp("s", tz="UTC"))


class _Writer:
    def __init__(self, folder: Path, fmt: str) -> None:
        self.folder = folder
        self.fmt = fmt
        self.writers: dict[str, Any] = {}

    def write(self, name: str, table: pa.Table) -> None:
        if self.fmt == "csv":
            table = _as_csv_text(table)
        writer = self.writers.get(name)
        if writer is None:
            path = self.folder / f"{name}.{self.fmt}"
            if self.fmt == "parquet":
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            else:
                writer = pacsv.CSVWriter(
                    path, table.schema, write_options=pacsv.WriteOptions(quoting_style="none")
                )
            self.writers[name] = writer
        writer.write_table(table)

    def close(self) -> list[str]:
        for writer in self.writers.values():
            writer.close()
        return sorted(f"{name}.{self.fmt}" for name in self.writers)


def _as_csv_text(table: pa.Table) -> pa.Table:
    """CSV text: times as ISO 8601 with the Danish offset (``2024-01-10T08:00:00+01:00``), ``true``/``false``."""
    columns = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = column.cast(pa.string())
        elif pa.types.is_timestamp(kind):
            local = pc.strftime(
                column.cast(pa.timestamp("s", tz="Europe/Copenhagen")), format="%Y-%m-%dT%H:%M:%S%z"
            )
            column = pc.replace_substring_regex(
                local, pattern=r"([+-][0-9]{2})([0-9]{2})$", replacement=r"\1:\2"
            )
        elif pa.types.is_boolean(kind):
            column = pc.if_else(column, "true", "false")
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def synthesise(
    out: Path | str,
    *,
    persons: int,
    years: int = 2,
    seed: int = 1,
    fmt: str = "parquet",
    first_year: int = 2023,
    progress: Callable[[int], None] | None = None,
) -> SynthSummary:
    """Write a synthetic registry to ``out`` (created if needed). ``progress`` gets the persons done so far."""
    if persons < 1 or years < 1:
        raise ValueError("persons and years must be positive")
    if fmt not in ("parquet", "csv"):
        raise ValueError("fmt must be parquet or csv")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("persons", "contacts", "diagnoses", "ready_for_discharge", "population", "chronic"):
        for suffix in (".parquet", ".csv"):
            (folder / f"{name}{suffix}").unlink(missing_ok=True)
    clock = _LocalClock(first_year - 1, first_year + years)
    reg = region()
    codes = tuple(m.code for m in reg.municipalities) + OUTSIDE_MUNICIPALITIES
    writer = _Writer(folder, fmt)
    summary = SynthSummary(persons=persons)
    population = np.zeros((years, len(reg.municipalities), 2, 131), dtype=np.int64)
    next_contact = 1
    done = 0
    for index, first in enumerate(range(0, persons, CHUNK_PERSONS)):
        n = min(CHUNK_PERSONS, persons - first)
        chunk = _generate_chunk(index, first + 1, n, seed, first_year, years, clock)
        population += chunk.population
        p = chunk.persons
        writer.write(
            "persons",
            pa.table(
                {
                    "person_id": p["person_id"],
                    "birth_date": _dates(p["birth_day"]),
                    "sex": _dict(p["female"].astype(np.int64), SEXES),
                    "municipality_code": _dict(p["municipality"], codes),
                    "death_date": _dates(np.maximum(p["death_day"], 0), p["death_day"] < 0),
                }
            ),
        )
        c = chunk.contacts
        order = np.argsort(c["start"], kind="stable")
        mc = len(order)
        ids = np.arange(next_contact, next_contact + mc, dtype=np.int64)
        next_contact += mc
        contact_id = np.empty(mc, dtype=np.int64)
        contact_id[order] = ids  # contact ids follow start time within the chunk
        writer.write(
            "contacts",
            pa.table(
                {
                    "contact_id": ids,
                    "person_id": c["person_id"][order],
                    "start": _times(c["start"][order]),
                    "end": _times(c["end"][order]),
                    "unit_code": _dict(c["unit"][order], UNIT_CODES),
                    "hospital_code": _dict(c["hospital"][order], HOSPITALS),
                    "area": _dict(c["area"][order], AREAS),
                    "priority": _dict(c["priority"][order], PRIORITIES),
                    "contact_type": _dict(c["contact_type"][order], CONTACT_TYPES),
                    "action_diagnosis": pa.array(c["diagnosis"][order].astype(str)).dictionary_encode(),
                    "hospice": c["hospice"][order],
                    "discharge_mode": _dict(c["mode"][order], MODES),
                    "municipality_code": _dict(c["municipality"][order], codes),
                }
            ),
        )
        d = chunk.diagnoses
        writer.write(
            "diagnoses",
            pa.table(
                {
                    "contact_id": contact_id[d["row"]],
                    "code": pa.array(d["code"].astype(str)).dictionary_encode(),
                    "kind": _dict(np.ones(len(d["row"]), dtype=np.int64), ("A", "B")),
                }
            ),
        )
        r = chunk.ready
        writer.write(
            "ready_for_discharge",
            pa.table(
                {
                    "contact_id": contact_id[r["row"]],
                    "ready_at": _times(r["ready_at"]),
                    "resumed_at": _times(np.maximum(r["resumed_at"], 0), r["resumed_at"] < 0),
                }
            ),
        )
        h = chunk.chronic
        writer.write(
            "chronic",
            pa.table(
                {
                    "person_id": h["person_id"],
                    "condition": pa.array(h["condition"].astype(str)).dictionary_encode(),
                    "from_date": _dates(h["from_day"]),
                }
            ),
        )
        summary.contacts += mc
        summary.diagnoses += len(d["row"])
        summary.ready_for_discharge += len(r["row"])
        summary.chronic += len(h["person_id"])
        done += n
        if progress:
            progress(done)
    y, mu, s, a = np.nonzero(population >= 0)
    writer.write(
        "population",
        pa.table(
            {
                "year": (first_year + y).astype(np.int64),
                "municipality_code": pa.array([reg.municipalities[i].code for i in mu]),
                "sex": pa.array(np.asarray(("M", "F"))[s]),
                "age": a.astype(np.int64),
                "count": population[y, mu, s, a],
            }
        ),
    )
    summary.population_rows = len(y)
    summary.files = writer.close()
    return summary
