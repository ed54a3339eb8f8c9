"""Playwright against Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}


@pytest.fixture
def screenshot(page: Any) -> Any:
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# Every browser test is transactional (the live server reads what the test wrote). The data migrations' rows
# must be there before each test and after each module.
MIGRATIONS_WITH_DATA = (
    "sektorbro.organisations.migrations.0002_load_reference_data",
    "sektorbro.courses.migrations.0003_demo_tariffs",
)


def _restore_migrated_data() -> None:
    """A transactional test empties the database when it ends, including what the data migrations loaded
    (organisations, tariffs). Load it again the way the migrations do."""
    from django.apps import apps

    from sektorbro.organisations.models import OrganisationUnit

    if OrganisationUnit.objects.exists():
        return
    for module in MIGRATIONS_WITH_DATA:
        importlib.import_module(module).load(apps, None)


@pytest.fixture(autouse=True)
def _migrated_data(transactional_db: Any) -> None:
    _restore_migrated_data()


@pytest.fixture(scope="module", autouse=True)
def _leave_the_migrated_data_behind(django_db_blocker: Any) -> Iterator[None]:
    """After the last test of a module, put the data back for later transactional tests in other files."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        _restore_migrated_data()
        # This runs outside the test's database context and opens a connection of its own; closed here, or
        # PostgreSQL refuses to drop the test database at the end ("being accessed by other users").
        connections.close_all()
