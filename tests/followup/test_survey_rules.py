"""The pure rules of the surveys: codes, quarters and small-number suppression."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sektorbro.followup import survey_rules as rules


def test_a_new_code_is_grouped_and_normalises_to_itself() -> None:
    code = rules.new_code()
    assert len(code) == 24 and code.count("-") == 4
    assert rules.normalise(code) == code.replace("-", "")
    assert rules.new_code() != code


def test_typing_is_forgiving_but_a_wrong_length_is_no_code() -> None:
    code = "K7QM-3XPA-9RTD-H2WC-5NB0"
    assert rules.code_hash("k7qm 3xpa 9rtd h2wc 5nbo") == rules.code_hash(code)
    assert rules.code_hash("K7QM-3XPA-9RTD-H2WC-5NB") is None
    assert rules.code_hash("K7QM-3XPA-9RTD-H2WC-5NBU") is None  # U is not in the alphabet
    assert rules.code_hash("") is None


@given(st.text(max_size=60))
def test_any_input_either_is_a_code_or_is_refused(text: str) -> None:
    found = rules.code_hash(text)
    assert found is None or len(found) == 64


def test_quarter_of() -> None:
    assert rules.quarter_of(dt.date(2026, 1, 1)) == "2026-Q1"
    assert rules.quarter_of(dt.date(2026, 3, 31)) == "2026-Q1"
    assert rules.quarter_of(dt.date(2026, 4, 1)) == "2026-Q2"
    assert rules.quarter_of(dt.date(2026, 12, 31)) == "2026-Q4"


def test_fewer_than_five_answers_give_no_distribution() -> None:
    assert rules.summarise_scale([5, 4, 4, 1]) is None
    assert rules.summarise_choice(["yes", "no", "yes", "dont_know"]) is None
    summary = rules.summarise_scale([5, 4, 4, 1, 3])
    assert summary is not None
    assert summary.counts == (1, 0, 1, 2, 1) and summary.mean == 3.4 and summary.positive_share == 0.6
    choice = rules.summarise_choice(["yes", "no", "yes", "dont_know", "yes", ""])
    assert choice == rules.ChoiceSummary(5, 3, 1, 1)
    assert rules.is_small(4) and not rules.is_small(5)
