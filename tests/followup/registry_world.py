"""The hand-made registry of the audit candidate tests, with its answer worked out by hand.

``at`` = 30.06.2024 and three months: the window is 01.04.2024..30.06.2024. Every stay below lasts two days
unless said otherwise; ``acute`` means acute (ATA1), somatic, physical.

| person | municipality | stays | admissions in the window | preventable |
|---|---|---|---|---|
| 1 | 730 | 05.04, 02.05, 20.05, 10.06 (DJ44, DE86, DI509, DI509) | 4 | 2 |
| 2 | 730 | 08.04, 08.05, 08.06 (all DE86) | **3**: not a candidate at 4 | 3 |
| 3 | 791 | 03.04 08:00–04.04 12:00, then 04.04 17:00 (5 hours later: a new stay), 10.05, 01.06 | 4 | 0 |
| 4 | 791 | 10.04 08:00–11.04 08:00 and 11.04 11:00 at another hospital (3 hours: **one stay**), 05.05, 20.06 | 3 | 0 |
| 5 | 730 | 31.03 22:00 (starts **just before** the window, ends inside), 15.04, 15.05, 15.06, 01.07 00:30 (after) | 3 | 0 |
| 6 | 751 | 01.04 00:30 and 30.06 23:00 (the window's edges, inside), 01.05; a planned stay, a 6-hour acute stay and a psychiatric stay do not count | 3 | 0 |
| 7 | 751 | 02.04, 20.04, 08.05, 28.06 (DN300, DE86, DJ189, DL89) | 4 | 4 |
"""

from __future__ import annotations

import datetime as dt

from tests.indicators.builders import World

AT = dt.date(2024, 6, 30)


def two_days(start: str) -> str:
    begin = dt.datetime.fromisoformat(start)
    return (begin + dt.timedelta(days=2)).isoformat(sep=" ", timespec="minutes")


def world() -> World:
    w = World()
    for pid, municipality in (("1", "730"), ("2", "730"), ("3", "791"), ("4", "791"), ("5", "730")):
        w.person(pid, "1938-05-01", municipality=municipality)
    w.person("6", "1941-02-11", sex="M", municipality="751")
    w.person("7", "1936-09-30", municipality="751")
    n = iter(range(1, 1000))

    def stay(pid: str, start: str, diagnosis: str = "DI509", **options: object) -> None:
        w.contact(str(next(n)), pid, start, two_days(start), diagnosis=diagnosis, **options)  # type: ignore[arg-type]

    for day, code in (
        ("2024-04-05", "DJ44"),
        ("2024-05-02", "DE86"),
        ("2024-05-20", "DI509"),
        ("2024-06-10", "DI509"),
    ):
        stay("1", f"{day} 10:00", code)
    for day in ("2024-04-08", "2024-05-08", "2024-06-08"):
        stay("2", f"{day} 10:00", "DE86")
    w.contact(str(next(n)), "3", "2024-04-03 08:00", "2024-04-04 12:00")
    w.contact(str(next(n)), "3", "2024-04-04 17:00", "2024-04-06 10:00")
    stay("3", "2024-05-10 10:00")
    stay("3", "2024-06-01 10:00")
    w.contact(str(next(n)), "4", "2024-04-10 08:00", "2024-04-11 08:00")
    w.contact(str(next(n)), "4", "2024-04-11 11:00", "2024-04-12 10:00", hospital="aas")
    stay("4", "2024-05-05 10:00")
    stay("4", "2024-06-20 10:00")
    w.contact(str(next(n)), "5", "2024-03-31 22:00", "2024-04-02 10:00")
    for day in ("2024-04-15", "2024-05-15", "2024-06-15"):
        stay("5", f"{day} 10:00")
    stay("5", "2024-07-01 00:30")
    stay("6", "2024-04-01 00:30")
    stay("6", "2024-05-01 10:00")
    w.contact(str(next(n)), "6", "2024-06-30 23:00", "2024-07-01 14:00")
    stay("6", "2024-04-20 10:00", priority="ATA3")
    w.contact(str(next(n)), "6", "2024-05-20 08:00", "2024-05-20 14:00")
    stay("6", "2024-06-05 10:00", area="psychiatric")
    for day, code in (
        ("2024-04-02", "DN300"),
        ("2024-04-20", "DE86"),
        ("2024-05-08", "DJ189"),
        ("2024-06-28", "DL89"),
    ):
        stay("7", f"{day} 10:00", code)
    return w


HEADER = "person_id,municipality_code,admissions,preventable_admissions,first_admission,last_admission"
AT_FOUR = [
    "1,730,4,2,2024-04-05,2024-06-10",
    "7,751,4,4,2024-04-02,2024-06-28",
    "3,791,4,0,2024-04-03,2024-06-01",
]
AT_THREE = [
    "1,730,4,2,2024-04-05,2024-06-10",
    "2,730,3,3,2024-04-08,2024-06-08",
    "5,730,3,0,2024-04-15,2024-06-15",
    "6,751,3,0,2024-04-01,2024-06-30",
    "7,751,4,4,2024-04-02,2024-06-28",
    "3,791,4,0,2024-04-03,2024-06-01",
    "4,791,3,0,2024-04-10,2024-06-20",
]
