"""The indicator engine on a tiny hand-made registry with the boundaries spelled out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sektorbro.indicators.cli import compute_main
from sektorbro.indicators.compute import compute
from sektorbro.indicators.registry import RegistryError, load_registry

PERSONS = """person_id,birth_date,sex,municipality_code,death_date
P1,1940-01-01,F,730,
P2,1938-05-05,M,791,2024-03-01
P3,1950-02-02,F,730,
P4,1960-03-03,M,751,
P5,1945-04-04,F,730,
P6,1980-06-06,M,730,
"""
HEADER = "contact_id,person_id,start,end,unit_code,hospital_code,area,priority,contact_type,action_diagnosis,hospice,discharge_mode,municipality_code\n"
CONTACTS = [
    # P1: two contacts 3 hours apart at two hospitals = one stay (a transfer), then an acute readmission after 8 days
    "C1,P1,2024-01-10T08:00:00+01:00,2024-01-10T18:00:00+01:00,U1,rhr,somatic,ATA1,ALCA00,DJ189,false,transfer,730",
    "C2,P1,2024-01-10T21:00:00+01:00,2024-01-12T10:00:00+01:00,U2,auh,somatic,ATA1,ALCA00,DJ189,false,home,730",
    "C3,P1,2024-01-20T09:00:00+01:00,2024-01-22T09:00:00+01:00,U1,rhr,somatic,ATA1,ALCA00,DJ441,false,home,730",
    # P2: 11h59 is no admission; 12h00 is, but the patient dies: never an index admission
    "C4,P2,2024-02-01T08:00:00+01:00,2024-02-01T19:59:00+01:00,U3,hem,somatic,ATA1,ALCA00,DR074,false,home,791",
    "C5,P2,2024-02-20T08:00:00+01:00,2024-02-20T20:00:00+01:00,U3,hem,somatic,ATA1,ALCA00,DI219,false,died,791",
    # P3: exactly 4 hours apart = one stay
    "C6,P3,2024-04-01T08:00:00+02:00,2024-04-01T12:00:00+02:00,U1,rhr,somatic,ATA1,ALCA00,DJ189,false,transfer,730",
    "C7,P3,2024-04-01T16:00:00+02:00,2024-04-02T12:00:00+02:00,U1,rhr,somatic,ATA1,ALCA00,DJ189,false,home,730",
    # P4: 4h01 apart = two stays; the second is planned, so no readmission
    "C8,P4,2024-05-01T08:00:00+02:00,2024-05-01T20:00:00+02:00,U4,auh,somatic,ATA1,ALCA00,DJ189,false,home,751",
    "C9,P4,2024-05-02T00:01:00+02:00,2024-05-03T12:00:00+02:00,U4,auh,somatic,ATA3,ALCA00,DK409,false,home,751",
    # P5: cancer stay: not an index admission
    "C10,P5,2024-06-01T08:00:00+02:00,2024-06-05T08:00:00+02:00,U1,rhr,somatic,ATA3,ALCA00,DC509,false,home,730",
    "C11,P5,2024-06-10T08:00:00+02:00,2024-06-11T08:00:00+02:00,U1,rhr,somatic,ATA1,ALCA00,DJ189,false,home,730",
    # P6: psychiatry, acute readmission after 25 days
    "C12,P6,2024-06-01T08:00:00+02:00,2024-06-10T08:00:00+02:00,U5,psyk,psychiatric,ATA1,ALCA00,DF200,false,home,730",
    "C13,P6,2024-07-05T08:00:00+02:00,2024-07-15T08:00:00+02:00,U5,psyk,psychiatric,ATA1,ALCA00,DF200,false,home,730",
    # a virtual contact never counts
    "C14,P6,2024-08-01T08:00:00+02:00,2024-08-02T08:00:00+02:00,U5,psyk,psychiatric,ATA1,ALCA03,DF200,false,home,730",
]
BAD = "C99,P6,2024-09-01T08:00:00+02:00,2024-09-02T08:00:00+02:00,U5,psyk,dental,ATA1,ALCA00,DF200,false,home,730"


@pytest.fixture
def registry_dir(tmp_path: Path) -> Path:
    (tmp_path / "persons.csv").write_text(PERSONS)
    (tmp_path / "contacts.csv").write_text(HEADER + "\n".join([*CONTACTS, BAD]) + "\n")
    return tmp_path


def value(
    result: pd.DataFrame, indicator: str, stratum_type: str = "region", period: str = "2024"
) -> pd.Series:
    rows = result[
        (result.indicator == indicator) & (result.stratum_type == stratum_type) & (result.period == period)
    ]
    assert len(rows) >= 1, (indicator, stratum_type, period)
    return rows.iloc[0]


def test_bad_rows_are_reported_by_file_and_line_and_excluded(registry_dir: Path) -> None:
    registry = load_registry(registry_dir)
    assert [str(p) for p in registry.problems] == [
        "contacts.csv:16: area: area must be somatic or psychiatric"
    ]
    assert registry.excluded == {"persons": 0, "contacts": 1}
    with pytest.raises(RegistryError, match=r"contacts\.csv:16"):
        load_registry(registry_dir, strict=True)


def test_discharges_count_admissions_with_the_4_and_12_hour_boundaries(registry_dir: Path) -> None:
    result = compute(load_registry(registry_dir), dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert value(result, "discharges").numerator == 10
    assert value(result, "discharges", "municipality").stratum in {"730", "751", "791"}
    by_muni = result[
        (result.indicator == "discharges")
        & (result.stratum_type == "municipality")
        & (result.period == "2024")
    ]
    assert dict(zip(by_muni.stratum, by_muni.numerator, strict=True)) == {"730": 7, "751": 2, "791": 1}
    assert value(result, "discharges", period="2024-Q1").numerator == 3
    assert value(result, "discharges", period="2024-01").numerator == 2
    assert value(result, "discharges", period="2024-01-01..2024-12-31").numerator == 10


def test_readmissions_somatic_and_psychiatric(registry_dir: Path) -> None:
    result = compute(load_registry(registry_dir), dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    somatic = value(result, "readmission_30d_somatic")
    assert (somatic.numerator, somatic.denominator, somatic.value) == (1, 6, round(100 / 6, 4))
    psychiatric = value(result, "readmission_30d_psychiatric")
    assert (psychiatric.numerator, psychiatric.denominator, psychiatric.value) == (1, 2, 50.0)
    rates = result[result.denominator.notna()]
    assert (rates.numerator <= rates.denominator).all()


def test_the_cli_writes_csv_and_parquet(registry_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.parquet"
    assert (
        compute_main(
            ["--registry", str(registry_dir), "--from", "2024-01-01", "--to", "2024-12-31", "--out", str(out)]
        )
        == 0
    )
    table = pd.read_parquet(out)
    assert list(table.columns) == [
        "indicator",
        "period",
        "stratum_type",
        "stratum",
        "numerator",
        "denominator",
        "value",
        "standardised_value",
    ]
    with pytest.raises(SystemExit):
        compute_main(
            ["--registry", str(registry_dir), "--from", "2024-13-01", "--to", "2024-12-31", "--out", str(out)]
        )


@pytest.mark.django_db
def test_the_sektorbro_command(registry_dir: Path, tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = tmp_path / "r.csv"
    call_command(
        "indicators",
        "compute",
        "--registry",
        str(registry_dir),
        "--from",
        "2024-01-01",
        "--to",
        "2024-06-30",
        "--out",
        str(out),
    )
    assert pd.read_csv(out).indicator.nunique() == 3
    with pytest.raises(CommandError):
        call_command(
            "indicators",
            "compute",
            "--registry",
            str(tmp_path / "none"),
            "--from",
            "2024-01-01",
            "--to",
            "2024-06-30",
            "--out",
            str(out),
        )
