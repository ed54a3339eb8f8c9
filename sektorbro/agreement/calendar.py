"""Danish calendar facts the rules need: public holidays (from the maintained ``holidays`` library, never a
hand-written list), weekdays, the hospital's correspondence reading windows (flowchart P18/P19) and the
municipality's shifts (flowchart A05). All clock times are local (Europe/Copenhagen)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from sektorbro.agreement.model import CPH, AgreementSettings, require_aware


@lru_cache(maxsize=128)
def _holidays(year: int, language: str = "da") -> holidays.HolidayBase:
    return holidays.country_holidays("DK", years=year, language=language)


def is_public_holiday(day: dt.date) -> bool:
    """A Danish public holiday (helligdag), e.g. 2. påskedag or Kristi himmelfartsdag."""
    return day in _holidays(day.year)


def holiday_name(day: dt.date, language: str = "da") -> str | None:
    """The holiday's name in Danish (``da``) or English (``en``), or ``None`` on an ordinary day."""
    name = _holidays(day.year, "en_US" if language == "en" else "da").get(day)
    return str(name) if name else None


def is_weekend_or_holiday(day: dt.date) -> bool:
    return day.weekday() >= 5 or is_public_holiday(day)


def is_weekday(day: dt.date) -> bool:
    """Hverdag: Monday to Friday and not a public holiday."""
    return not is_weekend_or_holiday(day)


def next_weekday(day: dt.date) -> dt.date:
    """The first weekday on or after ``day``."""
    while not is_weekday(day):
        day += dt.timedelta(days=1)
    return day


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    """A local clock time on a date, as an aware datetime."""
    return dt.datetime.combine(day, time, tzinfo=CPH)


def is_reading_day(day: dt.date, unit_kind: str) -> bool:
    """Wards read correspondence every day; clinics on weekdays only (P18, P19)."""
    return unit_kind == "ward" or is_weekday(day)


def read_by(sent_at: dt.datetime, unit_kind: str, settings: AgreementSettings) -> dt.datetime:
    """When a correspondence letter to a hospital unit is expected to have been read.

    A letter sent before the cut-off (14:30) on a reading day is read by 15:00 that day; a letter sent at or
    after the cut-off, or on a day without reading, is read by 15:00 on the next reading day (P18, P19)."""
    require_aware(sent_at, "sent_at")
    local = sent_at.astimezone(CPH)
    day = local.date()
    if is_reading_day(day, unit_kind) and local.time() < settings.reading_cutoff:
        return at_local(day, settings.reading_deadline)
    day += dt.timedelta(days=1)
    while not is_reading_day(day, unit_kind):
        day += dt.timedelta(days=1)
    return at_local(day, settings.reading_deadline)


def shift_ends_after(at: dt.datetime, settings: AgreementSettings, count: int = 1) -> dt.datetime:
    """The ``count``-th shift boundary after ``at`` (1 = the end of the shift ``at`` falls in)."""
    require_aware(at, "at")
    local = at.astimezone(CPH)
    starts = sorted(settings.municipal_shifts)
    found = 0
    day = local.date()
    while True:
        for start in starts:
            boundary = at_local(day, start)
            if boundary > local:
                found += 1
                if found == count:
                    return boundary
        day += dt.timedelta(days=1)


def end_of_shift(at: dt.datetime, settings: AgreementSettings) -> dt.datetime:
    """The end of the municipal shift in which ``at`` falls."""
    return shift_ends_after(at, settings, 1)


def municipal_read_by(sent_at: dt.datetime, settings: AgreementSettings) -> dt.datetime:
    """A05: the municipality reads incoming correspondence once per shift. A letter that arrives after this
    shift's reading waits for the next shift's, so the guarantee is the end of the following shift
    (``municipal_read_grace_shifts``, default 1)."""
    return shift_ends_after(sent_at, settings, 1 + settings.municipal_read_grace_shifts)
