"""Danish calendar facts the rules need: public holidays (from the maintained ``holidays`` library), weekdays,
reading windows for correspondence (P18/P19) and municipal shifts (A05)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from sektorbro.agreement.model import CPH, AgreementSettings


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DK", years=year)


def is_public_holiday(day: dt.date) -> bool:
    return day in _holidays(day.year)


def holiday_name(day: dt.date) -> str | None:
    name = _holidays(day.year).get(day)
    return str(name) if name else None


def is_weekend_or_holiday(day: dt.date) -> bool:
    return day.weekday() >= 5 or is_public_holiday(day)


def is_weekday(day: dt.date) -> bool:
    """Hverdag: Monday to Friday and not a public holiday."""
    return not is_weekend_or_holiday(day)


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=CPH)


def read_by(sent_at: dt.datetime, unit_kind: str, settings: AgreementSettings) -> dt.datetime:
    """When a correspondence letter to a hospital unit is expected to be read.

    Wards read every day, clinics on weekdays, in the window 08–15. A letter sent before 14:30 on a reading day
    is read by 15:00 that day; otherwise by 15:00 on the next reading day (P18, P19)."""
    local = sent_at.astimezone(CPH)
    reading_day = (lambda d: True) if unit_kind == "ward" else is_weekday
    day = local.date()
    if reading_day(day) and local.time() < settings.reading_cutoff:
        return at_local(day, settings.reading_deadline)
    day += dt.timedelta(days=1)
    while not reading_day(day):
        day += dt.timedelta(days=1)
    return at_local(day, settings.reading_deadline)


def end_of_shift(at: dt.datetime, settings: AgreementSettings) -> dt.datetime:
    """The end of the municipal shift in which ``at`` falls (A05: read at least once per shift)."""
    local = at.astimezone(CPH)
    starts = sorted(settings.municipal_shifts)
    candidates = []
    for offset in (0, 1):
        day = local.date() + dt.timedelta(days=offset)
        candidates += [at_local(day, s) for s in starts]
    for boundary in candidates:
        if boundary > local:
            return boundary
    return candidates[-1]  # pragma: no cover - the next day always has a later boundary
