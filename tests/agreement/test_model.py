"""The vocabulary refuses what the rules cannot use: naive datetimes, unknown values, decisions without
reasons or sources, impossible settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from sektorbro.agreement import rules
from sektorbro.agreement.evaluate import evaluate
from sektorbro.agreement.model import (
    AcuteFunction,
    AgreementSettings,
    CourseSnapshot,
    Decision,
    Event,
    Reason,
    RuleInputError,
    Tariff,
)
from tests.agreement.helpers import course, t

NAIVE = dt.datetime(2025, 3, 5, 10, 0)


def test_a_naive_event_time_is_refused_with_the_field_named() -> None:
    with pytest.raises(RuleInputError, match=r"event admitted\.at: a time zone is required"):
        Event("admitted", NAIVE)


def test_a_naive_admission_or_discharge_is_refused() -> None:
    with pytest.raises(RuleInputError, match=r"course\.admitted_at"):
        CourseSnapshot(area="somatic", track="acute", admitted_at=NAIVE)
    with pytest.raises(RuleInputError, match=r"course\.discharged_at"):
        CourseSnapshot(area="somatic", track="acute", admitted_at=t("2025-03-03 10:00"), discharged_at=NAIVE)


def test_a_naive_acute_function_is_refused() -> None:
    with pytest.raises(RuleInputError, match=r"acute_function\.since"):
        AcuteFunction("gp", NAIVE)


@pytest.mark.parametrize(
    "rule",
    [
        rules.ready_for_discharge,
        rules.billable_days,
        rules.extended_responsibility,
        rules.responsible_doctor,
        rules.required_documents,
        rules.deadlines,
        rules.alerts,
        rules.tasks,
        evaluate,
    ],
    ids=lambda f: f.__name__,
)
def test_every_rule_refuses_a_naive_moment(rule: Callable[..., Any]) -> None:
    with pytest.raises(RuleInputError, match="at: a time zone is required"):
        rule(course(), NAIVE)


def test_check_transition_refuses_a_naive_moment() -> None:
    with pytest.raises(RuleInputError, match="at: a time zone is required"):
        rules.check_transition(course(), "ready_for_discharge", NAIVE)


def test_utc_and_local_moments_are_the_same_instant() -> None:
    utc = dt.datetime(2025, 3, 5, 9, 0, tzinfo=dt.UTC)
    assert (
        rules.status(course([Event("ready_for_discharge", t("2025-03-05 10:00"))]), utc)
        == "ready_for_discharge"
    )


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: course(area="dental"), "course.area"),
        (lambda: course(track="urgent"), "course.track"),
        (lambda: course(unit_kind="lab"), "course.unit_kind"),
        (lambda: course(discharge_destination="moon"), "course.discharge_destination"),
        (lambda: Event("teleported", t("2025-03-04 10:00")), "event.type"),
        (lambda: AcuteFunction("neighbour", t("2025-03-04 10:00")), "acute_function.referred_by"),
        (
            lambda: AcuteFunction("gp", t("2025-03-04 10:00"), until=t("2025-03-03 10:00")),
            "acute_function.until",
        ),
        (lambda: course(discharged_at=t("2025-03-01 10:00")), "course.discharged_at"),
    ],
)
def test_unknown_values_are_refused(build: Callable[[], object], field: str) -> None:
    with pytest.raises(RuleInputError, match=field.replace(".", r"\.")):
        build()


def test_a_decision_needs_a_reason_and_a_source() -> None:
    reason = Reason("grund", "reason")
    with pytest.raises(ValueError, match="source"):
        Decision(True, (reason,), ())
    with pytest.raises(ValueError, match="reason"):
        Decision(True, (), ("aftalen 2.1",))
    assert Decision(True, (reason,), ("aftalen 2.1",)).as_dict() == {
        "value": True,
        "reasons": [{"da": "grund", "en": "reason"}],
        "sources": ["aftalen 2.1"],
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"short_stay_hours": 0}, "short_stay_hours"),
        ({"extended_window_hours": -1}, "extended_window_hours"),
        ({"municipal_shifts": ()}, "municipal_shifts"),
        ({"reading_cutoff": dt.time(15, 30)}, "reading_cutoff"),
        ({"phone_window_days": -1}, "phone_window_days"),
    ],
)
def test_impossible_settings_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleInputError, match=message):
        AgreementSettings(**changes)


def test_friday_afternoon_is_set_per_cluster() -> None:
    settings = AgreementSettings(friday_afternoon_by_cluster=(("randersklyngen", dt.time(13, 0)),))
    assert settings.friday_afternoon("randersklyngen") == dt.time(13, 0)
    assert settings.friday_afternoon("aarhusklyngen") == dt.time(12, 0)
    assert settings.friday_afternoon(None) == dt.time(12, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sector": "dental"}, "tariff.sector"),
        ({"dkk_per_day": -1.0}, "tariff.dkk_per_day"),
        ({"valid_to": dt.date(2025, 1, 1)}, "tariff.valid_to"),
        ({"source": " "}, "tariff.source"),
    ],
)
def test_a_tariff_row_is_checked(kwargs: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {
        "sector": "somatic",
        "valid_from": dt.date(2025, 1, 1),
        "valid_to": None,
        "dkk_per_day": 100.0,
        "source": "test",
    }
    values.update(kwargs)
    with pytest.raises(RuleInputError, match=message):
        Tariff(**values)
