"""The scenario format (docs/rules-scenario.md): a JSON description of one course at one moment. Parsing names
the exact field that is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sektorbro.agreement.evaluate import evaluate
from sektorbro.agreement.model import (
    DESTINATIONS,
    EVENT_TYPES,
    AcuteFunction,
    AgreementSettings,
    CitizenFacts,
    CourseSnapshot,
    Event,
    RuleInputError,
    Tariff,
)
from sektorbro.agreement.tariffs import load_tariffs


class ScenarioError(ValueError):
    """The scenario is malformed; the message starts with the field path."""


def _datetime(value: Any, path: str, required: bool = True) -> dt.datetime | None:
    if value is None:
        if required:
            raise ScenarioError(f"{path}: required")
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ScenarioError(f"{path}: not an ISO 8601 datetime ({value!r})") from exc
    if parsed.tzinfo is None:
        raise ScenarioError(f"{path}: the datetime needs a UTC offset, e.g. +01:00")
    return parsed


def _date(value: Any, path: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ScenarioError(f"{path}: not a date YYYY-MM-DD ({value!r})") from exc


def _bool(value: Any, path: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ScenarioError(f"{path}: must be true or false")
    return value


def _choice(value: Any, path: str, allowed: tuple[str, ...], required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if value not in allowed:
        raise ScenarioError(f"{path}: must be one of {', '.join(allowed)} (got {value!r})")
    return str(value)


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{path}: must be an object")
    return value


def parse_scenario(data: Any) -> tuple[CourseSnapshot, dt.datetime]:
    root = _object(data, "(root)")
    at = _datetime(root.get("at"), "at")
    assert at is not None
    citizen_data = _object(root.get("citizen", {}), "citizen")
    acute = citizen_data.get("acute_function")
    acute_function = None
    if acute is not None:
        acute = _object(acute, "citizen.acute_function")
        since = _datetime(acute.get("since"), "citizen.acute_function.since")
        assert since is not None
        acute_function = AcuteFunction(
            referred_by=str(
                _choice(
                    acute.get("referred_by"),
                    "citizen.acute_function.referred_by",
                    ("gp", "out_of_hours", "hospital"),
                )
            ),
            since=since,
            until=_datetime(acute.get("until"), "citizen.acute_function.until", required=False),
        )
    citizen = CitizenFacts(
        elderly_care=_bool(citizen_data.get("elderly_care"), "citizen.elderly_care"),
        social_area=_bool(citizen_data.get("social_area"), "citizen.social_area"),
        terminal=_bool(citizen_data.get("terminal"), "citizen.terminal"),
        acute_function=acute_function,
    )
    course = _object(root.get("course"), "course")
    raw_events = course.get("events", [])
    if not isinstance(raw_events, list):
        raise ScenarioError("course.events: must be a list")
    events = []
    for i, raw in enumerate(raw_events):
        path = f"course.events[{i}]"
        item = _object(raw, path)
        kind = _choice(item.get("type"), f"{path}.type", EVENT_TYPES)
        at_value = _datetime(item.get("at"), f"{path}.at", required=False)
        day = _date(item.get("date"), f"{path}.date")
        if at_value is None and day is None:
            raise ScenarioError(f"{path}: needs 'at' (datetime) or 'date'")
        extra = {k: v for k, v in item.items() if k not in ("type", "at", "date", "seq")}
        seq = item.get("seq", i + 1)
        if not isinstance(seq, int):
            raise ScenarioError(f"{path}.seq: must be an integer")
        events.append(Event(type=str(kind), at=at_value, date=day, seq=seq, data=extra))
    admitted = _datetime(course.get("admitted_at"), "course.admitted_at")
    assert admitted is not None
    discharged = _datetime(course.get("discharged_at"), "course.discharged_at", required=False)
    if discharged is not None and discharged < admitted:
        raise ScenarioError("course.discharged_at: must not be before course.admitted_at")
    snapshot = CourseSnapshot(
        area=str(_choice(course.get("area"), "course.area", ("somatic", "psychiatric"))),
        track=str(_choice(course.get("track"), "course.track", ("acute", "planned"))),
        region=str(course.get("region", "Midtjylland")),
        unit_kind=str(_choice(course.get("unit_kind", "ward"), "course.unit_kind", ("ward", "clinic"))),
        admitted_at=admitted,
        discharged_at=discharged,
        discharge_destination=_choice(
            course.get("discharge_destination"), "course.discharge_destination", DESTINATIONS, required=False
        ),
        municipal_nursing_after_discharge=_bool(
            course.get("municipal_nursing_after_discharge"), "course.municipal_nursing_after_discharge"
        ),
        rehabilitation_needed=_bool(course.get("rehabilitation_needed"), "course.rehabilitation_needed"),
        cluster=course.get("cluster"),
        events=tuple(events),
        citizen=citizen,
    )
    return snapshot, at


def evaluate_scenario(
    data: Any, tariffs: tuple[Tariff, ...] | None = None, settings: AgreementSettings | None = None
) -> dict[str, Any]:
    snapshot, at = parse_scenario(data)
    try:
        return evaluate(
            snapshot, at, load_tariffs() if tariffs is None else tariffs, settings or AgreementSettings()
        )
    except RuleInputError as exc:
        raise ScenarioError(str(exc)) from exc
