"""The scenario format (docs/rules-scenario.md): one course at one moment as JSON. ``parse_scenario`` checks
every field and names the exact path of the first one that is wrong, e.g.
``course.events[1].at: not an ISO 8601 datetime with offset``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, NamedTuple

from sektorbro.agreement.evaluate import evaluate
from sektorbro.agreement.model import (
    AREAS,
    CPH,
    DEFAULT_SETTINGS,
    DESTINATIONS,
    EVENT_TYPES,
    REFERRERS,
    TRACKS,
    UNIT_KINDS,
    AcuteFunction,
    AgreementSettings,
    CitizenFacts,
    CourseSnapshot,
    EarlierStay,
    Event,
    RuleInputError,
    Tariff,
)
from sektorbro.agreement.tariffs import load_tariffs, tariffs_from_data


class ScenarioError(ValueError):
    """The scenario is malformed; the message starts with the field path."""


class Scenario(NamedTuple):
    snapshot: CourseSnapshot
    at: dt.datetime
    settings: AgreementSettings
    tariffs: tuple[Tariff, ...] | None  # None: the scenario names no table (the caller's or the demo table)


ROOT_KEYS = frozenset({"at", "citizen", "course", "settings", "tariffs", "title", "description", "expected"})
CITIZEN_KEYS = frozenset({"elderly_care", "social_area", "acute_function", "terminal", "gp_doctor"})
ACUTE_KEYS = frozenset({"referred_by", "since", "until"})
COURSE_KEYS = frozenset(
    {
        "area",
        "track",
        "region",
        "unit_kind",
        "admitted_at",
        "discharged_at",
        "discharge_destination",
        "municipal_nursing_after_discharge",
        "rehabilitation_needed",
        "cluster",
        "events",
        "earlier_stays",
    }
)
EARLIER_KEYS = frozenset({"hospital", "admitted_at", "ended_at", "admission_report_at"})
DATE_EVENTS = ("discharge_date_proposed", "discharge_date_agreed")
READ_PARTIES = ("hospital", "municipality")


def _object(value: Any, path: str, allowed: frozenset[str] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{path}: must be an object")
    if allowed is not None:
        for key in value:
            if key not in allowed and not str(key).startswith("_"):
                prefix = "" if path == "(root)" else f"{path}."
                raise ScenarioError(f"{prefix}{key}: unknown field (known: {', '.join(sorted(allowed))})")
    return value


def _datetime(value: Any, path: str, required: bool = True) -> dt.datetime | None:
    if value is None:
        if required:
            raise ScenarioError(f"{path}: required")
        return None
    if not isinstance(value, str):
        raise ScenarioError(f"{path}: not an ISO 8601 datetime with offset (got {value!r})")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ScenarioError(f"{path}: not an ISO 8601 datetime with offset (got {value!r})") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ScenarioError(
            f"{path}: not an ISO 8601 datetime with offset (got {value!r}; add e.g. +01:00 or Z)"
        )
    return parsed


def _date(value: Any, path: str) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ScenarioError(f"{path}: not a date YYYY-MM-DD (got {value!r})")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ScenarioError(f"{path}: not a date YYYY-MM-DD (got {value!r})") from exc


def _time(value: Any, path: str) -> dt.time:
    if not isinstance(value, str):
        raise ScenarioError(f"{path}: not a clock time HH:MM (got {value!r})")
    try:
        return dt.time.fromisoformat(value)
    except ValueError as exc:
        raise ScenarioError(f"{path}: not a clock time HH:MM (got {value!r})") from exc


def _bool(value: Any, path: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ScenarioError(f"{path}: must be true or false (got {value!r})")
    return value


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{path}: must be an integer (got {value!r})")
    return value


def _choice(value: Any, path: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ScenarioError(f"{path}: must be one of {', '.join(allowed)} (got {value!r})")
    return str(value)


def _optional_choice(value: Any, path: str, allowed: tuple[str, ...]) -> str | None:
    return None if value is None else _choice(value, path, allowed)


def _string(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"{path}: must be a non-empty string")
    return value


def _acute_function(value: Any, path: str) -> AcuteFunction | None:
    if value is None:
        return None
    item = _object(value, path, ACUTE_KEYS)
    since = _datetime(item.get("since"), f"{path}.since")
    until = _datetime(item.get("until"), f"{path}.until", required=False)
    assert since is not None
    if until is not None and until < since:
        raise ScenarioError(f"{path}.until: must not be before {path}.since")
    return AcuteFunction(
        referred_by=_choice(item.get("referred_by"), f"{path}.referred_by", REFERRERS),
        since=since,
        until=until,
    )


def _event(raw: Any, index: int) -> Event:
    path = f"course.events[{index}]"
    item = _object(raw, path)
    kind = _choice(item.get("type"), f"{path}.type", EVENT_TYPES)
    at = _datetime(item.get("at"), f"{path}.at", required=False)
    day = _date(item.get("date"), f"{path}.date")
    if kind in DATE_EVENTS and day is None:
        raise ScenarioError(f"{path}.date: required for {kind} (the discharge date, YYYY-MM-DD)")
    if kind not in DATE_EVENTS and at is None:
        raise ScenarioError(f"{path}.at: required (an ISO 8601 datetime with offset)")
    seq = _int(item["seq"], f"{path}.seq") if "seq" in item else index + 1
    data = {k: v for k, v in item.items() if k not in ("type", "at", "date", "seq")}
    for key in ("target_seq", "ref_seq"):
        if key in data:
            _int(data[key], f"{path}.{key}")
    if "call_at" in data:
        _datetime(data["call_at"], f"{path}.call_at")
    if "counterpart" in data and not isinstance(data["counterpart"], str):
        raise ScenarioError(f"{path}.counterpart: must be text (the other party's person)")
    if "to" in data:
        _choice(data["to"], f"{path}.to", READ_PARTIES)
    if "by" in data:
        _choice(data["by"], f"{path}.by", READ_PARTIES)
    if "unit_kind" in data:
        _choice(data["unit_kind"], f"{path}.unit_kind", UNIT_KINDS)
    if "destination" in data:
        _choice(data["destination"], f"{path}.destination", DESTINATIONS)
    return Event(type=kind, at=at, date=day, seq=seq, data=data)


def _earlier_stays(value: Any, admitted: dt.datetime) -> tuple[EarlierStay, ...]:
    """The stays at other region hospitals the course continues (one regional stay, aftalen 2.2)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ScenarioError("course.earlier_stays: must be a list")
    stays: list[EarlierStay] = []
    for i, raw in enumerate(value):
        path = f"course.earlier_stays[{i}]"
        item = _object(raw, path, EARLIER_KEYS)
        start = _datetime(item.get("admitted_at"), f"{path}.admitted_at")
        end = _datetime(item.get("ended_at"), f"{path}.ended_at")
        assert start is not None and end is not None
        if end < start:
            raise ScenarioError(f"{path}.ended_at: must not be before {path}.admitted_at")
        if start > admitted:
            raise ScenarioError(f"{path}.admitted_at: must not be after course.admitted_at")
        hospital = _string(item.get("hospital"), f"{path}.hospital")
        if hospital is None:
            raise ScenarioError(f"{path}.hospital: required (the hospital's name)")
        stays.append(
            EarlierStay(
                hospital=hospital,
                admitted_at=start,
                ended_at=end,
                admission_report_at=_datetime(
                    item.get("admission_report_at"), f"{path}.admission_report_at", required=False
                ),
            )
        )
    return tuple(sorted(stays, key=lambda s: s.admitted_at))


def _settings(value: Any, path: str = "settings") -> AgreementSettings:
    """Overrides of ``AgreementSettings`` by field name: clock times as "HH:MM", dates as "YYYY-MM-DD",
    ``friday_afternoon_by_cluster`` as ``{"cluster": "HH:MM"}``, ``municipal_shifts`` as a list of times."""
    if value is None:
        return DEFAULT_SETTINGS
    fields = {f.name: f for f in dataclasses.fields(AgreementSettings)}
    item = _object(value, path, frozenset(fields))
    changes: dict[str, Any] = {}
    for key, raw in item.items():
        if key.startswith("_"):
            continue
        where = f"{path}.{key}"
        default = getattr(DEFAULT_SETTINGS, key)
        if key == "friday_afternoon_by_cluster":
            clusters = _object(raw, where)
            changes[key] = tuple((str(k), _time(v, f"{where}.{k}")) for k, v in clusters.items())
        elif key == "municipal_shifts":
            if not isinstance(raw, list) or not raw:
                raise ScenarioError(f"{where}: must be a non-empty list of clock times")
            changes[key] = tuple(_time(v, f"{where}[{i}]") for i, v in enumerate(raw))
        elif key == "gp_acute_line_hours":
            if not isinstance(raw, list) or len(raw) != 2:
                raise ScenarioError(f"{where}: must be two clock times [from, to]")
            changes[key] = (_time(raw[0], f"{where}[0]"), _time(raw[1], f"{where}[1]"))
        elif isinstance(default, bool):
            changes[key] = _bool(raw, where)
        elif isinstance(default, int):
            changes[key] = _int(raw, where)
        elif isinstance(default, dt.time):
            changes[key] = _time(raw, where)
        elif isinstance(default, dt.date):
            parsed = _date(raw, where)
            if parsed is None:
                raise ScenarioError(f"{where}: required")
            changes[key] = parsed
        else:  # pragma: no cover - every field type is handled above
            raise ScenarioError(f"{where}: cannot be set in a scenario")
    try:
        return dataclasses.replace(DEFAULT_SETTINGS, **changes)
    except RuleInputError as exc:
        raise ScenarioError(str(exc)) from exc


def parse_scenario(data: Any, *, now: dt.datetime | None = None) -> Scenario:
    """Check a scenario and turn it into a snapshot, the moment to decide at, the settings and the tariff
    table it names. ``at`` may be left out: then ``now`` (default: the current time) is used."""
    root = _object(data, "(root)", ROOT_KEYS)
    at = _datetime(root["at"], "at") if "at" in root else (now or dt.datetime.now(tz=CPH))
    assert at is not None
    citizen_data = _object(root.get("citizen") or {}, "citizen", CITIZEN_KEYS)
    citizen = CitizenFacts(
        elderly_care=_bool(citizen_data.get("elderly_care"), "citizen.elderly_care"),
        social_area=_bool(citizen_data.get("social_area"), "citizen.social_area"),
        terminal=_bool(citizen_data.get("terminal"), "citizen.terminal"),
        acute_function=_acute_function(citizen_data.get("acute_function"), "citizen.acute_function"),
        gp_doctor=_string(citizen_data.get("gp_doctor"), "citizen.gp_doctor"),
    )
    if "course" not in root:
        raise ScenarioError("course: required")
    course = _object(root["course"], "course", COURSE_KEYS)
    area = _choice(course.get("area"), "course.area", AREAS)
    track = _choice(course.get("track"), "course.track", TRACKS)
    admitted = _datetime(course.get("admitted_at"), "course.admitted_at")
    assert admitted is not None
    discharged = _datetime(course.get("discharged_at"), "course.discharged_at", required=False)
    if discharged is not None and discharged < admitted:
        raise ScenarioError("course.discharged_at: must not be before course.admitted_at")
    raw_events = course.get("events", [])
    if not isinstance(raw_events, list):
        raise ScenarioError("course.events: must be a list")
    events = tuple(_event(raw, i) for i, raw in enumerate(raw_events))
    seen: set[int] = set()
    for i, event in enumerate(events):
        assert event.seq is not None
        if event.seq in seen:
            raise ScenarioError(f"course.events[{i}].seq: {event.seq} is used twice")
        seen.add(event.seq)
        target = event.data.get("target_seq", event.data.get("ref_seq"))
        if target is not None and target not in {e.seq for e in events[:i]}:
            raise ScenarioError(f"course.events[{i}]: refers to seq {target}, which is not an earlier event")
        if event.at is not None and event.type != "admitted" and event.at < admitted:
            raise ScenarioError(f"course.events[{i}].at: must not be before course.admitted_at")
    for i, event in enumerate(events):
        if discharged is not None and event.type in ("discharged", "died") and event.at != discharged:
            raise ScenarioError(
                f"course.events[{i}].at: differs from course.discharged_at (give the discharge once)"
            )
    region = _string(course.get("region"), "course.region") or "Midtjylland"
    try:
        snapshot = CourseSnapshot(
            area=area,
            track=track,
            region=region,
            unit_kind=_choice(course.get("unit_kind", "ward"), "course.unit_kind", UNIT_KINDS),
            admitted_at=admitted,
            discharged_at=discharged,
            discharge_destination=_optional_choice(
                course.get("discharge_destination"), "course.discharge_destination", DESTINATIONS
            ),
            municipal_nursing_after_discharge=_bool(
                course.get("municipal_nursing_after_discharge"), "course.municipal_nursing_after_discharge"
            ),
            rehabilitation_needed=_bool(course.get("rehabilitation_needed"), "course.rehabilitation_needed"),
            cluster=_string(course.get("cluster"), "course.cluster"),
            events=events,
            citizen=citizen,
            earlier_stays=_earlier_stays(course.get("earlier_stays"), admitted),
        )
    except RuleInputError as exc:  # pragma: no cover - the checks above catch these first
        raise ScenarioError(str(exc)) from exc
    settings = _settings(root.get("settings"))
    tariffs: tuple[Tariff, ...] | None = None
    if "tariffs" in root:
        try:
            tariffs = tariffs_from_data(root["tariffs"], "tariffs")
        except RuleInputError as exc:
            raise ScenarioError(str(exc)) from exc
    return Scenario(snapshot, at, settings, tariffs)


def evaluate_scenario(
    data: Any,
    tariffs: tuple[Tariff, ...] | None = None,
    settings: AgreementSettings | None = None,
    *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Parse and evaluate a scenario; JSON-serialisable. The tariff table is, in order: the ``tariffs``
    argument, the scenario's own ``tariffs``, the demo table. ``settings`` replaces the scenario's."""
    scenario = parse_scenario(data, now=now)
    table = tariffs if tariffs is not None else scenario.tariffs
    if table is None:
        table = load_tariffs()
    try:
        return evaluate(scenario.snapshot, scenario.at, table, settings or scenario.settings)
    except RuleInputError as exc:  # pragma: no cover - parse_scenario refuses these first
        raise ScenarioError(str(exc)) from exc
