"""The FHIR structure check and the XML reader/writer (compiled from the fhir.resources R4B models), and the
Danish identifier rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from sektorbro.messaging.medcom import build, fhirjson
from sektorbro.messaging.medcom.identifiers import (
    cpr_birth_date,
    cpr_problem,
    ecpr_problem,
    fictitious_cpr,
    gln_problem,
    make_gln,
    patient_identifier_kind,
    sor_problem,
)
from sektorbro.messaging.medcom.validate import validate_message
from tests.messaging.examples import HN, example


def stin() -> dict[str, Any]:
    """MedCom's admission example (read when a test needs it: skipped without the examples)."""
    data: dict[str, Any] = json.loads(example(HN, "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"))
    return data


@pytest.mark.parametrize(
    ("kind", "value", "problem"),
    [
        ("dateTime", "2024-02-29T12:00:00+01:00", None),
        ("dateTime", "2023-02-29T12:00:00+01:00", "mc-fhir-structure"),
        ("dateTime", "2023-02-28T12:00:00", "mc-timestamp-zone"),
        ("dateTime", "2023-02", None),
        ("dateTime", "2023-13", "mc-fhir-structure"),
        ("dateTime", "2023-02-28T24:00:00Z", "mc-fhir-structure"),
        ("instant", "2023-02-28T12:00:00.123Z", None),
        ("instant", "2023-02-28T12:00:00", "mc-timestamp-zone"),
        ("instant", "2023-02-28", "mc-fhir-structure"),
        ("date", "1947-09-25", None),
        ("date", "1947-09-31", "mc-fhir-structure"),
        ("id", "m908i967-9ie3-9023-b9ec-98108695f01d", None),
        ("id", "45645.hfjksr7.klklj", None),
        ("id", "a" * 64, None),
        ("id", "a" * 65, "mc-fhir-structure"),
        ("id", "a b", "mc-fhir-structure"),
        ("code", "in-progress", None),
        ("code", " in-progress", "mc-fhir-structure"),
        ("string", "   ", "mc-fhir-structure"),
        ("string", 7, "mc-fhir-structure"),
        ("boolean", "true", "mc-fhir-structure"),
        ("boolean", False, None),
        ("positiveInt", 0, "mc-fhir-structure"),
        ("unsignedInt", True, "mc-fhir-structure"),
        ("decimal", 1.5, None),
        ("base64Binary", "JVBERi0xLjcNCiW1tbW1", None),
        ("base64Binary", "JVBERi0xLjcNCiW1tbW", "mc-fhir-structure"),
        ("uri", "https://sor2.sum.dsdn.dk/#id=1", None),
        ("uri", "has space", "mc-fhir-structure"),
        ("xhtml", "<p>no div</p>", "mc-fhir-structure"),
    ],
)
def test_primitive_formats(kind: str, value: object, problem: str | None) -> None:
    found = fhirjson.primitive_problem(kind, value)
    assert (found[1] if found else None) == problem


def _structure(data: dict) -> set[tuple[str, str]]:
    return {(path, message.split(" ")[0]) for _, path, message, _ in fhirjson.check_structure(data)}


def test_json_shape_errors_name_the_element() -> None:
    data = stin()
    encounter = data["entry"][2]["resource"]
    encounter["colour"] = "blue"
    encounter["class"] = [encounter["class"]]
    encounter["episodeOfCare"] = []
    encounter["serviceProvider"] = {}
    encounter["period"]["end"] = None
    data["entry"][1]["resource"]["deceasedBoolean"] = True
    data["entry"][1]["resource"]["deceasedDateTime"] = "2022-12-07"
    problems = {(path, message) for _, path, message, _ in fhirjson.check_structure(data)}
    paths = {p for p, _ in problems}
    assert {
        "Encounter.colour",
        "Encounter.class",
        "Encounter.episodeOfCare",
        "Encounter.serviceProvider",
        "Encounter.period.end",
        "Patient.deceased[x]",
    } <= paths
    labels = {label for label, *_ in fhirjson.check_structure(data)}
    assert labels == {f"{r['resourceType']}/{r['id']}" for r in (encounter, data["entry"][1]["resource"])}


def test_unknown_resource_types_and_non_bundles() -> None:
    data = stin()
    data["entry"][1]["resource"]["resourceType"] = "Patiënt"
    assert ("Patiënt.resourceType", "unknown") in _structure(data)
    assert validate_message(json.dumps({"resourceType": "Patient"})).issues[0].rule == "mc-parse"
    assert validate_message(b"[1, 2]").issues[0].message == "the message is not a FHIR Bundle"


def test_xml_reader_rejects_what_fhir_xml_does_not_allow() -> None:
    xml = build.to_xml(stin())
    assert validate_message(xml).valid
    cases = {
        xml.replace(
            '<status value="in-progress"/>', '<status value="in-progress"/><status value="finished"/>'
        ): "may occur only once",
        xml.replace(
            '<status value="in-progress"/>', '<status value="in-progress" colour="red"/>'
        ): "unexpected attribute",
        xml.replace('<status value="in-progress"/>', "<status/>"): "must have a value or children",
        xml.replace(
            '<status value="in-progress"/>', '<x:status xmlns:x="urn:other" value="in-progress"/>'
        ): "unknown element",
        xml.replace("<period>", '<period><colour value="red"/>'): "unknown element",
        xml.replace('xmlns="http://hl7.org/fhir"', 'xmlns="http://hl7.org/fhir/other"'): "not a FHIR Bundle",
    }
    for broken, message in cases.items():
        result = validate_message(broken)
        assert not result.valid and any(message in i.message for i in result.errors), (
            message,
            [i.line() for i in result.issues],
        )


def test_xml_entities_and_dtds_are_refused() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE Bundle [<!ENTITY x SYSTEM "file:///etc/passwd">]><Bundle xmlns="http://hl7.org/fhir"><id value="&x;"/></Bundle>'
    result = validate_message(xxe)
    assert result.bundle is None and result.issues[0].rule == "mc-parse" and "DTD" in result.issues[0].message


def test_primitive_extensions_and_lists_survive_xml() -> None:
    data = stin()
    patient = data["entry"][1]["resource"]
    patient["name"] = [{"use": "official", "_family": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}]},
                        "given": ["Bruno", None], "_given": [None, {"id": "g2", "extension": [{"url": "http://example.org/x", "valueString": "Test"}]}]}]  # fmt: skip
    xml = build.to_xml(data)
    assert validate_message(xml).bundle == data
    assert '<family><extension url="http://hl7.org/fhir/StructureDefinition/data-absent-reason">' in xml


def test_writing_xml_keeps_values_verbatim_and_in_fhir_order() -> None:
    data = stin()
    data["timestamp"] = "2022-12-07T10:00:02.120Z"
    xml = build.to_xml(data)
    assert (
        '<timestamp value="2022-12-07T10:00:02.120Z"/>' in xml
    )  # fhir.resources would write +00:00 and .120000
    encounter = xml[xml.index("<Encounter>") : xml.index("</Encounter>")]
    order = [
        encounter.index(f"<{e}")
        for e in (
            "id",
            "meta",
            "text",
            "extension",
            "status",
            "class",
            "subject",
            "episodeOfCare",
            "period",
            "serviceProvider",
        )
        if f"<{e}" in encounter
    ]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("value", "born"),
    [
        ("2509479989", dt.date(1947, 9, 25)),
        ("2103009996", dt.date(2000, 3, 21)),  # 7th digit 9, year 00: 2000
        ("0101384123", dt.date(1938, 1, 1)),  # 7th digit 4, year 38: 1900s
        ("0101575123", dt.date(2057, 1, 1)),  # 7th digit 5, year 57: 2000s
        ("0101585123", dt.date(1858, 1, 1)),  # 7th digit 5, year 58: 1800s
        ("2902004123", dt.date(2000, 2, 29)),
        ("2902014123", None),
        ("3213991234", None),
        ("250947998", None),
    ],
)
def test_cpr_numbers(value: str, born: dt.date | None) -> None:
    assert cpr_birth_date(value) == born
    assert (cpr_problem(value) is None) is (born is not None)


def test_replacement_cpr_sor_and_gln() -> None:
    assert ecpr_problem("0703921VJ4", regional=False) is None and ecpr_problem("0703920VJ4", regional=False)
    assert ecpr_problem("1206550VK9", regional=True) is None and ecpr_problem("1206551VK9", regional=True)
    assert ecpr_problem("3102921VJ4", regional=False)  # 31 February
    assert patient_identifier_kind("urn:oid:1.2.208.176.1.6.1.3.181") == "d-ecpr"
    assert sor_problem("265161000016000") is None and sor_problem("1234567890")
    assert (
        gln_problem("5790001348120") is None and gln_problem("5790001348121") and gln_problem("579000134812")
    )
    assert make_gln("579000020935") == "5790000209354"


def test_fictitious_cpr_numbers() -> None:
    for born in (dt.date(1925, 3, 1), dt.date(1999, 12, 31), dt.date(2000, 2, 29), dt.date(2040, 6, 1)):
        for serial in (0, 1, 7, 12345):
            assert cpr_birth_date(fictitious_cpr(born, serial)) == born
    with pytest.raises(ValueError):
        fictitious_cpr(dt.date(1890, 1, 1), 1)


def test_the_core_imports_no_django() -> None:
    import subprocess
    import sys

    code = "import sys, sektorbro.messaging.medcom, sektorbro.messaging.medcom.synthetic, sektorbro.messaging.medcom.cli; print('django' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
