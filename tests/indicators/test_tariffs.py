"""The dated tariff table the ready-days amount is priced with: read from CSV or JSON, checked, and used."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from sektorbro.indicators.cli import indicators_compute_main
from sektorbro.indicators.engine import DEMO_TARIFFS, TARIFF_COLUMNS, load_tariffs, read_tariffs
from tests.indicators.builders import World, one

HEADER = "sector,valid_from,valid_to,dkk_per_day,source,example\n"


def test_the_demo_table_is_read_and_marked_as_example_values() -> None:
    rows = read_tariffs()
    assert rows and all(row[5] for row in rows)  # example values, not official rates
    assert {row[0] for row in rows} == {"somatic", "psychiatric"}
    frame = load_tariffs(DEMO_TARIFFS)
    assert list(frame.columns) == list(TARIFF_COLUMNS) and len(frame) == len(rows)


def test_csv_and_json_give_the_same_rows(tmp_path: Path) -> None:
    csv_file = tmp_path / "t.csv"
    csv_file.write_text(
        HEADER
        + "somatic,2024-01-01,2024-07-01,1000,kommune A,\nsomatic,2024-07-01,,1500.5,kommune A,false\n",
        encoding="utf-8",
    )
    items = [
        {"sector": "somatic", "valid_from": "2024-01-01", "valid_to": "2024-07-01", "dkk_per_day": 1000,
         "source": "kommune A"},
        {"sector": "somatic", "valid_from": "2024-07-01", "valid_to": None, "dkk_per_day": "1500.5",
         "source": "kommune A", "example": False},
    ]  # fmt: skip
    as_list, as_object = tmp_path / "list.json", tmp_path / "object.json"
    as_list.write_text(json.dumps(items), encoding="utf-8")
    as_object.write_text(json.dumps({"items": items}), encoding="utf-8")
    expected = [
        ("somatic", dt.date(2024, 1, 1), dt.date(2024, 7, 1), 1000.0, "kommune A", False),
        ("somatic", dt.date(2024, 7, 1), None, 1500.5, "kommune A", False),
    ]
    assert read_tariffs(csv_file) == read_tariffs(as_list) == read_tariffs(as_object) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("sector,valid_from,dkk_per_day,source\nsomatic,2024-01-01,1,x\n", "missing columns: valid_to"),
        (HEADER + "dental,2024-01-01,,1,x,\n", "t.csv:2: sector must be somatic or psychiatric"),
        (HEADER + "somatic,01.01.2024,,1,x,\n", "t.csv:2: dates must be YYYY-MM-DD"),
        (HEADER + "somatic,2024-01-01,,mange,x,\n", "t.csv:2: dkk_per_day must be a number"),
        (HEADER + "somatic,2024-01-01,,-5,x,\n", "t.csv:2: negative amount or valid_to not after valid_from"),
        (HEADER + "somatic,2024-02-01,2024-01-01,5,x,\n", "t.csv:2: negative amount or valid_to not after"),
        (HEADER + "somatic,2024-01-01,,5,,\n", "t.csv:2: source is required"),
        (HEADER + "somatic,2024-01-01,,5,x,\nsomatic,2024-06-01,,6,x,\n", "t.csv: somatic rows overlap"),
        (
            HEADER + "somatic,2024-01-01,2024-07-01,5,x,\nsomatic,2024-06-01,,6,x,\n",
            "t.csv: somatic rows overlap",
        ),
    ],
)
def test_a_bad_tariff_file_is_refused_naming_the_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_tariffs(path)


def test_json_that_is_not_a_list_of_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"rows": []}), encoding="utf-8")
    with pytest.raises(ValueError, match="expected a list of tariff rows"):
        read_tariffs(path)
    path.write_text(json.dumps(["somatic"]), encoding="utf-8")
    with pytest.raises(ValueError, match="expected a list of tariff rows"):
        read_tariffs(path)


def test_the_cli_prices_ready_days_with_the_given_table_and_refuses_a_bad_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = World().person("A", "1940-01-01").residents(2024, "730", "F", 84, 1)
    w.contact("K1", "A", "2024-06-28 08:00", "2024-07-03 10:00", priority="ATA3")
    w.ready_at("K1", "2024-06-29 10:00")  # nights of 29 and 30 June, 1 and 2 July
    folder = w.write_csv(tmp_path / "registry")
    tariffs = tmp_path / "t.csv"
    tariffs.write_text(
        HEADER + "somatic,2024-01-01,2024-07-01,1000,test,\nsomatic,2024-07-01,,1500.5,test,\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.csv"
    args = ["--registry", str(folder), "--from", "2024-01-01", "--to", "2024-12-31", "--out", str(out)]
    assert (
        indicators_compute_main([*args, "--indicator", "ready_days_amount", "--tariffs", str(tariffs)]) == 0
    )
    result = pd.read_csv(out, dtype={"stratum": str})
    assert one(result, "ready_days_amount").value == 2 * 1000 + 2 * 1500.5
    assert "example values" not in capsys.readouterr().err

    before = out.read_bytes()
    tariffs.write_text(HEADER + "somatic,2024-01-01,,x,test,\n", encoding="utf-8")
    assert indicators_compute_main([*args, "--tariffs", str(tariffs)]) == 1
    assert "t.csv:2: dkk_per_day must be a number" in capsys.readouterr().err
    assert out.read_bytes() == before  # nothing written over the earlier result
