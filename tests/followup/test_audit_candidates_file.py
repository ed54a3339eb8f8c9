"""The uploaded candidates file (``candidates.read_text``): what ``write_csv`` writes comes back unchanged, with or
without a byte-order mark and Windows line ends; anything else is a ``ValueError`` (shown on the form), never
another exception."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sektorbro.followup.candidates import CSV_COLUMNS, Candidate, read_text, write_csv

IDS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789-_", min_size=1, max_size=40)
DAYS = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))
CANDIDATE = st.builds(
    Candidate,
    person_id=IDS,
    municipality_code=st.sampled_from(["730", "707", "710", "706", "751"]),
    admissions=st.integers(min_value=0, max_value=500),
    preventable_admissions=st.integers(min_value=0, max_value=500),
    first_admission=DAYS,
    last_admission=DAYS,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(CANDIDATE, max_size=12), st.booleans(), st.booleans())
def test_what_the_command_writes_is_read_back(
    tmp_path: Path, rows: list[Candidate], bom: bool, windows: bool
) -> None:
    path = tmp_path / "k.csv"
    write_csv(rows, path)
    text = path.read_text(encoding="utf-8")
    if windows:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    assert read_text(("\ufeff" if bom else "") + text) == rows


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_other_text_is_a_value_error_or_rows(text: str) -> None:
    try:
        rows = read_text(",".join(CSV_COLUMNS) + "\n" + text)
    except ValueError:
        return
    assert all(isinstance(r, Candidate) for r in rows)


def test_a_file_without_the_columns_names_them() -> None:
    with pytest.raises(ValueError, match="missing columns: person_id"):
        read_text("navn,cpr\nx,0101401234\n")
    buffer = io.StringIO()
    assert read_text(buffer.getvalue() + ",".join(CSV_COLUMNS) + "\n") == []


def test_a_field_beyond_the_csv_limit_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="line"):
        read_text(",".join(CSV_COLUMNS) + "\n" + "x" * 200_000 + ",730,4,1,2021-07-01,2021-09-01\n")
