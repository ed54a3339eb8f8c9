"""Importing the meetings document: all or nothing, idempotent, and published minutes are not overwritten."""

from __future__ import annotations

import copy
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sektorbro.core.models import AuditEvent
from sektorbro.governance import exchange
from sektorbro.governance.documents import FORMAT, DocumentError
from sektorbro.governance.importer import import_text
from sektorbro.governance.models import (
    ActionItem,
    Attachment,
    Group,
    Meeting,
    MeetingStatus,
    MinutesVersion,
)
from sektorbro.governance.seed import MEETING_FILES, load_groups

pytestmark = pytest.mark.django_db

SEED_TEXT = MEETING_FILES[0].read_text(encoding="utf-8")


@pytest.fixture
def groups(db: Any) -> None:
    load_groups()


def _draft(**changes: Any) -> dict[str, Any]:
    """The seed document with its meeting as a draft (so that it may be replaced)."""
    doc = json.loads(SEED_TEXT)
    doc["meetings"][0]["status"] = "held"
    doc["meetings"][0].update(changes)
    return doc


def _semantic(doc: dict[str, Any]) -> dict[str, Any]:
    """A document in an order-free form: action items sorted (the export orders by deadline, and databases
    disagree about where a missing deadline goes)."""
    doc = copy.deepcopy(doc)
    for meeting in doc["meetings"]:
        meeting["items"].sort(key=lambda i: i["number"])
        meeting["action_items"].sort(key=lambda x: json.dumps(x, sort_keys=True))
    return doc


def test_round_trip_export_of_the_import_is_the_seed(groups: None) -> None:
    import_text(SEED_TEXT)
    group = Group.objects.get(key="randersklyngen-klyngestyregruppe")
    assert _semantic(exchange.group_document(group)) == _semantic(json.loads(SEED_TEXT))


def test_importing_the_same_document_twice_changes_nothing(groups: None) -> None:
    first = import_text(SEED_TEXT)
    assert len(first.created) == 1
    meeting = first.created[0]
    second = import_text(SEED_TEXT)
    assert second.unchanged == [meeting] and second.created == [] and second.replaced == []
    assert Meeting.objects.count() == 1
    assert MinutesVersion.objects.filter(meeting=meeting).count() == 1
    meeting.refresh_from_db()
    assert meeting.version == 1


def test_a_changed_draft_is_replaced_and_keeps_uploaded_files(groups: None) -> None:
    meeting = import_text(json.dumps(_draft())).created[0]
    assert not MinutesVersion.objects.filter(meeting=meeting).exists()
    attachment = Attachment.objects.get(item__meeting=meeting, name="GAIN 2.0 - om projektet")
    attachment.content, attachment.size, attachment.content_type = b"%PDF-1.4", 8, "application/pdf"
    attachment.save()
    doc = _draft(location="Regionshospitalet Randers, mødelokale 1")
    doc["meetings"][0]["items"][1]["decision"] = "Ny beslutning."
    result = import_text(json.dumps(doc))
    assert result.replaced == [meeting]
    meeting.refresh_from_db()
    assert meeting.location == "Regionshospitalet Randers, mødelokale 1"
    assert meeting.version == 2
    assert meeting.items.get(number=2).decision == "Ny beslutning."
    assert meeting.participants.count() == 29
    kept = Attachment.objects.get(item__meeting=meeting, name="GAIN 2.0 - om projektet")
    assert kept.content is not None and bytes(kept.content) == b"%PDF-1.4" and kept.size == 8
    assert AuditEvent.objects.filter(action="governance.meeting_replaced_by_import").count() == 1


def test_published_minutes_are_not_overwritten(groups: None) -> None:
    meeting = import_text(SEED_TEXT).created[0]
    doc = json.loads(SEED_TEXT)
    doc["meetings"][0]["items"][1]["decision"] = "Noget andet."
    with pytest.raises(DocumentError) as info:
        import_text(json.dumps(doc, indent=2))
    assert info.value.field == "meetings[0]"
    assert info.value.line is not None and info.value.line > 1
    assert "published" in info.value.message
    assert meeting.items.get(number=2).decision != "Noget andet."


def test_a_failing_document_changes_nothing(groups: None) -> None:
    """The second meeting is broken: the first one, valid, is not imported either."""
    doc = _draft()
    broken = copy.deepcopy(doc["meetings"][0])
    broken["date"], broken["title"] = "2021-06-16", "Klyngestyregruppemøde"
    broken["action_items"][0]["deadline"] = "1. juni 2021"
    doc["meetings"].append(broken)
    with pytest.raises(DocumentError) as info:
        import_text(json.dumps(doc, indent=2))
    assert info.value.field == "meetings[1].action_items[0].deadline"
    assert info.value.line is not None
    assert Meeting.objects.count() == 0 and ActionItem.objects.count() == 0


def test_a_database_failure_halfway_rolls_everything_back(
    groups: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DataError

    from sektorbro.governance import importer

    doc = _draft()
    second = copy.deepcopy(doc["meetings"][0])
    second["date"] = "2021-06-16"
    doc["meetings"].append(second)
    calls = {"n": 0}
    real_fill = importer._fill

    def fill_then_fail(meeting: Meeting, data: dict[str, Any], group: Group) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise DataError("value too long")
        real_fill(meeting, data, group)

    monkeypatch.setattr(importer, "_fill", fill_then_fail)
    with pytest.raises(DocumentError) as info:
        import_text(json.dumps(doc, indent=2))
    assert info.value.field == "meetings[1]"
    assert Meeting.objects.count() == 0


def test_an_unknown_group_is_named(groups: None) -> None:
    doc = {"format": FORMAT, "format_version": 1, "group": {"key": "ukendt"}, "meetings": []}
    with pytest.raises(DocumentError) as info:
        import_text(json.dumps(doc, indent=2))
    assert info.value.field == "group.key" and info.value.line == 4


def test_imported_status_published_creates_the_first_minutes_version(groups: None) -> None:
    meeting = import_text(SEED_TEXT).created[0]
    assert meeting.status == MeetingStatus.PUBLISHED
    assert MinutesVersion.objects.get(meeting=meeting).document == exchange.meeting_document(meeting)


def test_the_command_exports_and_imports(groups: None, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(SEED_TEXT, encoding="utf-8")
    out = StringIO()
    call_command("governance", "import", str(seed), stdout=out)
    assert "1 created" in out.getvalue()
    target = tmp_path / "export.json"
    call_command("governance", "export", "--group", "randersklyngen-klyngestyregruppe", "--out", str(target))
    assert _semantic(json.loads(target.read_text("utf-8"))) == _semantic(json.loads(SEED_TEXT))
    printed = StringIO()
    call_command("governance", "export", "--group", "randersklyngen-klyngestyregruppe", stdout=printed)
    assert json.loads(printed.getvalue())["group"]["name"] == "Randersklyngens klyngestyregruppe"


def test_the_command_loads_the_seed_and_lists_the_groups(db: Any) -> None:
    out = StringIO()
    call_command("governance", "seed", stdout=out)
    call_command("governance", "seed", stdout=out)
    assert "1 created" in out.getvalue() and "1 unchanged" in out.getvalue()
    listing = StringIO()
    call_command("governance", "groups", stdout=listing)
    assert "randersklyngen-klyngestyregruppe" in listing.getvalue()
    assert "(under sundhedsstyregruppen)" in listing.getvalue()


def test_the_command_names_line_and_field_and_fails(groups: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format": "sektorbro.governance.meetings",\n  "format_version": 2\n}\n', "utf-8")
    with pytest.raises(CommandError) as info:
        call_command("governance", "import", str(bad))
    assert "line 1: format_version: must be 1" in str(info.value)
    assert "nothing was imported" in str(info.value)
    with pytest.raises(CommandError, match="cannot read"):
        call_command("governance", "import", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="no group with the key 'ukendt'"):
        call_command("governance", "export", "--group", "ukendt")


_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)
_NAME = _TEXT.filter(lambda t: t.strip() != "")


@st.composite
def _meeting_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid meetings document of one meeting, every field filled in some way."""
    numbers = draw(st.lists(st.integers(1, 30), unique=True, max_size=4))
    clock = st.one_of(st.just(""), st.times().map(lambda t: t.strftime("%H:%M")))
    participants = st.fixed_dictionaries(
        {
            "name": _NAME,
            "title": _TEXT,
            "organisation": _TEXT,
            "organisation_kind": st.sampled_from(
                ["", "municipality", "hospital", "psychiatry", "general_practice"]
            ),
            "attendance": st.sampled_from(["expected", "present", "apologies", "absent"]),
            "note": _TEXT,
        }
    )
    items = [
        {
            "number": number,
            "title": draw(_NAME),
            "presenters": draw(_TEXT),
            "recommendations": draw(st.lists(_NAME, max_size=3)),
            "case": draw(_TEXT),
            "decision": draw(_TEXT),
            "attachments": draw(st.lists(st.fixed_dictionaries({"name": _NAME}), max_size=2)),
        }
        for number in numbers
    ]
    actions = st.fixed_dictionaries(
        {
            "item": st.sampled_from([None, *numbers]),
            "text": _NAME,
            "owner": _NAME,
            "deadline": st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)).map(str)),
            "deadline_note": _TEXT,
            "status": st.sampled_from(["open", "done", "cancelled"]),
            "closing_note": _TEXT,
        }
    )
    meeting = {
        "date": str(draw(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)))),
        "title": draw(_NAME),
        "starts_at": draw(clock),
        "ends_at": draw(clock),
        "location": draw(_TEXT),
        "case_number": draw(_TEXT),
        "status": draw(st.sampled_from(["planned", "held", "published"])),
        "participants": draw(st.lists(participants, max_size=4)),
        "items": items,
        "action_items": draw(st.lists(actions, max_size=4)),
    }
    group = {"key": "randersklyngen-klyngestyregruppe", "name": "Randersklyngens klyngestyregruppe"}
    return {"format": FORMAT, "format_version": 1, "group": group, "meetings": [meeting]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_meeting_documents())
def test_any_valid_document_survives_import_and_export(groups: None, doc: dict[str, Any]) -> None:
    with transaction.atomic():
        result = import_text(json.dumps(doc))
        exported = exchange.group_document(result.group, result.created)
        assert _semantic(exported) == _semantic(doc)
        again = import_text(json.dumps(exported))
        assert again.unchanged == result.created
        transaction.set_rollback(True)
