"""The JSON document of a group's meetings (export and import; see docs/governance.md). Plain Python: parsing
and validation only, no Django. A document that fails validation names the line and the field."""

from __future__ import annotations

import datetime as dt
import json
import json.decoder
import json.scanner
from dataclasses import dataclass, field
from typing import Any

FORMAT = "sektorbro.governance.meetings"
FORMAT_VERSION = 1

GROUP_KINDS = ("committee", "steering_group", "cluster_steering_group", "working_group")
ORGANISATION_KINDS = ("", "municipality", "hospital", "psychiatry", "general_practice", "region")
ATTENDANCE = ("expected", "present", "apologies", "absent")
MEETING_STATUS = ("planned", "held", "published")
ACTION_STATUS = ("open", "done", "cancelled")


class DocumentError(ValueError):
    def __init__(self, message: str, *, field: str, line: int | None) -> None:
        where = f"line {line}: " if line else ""
        super().__init__(f"{where}{field}: {message}")
        self.message = message
        self.field = field
        self.line = line


class _Obj(dict[str, Any]):
    """A JSON object that remembers the line it starts on."""

    line: int = 0


class _LineDecoder(json.JSONDecoder):
    def __init__(self) -> None:
        super().__init__()

        def parse_object(s_and_end: tuple[str, int], *args: Any, **kwargs: Any) -> tuple[Any, int]:
            s, end = s_and_end
            pairs, new_end = json.decoder.JSONObject(s_and_end, *args, **kwargs)  # type: ignore[attr-defined]
            obj = _Obj(pairs)
            obj.line = s.count("\n", 0, end) + 1
            return obj, new_end

        self.parse_object = parse_object
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


def parse(text: str) -> Any:
    try:
        return _LineDecoder().decode(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(exc.msg, field="document", line=exc.lineno) from exc


@dataclass
class _Checker:
    """Reads typed values out of a parsed document, naming path and line on the first problem."""

    errors: list[DocumentError] = field(default_factory=list)

    def fail(self, obj: Any, path: str, message: str) -> DocumentError:
        return DocumentError(message, field=path, line=getattr(obj, "line", None))

    def obj(self, value: Any, path: str, parent: Any) -> _Obj:
        if not isinstance(value, dict):
            raise self.fail(parent, path, "must be an object")
        return value if isinstance(value, _Obj) else _Obj(value)

    def lst(self, obj: Any, key: str, path: str, *, required: bool = False) -> list[Any]:
        if key not in obj:
            if required:
                raise self.fail(obj, f"{path}.{key}".lstrip("."), "is required")
            return []
        value = obj[key]
        if not isinstance(value, list):
            raise self.fail(obj, f"{path}.{key}".lstrip("."), "must be a list")
        return value

    def text(
        self, obj: Any, key: str, path: str, *, required: bool = False, max_length: int | None = None
    ) -> str:
        where = f"{path}.{key}".lstrip(".")
        value = obj.get(key)
        if value is None:
            if required:
                raise self.fail(obj, where, "is required")
            return ""
        if not isinstance(value, str):
            raise self.fail(obj, where, "must be a string")
        if required and not value.strip():
            raise self.fail(obj, where, "must not be empty")
        if max_length is not None and len(value) > max_length:
            raise self.fail(obj, where, f"is longer than {max_length} characters")
        return value

    def choice(self, obj: Any, key: str, path: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(obj, key, path) or default
        if value not in choices:
            raise self.fail(
                obj, f"{path}.{key}".lstrip("."), f"must be one of {', '.join(c for c in choices if c)}"
            )
        return value

    def date(self, obj: Any, key: str, path: str, *, required: bool = False) -> dt.date | None:
        raw = self.text(obj, key, path, required=required)
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise self.fail(obj, f"{path}.{key}".lstrip("."), "must be a date YYYY-MM-DD") from None

    def time(self, obj: Any, key: str, path: str) -> dt.time | None:
        raw = self.text(obj, key, path)
        if not raw:
            return None
        try:
            return dt.time.fromisoformat(raw)
        except ValueError:
            raise self.fail(obj, f"{path}.{key}".lstrip("."), "must be a time HH:MM") from None

    def strings(self, obj: Any, key: str, path: str) -> list[str]:
        values = self.lst(obj, key, path)
        for i, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                raise self.fail(obj, f"{path}.{key}[{i}]".lstrip("."), "must be a non-empty string")
        return values


def validate(doc: Any) -> dict[str, Any]:
    """Check a parsed document and return it in plain, typed form (dates as ``datetime.date``)."""
    c = _Checker()
    root = c.obj(doc, "document", None)
    if root.get("format") != FORMAT:
        raise c.fail(root, "format", f"must be {FORMAT!r}")
    if root.get("format_version") != FORMAT_VERSION:
        raise c.fail(root, "format_version", f"must be {FORMAT_VERSION}")
    if "group" not in root:
        raise c.fail(root, "group", "is required")
    g = c.obj(root["group"], "group", root)
    group = {
        "key": c.text(g, "key", "group", required=True, max_length=80),
        "name": c.text(g, "name", "group", max_length=200),
    }
    meetings = []
    seen_dates: set[tuple[dt.date, str]] = set()
    for mi, raw_meeting in enumerate(c.lst(root, "meetings", "", required=True)):
        mp = f"meetings[{mi}]"
        m = c.obj(raw_meeting, mp, root)
        date = c.date(m, "date", mp, required=True)
        assert date is not None
        title = c.text(m, "title", mp, required=True, max_length=200)
        if (date, title) in seen_dates:
            raise c.fail(m, f"{mp}.date", "the document holds this meeting twice")
        seen_dates.add((date, title))
        participants = []
        for pi, raw_p in enumerate(c.lst(m, "participants", mp)):
            pp = f"{mp}.participants[{pi}]"
            p = c.obj(raw_p, pp, m)
            participants.append(
                {
                    "name": c.text(p, "name", pp, required=True, max_length=200),
                    "title": c.text(p, "title", pp, max_length=200),
                    "organisation": c.text(p, "organisation", pp, max_length=200),
                    "organisation_kind": c.choice(p, "organisation_kind", pp, ORGANISATION_KINDS, ""),
                    "attendance": c.choice(p, "attendance", pp, ATTENDANCE, "expected"),
                    "note": c.text(p, "note", pp, max_length=200),
                }
            )
        items = []
        numbers: set[int] = set()
        for ii, raw_i in enumerate(c.lst(m, "items", mp)):
            ip = f"{mp}.items[{ii}]"
            it = c.obj(raw_i, ip, m)
            number = it.get("number")
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise c.fail(it, f"{ip}.number", "must be a whole number from 1")
            if number in numbers:
                raise c.fail(it, f"{ip}.number", f"item number {number} is used twice")
            numbers.add(number)
            attachments = []
            for ai, raw_a in enumerate(c.lst(it, "attachments", ip)):
                ap = f"{ip}.attachments[{ai}]"
                a = c.obj(raw_a, ap, it)
                attachments.append({"name": c.text(a, "name", ap, required=True, max_length=255)})
            items.append(
                {
                    "number": number,
                    "title": c.text(it, "title", ip, required=True, max_length=300),
                    "presenters": c.text(it, "presenters", ip, max_length=300),
                    "recommendations": c.strings(it, "recommendations", ip),
                    "case": c.text(it, "case", ip),
                    "decision": c.text(it, "decision", ip),
                    "attachments": attachments,
                }
            )
        actions = []
        for xi, raw_x in enumerate(c.lst(m, "action_items", mp)):
            xp = f"{mp}.action_items[{xi}]"
            x = c.obj(raw_x, xp, m)
            item_number = x.get("item")
            if item_number is not None and item_number not in numbers:
                raise c.fail(x, f"{xp}.item", f"there is no agenda item {item_number}")
            actions.append(
                {
                    "item": item_number,
                    "text": c.text(x, "text", xp, required=True),
                    "owner": c.text(x, "owner", xp, required=True, max_length=200),
                    "deadline": c.date(x, "deadline", xp),
                    "deadline_note": c.text(x, "deadline_note", xp, max_length=100),
                    "status": c.choice(x, "status", xp, ACTION_STATUS, "open"),
                    "closing_note": c.text(x, "closing_note", xp),
                }
            )
        meetings.append(
            {
                "date": date,
                "title": title,
                "starts_at": c.time(m, "starts_at", mp),
                "ends_at": c.time(m, "ends_at", mp),
                "location": c.text(m, "location", mp, max_length=200),
                "case_number": c.text(m, "case_number", mp, max_length=60),
                "status": c.choice(m, "status", mp, MEETING_STATUS, "planned"),
                "participants": participants,
                "items": items,
                "action_items": actions,
                "line": m.line,
            }
        )
    return {"group": group, "meetings": meetings}


def load(text: str) -> dict[str, Any]:
    return validate(parse(text))
