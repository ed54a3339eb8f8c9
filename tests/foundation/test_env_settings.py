from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from sektorbro.env import env_bool, env_int, env_list


def test_booleans_are_parsed_strictly() -> None:
    assert env_bool("X", environ={"X": "yes"}) is True
    assert env_bool("X", environ={"X": "0"}) is False
    assert env_bool("X", default=True, environ={}) is True
    with pytest.raises(ImproperlyConfigured, match="X must be one of"):
        env_bool("X", environ={"X": "maybe"})


def test_integers_and_lists_name_the_variable_when_wrong() -> None:
    assert env_int("N", 3, environ={"N": "7"}) == 7
    with pytest.raises(ImproperlyConfigured, match="N must be an integer"):
        env_int("N", 3, environ={"N": "seven"})
    assert env_list("H", [], environ={"H": "a.dk, b.dk"}) == ["a.dk", "b.dk"]
    with pytest.raises(ImproperlyConfigured, match="H must be a comma-separated list"):
        env_list("H", [], environ={"H": "a.dk,,b.dk"})


def _settings_in_subprocess(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SEKTORBRO_TESTING", "SEKTORBRO_DEMO", "DEBUG")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import sektorbro.settings as s; print(s.DATABASES['default']['ENGINE'])"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    result = _settings_in_subprocess()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_database_url_is_refused() -> None:
    result = _settings_in_subprocess(SEKTORBRO_TESTING="1", DATABASE_URL="nonsense://x")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_database_url_selects_postgresql_and_sqlite_is_the_default() -> None:
    pg = _settings_in_subprocess(SEKTORBRO_TESTING="1", DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert pg.stdout.strip() == "django.db.backends.postgresql"
    default = _settings_in_subprocess(SEKTORBRO_TESTING="1", DATABASE_URL="")
    assert default.stdout.strip() == "django.db.backends.sqlite3"
