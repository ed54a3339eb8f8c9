"""Every MedCom example message through the validator, judged as the examples' README says; the JSON and XML
forms of each example read the same, agree with the fhir.resources models and survive JSON -> XML -> JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sektorbro.messaging.medcom import build
from sektorbro.messaging.medcom.issues import RULES
from sektorbro.messaging.medcom.validate import normalized, validate_message
from tests.messaging.examples import EXAMPLES, INVALID, canonical, example_files

ALL = example_files()


def _id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}/{path.name}"


def test_the_examples_are_there() -> None:
    assert EXAMPLES.is_dir(), f"MedCom examples missing at {EXAMPLES}"
    assert len(ALL) == 122, f"expected the 122 example bundles of the README in {EXAMPLES}, found {len(ALL)}"
    assert set(INVALID) <= {p.name for p in ALL}


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_every_example_is_judged_as_its_readme_says(path: Path) -> None:
    result = validate_message(path.read_bytes())
    assert result.bundle is not None and result.content_type == path.suffix[1:]
    assert all(issue.rule in RULES for issue in result.issues)
    if path.name in INVALID:
        assert not result.valid
        assert {i.rule for i in result.errors} == INVALID[path.name], [i.line() for i in result.errors]
        assert all(i.resource and i.path and i.message for i in result.errors)
    else:
        assert result.valid, [i.line() for i in result.errors]


def test_the_invalid_pair_is_rejected_for_the_category_first() -> None:
    """R-Tek-M (JSON) and R-Tek-N (XML) are one invalid message sent twice: same id, same first error."""
    m, n = (
        validate_message(p.read_bytes())
        for p in ALL
        if p.name.startswith(("Bundle-R-Tek-M", "Bundle-R-Tek-N"))
    )
    assert m.message_id == n.message_id
    for result in (m, n):
        first = result.issues[0]
        assert (first.rule, first.path) == ("mc-cc-category", "Communication.category.coding.code")
        assert first.resource == "Communication/bc0c3901-87d3-4d90-ba32-9b02cc631de8"


PAIRS = [p for p in ALL if p.suffix == ".xml" and p.with_suffix(".json").exists()]


@pytest.mark.parametrize("xml_path", PAIRS, ids=_id)
def test_json_and_xml_forms_read_the_same(xml_path: Path) -> None:
    from_xml = validate_message(xml_path.read_bytes())
    from_json = validate_message(xml_path.with_suffix(".json").read_bytes())
    assert canonical(from_xml.bundle) == canonical(from_json.bundle)
    assert [i.rule for i in from_xml.issues] == [i.rule for i in from_json.issues]


@pytest.mark.parametrize("path", [p for p in ALL if p.suffix == ".json" and p.name not in INVALID], ids=_id)
def test_round_trip_json_xml_json_is_lossless(path: Path) -> None:
    original = json.loads(path.read_bytes())
    xml = build.to_xml(original)
    back = validate_message(xml)
    assert back.valid, [i.line() for i in back.errors]
    assert canonical(back.bundle) == canonical(original)
    # and the fhir.resources models of both forms are equal
    assert canonical(normalized(xml.encode())) == canonical(normalized(path.read_bytes()))


@pytest.mark.parametrize(
    "path", [p for p in ALL if p.name not in INVALID and p.stat().st_size < 200_000], ids=_id
)
def test_the_fhir_resources_models_accept_what_the_fast_check_accepts(path: Path) -> None:
    result = validate_message(path.read_bytes(), model_check=True)
    assert result.valid, [i.line() for i in result.errors]


def test_the_structure_check_finds_what_the_model_finds_in_the_template_fixture() -> None:
    path = next(p for p in ALL if p.name.startswith("Bundle-17a0c807"))
    fast = validate_message(path.read_bytes())
    full = validate_message(path.read_bytes(), model_check=True)
    model_paths = {i.path for i in full.issues if i.message.startswith("fhir.resources")}
    assert model_paths, "fhir.resources rejects the template too"
    assert {("MessageHeader.event[x]", "mc-fhir-structure"), ("Encounter.class", "mc-fhir-structure")} <= {
        (i.path, i.rule) for i in fast.issues
    }
