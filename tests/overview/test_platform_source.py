"""The indicator engine reads the platform's own courses as an alternative input (issue: the same engine can
read the platform's course data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from sektorbro.courses import services
from tests.conftest import CPH

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 10, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=CPH)


def record(course: Any, event_type: str, when: dt.datetime, **data: Any) -> None:
    services.record_event(actor=None, course=course, event_type=event_type, occurred_at=when, data=data, source="demo")  # fmt: skip


@pytest.fixture
def history(make_citizen: Any, make_course: Any) -> dict[str, Any]:
    anna = make_citizen("730", "Anna Platform", receives_elderly_care=True)
    first = make_course(anna, admitted_at=at(1))
    record(first, "ready_for_discharge", at(4))
    record(first, "discharge_date_agreed", at(4, 11), date="2026-10-06", counterpart="Visitator Lene Holm",
           call_at=at(4, 11).isoformat())  # fmt: skip
    record(first, "discharged", at(6), destination="own_home")
    again = make_course(anna, admitted_at=at(20))  # acute, 14 days later: a readmission
    record(again, "discharged", at(23), destination="own_home")
    bo = make_citizen("791", "Bo Platform")
    died = make_course(bo, admitted_at=at(10))
    record(died, "died", at(12))
    open_course = make_course(make_citizen("730", "Cilla Platform"), admitted_at=at(25, month=11))
    return {"anna": anna, "first": first, "again": again, "died": died, "open": open_course}


def compute(tmp_path: Path, *extra: str) -> pd.DataFrame:
    out = tmp_path / "result.csv"
    call_command(
        "indicators", "compute", "--from-platform", "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out),
        *extra,
    )  # fmt: skip
    return pd.read_csv(out, dtype={"stratum": str})


def value(result: pd.DataFrame, indicator: str, column: str, stratum_type: str = "region") -> float:
    rows = result[
        (result.indicator == indicator)
        & (result.period == "2026-10-01..2026-10-31")
        & (result.stratum_type == stratum_type)
    ]
    assert len(rows) >= 1, f"{indicator}/{stratum_type}: {result.indicator.unique()}"
    return float(rows[column].sum())


def test_the_platforms_courses_give_discharges_readmissions_and_ready_days(
    history: dict[str, Any], tmp_path: Path
) -> None:
    result = compute(tmp_path)
    assert set(result.indicator) <= {
        "discharges", "readmission_30d_somatic", "readmission_30d_psychiatric", "ready_days",
        "ready_days_amount", "ready_discharged_same_day",
    }  # fmt: skip
    assert value(result, "discharges", "numerator") == 3  # two of Anna's, Bo's death; the open one is not
    assert value(result, "readmission_30d_somatic", "numerator") == 1  # Anna back after 14 days
    assert value(result, "ready_days", "numerator") >= 1  # færdigbehandlet 04.10, discharged 06.10
    by_municipality = result[(result.stratum_type == "municipality") & (result.numerator > 0)]
    assert set(by_municipality.stratum) == {"730", "791"}  # the course's copy of the residence
    text = (tmp_path / "result.csv").read_text()
    for citizen in (history["anna"], history["died"].citizen):
        assert citizen.cpr not in text and citizen.name not in text


def test_a_period_that_reaches_today_is_refused(history: dict[str, Any], tmp_path: Path) -> None:
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    with pytest.raises(CommandError):
        call_command(
            "indicators", "compute", "--from-platform", "--from", "2026-10-01", "--to", today,
            "--out", str(tmp_path / "x.csv"),
        )  # fmt: skip
    assert not (tmp_path / "x.csv").exists()


def test_a_population_file_is_used_and_must_have_the_columns(history: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "population.csv"
    bad.write_text("year,municipality_code,count\n2026,730,100\n")
    with pytest.raises(CommandError):
        compute(tmp_path, "--population", str(bad))
    good = tmp_path / "population_ok.csv"
    good.write_text("year,municipality_code,sex,age,count\n2026,730,F,80,1000\n2026,791,M,80,900\n")
    assert value(compute(tmp_path, "--population", str(good)), "discharges", "numerator") == 3


def test_population_goes_only_with_the_platform(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):  # argparse's usage error, exit status 2
        call_command(
            "indicators", "compute", "--registry", str(tmp_path), "--population", str(tmp_path / "p.csv"),
            "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(tmp_path / "x.csv"),
        )  # fmt: skip


def test_the_amount_prices_only_the_days_the_municipality_pays_for(
    make_citizen: Any, make_course: Any, tmp_path: Path
) -> None:
    """Aftalen 2.1 (docs/agreement-rules.md): without an agreement nothing is paid, and with one the days from
    the ready date to the agreed date; ready_days still counts every færdigbehandlet day."""
    alone = make_course(make_citizen("730", "Alma Uden Aftale"), admitted_at=at(1))
    record(alone, "ready_for_discharge", at(4))
    record(alone, "discharge_date_proposed", at(4, 11), date="2026-10-06")  # proposed, never accepted
    record(alone, "discharged", at(7), destination="own_home")
    longer = make_course(make_citizen("730", "Bent Længere"), admitted_at=at(1))
    record(longer, "ready_for_discharge", at(4))
    record(longer, "discharge_date_agreed", at(4, 11), date="2026-10-06", counterpart="Visitator Lene Holm",
           call_at=at(4, 11).isoformat())  # fmt: skip
    record(longer, "discharged", at(9), destination="own_home")
    tariffs = tmp_path / "tariffs.csv"
    tariffs.write_text(
        "sector,valid_from,valid_to,dkk_per_day,source,example\nsomatic,2026-01-01,,1000,test,\n",
        encoding="utf-8",
    )
    result = compute(tmp_path, "--tariffs", str(tariffs))
    assert value(result, "ready_days", "numerator") == 3 + 5
    assert value(result, "ready_days_amount", "value") == 2 * 1000  # Bent's 04.10 and 05.10 only
