"""The scenario contract (docs/rules-scenario.md): the documented examples, malformed input naming the field,
and the command line (``main``/``evaluate_main``)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.agreement.cli import evaluate_main, main
from sektorbro.agreement.model import CPH, AgreementSettings
from sektorbro.agreement.scenario import ScenarioError, evaluate_scenario, parse_scenario
from sektorbro.agreement.tariffs import load_tariffs

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SCENARIOS = sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json"))

BASE: dict[str, Any] = {
    "at": "2025-03-11T12:00:00+01:00",
    "citizen": {"elderly_care": True, "social_area": False, "acute_function": None, "terminal": False},
    "course": {
        "area": "somatic",
        "track": "acute",
        "region": "Midtjylland",
        "unit_kind": "ward",
        "admitted_at": "2025-03-03T10:00:00+01:00",
        "discharged_at": "2025-03-10T11:00:00+01:00",
        "discharge_destination": "own_home",
        "municipal_nursing_after_discharge": True,
        "events": [
            {"type": "ready_for_discharge", "at": "2025-03-07T09:00:00+01:00"},
            {
                "type": "discharge_date_agreed",
                "date": "2025-03-10",
                "by": "hospital",
                "counterpart": "Visitator Lene Holm",
                "call_at": "2025-03-07T09:30:00+01:00",
            },
        ],
    },
}


def subset(expected: Any, actual: Any, path: str = "") -> None:
    """``expected`` is contained in ``actual``: dictionaries by key, non-empty lists of objects as an ordered
    subsequence, anything else exactly. Extra keys: ``deadline_status`` {rule: status},
    ``deadlines_include``/``alert_rules``/``task_codes_include`` [rule or code, ...]."""
    if isinstance(expected, dict):
        for key, value in expected.items():
            where = f"{path}.{key}"
            if key == "deadline_status":
                statuses = {d["rule"]: d["status"] for d in actual["deadlines"]}
                assert {rule: statuses.get(rule) for rule in value} == value, where
            elif key == "deadlines_include":
                assert set(value) <= {d["rule"] for d in actual["deadlines"]}, where
            elif key == "alert_rules":
                assert set(value) <= {a["rule"] for a in actual["alerts"]}, where
            elif key == "task_codes_include":
                assert set(value) <= {t["code"] for t in actual["tasks"]}, where
            else:
                assert key in actual, where
                subset(value, actual[key], where)
    elif isinstance(expected, list) and expected and all(isinstance(v, dict) for v in expected):
        remaining = list(actual)
        for item in expected:
            for index, candidate in enumerate(remaining):
                try:
                    subset(item, candidate, path)
                except AssertionError:
                    continue
                remaining = remaining[index + 1 :]
                break
            else:
                raise AssertionError(f"{path}: no item matches {item}")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def test_there_are_documented_examples_each_with_expectations() -> None:
    assert len(SCENARIOS) >= 12
    for scenario in SCENARIOS:
        assert scenario.with_suffix(".expected.json").exists(), scenario.name
        assert json.loads(scenario.read_text(encoding="utf-8"))["description"], scenario.name


@pytest.mark.parametrize("example", SCENARIOS, ids=lambda p: p.stem)
def test_documented_example_scenarios(example: Path) -> None:
    expected = json.loads(example.with_suffix(".expected.json").read_text(encoding="utf-8"))
    out, err = StringIO(), StringIO()
    assert main(["evaluate", str(example)], out, err) == 0, err.getvalue()
    result = json.loads(out.getvalue())
    subset(expected, result)
    for key in (
        "ready_for_discharge",
        "billing",
        "extended_responsibility_72h",
        "responsible_doctor",
        "documents",
    ):
        assert result[key]["sources"], key
        assert all(set(r) == {"da", "en"} and r["da"] and r["en"] for r in result[key]["reasons"]), key


def test_the_output_has_the_contract_keys() -> None:
    result = evaluate_scenario(copy.deepcopy(BASE))
    assert set(result["ready_for_discharge"]) >= {"registrable", "date", "reasons", "sources"}
    assert isinstance(result["billable_days"], int) and isinstance(result["billable_amount_dkk"], float)
    assert set(result["extended_responsibility_72h"]) >= {"applies", "until", "reasons", "sources"}
    assert set(result["responsible_doctor"]) >= {"party", "reasons", "sources"}
    assert result["responsible_doctor"]["party"] in ("gp", "hospital")
    for deadline in result["deadlines"]:
        assert set(deadline) >= {"rule", "due", "party", "status"} and deadline["status"] in (
            "open",
            "met",
            "overdue",
        )
    assert {"status", "tasks", "required_documents", "missing_documents"} <= set(result)
    json.dumps(result)  # JSON-serialisable


# --- malformed input -------------------------------------------------------------------------------------------


def patched(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    target: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last = keys[-1]
    if value is DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("at", "yesterday", "at: not an ISO 8601 datetime with offset"),
        ("at", "2025-03-11T12:00:00", "at: not an ISO 8601 datetime with offset"),
        ("at", 20250311, "at: not an ISO 8601 datetime with offset"),
        (
            "course.events.1.at",
            "10/03/2025 10:00",
            "course.events[1].at: not an ISO 8601 datetime with offset",
        ),
        ("course.events.0.at", DELETE, "course.events[0].at: required"),
        ("course.events.1.date", DELETE, "course.events[1].date: required for discharge_date_agreed"),
        ("course.events.1.date", "2025-02-30", "course.events[1].date: not a date"),
        ("course.events.0.type", "teleported", "course.events[0].type: must be one of"),
        ("course.events.0", "ready", "course.events[0]: must be an object"),
        ("course.events", {}, "course.events: must be a list"),
        ("course.area", "dental", "course.area: must be one of somatic, psychiatric"),
        ("course.track", DELETE, "course.track: must be one of"),
        ("course.unit_kind", "lab", "course.unit_kind: must be one of ward, clinic"),
        ("course.admitted_at", DELETE, "course.admitted_at: required"),
        ("course.discharged_at", "2025-03-01T10:00:00+01:00", "course.discharged_at: must not be before"),
        ("course.discharge_destination", "moon", "course.discharge_destination: must be one of"),
        (
            "course.municipal_nursing_after_discharge",
            "yes",
            "course.municipal_nursing_after_discharge: must be true or false",
        ),
        ("course.region", 7, "course.region: must be a non-empty string"),
        ("course.admited_at", "2025-03-03T10:00:00+01:00", "course.admited_at: unknown field"),
        ("course", [], "course: must be an object"),
        ("course", DELETE, "course: required"),
        ("citizen.elderly_care", "yes", "citizen.elderly_care: must be true or false"),
        (
            "citizen.acute_function",
            {"referred_by": "neighbour", "since": "2025-03-10T10:00:00+01:00"},
            "citizen.acute_function.referred_by",
        ),
        ("citizen.acute_function", {"referred_by": "gp"}, "citizen.acute_function.since: required"),
        (
            "citizen.acute_function",
            {"referred_by": "gp", "since": "2025-03-10T10:00:00+01:00", "until": "2025-03-09T10:00:00+01:00"},
            "citizen.acute_function.until: must not be before",
        ),
        ("citizen.cpr", "0101011234", "citizen.cpr: unknown field"),
        ("settings", {"short_stay_hours": "24"}, "settings.short_stay_hours: must be an integer"),
        ("settings", {"care_plan_cutoff": "noon"}, "settings.care_plan_cutoff: not a clock time"),
        ("settings", {"no_such_setting": 1}, "settings.no_such_setting: unknown field"),
        ("settings", {"reading_cutoff": "16:00"}, "reading_cutoff"),
        (
            "tariffs",
            [{"sector": "somatic", "valid_from": "2025-01-01", "dkk_per_day": 1}],
            "tariffs[0].source: required",
        ),
        ("extra", 1, "extra: unknown field"),
    ],
)
def test_malformed_scenarios_name_the_field(path: str, value: Any, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        evaluate_scenario(patched(path, value))
    assert str(err.value).startswith(message) or message in str(err.value), str(err.value)


def test_event_references_and_duplicate_numbers_are_checked() -> None:
    data = patched(
        "course.events", [{"type": "correspondence_read", "at": "2025-03-04T10:00:00+01:00", "ref_seq": 5}]
    )
    with pytest.raises(ScenarioError, match=r"course\.events\[0\]: refers to seq 5"):
        parse_scenario(data)
    data = patched(
        "course.events",
        [
            {"type": "fmk_updated", "at": "2025-03-04T10:00:00+01:00", "seq": 1},
            {"type": "fmk_updated", "at": "2025-03-05T10:00:00+01:00", "seq": 1},
        ],
    )
    with pytest.raises(ScenarioError, match=r"course\.events\[1\]\.seq: 1 is used twice"):
        parse_scenario(data)
    data = patched("course.events", [{"type": "fmk_updated", "at": "2025-03-01T10:00:00+01:00"}])
    with pytest.raises(
        ScenarioError, match=r"course\.events\[0\]\.at: must not be before course\.admitted_at"
    ):
        parse_scenario(data)
    data = patched("course.events", [{"type": "discharged", "at": "2025-03-09T10:00:00+01:00"}])
    with pytest.raises(ScenarioError, match=r"course\.events\[0\]\.at: differs from course\.discharged_at"):
        parse_scenario(data)


def test_settings_and_tariffs_in_the_scenario() -> None:
    data = copy.deepcopy(BASE)
    data["settings"] = {
        "bill_discharge_day": True,
        "friday_afternoon_by_cluster": {"randersklyngen": "13:00"},
        "municipal_shifts": ["06:00", "14:00", "22:00"],
        "places_from": "2023-10-01",
    }
    scenario = parse_scenario(data)
    assert scenario.settings.bill_discharge_day is True
    assert scenario.settings.friday_afternoon("randersklyngen") == dt.time(13, 0)
    assert scenario.settings.municipal_shifts == (dt.time(6), dt.time(14), dt.time(22))
    assert scenario.settings.places_from == dt.date(2023, 10, 1)
    assert evaluate_scenario(data)["billable_days"] == 4
    assert evaluate_scenario(data, settings=AgreementSettings())["billable_days"] == 3  # the argument wins
    data["tariffs"] = {
        "items": [{"sector": "somatic", "valid_from": "2025-01-01", "dkk_per_day": 10, "source": "t"}]
    }
    assert evaluate_scenario(data)["billable_amount_dkk"] == 40.0
    assert evaluate_scenario(data, tariffs=load_tariffs())["billable_amount_dkk"] == 4 * 2300.0


def test_a_scenario_without_at_is_decided_now() -> None:
    data = copy.deepcopy(BASE)
    del data["at"]
    with time_machine.travel(dt.datetime(2025, 3, 12, 10, 0, tzinfo=CPH), tick=False):
        result = evaluate_scenario(data)
    assert result["at"] == "2025-03-12T10:00:00+01:00"
    assert result["extended_responsibility_72h"]["active"] is True
    later = evaluate_scenario(data, now=dt.datetime(2025, 3, 14, 10, 0, tzinfo=CPH))
    assert later["extended_responsibility_72h"]["active"] is False


# --- the command line ------------------------------------------------------------------------------------------


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def test_cli_prints_indented_json(tmp_path: Path) -> None:
    file = tmp_path / "s.json"
    file.write_text(json.dumps(BASE), encoding="utf-8")
    code, out, err = run(["evaluate", str(file)])
    assert code == 0 and err == "" and out.startswith("{\n  ")
    assert json.loads(out)["billable_days"] == 3


def test_cli_missing_file_invalid_json_and_invalid_scenario(tmp_path: Path) -> None:
    code, _, err = run(["evaluate", str(tmp_path / "none.json")])
    assert code == 2 and "no such file" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = run(["evaluate", str(bad)])
    assert code == 2 and "invalid JSON (line 1, column 2)" in err
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(patched("course.events.1.at", "soon")), encoding="utf-8")
    code, out, err = run(["evaluate", str(wrong)])
    assert code == 1 and out == "" and "course.events[1].at: not an ISO 8601 datetime with offset" in err
    code, _, err = run(["evaluate", str(tmp_path)])
    assert code == 2 and "cannot be read" in err


def test_cli_usage_errors_and_help() -> None:
    code, _, err = run([])
    assert code == 2 and "usage:" in err
    code, _, err = run(["explain", "x.json"])
    assert code == 2 and "invalid choice" in err
    code, out, _ = run(["evaluate", "--help"])
    assert code == 0 and "--tariffs" in out


def test_cli_with_its_own_tariff_table(tmp_path: Path) -> None:
    table = tmp_path / "tariffs.json"
    table.write_text(
        json.dumps([{"sector": "somatic", "valid_from": "2025-01-01", "dkk_per_day": 100, "source": "t"}]),
        encoding="utf-8",
    )
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(BASE), encoding="utf-8")
    code, out, _ = run(["evaluate", str(scenario), "--tariffs", str(table)])
    assert code == 0 and json.loads(out)["billable_amount_dkk"] == 300.0
    code, _, err = run(["evaluate", str(scenario), "--tariffs", str(tmp_path / "none.json")])
    assert code == 2 and "no such file" in err
    table.write_text(json.dumps([{"sector": "somatic"}]), encoding="utf-8")
    code, _, err = run(["evaluate", str(scenario), "--tariffs", str(table)])
    assert code == 1 and "tariffs.json[0].valid_from: required" in err


def test_evaluate_main_is_the_same_contract(tmp_path: Path) -> None:
    out, err = StringIO(), StringIO()
    assert evaluate_main(str(SCENARIOS[0]), out, err) == 0 and json.loads(out.getvalue())["status"]


# --- a property over generated scenarios -----------------------------------------------------------------------

EVENT_KINDS = [
    "ready_for_discharge",
    "treatment_resumed",
    "leave_started",
    "leave_ended",
    "care_plan_sent",
    "phone_contact_logged",
    "correspondence_sent",
    "weekend_discharge_agreed",
    "fmk_updated",
    "terminal_assessed",
]


@settings(max_examples=120, deadline=None)
@given(
    area=st.sampled_from(["somatic", "psychiatric"]),
    track=st.sampled_from(["acute", "planned"]),
    elderly=st.booleans(),
    social=st.booleans(),
    nursing=st.booleans(),
    destination=st.sampled_from(
        ["own_home", "nursing_home", "temporary_bed", "municipal_acute_bed", "other"]
    ),
    stay=st.integers(1, 24 * 12),
    steps=st.lists(st.tuples(st.sampled_from(EVENT_KINDS), st.integers(0, 24 * 12)), max_size=10),
    agreed=st.one_of(st.none(), st.integers(0, 12)),
    after=st.integers(-48, 24 * 5),
)
def test_every_decision_carries_a_source_and_reasons_in_both_languages(
    area: str,
    track: str,
    elderly: bool,
    social: bool,
    nursing: bool,
    destination: str,
    stay: int,
    steps: list[tuple[str, int]],
    agreed: int | None,
    after: int,
) -> None:
    admitted = dt.datetime(2025, 3, 3, 10, 0, tzinfo=CPH)
    end = admitted + dt.timedelta(hours=stay)
    events: list[dict[str, Any]] = [
        {"type": kind, "at": (admitted + dt.timedelta(hours=h)).isoformat(), "to": "hospital"}
        for kind, h in sorted(steps, key=lambda s: s[1])
        if h < stay
    ]
    if agreed is not None:
        events.append(
            {
                "type": "discharge_date_agreed",
                "date": (admitted.date() + dt.timedelta(days=agreed)).isoformat(),
                "counterpart": "Visitator Lene Holm",
                "call_at": admitted.isoformat(),
            }
        )
    data = {
        "at": max(admitted, end + dt.timedelta(hours=after)).isoformat(),
        "citizen": {"elderly_care": elderly, "social_area": social},
        "course": {
            "area": area,
            "track": track,
            "admitted_at": admitted.isoformat(),
            "discharged_at": end.isoformat() if after >= 0 else None,
            "discharge_destination": destination,
            "municipal_nursing_after_discharge": nursing,
            "events": events,
        },
    }
    result = evaluate_scenario(data)
    json.dumps(result)
    for key in (
        "ready_for_discharge",
        "billing",
        "extended_responsibility_72h",
        "responsible_doctor",
        "documents",
    ):
        assert result[key]["sources"], key
        assert result[key]["reasons"] and all(r["da"] and r["en"] for r in result[key]["reasons"]), key
    for item in result["deadlines"] + result["alerts"] + result["tasks"]:
        assert item["source"] and item["text"]["da"] and item["text"]["en"]
    assert 0 <= result["billable_days"] <= result["billing"]["accruing_days"]
    if area == "psychiatric":
        assert result["extended_responsibility_72h"]["applies"] is False
    assert set(result["missing_documents"]) <= set(result["required_documents"])
