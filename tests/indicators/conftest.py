"""Fixtures for the indicator engine tests (plain Python: no Django settings needed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (local[2]) for every Spark test; started only when a Spark test runs."""
    from sektorbro.indicators.engine import spark_session, stop_spark

    session = spark_session(cores=2)
    yield session
    stop_spark(session)
