"""The flowchart's content: read, validated and cached from the JSON files in ``data/``.

The secretariat revises the texts in the data files, never in templates (``docs/flowchart.md``):

- ``common.json``: the swimlanes, the agreement's six principles, the documents, how sources and rule ids
  are shown, and what the recovery markers mean;
- one file per chart (``somatic_planned.json``, ``somatic_acute.json``, ``psychiatric.json``) with its steps.

:func:`load_flowchart` validates everything and raises :class:`FlowchartDataError` naming the file, the step
and the field at the first problem; :func:`get_flowchart` caches the result and reloads when a file changes.
No Django import: the loader is also used by ``sektorbro flowchart check`` and by the system check.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
DATA_DIR = Path(__file__).resolve().parent / "data"
COMMON_FILE = "common.json"
CHART_FILES = ("somatic_planned.json", "somatic_acute.json", "psychiatric.json")
FORMAT_VERSION = 1
LANGUAGES = ("da", "en")
RECOVERY = ("complete", "cut_off", "not_recovered")
SOURCE_TYPES = ("agreement", "annex", "flowchart", "rule")
RESERVED_SLUGS = frozenset({"forloeb"})

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE = re.compile(r"^[PAS]\d{2}$")
_FLOWCHART_PAGE = re.compile(r"^[12]-\d{1,2}$")
_MAX_SHORT = 60


class FlowchartDataError(ValueError):
    """A data file is malformed. The message names the file, where in it (step) and the field."""

    def __init__(self, file: str, where: str, field: str, problem: str) -> None:
        self.file = file
        self.where = where
        self.field = field
        self.problem = problem
        location = f"{file}: {where}: " if where else f"{file}: "
        super().__init__(f"{location}field '{field}': {problem}" if field else f"{location}{problem}")


@dataclass(frozen=True)
class Text:
    """One text in both languages; ``get`` picks by a language code (Danish unless it starts with 'en')."""

    da: str
    en: str

    def get(self, language: str | None) -> str:
        return self.en if (language or "da").lower().startswith("en") else self.da


@dataclass(frozen=True)
class Lane:
    id: str
    title: Text


@dataclass(frozen=True)
class Source:
    type: str
    ref: str
    label: Text
    note: Text | None = None


@dataclass(frozen=True)
class Principle:
    number: int
    title: Text
    summary: Text
    source: Source


@dataclass(frozen=True)
class Document:
    id: str
    name: Text
    note: Text | None = None


@dataclass(frozen=True)
class Recovery:
    id: str
    label: Text
    explanation: Text


@dataclass(frozen=True)
class Action:
    lane: Lane
    short: Text
    text: Text


@dataclass(frozen=True)
class Deadline:
    rule: str | None
    text: Text
    rule_kind: Text | None


@dataclass(frozen=True)
class Step:
    id: str
    chart_id: str
    order: int
    title: Text
    summary: Text
    recovery: Recovery
    gap_note: Text | None
    actions: tuple[Action, ...]
    documents: tuple[Document, ...]
    deadlines: tuple[Deadline, ...]
    principles: tuple[Principle, ...]
    sources: tuple[Source, ...]

    @property
    def lanes(self) -> tuple[Lane, ...]:
        return tuple(action.lane for action in self.actions)

    @property
    def is_gap(self) -> bool:
        """A step whose content is unknown: drawn across all lanes."""
        return not self.actions

    def action_for(self, lane_id: str) -> Action | None:
        return next((a for a in self.actions if a.lane.id == lane_id), None)


@dataclass(frozen=True)
class Chart:
    id: str
    slug: str
    area: str
    track: str | None
    title: Text
    intro: Text
    gaps: Text
    lanes: tuple[Lane, ...]
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def neighbours(self, step: Step) -> tuple[Step | None, Step | None]:
        index = self.steps.index(step)
        before = self.steps[index - 1] if index > 0 else None
        after = self.steps[index + 1] if index + 1 < len(self.steps) else None
        return before, after

    @property
    def recovered_count(self) -> int:
        """Steps based on a recovered page of the original flowchart (complete or cut off)."""
        return sum(1 for s in self.steps if s.recovery.id != "not_recovered")


@dataclass(frozen=True)
class Flowchart:
    charts: tuple[Chart, ...]
    lanes: tuple[Lane, ...]
    principles: tuple[Principle, ...]
    documents: tuple[Document, ...]
    recovery: tuple[Recovery, ...]
    rule_kinds: tuple[tuple[str, Text], ...]

    def chart(self, chart_id: str) -> Chart:
        return next(c for c in self.charts if c.id == chart_id)

    def chart_by_slug(self, slug: str) -> Chart | None:
        return next((c for c in self.charts if c.slug == slug), None)


# --------------------------------------------------------------------------------------------------------------
# Reading with precise errors
# --------------------------------------------------------------------------------------------------------------


class _Reader:
    """Field access on one JSON object that reports the file, the place and the dotted field name."""

    def __init__(self, file: str, where: str, obj: Any, prefix: str = "") -> None:
        self.file = file
        self.where = where
        self.prefix = prefix
        if not isinstance(obj, dict):
            raise FlowchartDataError(file, where, prefix.rstrip("."), "must be an object ({...})")
        self.obj: dict[str, Any] = obj

    def fail(self, field: str, problem: str) -> FlowchartDataError:
        return FlowchartDataError(self.file, self.where, self.prefix + field, problem)

    def only(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        allowed = {*required, *optional}
        for key in self.obj:
            if key not in allowed:
                raise self.fail(key, f"is not a known field (allowed: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in self.obj:
                raise self.fail(key, "is missing")

    def child(self, field: str) -> _Reader:
        return _Reader(self.file, self.where, self.obj.get(field), f"{self.prefix}{field}.")

    def string(self, field: str, pattern: re.Pattern[str] | None = None) -> str:
        value = self.obj.get(field)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "must be a non-empty text")
        if pattern is not None and not pattern.match(value):
            raise self.fail(field, f"{value!r} does not have the expected form ({pattern.pattern})")
        return value

    def integer(self, field: str, low: int, high: int | None = None) -> int:
        value = self.obj.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
            bound = f"{low}..{high}" if high else f">= {low}"
            raise self.fail(field, f"must be a whole number {bound}, not {value!r}")
        return value

    def listing(self, field: str, *, min_items: int = 0) -> list[Any]:
        value = self.obj.get(field)
        if not isinstance(value, list):
            raise self.fail(field, "must be a list ([...])")
        if len(value) < min_items:
            raise self.fail(field, f"needs at least {min_items} item(s)")
        return value

    def text(self, field: str, *, max_length: int | None = None) -> Text:
        if field not in self.obj:
            raise self.fail(field, "is missing")
        value = self.obj[field]
        if not isinstance(value, dict):
            raise self.fail(field, 'must be an object with both languages: {"da": "...", "en": "..."}')
        for key in value:
            if key not in LANGUAGES:
                raise self.fail(f"{field}.{key}", "is not a language of the platform (da, en)")
        for language in LANGUAGES:
            item = value.get(language)
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{field}.{language}", "is missing or empty (every text needs da and en)")
            if max_length is not None and len(item) > max_length:
                raise self.fail(f"{field}.{language}", f"is longer than {max_length} characters")
        return Text(da=value["da"].strip(), en=value["en"].strip())

    def optional_text(self, field: str) -> Text | None:
        return self.text(field) if self.obj.get(field) is not None else None


def _read_json(directory: Path, name: str) -> Any:
    path = directory / name
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FlowchartDataError(name, "", "", f"cannot be read: {exc.strerror or exc}") from exc
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FlowchartDataError(
            name, "", "", f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc


@dataclass(frozen=True)
class _Common:
    lanes: dict[str, Lane]
    principles: dict[int, Principle]
    documents: dict[str, Document]
    recovery: dict[str, Recovery]
    rule_kinds: dict[str, Text]
    source_types: dict[str, Text]
    source_parts: dict[str, Text]


def _format(template: Text, **values: Any) -> Text:
    return Text(da=template.da.format(**values), en=template.en.format(**values))


def _source(reader: _Reader, common_parts: tuple[dict[str, Text], dict[str, Text]]) -> Source:
    types, parts = common_parts
    reader.only(["type", "ref"], ["principle", "footnote", "note"])
    kind = reader.string("type")
    if kind not in SOURCE_TYPES:
        raise reader.fail("type", f"{kind!r} is not one of {', '.join(SOURCE_TYPES)}")
    ref = reader.string("ref")
    if kind == "flowchart" and not _FLOWCHART_PAGE.match(ref):
        raise reader.fail("ref", f"{ref!r} is not a flowchart page number such as '2-4' or '1-40'")
    if kind == "rule" and not _RULE.match(ref):
        raise reader.fail("ref", f"{ref!r} is not a rule id such as 'P04', 'A02' or 'S01'")
    label = _format(types[kind], ref=ref)
    for part in ("principle", "footnote"):
        if part in reader.obj:
            number = reader.integer(part, 1, 6 if part == "principle" else 99)
            suffix = _format(parts[part], n=number)
            label = Text(da=label.da + suffix.da, en=label.en + suffix.en)
    return Source(type=kind, ref=ref, label=label, note=reader.optional_text("note"))


def _read_common(directory: Path) -> _Common:
    name = COMMON_FILE
    root = _Reader(name, "", _read_json(directory, name))
    root.only(
        [
            "format",
            "lanes",
            "principles",
            "documents",
            "recovery",
            "rule_kinds",
            "source_types",
            "source_parts",
        ],
        ["about"],
    )
    if root.obj["format"] != FORMAT_VERSION:
        raise root.fail("format", f"must be {FORMAT_VERSION}")
    types_reader = root.child("source_types")
    types_reader.only(SOURCE_TYPES)
    source_types = {kind: types_reader.text(kind) for kind in SOURCE_TYPES}
    for kind, template in source_types.items():
        if "{ref}" not in template.da or "{ref}" not in template.en:
            raise types_reader.fail(kind, "both languages must contain the placeholder {ref}")
    parts_reader = root.child("source_parts")
    parts_reader.only(["principle", "footnote"])
    source_parts = {part: parts_reader.text(part) for part in ("principle", "footnote")}
    for part, template in source_parts.items():
        if "{n}" not in template.da or "{n}" not in template.en:
            raise parts_reader.fail(part, "both languages must contain the placeholder {n}")
    templates = (source_types, source_parts)

    lanes: dict[str, Lane] = {}
    for index, item in enumerate(root.listing("lanes", min_items=1)):
        reader = _Reader(name, f"lanes[{index}]", item)
        reader.only(["id", "title"])
        lane_id = reader.string("id", _ID)
        if lane_id in lanes:
            raise reader.fail("id", f"{lane_id!r} appears twice")
        lanes[lane_id] = Lane(id=lane_id, title=reader.text("title", max_length=_MAX_SHORT))

    principles: dict[int, Principle] = {}
    for index, item in enumerate(root.listing("principles", min_items=6)):
        reader = _Reader(name, f"principles[{index}]", item)
        reader.only(["number", "title", "summary", "source"])
        number = reader.integer("number", 1, 6)
        if number in principles:
            raise reader.fail("number", f"{number} appears twice")
        principles[number] = Principle(
            number=number,
            title=reader.text("title"),
            summary=reader.text("summary"),
            source=_source(reader.child("source"), templates),
        )
    if sorted(principles) != [1, 2, 3, 4, 5, 6]:
        raise root.fail("principles", "must list the agreement's principles 1 to 6 once each")

    documents: dict[str, Document] = {}
    for index, item in enumerate(root.listing("documents", min_items=1)):
        reader = _Reader(name, f"documents[{index}]", item)
        reader.only(["id", "name"], ["note"])
        doc_id = reader.string("id", _ID)
        if doc_id in documents:
            raise reader.fail("id", f"{doc_id!r} appears twice")
        documents[doc_id] = Document(id=doc_id, name=reader.text("name"), note=reader.optional_text("note"))

    recovery_reader = root.child("recovery")
    recovery_reader.only(RECOVERY)
    recovery: dict[str, Recovery] = {}
    for key in RECOVERY:
        item_reader = recovery_reader.child(key)
        item_reader.only(["label", "explanation"])
        recovery[key] = Recovery(
            id=key,
            label=item_reader.text("label", max_length=_MAX_SHORT),
            explanation=item_reader.text("explanation"),
        )

    kinds_reader = root.child("rule_kinds")
    kinds_reader.only(["P", "A", "S"])
    rule_kinds = {prefix: kinds_reader.text(prefix) for prefix in ("P", "A", "S")}
    return _Common(lanes, principles, documents, recovery, rule_kinds, source_types, source_parts)


def _read_step(
    name: str, chart_id: str, index: int, item: Any, chart_lanes: Mapping[str, Lane], common: _Common
) -> Step:
    label = f"step '{item.get('id')}'" if isinstance(item, dict) and isinstance(item.get("id"), str) else ""
    reader = _Reader(name, label or f"steps[{index}]", item)
    reader.only(
        [
            "id",
            "order",
            "title",
            "summary",
            "recovery",
            "actions",
            "documents",
            "deadlines",
            "principles",
            "sources",
        ],
        ["gap_note"],
    )
    step_id = reader.string("id", _SLUG)
    recovery_id = reader.string("recovery")
    if recovery_id not in common.recovery:
        raise reader.fail("recovery", f"{recovery_id!r} is not one of {', '.join(RECOVERY)}")
    gap_note = reader.optional_text("gap_note")
    if recovery_id != "complete" and gap_note is None:
        raise reader.fail("gap_note", "is required when the step is not based on a complete flowchart page")

    actions: list[Action] = []
    for action_index, action_item in enumerate(reader.listing("actions")):
        action = _Reader(name, reader.where, action_item, f"actions[{action_index}].")
        action.only(["lane", "short", "text"])
        lane_id = action.string("lane")
        if lane_id not in chart_lanes:
            raise action.fail("lane", f"{lane_id!r} is not a lane of this chart ({', '.join(chart_lanes)})")
        if any(a.lane.id == lane_id for a in actions):
            raise action.fail("lane", f"{lane_id!r} has two actions in the same step")
        actions.append(
            Action(
                lane=chart_lanes[lane_id],
                short=action.text("short", max_length=_MAX_SHORT),
                text=action.text("text"),
            )
        )
    if not actions and recovery_id != "not_recovered":
        raise reader.fail("actions", "needs at least one party (only a not-recovered step may have none)")

    documents: list[Document] = []
    for doc_index, doc_id in enumerate(reader.listing("documents")):
        if doc_id not in common.documents:
            raise reader.fail(
                f"documents[{doc_index}]", f"{doc_id!r} is not a document listed in {COMMON_FILE}"
            )
        documents.append(common.documents[doc_id])

    deadlines: list[Deadline] = []
    for deadline_index, deadline_item in enumerate(reader.listing("deadlines")):
        deadline = _Reader(name, reader.where, deadline_item, f"deadlines[{deadline_index}].")
        deadline.only(["rule", "text"])
        rule = deadline.obj["rule"]
        if rule is not None:
            rule = deadline.string("rule", _RULE)
        deadlines.append(
            Deadline(
                rule=rule,
                text=deadline.text("text"),
                rule_kind=common.rule_kinds[rule[0]] if rule else None,
            )
        )

    principles: list[Principle] = []
    for principle_index, number in enumerate(reader.listing("principles")):
        if isinstance(number, bool) or number not in common.principles:
            raise reader.fail(f"principles[{principle_index}]", f"{number!r} is not a principle number 1-6")
        if common.principles[number] in principles:
            raise reader.fail(f"principles[{principle_index}]", f"principle {number} appears twice")
        principles.append(common.principles[number])

    sources = [
        _source(
            _Reader(name, reader.where, source_item, f"sources[{source_index}]."),
            (common.source_types, common.source_parts),
        )
        for source_index, source_item in enumerate(reader.listing("sources", min_items=1))
    ]

    return Step(
        id=step_id,
        chart_id=chart_id,
        order=reader.integer("order", 1),
        title=reader.text("title"),
        summary=reader.text("summary"),
        recovery=common.recovery[recovery_id],
        gap_note=gap_note,
        actions=tuple(actions),
        documents=tuple(documents),
        deadlines=tuple(deadlines),
        principles=tuple(principles),
        sources=tuple(sources),
    )


def _read_chart(directory: Path, name: str, common: _Common) -> Chart:
    root = _Reader(name, "", _read_json(directory, name))
    root.only(
        ["format", "id", "slug", "area", "track", "title", "intro", "gaps", "lanes", "steps"], ["about"]
    )
    if root.obj["format"] != FORMAT_VERSION:
        raise root.fail("format", f"must be {FORMAT_VERSION}")
    chart_id = root.string("id", _ID)
    if chart_id != Path(name).stem:
        raise root.fail("id", f"must be the file name without .json ({Path(name).stem!r})")
    slug = root.string("slug", _SLUG)
    if slug in RESERVED_SLUGS:
        raise root.fail("slug", f"{slug!r} is reserved for another page")
    area = root.string("area")
    if area not in ("somatic", "psychiatric"):
        raise root.fail("area", "must be 'somatic' or 'psychiatric'")
    track = root.obj["track"]
    if track is not None and track not in ("acute", "planned"):
        raise root.fail("track", "must be 'acute', 'planned' or null (one chart for both)")

    lanes: dict[str, Lane] = {}
    for lane_index, lane_id in enumerate(root.listing("lanes", min_items=1)):
        if lane_id not in common.lanes:
            raise root.fail(f"lanes[{lane_index}]", f"{lane_id!r} is not a lane listed in {COMMON_FILE}")
        if lane_id in lanes:
            raise root.fail(f"lanes[{lane_index}]", f"{lane_id!r} appears twice")
        lanes[lane_id] = common.lanes[lane_id]

    steps: list[Step] = []
    for index, item in enumerate(root.listing("steps", min_items=1)):
        step = _read_step(name, chart_id, index, item, lanes, common)
        for other in steps:
            if other.id == step.id:
                raise FlowchartDataError(name, f"step '{step.id}'", "id", "appears twice in the chart")
            if other.order == step.order:
                raise FlowchartDataError(
                    name, f"step '{step.id}'", "order", f"{step.order} is already used by step '{other.id}'"
                )
        steps.append(step)
    steps.sort(key=lambda s: s.order)
    return Chart(
        id=chart_id,
        slug=slug,
        area=area,
        track=track,
        title=root.text("title"),
        intro=root.text("intro"),
        gaps=root.text("gaps"),
        lanes=tuple(lanes.values()),
        steps=tuple(steps),
    )


def load_flowchart(directory: Path = DATA_DIR) -> Flowchart:
    """Read and validate every data file in ``directory``; raise :class:`FlowchartDataError` on a problem."""
    common = _read_common(directory)
    charts: list[Chart] = []
    for name in CHART_FILES:
        chart = _read_chart(directory, name, common)
        for other in charts:
            if other.slug == chart.slug:
                raise FlowchartDataError(
                    name, "", "slug", f"{chart.slug!r} is already used by {other.id}.json"
                )
        charts.append(chart)
    return Flowchart(
        charts=tuple(charts),
        lanes=tuple(common.lanes.values()),
        principles=tuple(common.principles[n] for n in sorted(common.principles)),
        documents=tuple(common.documents.values()),
        recovery=tuple(common.recovery.values()),
        rule_kinds=tuple(common.rule_kinds.items()),
    )


def _signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    result = []
    for name in (COMMON_FILE, *CHART_FILES):
        try:
            stat = (directory / name).stat()
        except OSError:
            result.append((name, -1, -1))
        else:
            result.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(result)


@functools.lru_cache(maxsize=4)
def _cached(directory: Path, signature: tuple[tuple[str, int, int], ...]) -> Flowchart:
    return load_flowchart(directory)


_last_good: dict[Path, Flowchart] = {}


def get_flowchart(directory: Path = DATA_DIR) -> Flowchart:
    """The validated content, cached until one of the files changes (a revision needs no restart).

    If a revised file is malformed, the last valid content stays on the pages and the error is logged; with no
    valid content at all the error is raised. ``sektorbro flowchart check`` shows the error before that."""
    try:
        flowchart = _cached(directory, _signature(directory))
    except FlowchartDataError:
        previous = _last_good.get(directory)
        if previous is None:
            raise
        logger.exception("The flowchart data files are invalid; still showing the last valid version")
        return previous
    _last_good[directory] = flowchart
    return flowchart
