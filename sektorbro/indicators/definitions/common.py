"""Pieces several definitions share: event rows in the standard shape and the ready-for-discharge periods."""

from __future__ import annotations

import math
from typing import Any

import ibis


def shortest_seconds(hours: Any) -> int:
    """The fewest whole seconds a stay of at least ``hours`` hours lasts (stays are timed in whole seconds)."""
    return math.ceil(round(float(hours) * 3600, 6))


def event_rows(
    table: Any,
    *,
    day: Any,
    hospital: Any,
    numerator: Any,
    denominator: Any = 0,
    amount_ore: Any = 0,
    municipality: Any = None,
    area: Any = None,
    sex: Any = None,
    age: Any = None,
) -> Any:
    """Select the standard event columns (``model.EVENT_COLUMNS``) from a stays-like table."""

    def as_int(value: Any) -> Any:
        return ibis.literal(value, type="int64") if isinstance(value, int) else value.cast("int64")

    return table.select(
        day=day,
        municipality_code=table.municipality_code if municipality is None else municipality,
        hospital_code=hospital if hospital is not None else ibis.literal(None, type="string"),
        area=table.area if area is None else area,
        sex=table.sex if sex is None else sex,
        age=(table.age if age is None else age).cast("int64"),
        numerator=as_int(numerator),
        denominator=as_int(denominator),
        amount_ore=as_int(amount_ore),
    )


def ready_periods(ctx: Any) -> Any:
    """One row per ready-for-discharge registration on an admission, with the dates its period runs.

    A registration is tied to the admission holding its contact. Its period runs from the ready date to the
    earliest of: the date treatment was resumed, the next registration's ready date (so two registrations
    never count the same night twice) and the discharge date. Cached in ``ctx.shared``."""
    if "ready_periods" in ctx.shared:
        return ctx.shared["ready_periods"]
    ready, contacts, stays = ctx.ready, ctx.contacts, ctx.stays
    located = ready.join(contacts.select("contact_id", "person_id", c_start="start_s"), "contact_id")
    admissions = stays.filter(stays.admission)
    held = located.join(
        admissions.select("person_id", s_start="start_s", s_end="end_s", end_day="end_day", area="area"),
        [
            located.person_id == admissions.person_id,
            located.c_start >= admissions.start_s,
            located.c_start <= admissions.end_s,
        ],
    )
    held = held.select(
        "person_id", "s_start", "ready_s", "ready_day", "resumed_s", "resumed_day", "end_day", "s_end", "area",
        "billed_until_day", "billing_known",
    )  # fmt: skip
    following = ibis.window(group_by=[held.person_id, held.s_start], order_by=[held.ready_s, held.resumed_s])
    held = held.mutate(next_ready_day=held.ready_day.lead().over(following))
    to_day = ibis.least(
        held.end_day,
        held.resumed_day.fill_null(held.end_day),
        held.next_ready_day.fill_null(held.end_day),
    )
    periods = held.mutate(to_day=to_day)
    periods = periods.mutate(
        nights=ibis.greatest(periods.to_day.delta(periods.ready_day, unit="day"), 0).cast("int64")
    )
    periods = ctx.materialize(periods, "ready_periods")  # small; used by three indicators
    ctx.shared["ready_periods"] = periods
    return periods


def ready_admissions(ctx: Any) -> Any:
    """Admissions with at least one ready registration: nights in all, and the latest registration's state.

    ``latest_ready_day`` is the ready date of the latest registration (by ``ready_at``) and ``latest_resumed``
    whether treatment was resumed after it (then the patient was not ready when discharged)."""
    periods = ready_periods(ctx)
    stay = [periods.person_id, periods.s_start]
    periods = periods.mutate(is_latest=periods.ready_s == periods.ready_s.max().over(group_by=stay))
    per_stay = periods.group_by(["person_id", "s_start"]).aggregate(
        nights=periods.nights.sum(),
        registrations=periods.count(),
        latest_ready_day=ibis.ifelse(periods.is_latest, periods.ready_day, ibis.null()).max(),
        latest_resumed=(periods.is_latest & periods.resumed_s.notnull()).any(),
    )
    stays = ctx.stays
    per_stay = per_stay.rename(r_person="person_id")
    return stays.join(per_stay, [stays.person_id == per_stay.r_person, stays.start_s == per_stay.s_start])


def admissions_with_next(ctx: Any) -> Any:
    """The admissions that can be index admissions (alive at discharge, no cancer or hospice on the stay) with
    the start of the next qualifying acute readmission of each area (somatic, psychiatric).

    A candidate readmission is an acute admission without cancer, birth or hospice on the stay and without an
    injury as its action diagnosis. The next candidate is found with one window over the person's admissions
    (the earliest later start), not with a join, so the pass stays linear. Both areas are computed together and
    materialised once for the two readmission indicators."""
    from sektorbro.indicators.valuesets import INJURY

    if "admissions_with_next" in ctx.shared:
        return ctx.shared["admissions_with_next"]
    stays = ctx.stays
    admissions = stays.filter(stays.admission)
    candidate = (
        admissions.acute
        & ~admissions.any_cancer
        & ~admissions.any_birth
        & ~admissions.any_hospice
        & ~INJURY.match_expr(admissions.action_diagnosis)
    )
    later = ibis.window(group_by=admissions.person_id, order_by=admissions.start_s, rows=(1, None))
    nothing = ibis.null("int64")
    admissions = admissions.mutate(
        next_somatic=ibis.ifelse(candidate & (admissions.area == "somatic"), admissions.start_s, nothing)
        .min()
        .over(later),
        next_psychiatric=ibis.ifelse(
            candidate & (admissions.area == "psychiatric"), admissions.start_s, nothing
        )
        .min()
        .over(later),
    )
    # Only admissions that can be index admissions are kept, with the columns the index rule and the event
    # rows need: the table is held while both readmission indicators run, so it is kept small.
    admissions = admissions.filter(
        (admissions.last_mode != "died") & ~admissions.any_cancer & ~admissions.any_hospice
    ).select(
        "area", "end_s", "end_day", "last_hospital", "municipality_code", "sex", "age",
        "next_somatic", "next_psychiatric",
    )  # fmt: skip
    admissions = ctx.materialize(admissions, "admissions_with_next")
    ctx.shared["admissions_with_next"] = admissions
    return admissions


def readmission_events(ctx: Any, params: Any, area: str) -> Any:
    """Index admissions of ``area`` with a flag for an acute readmission of the same area within the window.

    Every admission can be an index admission (also one that is itself a readmission)."""
    admissions = admissions_with_next(ctx)  # alive at discharge, no cancer or hospice on the stay
    index = admissions.filter((admissions.area == area) & (admissions.age >= int(params["min_age"])))
    window_s = round(float(params["window_hours"]) * 3600)
    next_start = index.next_somatic if area == "somatic" else index.next_psychiatric
    readmitted = next_start.notnull() & ((next_start - index.end_s) <= window_s)
    return event_rows(
        index, day=index.end_day, hospital=index.last_hospital, numerator=readmitted, denominator=1
    )


def chronic_cohort(ctx: Any, params: Any, condition: str) -> Any:
    """Persons in the chronic population on 1 January of each year of the run, adults and alive that day.

    Columns: person_id, year, municipality_code (from persons), sex, age (on 1 January)."""
    from sektorbro.indicators.definitions.stays import age_at

    key = f"cohort_{condition}_{params['min_age']}"
    if key in ctx.shared:
        return ctx.shared[key]
    chronic = ctx.chronic.filter(ctx.chronic.condition == condition)
    first = chronic.group_by("person_id").aggregate(from_date=chronic.from_date.min())
    people = ctx.persons
    joined = first.join(people, "person_id")
    parts = []
    for year in ctx.years:
        jan1 = ibis.date(year, 1, 1)
        age = age_at(joined.birth_date, jan1)
        member = joined.filter(
            (joined.from_date <= jan1)
            & (joined.birth_date <= jan1)
            & (joined.death_date.isnull() | (joined.death_date >= jan1))
            & (age >= int(params["min_age"]))
        )
        parts.append(
            member.select(
                "person_id",
                year=ibis.literal(year, type="int64"),
                municipality_code=member.municipality_code,
                sex=member.sex,
                age=age_at(member.birth_date, jan1),
            )
        )
    cohort = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    ctx.shared[key] = cohort
    return cohort


def chronic_events(ctx: Any, params: Any, condition: str) -> Any:
    """Acute somatic admissions of persons in the chronic cohort of the admission's year."""
    stays = ctx.stays
    admissions = stays.filter(stays.admission & stays.acute & (stays.area == "somatic"))
    day = admissions.start_day if params["count_by"] == "start" else admissions.end_day
    admissions = admissions.mutate(event_day=day, event_year=day.year().cast("int64"))
    cohort = chronic_cohort(ctx, params, condition)
    cohort = cohort.select(
        c_person="person_id", c_year="year", c_municipality="municipality_code", c_sex="sex", c_age="age"
    )
    joined = admissions.join(
        cohort, [admissions.person_id == cohort.c_person, admissions.event_year == cohort.c_year]
    )
    return event_rows(
        joined,
        day=joined.event_day,
        hospital=None,
        numerator=1,
        municipality=joined.c_municipality,
        sex=joined.c_sex,
        age=joined.c_age,
        area=ibis.literal("somatic"),
    )


def chronic_denominators(ctx: Any, params: Any, condition: str) -> Any:
    cohort = chronic_cohort(ctx, params, condition)
    return cohort.select("year", "municipality_code", "sex", "age", count=ibis.literal(1, type="int64"))
