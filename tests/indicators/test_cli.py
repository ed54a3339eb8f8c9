"""The CLI functions: synthesise a registry, compute the indicators, and the error paths."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sektorbro.indicators.cli import compute_main, indicators_compute_main, registry_synth_main
from sektorbro.indicators.definitions import REGISTRY
from tests.indicators.builders import World


def test_synth_then_compute_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "registry"
    assert (
        registry_synth_main(
            ["--persons", "1500", "--years", "1", "--seed", "5", "--out", str(folder), "--format", "csv"]
        )
        == 0
    )
    assert (folder / "contacts.csv").is_file()
    out = tmp_path / "result.parquet"
    code = indicators_compute_main(
        [
            "--registry",
            str(folder),
            "--from",
            "2023-01-01",
            "--to",
            "2023-06-30",
            "--out",
            str(out),
            "--strict",
            "--memory-limit",
            "300mb",
        ]
    )
    assert code == 0
    table = pd.read_parquet(out)
    assert list(table.columns) == [
        "indicator", "period", "stratum_type", "stratum", "numerator", "denominator", "value", "standardised_value",
    ]  # fmt: skip
    assert list(dict.fromkeys(table.indicator)) == list(REGISTRY)
    assert set(table.period) >= {"2023-01-01..2023-06-30", "2023", "2023-Q1", "2023-Q2", "2023-06"}
    err = capsys.readouterr().err
    assert "indikatorer / indicators" in err and "rows ->" in err and "example values" in err
    csv_out = tmp_path / "result.csv"
    assert (
        compute_main(
            [
                "--registry",
                str(folder),
                "--from",
                "2023-01-01",
                "--to",
                "2023-01-31",
                "--out",
                str(csv_out),
                "--indicator",
                "discharges",
            ]
        )
        == 0
    )
    assert set(pd.read_csv(csv_out).indicator) == {"discharges"}


def test_bad_rows_strict_and_problem_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = World().person("P1", "1940-01-01").residents(2024, "730", "F", 84, 10)
    w.contact("C1", "P1", "2024-01-10 08:00", "2024-01-11 08:00", diagnosis="J189")
    folder = w.write_csv(tmp_path / "registry")
    out = tmp_path / "r.csv"
    args = ["--registry", str(folder), "--from", "2024-01-01", "--to", "2024-12-31", "--out", str(out)]
    assert indicators_compute_main([*args, "--strict"]) == 1
    assert "contacts.csv:2: action_diagnosis" in capsys.readouterr().err
    problems = tmp_path / "problems.csv"
    assert indicators_compute_main([*args, "--problems", str(problems)]) == 0
    assert "excluded rows / udeladte" in capsys.readouterr().err.replace(
        "udeladte rækker / excluded rows", "excluded rows / udeladte"
    )
    assert pd.read_csv(problems).to_dict("records") == [
        {
            "file": "contacts.csv",
            "line": 2,
            "column": "action_diagnosis",
            "message": "not an SKS diagnosis code (D + letter + digits, e.g. DJ189)",
        }
    ]


VALID = ["--registry", "x", "--from", "2024-01-01", "--to", "2024-12-31", "--out", "r.csv"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--registry", "x", "--from", "2024-13-01", "--to", "2024-12-31", "--out", "r.csv"],
        ["--registry", "x", "--from", "2024-02-01", "--to", "2024-01-31", "--out", "r.csv"],
        ["--registry", "x", "--from", "2024-01-01", "--to", "2024-12-31", "--out", "r.xlsx"],
        [*VALID, "--memory-limit", "lots"],
        [*VALID, "--memory-limit", "0MB"],
        [*VALID, "--engine", "polars"],
    ],
)
def test_bad_arguments_stop_with_a_usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        indicators_compute_main(argv)
    assert stopped.value.code == 2


def test_a_missing_registry_and_bad_synth_arguments(tmp_path: Path) -> None:
    assert (
        indicators_compute_main(
            [
                "--registry",
                str(tmp_path / "none"),
                "--from",
                "2024-01-01",
                "--to",
                "2024-12-31",
                "--out",
                str(tmp_path / "r.csv"),
            ]
        )
        == 1
    )
    with pytest.raises(SystemExit):
        registry_synth_main(["--persons", "0", "--out", str(tmp_path)])


def test_the_memory_limit_reaches_duckdb(tmp_path: Path) -> None:
    from sektorbro.indicators.registry import load_registry

    folder = tmp_path / "registry"
    assert registry_synth_main(["--persons", "200", "--years", "1", "--seed", "3", "--out", str(folder)]) == 0
    registry = load_registry(folder, memory_limit="300MB")
    try:
        row = registry.con.con.execute("SELECT current_setting('memory_limit')").fetchone()
        assert row is not None and str(row[0]).replace(" ", "").upper() in ("286.1MIB", "300.0MB", "300MB")
    finally:
        registry.close()


def test_from_platform_needs_the_platform_to_hand_in_its_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The engine reads registry files only; ``--from-platform`` works through ``sektorbro indicators``."""
    out = tmp_path / "result.csv"
    with pytest.raises(SystemExit) as refused:
        indicators_compute_main(
            ["--from-platform", "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out)]
        )
    assert refused.value.code == 2
    assert "sektorbro indicators compute" in capsys.readouterr().err
    assert not out.exists()
