"""The console commands that sign nothing run in a shell without SECRET_KEY, DEBUG, demo or testing variables;
everything that serves requests keeps refusing to start without a real key (docs/security.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured

from sektorbro.messaging.medcom import synthetic
from sektorbro.runmode import UnusableSecretKey, is_pure_command

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "docs" / "examples" / "died-in-hospital.json"


def _clean_env(database: Path, **extra: str) -> dict[str, str]:
    """Only PATH, HOME, PYTHONPATH and DATABASE_URL: no SECRET_KEY, DEBUG, SEKTORBRO_DEMO or SEKTORBRO_TESTING."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(database.parent)),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    env.update(extra)
    return env


def sektorbro(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sektorbro.cli", *args],
        env=_clean_env(tmp_path / "db.sqlite3", **extra),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_rules_evaluate_runs_without_a_secret_key(tmp_path: Path) -> None:
    result = sektorbro(tmp_path, "rules", "evaluate", str(SCENARIO))
    assert result.returncode == 0, result.stderr
    expected = json.loads(SCENARIO.with_suffix("").with_suffix(".expected.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout)["status"] == expected["status"]


def test_medcom_validate_and_ack_run_without_a_secret_key(tmp_path: Path) -> None:
    message = tmp_path / "notification.json"
    message.write_bytes(next(synthetic.notifications(1, seed=3)))
    validated = sektorbro(tmp_path, "medcom", "validate", str(message))
    assert validated.returncode == 0, validated.stderr
    assert validated.stdout == f"OK {message}\n"
    ack = sektorbro(tmp_path, "medcom", "ack", str(message))
    assert ack.returncode == 0, ack.stderr
    bundle = json.loads(ack.stdout)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["entry"][0]["resource"]["response"]["code"] == "ok"


def test_registry_synth_and_indicators_compute_run_without_a_secret_key(tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    synth = sektorbro(
        tmp_path, "registry", "synth", "--persons", "200", "--years", "1", "--seed", "2", "--out", str(folder)
    )
    assert synth.returncode == 0, synth.stderr
    out = tmp_path / "indicators.csv"
    computed = sektorbro(
        tmp_path,
        "indicators", "compute", "--registry", str(folder), "--from", "2023-01-01", "--to", "2023-12-31",
        "--out", str(out),
    )  # fmt: skip
    assert computed.returncode == 0, computed.stderr
    assert out.is_file() and out.read_text(encoding="utf-8").startswith("indicator,")


def test_flowchart_check_runs_without_a_secret_key(tmp_path: Path) -> None:
    result = sektorbro(tmp_path, "flowchart", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK ") and "steps" in result.stdout


def test_reference_listings_need_a_migrated_database_but_no_secret_key(tmp_path: Path) -> None:
    unmigrated = sektorbro(tmp_path, "reference", "municipalities")
    assert unmigrated.returncode == 1
    assert unmigrated.stderr.splitlines() == [
        "Databasen er ikke sat op: kør `sektorbro migrate` / the database is not set up: run `sektorbro migrate`"
    ]
    assert "Traceback" not in unmigrated.stderr

    migrated = sektorbro(tmp_path, "migrate", "--no-input", SECRET_KEY="k" * 40)
    assert migrated.returncode == 0, migrated.stderr
    municipalities = sektorbro(tmp_path, "reference", "municipalities", "--json")
    assert municipalities.returncode == 0, municipalities.stderr
    assert {"code": "751", "name": "Aarhus"}.items() <= {
        (k, v) for row in json.loads(municipalities.stdout) for k, v in row.items() if row["code"] == "751"
    }
    for listing in ("clusters", "units"):
        result = sektorbro(tmp_path, "reference", listing)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip()


@pytest.mark.parametrize(
    "args",
    [
        ["runserver", "--noreload"],
        ["check", "--deploy"],
        ["migrate"],
        ["medcom", "send"],
        ["indicators", "compute", "--from-platform", "--from", "2023-01-01", "--to", "2023-12-31"],
        ["demo"],
    ],
)
def test_what_serves_requests_or_writes_still_refuses_without_a_secret_key(
    tmp_path: Path, args: list[str]
) -> None:
    result = sektorbro(tmp_path, *args)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_pure_commands_are_recognised_from_argv_alone() -> None:
    assert is_pure_command(["medcom", "validate", "a.json"])
    assert is_pure_command(["indicators", "compute", "--registry=dir", "--from", "2023-01-01"])
    assert is_pure_command(["help"]) and is_pure_command([])
    assert not is_pure_command(["indicators", "compute", "--registry", "d", "--from-platform"])
    assert not is_pure_command(["indicators", "compute", "--from-platform"])
    assert not is_pure_command(["medcom", "send"])
    assert not is_pure_command(["runserver"])
    assert not is_pure_command(["reference", "load"])
    assert not is_pure_command(["shell", "-c", "rules evaluate"])


def test_the_stand_in_key_refuses_to_sign() -> None:
    key = UnusableSecretKey()
    assert key != UnusableSecretKey()  # random, never the same twice
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        signing.Signer(key=key, salt="x").sign("value")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        signing.dumps({"a": 1}, key=key)
