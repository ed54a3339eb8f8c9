"""The flowchart's data files: they load, every step is complete in both languages and cites a source, and a
malformed file is refused with the file, the step and the field named."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sektorbro.flowchart import steps
from sektorbro.flowchart.content import (
    CHART_FILES,
    DATA_DIR,
    FlowchartDataError,
    Text,
    get_flowchart,
    load_flowchart,
)


def _texts(value: Any) -> list[Text]:
    return [value] if isinstance(value, Text) else []


def test_the_installed_files_load() -> None:
    flowchart = load_flowchart()
    assert [c.id for c in flowchart.charts] == ["somatic_planned", "somatic_acute", "psychiatric"]
    assert [c.slug for c in flowchart.charts] == ["planlagt", "akut", "psykiatri"]
    assert [p.number for p in flowchart.principles] == [1, 2, 3, 4, 5, 6]
    assert [lane.id for lane in flowchart.lanes] == [
        "citizen",
        "gp",
        "hospital",
        "municipality",
        "regional_social",
    ]


@pytest.mark.parametrize("chart_id", ["somatic_planned", "somatic_acute", "psychiatric"])
def test_every_step_has_both_languages_a_source_and_honest_markers(chart_id: str) -> None:
    chart = load_flowchart().chart(chart_id)
    assert [lane.id for lane in chart.lanes] == [
        "citizen",
        "gp",
        "hospital",
        "municipality",
        "regional_social",
    ]
    for step in chart.steps:
        texts = [step.title, step.summary, step.recovery.label, step.recovery.explanation]
        for action in step.actions:
            texts += [action.short, action.text, action.lane.title]
        texts += [d.text for d in step.deadlines] + [d.name for d in step.documents]
        texts += [s.label for s in step.sources] + [p.title for p in step.principles]
        texts += _texts(step.gap_note)
        for text in texts:
            assert text.da.strip() and text.en.strip(), (chart_id, step.id)
            assert text.da != text.en or len(text.da) < 12, f"{chart_id} {step.id}: untranslated {text.da!r}"
        assert step.sources, step.id
        if step.recovery.id != "complete":
            assert step.gap_note is not None, step.id
        for deadline in step.deadlines:
            assert deadline.rule is None or deadline.rule[0] in "PAS"


def test_the_steps_follow_the_recovered_flowchart() -> None:
    planned = load_flowchart().chart("somatic_planned")
    status = {s.id: s.recovery.id for s in planned.steps}
    assert status["2-0"] == status["2-2"] == status["2-3"] == status["2-6"] == "complete"
    assert status["2-4"] == status["2-5"] == "cut_off"
    assert status["2-1"] == "not_recovered"
    assert planned.step("2-1") is not None and planned.step("2-1").is_gap  # type: ignore[union-attr]
    acute = load_flowchart().chart("somatic_acute")
    assert [s.id for s in acute.steps if s.recovery.id == "complete"] == ["1-40"]
    assert {d.rule for d in acute.step("1-40").deadlines} == {"A01", "A02", "A03", "A04", "A05", "A06"}  # type: ignore[union-attr]
    psychiatric = load_flowchart().chart("psychiatric")
    assert psychiatric.track is None
    assert {s.recovery.id for s in psychiatric.steps} == {"not_recovered"}
    assert all(any(src.type == "annex" for src in s.sources) for s in psychiatric.steps)


def test_every_rule_of_the_flowchart_is_explained_somewhere() -> None:
    rules = {d.rule for c in load_flowchart().charts for s in c.steps for d in s.deadlines if d.rule}
    expected = (
        {f"P{n:02d}" for n in range(1, 26)} | {f"A{n:02d}" for n in range(1, 7)} | {"S01", "S02", "S03"}
    )
    assert expected <= rules


@pytest.mark.parametrize("chart_id", ["somatic_planned", "somatic_acute", "psychiatric"])
def test_the_step_ids_that_mark_you_are_here_exist(chart_id: str) -> None:
    chart = load_flowchart().chart(chart_id)
    assert tuple(s.id for s in chart.steps) == steps.step_ids(chart_id)
    assert steps.reachable_step_ids(chart_id) <= {s.id for s in chart.steps}


def test_the_system_check_is_clean() -> None:
    from sektorbro.flowchart.apps import check_flowchart_content

    assert check_flowchart_content() == []


# --------------------------------------------------------------------------------------------------------------
# Malformed files
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(directory: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = directory / name
    payload = json.loads(path.read_text(encoding="utf-8"))
    change(payload)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def _step(payload: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in payload["steps"] if s["id"] == step_id)


CASES: list[tuple[str, str, Callable[[dict[str, Any]], None], list[str]]] = [
    (
        "missing English title",
        "somatic_planned.json",
        lambda p: _step(p, "2-4")["title"].pop("en"),
        ["somatic_planned.json", "step '2-4'", "'title.en'", "da and en"],
    ),
    (
        "no source",
        "somatic_acute.json",
        lambda p: _step(p, "1-40").update(sources=[]),
        ["somatic_acute.json", "step '1-40'", "'sources'", "at least 1"],
    ),
    (
        "unknown lane",
        "psychiatric.json",
        lambda p: _step(p, "inddragelse")["actions"][0].update(lane="pharmacy"),
        ["psychiatric.json", "step 'inddragelse'", "'actions[0].lane'", "'pharmacy'"],
    ),
    (
        "misspelt field",
        "somatic_planned.json",
        lambda p: _step(p, "2-0").update(titel={"da": "x", "en": "x"}),
        ["somatic_planned.json", "step '2-0'", "'titel'", "not a known field"],
    ),
    (
        "unknown document",
        "somatic_planned.json",
        lambda p: _step(p, "2-2")["documents"].append("fax"),
        ["step '2-2'", "'documents[2]'", "'fax'"],
    ),
    (
        "principle 7",
        "somatic_acute.json",
        lambda p: _step(p, "henvisning")["principles"].append(7),
        ["step 'henvisning'", "'principles[3]'", "1-6"],
    ),
    (
        "malformed rule id",
        "somatic_planned.json",
        lambda p: _step(p, "2-2")["deadlines"][1].update(rule="P4"),
        ["step '2-2'", "'deadlines[1].rule'", "'P4'"],
    ),
    (
        "cut-off page without a note",
        "somatic_planned.json",
        lambda p: _step(p, "2-5").pop("gap_note"),
        ["step '2-5'", "'gap_note'", "required"],
    ),
    (
        "two steps in one column",
        "somatic_planned.json",
        lambda p: _step(p, "2-3").update(order=1),
        ["step '2-3'", "'order'", "'2-0'"],
    ),
    (
        "duplicate step id",
        "somatic_acute.json",
        lambda p: _step(p, "udskrivelsesdag").update(id="1-40"),
        ["somatic_acute.json", "step '1-40'", "'id'", "twice"],
    ),
    (
        "reserved slug",
        "psychiatric.json",
        lambda p: p.update(slug="forloeb"),
        ["psychiatric.json", "'slug'", "reserved"],
    ),
    (
        "empty Danish text in common.json",
        "common.json",
        lambda p: p["lanes"][2]["title"].update(da=" "),
        ["common.json", "lanes[2]", "'title.da'"],
    ),
    (
        "flowchart source that is not a page",
        "somatic_planned.json",
        lambda p: _step(p, "2-0")["sources"][0].update(ref="page two"),
        ["step '2-0'", "'sources[0].ref'", "'page two'"],
    ),
]


@pytest.mark.parametrize(("name", "file", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_file_names_the_file_step_and_field(
    data_copy: Path, name: str, file: str, change: Callable[[dict[str, Any]], None], expected: list[str]
) -> None:
    _edit(data_copy, file, change)
    with pytest.raises(FlowchartDataError) as raised:
        load_flowchart(data_copy)
    message = str(raised.value)
    for part in expected:
        assert part in message, message


def test_invalid_json_names_the_file_and_line(data_copy: Path) -> None:
    path = data_copy / "somatic_acute.json"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].rstrip(",")  # drop a comma
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FlowchartDataError, match=r"somatic_acute\.json: is not valid JSON \(line \d+"):
        load_flowchart(data_copy)


def test_a_missing_file_is_named(data_copy: Path) -> None:
    (data_copy / CHART_FILES[2]).unlink()
    with pytest.raises(FlowchartDataError, match=r"psychiatric\.json: cannot be read"):
        load_flowchart(data_copy)


def test_the_content_is_cached_until_a_file_changes(data_copy: Path) -> None:
    first = get_flowchart(data_copy)
    assert get_flowchart(data_copy) is first
    path = data_copy / "somatic_planned.json"
    _edit(data_copy, "somatic_planned.json", lambda p: _step(p, "2-0")["title"].update(da="Ny titel"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    revised = get_flowchart(data_copy)
    assert revised is not first
    assert revised.chart("somatic_planned").steps[0].title.da == "Ny titel"


def test_a_broken_revision_keeps_the_last_valid_content(
    data_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = get_flowchart(data_copy)
    path = data_copy / "somatic_acute.json"
    path.write_text("{ not json", encoding="utf-8")
    with caplog.at_level("ERROR"):
        assert get_flowchart(data_copy) is good
    assert "still showing the last valid version" in caplog.text
    assert "somatic_acute.json: is not valid JSON" in caplog.text
    never_valid = data_copy.parent / "never-valid"
    shutil.copytree(data_copy, never_valid)
    with pytest.raises(FlowchartDataError):
        get_flowchart(never_valid)


def test_the_check_command_reports_ok_and_invalid(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import CommandError, call_command

    call_command("flowchart", "check", "--dir", str(data_copy))
    assert "OK somatic_planned.json: 10 steps, 6 from recovered flowchart pages" in capsys.readouterr().out
    _edit(data_copy, "somatic_planned.json", lambda p: _step(p, "2-6")["summary"].pop("da"))
    with pytest.raises(CommandError, match=r"INVALID somatic_planned\.json: step '2-6': field 'summary\.da'"):
        call_command("flowchart", "check", "--dir", str(data_copy))
