"""The pure parts of ``sektorbro medcom validate`` and ``sektorbro medcom ack``."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest

from sektorbro.messaging.medcom import extract
from sektorbro.messaging.medcom.cli import ack_main, main, validate_main
from sektorbro.messaging.medcom.validate import validate_message
from tests.messaging.examples import HN, NOW, find

GOOD = HN / "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.xml"


@pytest.mark.usefixtures("medcom_examples")
def test_validate_prints_ok_or_invalid_with_one_line_per_error(tmp_path: Path) -> None:
    out = StringIO()
    assert validate_main([str(GOOD)], out) == 0 and out.getvalue() == f"OK {GOOD}\n"
    invalid = find("Bundle-R-Tek-M-")
    missing = tmp_path / "missing.json"
    garbled = tmp_path / "garbled.json"
    garbled.write_text('{"resourceType": "Bundle", "type": "mess')
    out = StringIO()
    assert validate_main([str(GOOD), str(invalid), str(missing), str(garbled)], out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == f"OK {GOOD}" and lines[1] == f"INVALID {invalid}"
    assert lines[2].startswith(
        "  Communication/bc0c3901-87d3-4d90-ba32-9b02cc631de8 Communication.category.coding.code [mc-cc-category] "
    )
    assert f"INVALID {missing}" in lines and f"INVALID {garbled}" in lines
    assert lines[-1].startswith("  Bundle Bundle [mc-parse] invalid JSON at line 1")


@pytest.mark.usefixtures("medcom_examples")
def test_validate_searches_folders_and_can_show_warnings() -> None:
    out = StringIO()
    assert validate_main([str(HN)], out, warnings=True) == 0
    assert out.getvalue().count("OK ") == 24


@pytest.mark.usefixtures("medcom_examples")
def test_ack_prints_a_positive_acknowledgement_as_json() -> None:
    out = StringIO()
    assert ack_main(str(GOOD), out, StringIO(), now=NOW) == 0
    ack = validate_message(out.getvalue())
    assert ack.valid and ack.content_type == "json"
    assert extract.acknowledgement(ack).acknowledged_id == validate_message(GOOD.read_bytes()).message_id
    assert json.loads(out.getvalue())["entry"][0]["resource"]["response"]["code"] == "ok"


@pytest.mark.usefixtures("medcom_examples")
def test_ack_prints_a_negative_acknowledgement_as_xml() -> None:
    out = StringIO()
    assert ack_main(str(find("Bundle-R-Tek-N-")), out, StringIO(), fmt="xml", now=NOW) == 0
    ack = validate_message(out.getvalue())
    assert ack.valid and ack.content_type == "xml"
    facts = extract.acknowledgement(ack)
    assert facts.code == "fatal-error" and "[mc-cc-category]" in facts.problems[0]


def test_ack_explains_when_there_is_nobody_to_answer(tmp_path: Path) -> None:
    garbled = tmp_path / "garbled.xml"
    garbled.write_bytes(b"<Bundle><broken")
    out, err = StringIO(), StringIO()
    assert ack_main(str(garbled), out, err) == 1 and out.getvalue() == ""
    assert "no acknowledgement can be made" in err.getvalue() and "[mc-parse]" in err.getvalue()
    assert ack_main(str(tmp_path / "missing.json"), out, err) == 2


@pytest.mark.usefixtures("medcom_examples")
def test_the_module_entry_point(capsys: object) -> None:
    assert main(["validate", str(GOOD)]) == 0
    assert main(["ack", str(GOOD), "--format", "xml"]) == 0
