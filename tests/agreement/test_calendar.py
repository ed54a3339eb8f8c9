"""Danish holidays (from the ``holidays`` library), weekdays, the hospital's reading windows (P18/P19) and the
municipality's shifts (A05)."""

from __future__ import annotations

import datetime as dt

import pytest

from sektorbro.agreement import calendar
from sektorbro.agreement.model import AgreementSettings
from tests.agreement.helpers import t

S = AgreementSettings()


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2025, 4, 17),  # skærtorsdag
        dt.date(2025, 4, 18),  # langfredag
        dt.date(2025, 4, 21),  # 2. påskedag
        dt.date(2025, 5, 29),  # Kristi himmelfartsdag
        dt.date(2025, 6, 9),  # 2. pinsedag
        dt.date(2025, 12, 25),
        dt.date(2026, 1, 1),
    ],
)
def test_danish_public_holidays_come_from_the_library(day: dt.date) -> None:
    assert calendar.is_public_holiday(day)
    assert calendar.holiday_name(day)
    assert not calendar.is_weekday(day)


def test_store_bededag_is_no_longer_a_holiday_from_2024() -> None:
    assert calendar.is_public_holiday(dt.date(2023, 5, 5))
    assert not calendar.is_public_holiday(dt.date(2024, 4, 26))


def test_weekends_and_next_weekday() -> None:
    assert calendar.is_weekend_or_holiday(dt.date(2025, 3, 15))  # Saturday
    assert calendar.is_weekday(dt.date(2025, 3, 14))  # Friday
    assert calendar.next_weekday(dt.date(2025, 4, 17)) == dt.date(2025, 4, 22)  # across Easter
    assert calendar.next_weekday(dt.date(2025, 3, 14)) == dt.date(2025, 3, 14)


@pytest.mark.parametrize(
    ("sent", "unit", "due"),
    [
        ("2025-03-04 14:29", "ward", "2025-03-04 15:00"),
        ("2025-03-04 14:30", "ward", "2025-03-05 15:00"),
        ("2025-03-04 06:00", "ward", "2025-03-04 15:00"),  # before the window opens: read that day
        ("2025-03-15 10:00", "ward", "2025-03-15 15:00"),  # wards read on Saturdays too
        ("2025-03-14 14:29", "clinic", "2025-03-14 15:00"),
        ("2025-03-14 14:30", "clinic", "2025-03-17 15:00"),  # Friday after the cut-off: Monday
        ("2025-03-15 10:00", "clinic", "2025-03-17 15:00"),  # Saturday: Monday
        ("2025-04-17 10:00", "clinic", "2025-04-22 15:00"),  # skærtorsdag: after Easter
        ("2025-05-28 14:30", "clinic", "2025-05-30 15:00"),  # day before Kristi himmelfartsdag
        ("2025-05-28 14:30", "ward", "2025-05-29 15:00"),
    ],
)
def test_reading_windows(sent: str, unit: str, due: str) -> None:
    assert calendar.read_by(t(sent), unit, S) == t(due)


def test_reading_cut_off_is_a_setting() -> None:
    late = AgreementSettings(reading_cutoff=dt.time(15, 0))
    assert calendar.read_by(t("2025-03-04 14:45"), "ward", late) == t("2025-03-04 15:00")


@pytest.mark.parametrize(
    ("arrived", "end_of_shift", "read_by"),
    [
        ("2025-03-04 06:59", "2025-03-04 07:00", "2025-03-04 15:00"),
        ("2025-03-04 07:00", "2025-03-04 15:00", "2025-03-04 23:00"),
        ("2025-03-04 16:10", "2025-03-04 23:00", "2025-03-05 07:00"),
        ("2025-03-04 23:30", "2025-03-05 07:00", "2025-03-05 15:00"),
    ],
)
def test_municipal_shifts(arrived: str, end_of_shift: str, read_by: str) -> None:
    assert calendar.end_of_shift(t(arrived), S) == t(end_of_shift)
    assert calendar.municipal_read_by(t(arrived), S) == t(read_by)
    strict = AgreementSettings(municipal_read_grace_shifts=0)
    assert calendar.municipal_read_by(t(arrived), strict) == t(end_of_shift)


def test_local_times_survive_the_change_to_summer_time() -> None:
    # 30.03.2025: clocks go from 02:00 to 03:00; 15:00 is still 15:00 local time.
    due = calendar.read_by(t("2025-03-29 14:45"), "ward", S)
    assert due == t("2025-03-30 15:00") and due.utcoffset() == dt.timedelta(hours=2)


def test_holiday_names_in_both_languages() -> None:
    assert calendar.holiday_name(dt.date(2025, 5, 29)) == "Kristi himmelfartsdag"
    assert calendar.holiday_name(dt.date(2025, 5, 29), "en") == "Ascension Day"
    assert calendar.holiday_name(dt.date(2025, 5, 28)) is None
