"""Danish identifiers in MedCom messages: CPR and replacement CPR numbers, SOR ids, EAN/GLN location numbers,
UUID-based message identifiers. Each checker returns ``None`` when the value is fine, else a short reason."""

from __future__ import annotations

import datetime as dt
import re

from sektorbro.messaging.medcom.terminology import CPR_SYSTEM, D_ECPR_SYSTEM, X_ECPR_SYSTEM

_CPR = re.compile(r"\d{10}")
_X_ECPR = re.compile(r"\d{6}[17][A-Z]{2}\d")
_D_ECPR = re.compile(r"\d{6}[056][A-Z]{2}\d")
_SOR = re.compile(r"\d{11,}")
_GLN = re.compile(r"\d{13}")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
URN_UUID_LOWER_RE = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
UUID_V5_URN_RE = re.compile(
    r"urn:uuid:[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-5[a-fA-F0-9]{3}-[89aAbB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}"
)


def cpr_century(year_digits: int, seventh_digit: int) -> int:
    """The century of birth from the two year digits and the 7th digit (the CPR office's table)."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if year_digits <= 36 else 1900
    return 2000 if year_digits <= 57 else 1800


def cpr_birth_date(value: str) -> dt.date | None:
    """The date of birth a CPR number (10 digits, no separator) encodes, or ``None`` if it encodes none."""
    if not _CPR.fullmatch(value):
        return None
    year2 = int(value[4:6])
    try:
        return dt.date(cpr_century(year2, int(value[6])) + year2, int(value[2:4]), int(value[0:2]))
    except ValueError:
        return None


def cpr_problem(value: str) -> str | None:
    if not _CPR.fullmatch(value):
        return "a CPR number has exactly 10 digits (DDMMYYXXXX, no separator)"
    if cpr_birth_date(value) is None:
        return "the CPR number holds no real date of birth (DDMMYY with the century from the 7th digit)"
    return None


def _date_part_ok(value: str) -> bool:
    try:
        dt.date(2000, int(value[2:4]), int(value[0:2]))  # a leap year: 29 February is a real birthday
    except ValueError:
        return False
    return True


def ecpr_problem(value: str, *, regional: bool) -> str | None:
    pattern, what = (_D_ECPR, "D-eCPR") if regional else (_X_ECPR, "X-eCPR")
    if not pattern.fullmatch(value) or not _date_part_ok(value):
        digit = "0, 5 or 6" if regional else "1 or 7"
        return f"an {what} is DDMMYY + {digit} + two capital letters + one digit"
    return None


def patient_identifier_kind(system: str | None) -> str:
    """'cpr', 'x-ecpr', 'd-ecpr' or 'other' for a Patient.identifier system."""
    if system == CPR_SYSTEM:
        return "cpr"
    if system == X_ECPR_SYSTEM:
        return "x-ecpr"
    if system == D_ECPR_SYSTEM or (system or "").startswith(D_ECPR_SYSTEM + "."):
        return "d-ecpr"
    return "other"


def sor_problem(value: str) -> str | None:
    return None if _SOR.fullmatch(value) else "a SOR id has at least 11 digits"


def gln_check_digit(first12: str) -> int:
    """The GS1 mod-10 check digit for the first 12 digits of a GLN."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def gln_problem(value: str) -> str | None:
    if not _GLN.fullmatch(value):
        return "an EAN/GLN location number has exactly 13 digits"
    if gln_check_digit(value[:12]) != int(value[12]):
        return "the EAN/GLN location number has a wrong GS1 check digit"
    return None


def make_gln(first12: str) -> str:
    """A valid GLN from 12 digits (appends the check digit)."""
    if not re.fullmatch(r"\d{12}", first12):
        raise ValueError("a GLN is made from 12 digits")
    return first12 + str(gln_check_digit(first12))


def fictitious_cpr(birth_date: dt.date, serial: int) -> str:
    """A CPR number that is valid by format and date (modulus 11 is not applied), for synthetic people.

    The 7th digit follows the century rule so the number gives back ``birth_date``; ``serial`` (any int) fills
    the remaining digits and, by its parity, the sex digit."""
    year = birth_date.year
    if 1900 <= year <= 1999:
        seventh = serial % 4  # 0-3: 1900s
    elif 2000 <= year <= 2036:
        seventh = 4
    elif 2037 <= year <= 2057:
        seventh = 5
    else:
        raise ValueError("fictitious CPR numbers are made for births 1900-2057")
    tail = f"{serial // 4 % 1000:03d}"
    value = f"{birth_date:%d%m}{year % 100:02d}{seventh}{tail}"
    assert cpr_birth_date(value) == birth_date
    return value
