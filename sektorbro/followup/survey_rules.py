"""Pure rules of the experience surveys (no Django): the one-time codes, the quarter of a discharge and the
small-number suppression of the results (the overview's rule, ``overview.stats.MIN_COUNT``).

A code is 20 characters of Crockford's base 32 (100 random bits), shown in groups of four so that it can be typed
from paper: ``K7QM-3XPA-9RTD-H2WC-5NBE``. Typing is forgiving: case, spaces and dashes do not matter, and the
letters O, I and L are read as 0, 1 and 1. Only the SHA-256 of the normalised code is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sektorbro.overview.stats import MIN_COUNT, SUPPRESSED

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 20
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})

__all__ = ["MIN_COUNT", "SUPPRESSED"]


def new_code() -> str:
    """A fresh random code, grouped for reading: ``XXXX-XXXX-XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise(code: str) -> str | None:
    """The code as stored before hashing, or ``None`` when it cannot be a code (wrong length or letters)."""
    cleaned = "".join(code.split()).replace("-", "").upper().translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def code_hash(code: str) -> str | None:
    """The SHA-256 (hex) of the normalised code; ``None`` for something that is not a code."""
    cleaned = normalise(code)
    return hashlib.sha256(cleaned.encode("ascii")).hexdigest() if cleaned else None


def quarter_of(day: dt.date) -> str:
    """``2026-Q4`` for a day in October–December 2026 (the overview's period code)."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class ScaleSummary:
    answered: int
    counts: tuple[int, ...]  # of 1, 2, 3, 4, 5
    mean: float
    positive_share: float  # the share answering 4 or 5


@dataclass(frozen=True)
class ChoiceSummary:
    answered: int
    yes: int
    no: int
    dont_know: int


def is_small(count: int) -> bool:
    """Fewer than ``MIN_COUNT`` answers: show "<5" and no distribution."""
    return count < MIN_COUNT


def summarise_scale(values: Iterable[int]) -> ScaleSummary | None:
    """The distribution of 1–5 answers, or ``None`` when fewer than ``MIN_COUNT`` answered the question."""
    found = Counter(v for v in values if 1 <= v <= 5)
    answered = sum(found.values())
    if is_small(answered):
        return None
    counts = tuple(found.get(v, 0) for v in range(1, 6))
    mean = sum(v * n for v, n in found.items()) / answered
    return ScaleSummary(answered, counts, round(mean, 1), (counts[3] + counts[4]) / answered)


def summarise_choice(values: Iterable[str]) -> ChoiceSummary | None:
    found = Counter(values)
    answered = found["yes"] + found["no"] + found["dont_know"]
    if is_small(answered):
        return None
    return ChoiceSummary(answered, found["yes"], found["no"], found["dont_know"])
