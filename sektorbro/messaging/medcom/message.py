"""Reading a MedCom message: JSON or XML bytes -> the Bundle in FHIR JSON form, with an index of its resources.

Nothing here raises on bad input: every problem becomes a ``ValidationIssue`` (``mc-parse``, ``mc-size``,
``mc-fhir-structure``)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sektorbro.messaging.medcom import fhirjson
from sektorbro.messaging.medcom.issues import ValidationIssue
from sektorbro.messaging.medcom.terminology import SUPPORTED_EVENTS

MAX_BYTES = 100 * 1024 * 1024  # a message in its VANS envelope must not exceed 100 MB
_HISTORY = re.compile(r"/_history/[^/]*$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot carry (control characters other than tab and line breaks)."""
    return _NOT_XML.sub("", text)


def d(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (rules read malformed input without raising)."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    """The JSON objects in ``value`` if it is an array, else none."""
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def strings(value: Any) -> list[str]:
    """The strings in ``value`` if it is an array, else none."""
    return [x for x in value if isinstance(x, str)] if isinstance(value, list) else []


def s(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_instant(value: Any) -> dt.datetime | None:
    """A timezone-aware datetime for a FHIR dateTime/instant with time and zone, else None."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None or not fhirjson.FIRST_YEAR <= parsed.year <= fhirjson.LAST_YEAR:
        return None  # the validator rejects such a time (mc-timestamp-zone, mc-timestamp-range)
    return parsed


def tail(reference: str) -> str:
    """``Type/id`` of a relative or absolute reference (``https://x/fhir/Patient/1`` -> ``Patient/1``)."""
    ref = _HISTORY.sub("", reference.strip())
    if ref.startswith("urn:uuid:") or ref.startswith("urn:oid:"):
        return ref
    parts = ref.rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else ref


def reference_id(reference: Any, resource_type: str | None = None) -> str | None:
    """The id in a reference such as ``MessageHeader/abc`` (or an absolute URL ending so); None if the reference
    is not of ``resource_type``."""
    if not isinstance(reference, str) or not reference:
        return None
    kind, _, rid = tail(reference).rpartition("/")
    if not rid or (resource_type is not None and kind != resource_type):
        return None
    return rid


@dataclass(eq=False)
class ParsedMessage:
    """A message as read: the Bundle in FHIR JSON form (None if it could not be read) and the issues so far."""

    bundle: dict[str, Any] | None
    content_type: str  # "json", "xml" or "" (unknown)
    issues: list[ValidationIssue] = field(default_factory=list)
    size: int = 0
    _by_url: dict[str, dict[str, Any]] | None = field(default=None, repr=False)
    _by_key: dict[str, dict[str, Any]] | None = field(default=None, repr=False)
    _entries: list[tuple[str | None, dict[str, Any]]] | None = field(default=None, repr=False)

    # --- outcome ---
    @property
    def errors(self) -> list[ValidationIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[ValidationIssue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def valid(self) -> bool:
        return self.bundle is not None and not any(i.severity == "error" for i in self.issues)

    # --- content ---
    def entries(self) -> list[tuple[str | None, dict[str, Any]]]:
        """(fullUrl, resource) for every entry that holds a resource object, in Bundle order."""
        if self._entries is None:
            found: list[tuple[str | None, dict[str, Any]]] = []
            for entry in items(d(self.bundle).get("entry")):
                resource = entry.get("resource")
                if isinstance(resource, dict):
                    found.append((s(entry.get("fullUrl")), resource))
            self._entries = found
        return self._entries

    def resources(self, resource_type: str | None = None) -> list[dict[str, Any]]:
        return [
            r for _, r in self.entries() if resource_type is None or r.get("resourceType") == resource_type
        ]

    def _first_entry(self) -> dict[str, Any]:
        entries = d(self.bundle).get("entry")
        return d(entries[0]) if isinstance(entries, list) and entries else {}

    def header(self) -> dict[str, Any] | None:
        """The MessageHeader, if it is the first entry (as FHIR messaging requires)."""
        first = d(self._first_entry().get("resource"))
        return first if first.get("resourceType") == "MessageHeader" else None

    def header_full_url(self) -> str | None:
        return s(self._first_entry().get("fullUrl"))

    @property
    def event(self) -> str | None:
        return s(d(d(self.header()).get("eventCoding")).get("code"))

    @property
    def standard(self) -> str | None:
        """'HospitalNotification', 'CareCommunication', 'Acknowledgement', 'Messaging' or None."""
        event = self.event
        return SUPPORTED_EVENTS.get(event) if event else None

    @property
    def message_id(self) -> str | None:
        return s(d(self.header()).get("id"))

    def _index(self) -> None:
        by_url: dict[str, dict[str, Any]] = {}
        by_key: dict[str, dict[str, Any]] = {}
        for url, resource in self.entries():
            kind, rid = resource.get("resourceType"), resource.get("id")
            if isinstance(kind, str) and isinstance(rid, str):
                by_key.setdefault(f"{kind}/{rid}", resource)
            if url:
                by_url.setdefault(url, resource)
        self._by_url, self._by_key = by_url, by_key

    def resolve(self, reference: Any) -> dict[str, Any] | None:
        """The resource a reference points at inside the Bundle (by fullUrl, then by type and id)."""
        if not isinstance(reference, str) or not reference or reference.startswith("#"):
            return None
        if self._by_url is None or self._by_key is None:
            self._index()
        assert self._by_url is not None and self._by_key is not None
        return self._by_url.get(reference) or self._by_key.get(reference) or self._by_key.get(tail(reference))

    def resolve_ref(self, value: Any) -> dict[str, Any] | None:
        """Resolve a FHIR Reference object (``{"reference": ...}``)."""
        return self.resolve(d(value).get("reference"))


def parse_message(raw: bytes | str) -> ParsedMessage:
    """Read JSON or XML into FHIR JSON form. Never raises: unreadable input gives an ``mc-parse`` issue."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    size = len(raw)
    if size > MAX_BYTES:
        return ParsedMessage(
            None,
            "",
            [ValidationIssue("Bundle", "Bundle", "mc-size", f"the message is larger than {MAX_BYTES} bytes")],
            size,
        )
    text = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    first = text[:1]
    if first in (b"{", b"["):
        return _parse_json(text, size)
    if first == b"<":
        return _parse_xml(text, size)
    what = "empty input" if not text else "neither JSON nor XML"
    return ParsedMessage(
        None, "", [ValidationIssue("Bundle", "Bundle", "mc-parse", f"cannot be read: {what}")], size
    )


class _KeyCheck:
    """``json.loads`` hook that notes objects naming a key twice (JSON leaves open which one counts; FHIR JSON
    does not allow it). The message is then rejected; the object keeps the last value only so that the
    rejection can still be addressed to the sender."""

    def __init__(self) -> None:
        self.twice: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs) and len(self.twice) < 5:
            seen: set[str] = set()
            self.twice += [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
        return obj


# A JSON escape (or UTF-8 bytes) that may stand for a character FHIR strings cannot hold, as XML cannot: a control
# character (U+0000-U+001F other than tab and line breaks), a UTF-16 surrogate, or U+FFFE/U+FFFF. Only when the
# raw text has one is the parsed message searched for strings that really hold one (a valid escaped surrogate
# pair is one good character).
_SUSPECT_ESCAPE = re.compile(
    rb"\\u(00[01][0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF])|\xef\xbf[\xbe\xbf]"
)
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _replace_bad_characters(data: Any) -> int:
    """Replace, in place, every character FHIR text cannot hold (see above) by U+FFFD; returns how many strings
    held one. Iterative: deep nesting meets no recursion limit here (the structure check reports it)."""
    found = 0

    def clean(text: str) -> str:
        nonlocal found
        if _BAD_CHARACTER.search(text) is None:
            return text
        found += 1
        return _BAD_CHARACTER.sub("\ufffd", text)

    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key in list(value):
                item = value[key]
                if isinstance(item, str):
                    item = clean(item)
                if clean(key) != key:
                    del value[key]
                    key = clean(key)
                value[key] = item
                stack.append(item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    value[i] = clean(item)
                else:
                    stack.append(item)
    return found


def _parse_json(text: bytes, size: int) -> ParsedMessage:
    try:
        keys = _KeyCheck()
        data = json.loads(text, object_pairs_hook=keys)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or type(exc).__name__
        return ParsedMessage(
            None,
            "json",
            [ValidationIssue("Bundle", "Bundle", "mc-parse", f"invalid JSON{where}: {message}"[:300])],
            size,
        )
    issues = [
        ValidationIssue(
            "Bundle",
            "Bundle",
            "mc-parse",
            f"invalid JSON: the key {xml_safe(key)[:60]!r} appears twice in one object",
        )
        for key in keys.twice
    ]
    if _SUSPECT_ESCAPE.search(text) and _replace_bad_characters(data):
        issues.append(
            ValidationIssue(
                "Bundle",
                "Bundle",
                "mc-parse",
                "invalid JSON: a string holds a control character or a lone UTF-16 surrogate (not FHIR text)",
            )
        )
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        return ParsedMessage(
            None,
            "json",
            [
                ValidationIssue(
                    "Bundle", "Bundle.resourceType", "mc-parse", "the message is not a FHIR Bundle"
                )
            ],
            size,
        )
    return ParsedMessage(data, "json", issues, size)


def _parse_xml(text: bytes, size: int) -> ParsedMessage:
    try:
        root = fhirjson.parse_xml(text)
    except (fhirjson.XmlProblem, RecursionError) as exc:
        return ParsedMessage(
            None, "xml", [ValidationIssue("Bundle", "Bundle", "mc-parse", f"invalid XML: {exc}"[:300])], size
        )
    if root.tag != "{" + fhirjson.FHIR_NS + "}Bundle":
        return ParsedMessage(
            None,
            "xml",
            [
                ValidationIssue(
                    "Bundle", "Bundle", "mc-parse", "the message is not a FHIR Bundle (FHIR namespace)"
                )
            ],
            size,
        )
    problems = fhirjson.StructureError()
    try:
        data = fhirjson.xml_to_json(root, problems)
    except RecursionError:
        return ParsedMessage(
            None,
            "xml",
            [ValidationIssue("Bundle", "Bundle", "mc-parse", "the XML is nested too deeply")],
            size,
        )
    issues = [ValidationIssue(label, path, rule, message) for label, path, message, rule in problems.problems]
    return ParsedMessage(data, "xml", issues, size)
