"""CPR numbers: parsing, validation (format, real date, century rule) and masking. Plain Python.

The modulus-11 check is deliberately not applied: CPR numbers without it have been issued since 2007.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_CPR_RE = re.compile(r"^\s*(\d{2})(\d{2})(\d{2})[-\s]?(\d{4})\s*$")


class InvalidCpr(ValueError):
    """The text is not a valid CPR number; the message says why (in Danish and English)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def century(year_digits: int, seventh_digit: int) -> int:
    """The century of birth from the two year digits and the 7th digit (CPR-kontoret's rule)."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if year_digits <= 36 else 1900
    # 5, 6, 7, 8
    return 2000 if year_digits <= 57 else 1800


@dataclass(frozen=True)
class Cpr:
    digits: str  # the 10 digits, no separator
    birth_date: dt.date

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    @property
    def masked(self) -> str:
        return f"{self.digits[:6]}-xxxx"

    @property
    def sex(self) -> str:
        """'F' for an even last digit, 'M' for odd."""
        return "F" if int(self.digits[-1]) % 2 == 0 else "M"

    def __str__(self) -> str:  # never print a full CPR by accident
        return self.masked

    def __repr__(self) -> str:
        return f"Cpr({self.masked!r})"


def parse_cpr(text: str) -> Cpr:
    if not isinstance(text, str):
        raise InvalidCpr("type", "CPR-nummeret skal være tekst / the CPR number must be text")
    match = _CPR_RE.match(text)
    if match is None:
        raise InvalidCpr(
            "format",
            "CPR-nummeret skal have formen DDMMÅÅ-XXXX (10 cifre) / "
            "the CPR number must look like DDMMYY-XXXX (10 digits)",
        )
    day, month, year2, serial = match.groups()
    full_year = century(int(year2), int(serial[0])) + int(year2)
    try:
        born = dt.date(full_year, int(month), int(day))
    except ValueError as exc:
        raise InvalidCpr(
            "date",
            f"CPR-nummeret indeholder ingen gyldig fødselsdato ({day}.{month}.{full_year}) / "
            f"the CPR number holds no real date of birth",
        ) from exc
    return Cpr(digits=f"{day}{month}{year2}{serial}", birth_date=born)


def mask(digits: str) -> str:
    """Masked display form DDMMYY-xxxx of a stored 10-digit CPR number."""
    return f"{digits[:6]}-xxxx"


def make_cpr(birth_date: dt.date, serial_tail: int, female: bool) -> str:
    """Build a format-valid CPR (no modulus 11) for synthetic test and demo people.

    The 7th digit is chosen so the century rule gives back ``birth_date``'s year.
    """
    yy = birth_date.year % 100
    if 1900 <= birth_date.year <= 1999:
        seventh = 0 if serial_tail % 2 else 2
    elif 2000 <= birth_date.year <= 2036:
        seventh = 4
    elif 2037 <= birth_date.year <= 2057:
        seventh = 5
    else:
        raise ValueError("synthetic CPR numbers are made for births 1900-2057 only")
    middle = f"{serial_tail % 100:02d}"
    last = serial_tail // 100 % 5 * 2 + (0 if female else 1)
    digits = f"{birth_date:%d%m}{yy:02d}{seventh}{middle}{last}"
    assert parse_cpr(digits).birth_date == birth_date
    return digits
