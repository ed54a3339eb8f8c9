"""The meetings document: parsing and validation name the line and the field."""

from __future__ import annotations

import json

import pytest

from sektorbro.governance.documents import FORMAT, DocumentError, load


def _doc(**meeting: object) -> dict[str, object]:
    base: dict[str, object] = {"date": "2021-05-05", "title": "Klyngestyregruppemøde"}
    base.update(meeting)
    return {"format": FORMAT, "format_version": 1, "group": {"key": "ksg-randers"}, "meetings": [base]}


def test_a_valid_document_is_read_with_dates() -> None:
    doc = _doc(action_items=[{"text": "Udpeg terapeuter", "owner": "Kommunerne", "deadline": "2021-06-01"}])
    result = load(json.dumps(doc))
    assert str(result["meetings"][0]["action_items"][0]["deadline"]) == "2021-06-01"


def test_a_missing_title_names_the_line_and_field() -> None:
    doc = _doc(items=[{"number": 1, "title": "GAIN 2.0"}, {"number": 2}])
    with pytest.raises(DocumentError) as info:
        load(json.dumps(doc, indent=2))
    assert info.value.field == "meetings[0].items[1].title"
    assert info.value.line is not None and info.value.line > 1


def test_broken_json_names_the_line() -> None:
    with pytest.raises(DocumentError) as info:
        load('{\n"format": \n}')
    assert info.value.line == 3
