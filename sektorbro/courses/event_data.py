"""What a person may put in an event's ``data``: one schema per event type, with sizes.

Messages from other systems are mapped by the ingestion code, which writes its own fields; what a person sends
through a form or the API is checked here, so that a course holds no free-form JSON (a 2 MB "note" was once stored
and shown to every viewer) and no field claims a party other than the user's own. Plain Python, no Django: a
problem is an ``EventDataProblem`` naming the field (``data.<name>``), which the course services turn into a 400.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sektorbro.agreement.model import DESTINATIONS, EVENT_TYPES, UNIT_KINDS
from sektorbro.agreement.ready import READY_CHECKLIST, WAITING_FOR

MAX_DATA_BYTES = 16_384
NOTE_LENGTH = 1000


@dataclass(frozen=True)
class EventDataProblem(Exception):
    """``code`` is one of: unknown_field, not_text, too_long, not_date, not_datetime, not_choice, not_bool, not_int,
    not_list, too_many, too_large, not_allowed."""

    field: str
    code: str
    limit: Any = None

    def __str__(self) -> str:
        return f"{self.field}: {self.code}" + (f" ({self.limit})" if self.limit is not None else "")


Check = Callable[[str, Any], Any]


def text(max_length: int) -> Check:
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str) or "\x00" in value:
            raise EventDataProblem(name, "not_text")
        try:
            value.encode("utf-8")  # a lone surrogate cannot be stored (PostgreSQL refuses it in JSON)
        except UnicodeEncodeError as exc:
            raise EventDataProblem(name, "not_text") from exc
        if len(value) > max_length:
            raise EventDataProblem(name, "too_long", max_length)
        return value

    return check


def iso_date(name: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) != 10:
        raise EventDataProblem(name, "not_date")
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise EventDataProblem(name, "not_date") from exc
    return value


def aware_datetime(name: str, value: Any) -> str:
    """A moment as ISO 8601 text with a time zone (e.g. when a phone call was made)."""
    if not isinstance(value, str) or len(value) > 40:
        raise EventDataProblem(name, "not_datetime")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise EventDataProblem(name, "not_datetime") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise EventDataProblem(name, "not_datetime")
    return value


def marked_date(name: str, value: Any) -> str:
    """The date of a care plan's change as the plan writes it (``dd.mm.yyyy``) or as ISO (``YYYY-MM-DD``)."""
    if isinstance(value, str) and len(value) == 10 and value[2] == "." and value[5] == ".":
        day, month, year = value.split(".")
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise EventDataProblem(name, "not_date") from exc
        return value
    return iso_date(name, value)


def choice(values: tuple[str, ...]) -> Check:
    def check(name: str, value: Any) -> str:
        if value not in values:
            raise EventDataProblem(name, "not_choice", ", ".join(values))
        return str(value)

    return check


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise EventDataProblem(name, "not_bool")
    return value


def positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**9:
        raise EventDataProblem(name, "not_int")
    return value


def care_plan_changes(name: str, value: Any) -> list[dict[str, str]]:
    """The marked changes of an updated care plan: ``[{"dato": "dd.mm.yyyy", "nyt": text}]``."""
    if not isinstance(value, list):
        raise EventDataProblem(name, "not_list")
    if len(value) > 50:
        raise EventDataProblem(name, "too_many", 50)
    result = []
    for i, change in enumerate(value):
        if not isinstance(change, Mapping):
            raise EventDataProblem(f"{name}[{i}]", "not_list")
        unknown = set(change) - {"dato", "nyt"}
        if unknown:
            raise EventDataProblem(f"{name}[{i}].{sorted(unknown)[0]}", "unknown_field")
        result.append(
            {
                "dato": marked_date(f"{name}[{i}].dato", change.get("dato")),
                "nyt": text(2000)(f"{name}[{i}].nyt", change.get("nyt", "")),
            }
        )
    return result


PARTY = ("hospital", "municipality")

PHONE_AGREEMENT: dict[str, Check] = {"by": choice(PARTY), "counterpart": text(200), "call_at": aware_datetime}

# Every event may carry a note and the date it is about.
COMMON: dict[str, Check] = {"note": text(NOTE_LENGTH), "date": iso_date}

SCHEMAS: dict[str, dict[str, Check]] = {event_type: {} for event_type in EVENT_TYPES}
SCHEMAS.update(
    {
        # ``by`` is the party acting; the services set it from the user's organisation and refuse any other.
        "discharge_date_proposed": {"by": choice(PARTY)},
        # An agreement made by phone names the other party's person and when the call was made (aftalen 2.1).
        "discharge_date_agreed": PHONE_AGREEMENT,
        "weekend_discharge_agreed": PHONE_AGREEMENT,
        # The other party accepts a proposal (``ref_seq``: the proposal; default the latest pending one).
        "discharge_date_accepted": {"by": choice(PARTY), "ref_seq": positive_int},
        # The other party disputes a phone agreement recorded in its name (``ref_seq``: the agreement).
        "discharge_agreement_disputed": {
            "by": choice(PARTY),
            "ref_seq": positive_int,
            "reason": text(NOTE_LENGTH),
        },
        "discharged": {"destination": choice(DESTINATIONS), "municipal_nursing": boolean},
        # The criteria of aftalen 2.1 (a short checklist) and what the continued stay waits for.
        # The hospital names the patient-responsible doctor (aftalen 2.2: "en navngiven læge").
        "admitted": {"responsible_doctor": text(200)},
        "treatment_resumed": {"responsible_doctor": text(200)},
        "ready_for_discharge": {
            "responsible_doctor": text(200),
            **{key: boolean for key in READY_CHECKLIST},
            "waiting_for": choice(tuple(WAITING_FOR)),
            "waiting_reason": text(500),
        },
        "care_plan_sent": {"changes": care_plan_changes},
        # The municipality has read the latest care plan and its NYT changes (``ref_seq``: that plan).
        "care_plan_acknowledged": {"ref_seq": positive_int},
        "transferred": {
            "department": text(100),
            "unit_kind": choice(UNIT_KINDS),
            "responsible_doctor": text(200),
        },
        "phone_contact_logged": {"with": text(200)},
        "correspondence_read": {"ref_seq": positive_int},
        "cancelled": {"reason": text(NOTE_LENGTH)},
        "corrected": {"reason": text(NOTE_LENGTH)},
    }
)

# Events that stand for a message between parties: recorded only by the path that sends or receives it.
MESSAGE_EVENTS = frozenset({"correspondence_sent"})


def fields_for(event_type: str, corrects: str | None = None) -> dict[str, Check]:
    """The fields a person may give for ``event_type``; a correction also takes the fields of the event it
    corrects (its values replace the target's)."""
    fields = {**COMMON, **SCHEMAS.get(event_type, {})}
    if event_type == "corrected" and corrects is not None:
        fields = {**COMMON, **SCHEMAS.get(corrects, {}), **SCHEMAS["corrected"]}
    return fields


def check_event_data(
    event_type: str, data: Mapping[str, Any], *, corrects: str | None = None
) -> dict[str, Any]:
    """The data cleaned, or ``EventDataProblem`` for the first field that is wrong."""
    if event_type in MESSAGE_EVENTS:
        raise EventDataProblem("type", "not_allowed")
    try:
        size = len(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError) as exc:
        raise EventDataProblem("data", "not_text") from exc
    if size > MAX_DATA_BYTES:
        raise EventDataProblem("data", "too_large", MAX_DATA_BYTES)
    fields = fields_for(event_type, corrects)
    cleaned: dict[str, Any] = {}
    for key in sorted(data):
        if not isinstance(key, str) or key not in fields:
            raise EventDataProblem(f"data.{key}", "unknown_field")
        cleaned[key] = fields[key](f"data.{key}", data[key])
    return cleaned
