"""Mutations of valid MedCom messages, for the tests that try to break ingestion and for
``benchmarks/medcom_mutants.py``. Plain Python, deterministic for a given ``random.Random``.

    rng = random.Random(7)
    raw = mutant(valid_bundle, rng)            # JSON (sometimes XML) bytes of one mutation
    raw = mutant(valid_bundle, rng, "date")    # one kind of mutation

Kinds: delete an element, duplicate one (list item or whole entry), change a value's JSON type, put a partial,
impossible or extreme date into a date field, put unusual Unicode into a string (lone surrogates, control
characters, bidi overrides, combining marks, non-characters, emoji), repeat a key in the JSON text, nest a value
deeply, make a string huge, swap two values, truncate the bytes, and any of these written as XML when the mutated
Bundle can still be written so."""

from __future__ import annotations

import contextlib
import copy
import json
import random
import re
from collections.abc import Callable
from typing import Any

from sektorbro.messaging.medcom import build

Path = tuple[str | int, ...]

DATES = (
    "2026", "2026-02", "2026-02-30", "2026-13-01", "2026-01-01", "2026-01-01T10:00", "2026-01-01T10:00:00",
    "2026-01-01T24:00:00+01:00", "2026-01-01T10:00:00+15:00", "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "0000-01-01T00:00:00Z", "1799-12-31T12:00:00Z",
    "2199-12-31T23:59:59-12:00", "1970-01-01T00:00:00Z", "2026-01-01T10:00:00.123456789+01:00",
    "2026-01-01T10:00:60+01:00", "+2026-01-01", "2026-1-1", " 2026-01-01T10:00:00Z", "", "T10:00:00Z",
)  # fmt: skip
TEXTS = (
    "\ud800", "a\udfffb", "\ud83d", "\u0000", "x\u0001y", "\u001f", "\u007f", "\u202eevil", "\ufeff", "\ufffe",
    "\uffff", "e\u0301\u0301\u0301", "\U0001f600", "\u200b", "\u00a0", "   ", "\t\n", "Æbleø Å", "名前",
    "\u0000" * 3, "<div>", "&amp;", "]]>", "\\", '"', "\U0010ffff",
)  # fmt: skip
OTHER_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, 2**64, "", "0", "true", [], {}, [None], {"": ""}, [[[]]], "null",
)  # fmt: skip
KINDS = (
    "delete", "duplicate", "retype", "date", "unicode", "duplicate-key", "deep", "huge", "swap", "truncate",
    "entry", "xml",
)  # fmt: skip


def paths(data: Any) -> list[Path]:
    """Every element path in ``data`` (object keys and list indexes), parents before children."""
    found: list[Path] = []
    stack: list[tuple[Path, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if path:
            found.append(path)
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return found


def get(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def put(data: Any, path: Path, value: Any) -> None:
    get(data, path[:-1])[path[-1]] = value


def _strings(data: Any) -> list[Path]:
    return [p for p in paths(data) if isinstance(get(data, p), str)]


_DATEISH = re.compile(r"\d{4}-\d{2}")


def _dates(data: Any) -> list[Path]:
    return [p for p in paths(data) if isinstance(get(data, p), str) and _DATEISH.match(get(data, p))]


def _delete(data: Any, rng: random.Random) -> Any:
    path = rng.choice(paths(data))
    parent = get(data, path[:-1])
    del parent[path[-1]]
    return data


def _duplicate(data: Any, rng: random.Random) -> Any:
    lists = [p for p in paths(data) if isinstance(get(data, p), list) and get(data, p)]
    if not lists:
        return _delete(data, rng)
    found = get(data, rng.choice(lists))
    found.insert(rng.randrange(len(found) + 1), copy.deepcopy(rng.choice(found)))
    return data


def _retype(data: Any, rng: random.Random) -> Any:
    put(data, rng.choice(paths(data)), copy.deepcopy(rng.choice(OTHER_VALUES)))
    return data


def _date(data: Any, rng: random.Random) -> Any:
    candidates = _dates(data) or _strings(data)
    put(data, rng.choice(candidates), rng.choice(DATES))
    return data


def _unicode(data: Any, rng: random.Random) -> Any:
    path = rng.choice(_strings(data))
    text = rng.choice(TEXTS)
    old = get(data, path)
    put(data, path, rng.choice((text, old + text, text + old, old[: len(old) // 2] + text)))
    return data


def _deep(data: Any, rng: random.Random) -> bytes:
    """A value wrapped in many arrays or objects (written as text: too deep for ``json.dumps``)."""
    path = rng.choice(paths(data))
    inner = json.dumps(get(data, path), ensure_ascii=True)
    put(data, path, "\u2063DEEP")
    depth = rng.choice((20, 100, 1000, 5000))
    if rng.random() < 0.5:
        nested = "[" * depth + inner + "]" * depth
    else:
        nested = '{"x": ' * depth + inner + "}" * depth
    return _dump(data).replace(b'"\\u2063DEEP"', nested.encode(), 1)


def _huge(data: Any, rng: random.Random, *, largest: int) -> Any:
    path = rng.choice(_strings(data))
    size = rng.choice([1_000, 70_000, largest])
    put(data, path, rng.choice("aØ<&\u00e6") * size)
    return data


def _swap(data: Any, rng: random.Random) -> Any:
    every = paths(data)
    a, b = rng.choice(every), rng.choice(every)
    if a[: len(b)] == b or b[: len(a)] == a:  # one holds the other
        return _retype(data, rng)
    va, vb = get(data, a), get(data, b)
    put(data, a, vb)
    put(data, b, va)
    return data


def _entry(data: Any, rng: random.Random) -> Any:
    """Whole entries: one dropped, repeated, or two swapped."""
    entries = data.get("entry") if isinstance(data, dict) else None
    if not isinstance(entries, list) or len(entries) < 2:
        return _delete(data, rng)
    i, j = rng.randrange(len(entries)), rng.randrange(len(entries))
    match rng.randrange(3):
        case 0:
            del entries[i]
        case 1:
            entries.insert(j, copy.deepcopy(entries[i]))
        case _:
            entries[i], entries[j] = entries[j], entries[i]
    return data


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=True).encode()


def _duplicate_key(data: Any, rng: random.Random) -> bytes:
    """The JSON text with one object naming a key twice (first or second value differing)."""
    text = json.dumps(data, ensure_ascii=True)
    keys = [m.start() for m in re.finditer(r'[{,] "[A-Za-z]+": ', text)]
    if not keys:
        return text.encode()
    at = rng.choice(keys) + 1
    key = re.match(r' "([A-Za-z]+)": ', text[at:])
    assert key is not None
    extra = f' "{key.group(1)}": {json.dumps(rng.choice((*OTHER_VALUES, "x")))},'
    return (text[:at] + extra + text[at:]).encode()


def _truncate(raw: bytes, rng: random.Random) -> bytes:
    return raw[: rng.randrange(0, len(raw))]


MUTATIONS: dict[str, Callable[[Any, random.Random], Any]] = {
    "delete": _delete,
    "duplicate": _duplicate,
    "retype": _retype,
    "date": _date,
    "unicode": _unicode,
    "swap": _swap,
    "entry": _entry,
}


def mutant(
    bundle: dict[str, Any], rng: random.Random, kind: str | None = None, *, largest: int = 3_000_000
) -> bytes:
    """One mutation of ``bundle`` (not changed) as bytes. ``largest``: the longest string a "huge" mutation
    writes (a few MB by default; tests use less)."""
    kind = kind or rng.choice(KINDS)
    data = copy.deepcopy(bundle)
    if kind == "duplicate-key":
        return _duplicate_key(data, rng)
    if kind == "truncate":
        return _truncate(_dump(data), rng)
    if kind == "deep":
        return _deep(data, rng)
    if kind == "huge":
        return _dump(_huge(data, rng, largest=largest))
    if kind == "xml":
        inner = rng.choice(tuple(MUTATIONS))
        changed = MUTATIONS[inner](data, rng)
        with contextlib.suppress(Exception):  # not every mutation can be written as XML
            return build.to_xml(changed).encode("utf-8")
        return _dump(changed)
    return _dump(MUTATIONS[kind](data, rng))
