from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sektorbro.citizens.cpr import InvalidCpr, century, make_cpr, mask, parse_cpr
from sektorbro.core.logging import mask_cpr_like


@pytest.mark.parametrize(
    ("text", "born"),
    [
        ("010190-1234", dt.date(1990, 1, 1)),  # 7th digit 1 -> 1900s
        ("0101901234", dt.date(1990, 1, 1)),  # without the dash
        ("311236-4000", dt.date(2036, 12, 31)),  # 4 and year <= 36 -> 2000s
        ("311237-4000", dt.date(1937, 12, 31)),  # 4 and year >= 37 -> 1900s
        ("150557-5000", dt.date(2057, 5, 15)),  # 5-8 and year <= 57 -> 2000s
        ("150558-5000", dt.date(1858, 5, 15)),  # 5-8 and year >= 58 -> 1800s
        ("290200-9000", dt.date(2000, 2, 29)),  # 9 and year <= 36 -> 2000s, a leap day
        ("010199-9000", dt.date(1999, 1, 1)),  # 9 and year >= 37 -> 1900s
    ],
)
def test_valid_cpr_numbers_give_their_date_of_birth(text: str, born: dt.date) -> None:
    assert parse_cpr(text).birth_date == born


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "format"),
        ("12345", "format"),
        ("010190-12345", "format"),
        ("01019O-1234", "format"),
        ("320190-1234", "date"),
        ("290201-4000", "date"),  # 2001 is no leap year
        ("011390-1234", "date"),
        ("000190-1234", "date"),
    ],
)
def test_malformed_cpr_numbers_are_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(InvalidCpr) as err:
        parse_cpr(text)
    assert err.value.code == code
    assert "CPR" in str(err.value)


def test_modulus_11_is_not_required() -> None:
    # 010190-1235 fails the old modulus-11 check but is a valid CPR today.
    assert parse_cpr("010190-1235").digits == "0101901235"


def test_the_cpr_object_never_prints_the_full_number() -> None:
    cpr = parse_cpr("010190-1234")
    assert str(cpr) == "010190-xxxx"
    assert "1234" not in repr(cpr)
    assert cpr.masked == "010190-xxxx" == mask("0101901234")
    assert cpr.formatted == "010190-1234"


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2057, 12, 31)),
    st.integers(0, 9999),
    st.booleans(),
)
def test_synthetic_cpr_numbers_round_trip_to_their_birth_date(
    born: dt.date, serial: int, female: bool
) -> None:
    digits = make_cpr(born, serial, female)
    parsed = parse_cpr(digits)
    assert parsed.birth_date == born
    assert parsed.sex == ("F" if female else "M")


@given(st.integers(0, 99), st.integers(0, 9))
def test_the_century_rule_covers_every_combination(year: int, seventh: int) -> None:
    assert century(year, seventh) in (1800, 1900, 2000)


@given(st.text(max_size=14))
def test_parsing_arbitrary_text_either_succeeds_or_raises_invalid_cpr(text: str) -> None:
    try:
        parsed = parse_cpr(text)
    except InvalidCpr:
        return
    assert len(parsed.digits) == 10 and parsed.digits.isdigit()


def test_log_lines_mask_cpr_shaped_numbers() -> None:
    assert mask_cpr_like("looked up 010190-1234 and 0101901234") == "looked up 010190-xxxx and 010190-xxxx"
