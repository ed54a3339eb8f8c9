"""Valid messages, broken on purpose: every mutation is rejected cleanly (JSON and XML alike) with an issue that
names the resource, the element path and the rule; nothing ever raises."""

from __future__ import annotations

import contextlib
import copy
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sektorbro.messaging.medcom import build, extract, fhirjson
from sektorbro.messaging.medcom.identifiers import cpr_birth_date
from sektorbro.messaging.medcom.issues import RULES
from sektorbro.messaging.medcom.validate import ValidationResult, validate_message
from tests.messaging.examples import ACK, CC, HN, NOW, example

BASE_FILES = {
    "STIN": (HN, "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"),
    "SLOR": (HN, "Bundle-e94de8ee-bd94-475e-b454-b8fbbef8a685.json"),
    "CC-all": (CC, "Bundle-gfd00bc2-9c26-4174-934e-f6e4360845de.json"),
    "CC-reply": (CC, "Bundle-b56549f7-ed10-422d-8088-f7222b686e46.json"),
    "ACK-fatal": (ACK, "Bundle-bc9535ef-ed94-4060-a928-7baddec7ee71.json"),
}


@functools.cache
def _read_base(key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(example(*BASE_FILES[key]))
    return data


class _Bases(Mapping[str, dict[str, Any]]):
    """The official examples the mutations start from, read at first use (a test without them is skipped)."""

    def __getitem__(self, key: str) -> dict[str, Any]:
        return _read_base(key)  # callers copy before they mutate

    def __iter__(self) -> Iterator[str]:
        return iter(BASE_FILES)

    def __len__(self) -> int:
        return len(BASE_FILES)


BASES = _Bases()
HN_BASES = ["STIN", "SLOR"]
CC_BASES = ["CC-all", "CC-reply"]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def resources(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def current_provenance(data: dict[str, Any]) -> dict[str, Any]:
    header_id = data["entry"][0]["resource"]["id"]
    return next(p for p in resources(data, "Provenance") if p["target"][0]["reference"].endswith(header_id))


def focus(data: dict[str, Any]) -> dict[str, Any]:
    return resources(
        data,
        "Encounter"
        if resources(data, "Encounter") and not resources(data, "Communication")
        else "Communication",
    )[0]


def label(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"


def both_forms(data: dict[str, Any]) -> list[ValidationResult]:
    """The mutated message validated as JSON and, when it can still be written as XML, as XML."""
    results = [validate_message(json.dumps(data).encode())]
    with contextlib.suppress(ValueError):
        results.append(validate_message(build.to_xml(data)))
    return results


def assert_rejected(data: dict[str, Any], rules: set[str], resource: str | None, element: str) -> None:
    for result in both_forms(data):
        assert not result.valid
        matching = [i for i in result.errors if i.rule in rules]
        assert matching, (rules, [i.line() for i in result.issues])
        if resource is not None:
            assert any(i.resource in (resource, "Bundle") for i in matching), [i.line() for i in matching]
        assert any(element in i.path for i in matching), (element, [i.line() for i in matching])
        assert all(i.rule in RULES and i.resource and i.path and i.message for i in result.issues)


# --- dropping required elements -----------------------------------------------------------------------------
Getter = Callable[[dict[str, Any]], dict[str, Any]]
HEADER: Getter = lambda d: d["entry"][0]["resource"]  # noqa: E731
DROPS: list[tuple[str, Getter, str, set[str]]] = [
    ("Encounter", lambda d: resources(d, "Encounter")[0], "status", {"mc-fhir-structure"}),
    ("Encounter", lambda d: resources(d, "Encounter")[0], "class", {"mc-fhir-structure"}),
    ("Encounter", lambda d: resources(d, "Encounter")[0], "episodeOfCare", {"mc-hn-episode"}),
    ("Encounter", lambda d: resources(d, "Encounter")[0], "serviceProvider", {"mc-hn-service-provider"}),
    ("Encounter", lambda d: resources(d, "Encounter")[0], "subject", {"mc-hn-subject"}),
    ("Encounter", lambda d: resources(d, "Encounter")[0]["period"], "start", {"mc-hn-period"}),
    ("MessageHeader", HEADER, "eventCoding", {"mc-fhir-structure", "mc-header-event"}),
    ("MessageHeader", HEADER, "sender", {"mc-sender"}),
    ("MessageHeader", HEADER, "destination", {"mc-destination"}),
    ("MessageHeader", HEADER, "focus", {"mc-hn-focus"}),
    ("MessageHeader", HEADER, "source", {"mc-fhir-structure"}),
    ("MessageHeader", HEADER, "id", {"mc-header-id", "mc-resource-id"}),
    ("Patient", lambda d: resources(d, "Patient")[0], "identifier", {"mc-patient-id", "mc-hn-cpr"}),
    ("Patient", lambda d: resources(d, "Patient")[0], "name", {"mc-patient-name"}),
    ("Provenance", current_provenance, "occurredDateTime", {"mc-provenance-time"}),
    ("Provenance", current_provenance, "activity", {"mc-fhir-structure", "mc-provenance-activity"}),
    ("Provenance", current_provenance, "target", {"mc-fhir-structure", "mc-provenance-target"}),
    ("Provenance", current_provenance, "recorded", {"mc-fhir-structure"}),
]
CC_DROPS: list[tuple[str, Getter, str, set[str]]] = [
    ("Communication", lambda d: resources(d, "Communication")[0], "category", {"mc-cc-category"}),
    ("Communication", lambda d: resources(d, "Communication")[0], "identifier", {"mc-cc-identifier"}),
    ("Communication", lambda d: resources(d, "Communication")[0], "payload", {"mc-cc-payload"}),
    ("Communication", lambda d: resources(d, "Communication")[0], "subject", {"mc-cc-subject"}),
    (
        "Communication",
        lambda d: resources(d, "Communication")[0]["payload"][0],
        "contentString",
        {"mc-cc-payload"},
    ),
    ("MessageHeader", HEADER, "definition", {"mc-cc-definition"}),
    ("MessageHeader", HEADER, "meta", {"mc-header-profile"}),
    ("Provenance", current_provenance, "meta", {"mc-cc-provenance"}),
    ("Provenance", current_provenance, "entity", {"mc-cc-provenance"}),
    ("Patient", lambda d: resources(d, "Patient")[0], "identifier", {"mc-patient-id"}),
]


@SETTINGS
@given(st.sampled_from(HN_BASES), st.sampled_from(DROPS))
def test_dropping_a_required_element_of_a_hospital_notification(base: str, drop: tuple) -> None:
    kind, getter, element, rules = drop
    data = copy.deepcopy(BASES[base])
    target = getter(data)
    owner = resources(data, kind)[0] if kind != "Provenance" else current_provenance(data)
    owner_label = label(owner)
    target.pop(element)
    assert_rejected(
        data, rules, owner_label if element != "id" else None, element if element != "id" else "id"
    )


@SETTINGS
@given(st.sampled_from(CC_BASES), st.sampled_from(CC_DROPS))
def test_dropping_a_required_element_of_a_care_communication(base: str, drop: tuple) -> None:
    kind, getter, element, rules = drop
    data = copy.deepcopy(BASES[base])
    owner = current_provenance(data) if kind == "Provenance" else resources(data, kind)[0]
    getter(data).pop(element)
    assert_rejected(data, rules, label(owner), "payload" if element == "contentString" else element)


# --- breaking references ------------------------------------------------------------------------------------
def references(data: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    """(resource, reference object, path) for every reference of this message (not the history's)."""
    header_id = data["entry"][0]["resource"]["id"]
    found = []

    def walk(value: Any, resource: dict[str, Any], path: str) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("reference"), str):
                found.append((resource, value, path))
            for key, item in value.items():
                if key not in ("text",):
                    walk(item, resource, f"{path}.{key}")
        elif isinstance(value, list):
            for item in value:
                walk(item, resource, path)

    for entry in data["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Provenance":
            if not resource["target"][0]["reference"].endswith(header_id):
                continue
            walk(resource.get("agent"), resource, "Provenance.agent")
        else:
            walk(resource, resource, resource["resourceType"])
    return found


@SETTINGS
@given(st.sampled_from(sorted(BASES)), st.data())
def test_breaking_a_reference_names_the_resource_and_path(base: str, draw: st.DataObject) -> None:
    data = copy.deepcopy(BASES[base])
    candidates = references(data)
    resource, ref, path = draw.draw(st.sampled_from(candidates))
    kind = ref["reference"].split("/")[-2]
    ref["reference"] = f"{kind}/does-not-exist"
    specific = {"mc-sender", "mc-receiver", "mc-hn-focus", "mc-cc-focus", "mc-hn-subject", "mc-hn-service-provider",
                "mc-cc-subject", "mc-cc-segment-id", "mc-reference-type", "mc-ack-details"}  # fmt: skip
    assert_rejected(data, {"mc-reference"} | specific, label(resource), path.split(".")[-1])


# --- wrong codes --------------------------------------------------------------------------------------------
def _set(getter: Getter, key: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(data: dict[str, Any]) -> dict[str, Any]:
        owner = getter(data)
        owner[key] = value
        return owner

    return apply


WRONG_CODES: dict[str, list[tuple[Callable[[dict[str, Any]], dict[str, Any]], set[str], str]]] = {
    "HN": [
        (_set(lambda d: resources(d, "Encounter")[0]["class"], "code", "AMB"), {"mc-hn-class"}, "Encounter.class"),
        (_set(lambda d: resources(d, "Encounter")[0], "status", "cancelled"), {"mc-hn-status"}, "Encounter.status"),
        (_set(lambda d: current_provenance(d)["activity"]["coding"][0], "code", "retract-message"), {"mc-provenance-activity"}, "Provenance.activity"),
        (_set(lambda d: HEADER(d)["eventCoding"], "code", "homecareobservation-message"), {"mc-header-event"}, "MessageHeader.eventCoding"),
        (_set(lambda d: HEADER(d)["destination"][0]["extension"][0]["valueCoding"], "code", "cc"), {"mc-destination"}, "MessageHeader.destination"),
        (_set(lambda d: resources(d, "Encounter")[0]["class"], "system", "http://example.org/classes"), {"mc-hn-class"}, "Encounter.class"),
        (_set(lambda d: resources(d, "Patient")[0]["identifier"][0], "system", "urn:oid:1.2.208.176.1.6.1.1"), {"mc-hn-cpr", "mc-ecpr"}, "Patient.identifier"),
    ],
    "CC": [
        (_set(lambda d: resources(d, "Communication")[0]["category"][0]["coding"][0], "code", "gossip"), {"mc-cc-category"}, "Communication.category"),
        (_set(lambda d: resources(d, "Communication")[0], "status", "completed"), {"mc-cc-status"}, "Communication.status"),
        (_set(lambda d: resources(d, "Communication")[0], "priority", "stat"), {"mc-cc-priority"}, "Communication.priority"),
        (_set(lambda d: current_provenance(d)["activity"]["coding"][0], "code", "modified-message"), {"mc-provenance-activity"}, "Provenance.activity"),
        (_set(lambda d: HEADER(d), "definition", "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|6.0"), {"mc-cc-definition"}, "MessageHeader.definition"),
        (_set(lambda d: resources(d, "Communication")[0]["identifier"][0], "value", "thread-1"), {"mc-cc-identifier"}, "Communication.identifier"),
    ],
}  # fmt: skip


@SETTINGS
@given(st.sampled_from(HN_BASES), st.sampled_from(WRONG_CODES["HN"]))
def test_wrong_codes_in_a_hospital_notification(base: str, mutation: tuple) -> None:
    apply, rules, element = mutation
    data = copy.deepcopy(BASES[base])
    apply(data)
    assert_rejected(data, rules, None, element)


@SETTINGS
@given(st.sampled_from(CC_BASES), st.sampled_from(WRONG_CODES["CC"]))
def test_wrong_codes_in_a_care_communication(base: str, mutation: tuple) -> None:
    apply, rules, element = mutation
    data = copy.deepcopy(BASES[base])
    apply(data)
    assert_rejected(data, rules, None, element)


def test_wrong_codes_in_an_acknowledgement() -> None:
    data = copy.deepcopy(BASES["ACK-fatal"])
    HEADER(data)["response"]["code"] = "maybe"
    assert_rejected(data, {"mc-ack-code"}, label(HEADER(data)), "MessageHeader.response.code")
    data = copy.deepcopy(BASES["ACK-fatal"])
    data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != "OperationOutcome"]
    del HEADER(data)["response"]["details"]
    assert_rejected(data, {"mc-ack-details"}, label(HEADER(data)), "MessageHeader.response.details")


# --- identifiers --------------------------------------------------------------------------------------------
def _no_birthday(value: str) -> bool:
    return cpr_birth_date(value) is None


BAD_CPRS = st.one_of(
    st.text(alphabet="0123456789", min_size=10, max_size=10).filter(_no_birthday),
    st.text(alphabet="0123456789-", min_size=0, max_size=14).filter(
        lambda v: len(v.replace("-", "")) != 10 or "-" in v
    ),
    st.text(alphabet="ABCXYZ0123456789", min_size=10, max_size=10).filter(lambda v: not v.isdigit()),
)


@SETTINGS
@given(st.sampled_from(HN_BASES + CC_BASES), BAD_CPRS)
def test_a_bad_cpr_number_is_rejected(base: str, value: str) -> None:
    assume(value.strip())
    data = copy.deepcopy(BASES[base])
    patient = resources(data, "Patient")[0]
    patient["identifier"][0]["value"] = value
    assert_rejected(data, {"mc-cpr"}, label(patient), "Patient.identifier")


@SETTINGS
@given(st.sampled_from(sorted(BASES)), st.text(alphabet="0123456789", min_size=1, max_size=16))
def test_a_bad_location_number_is_rejected(base: str, value: str) -> None:
    from sektorbro.messaging.medcom.identifiers import gln_problem

    assume(gln_problem(value) is not None)
    data = copy.deepcopy(BASES[base])
    org = resources(data, "Organization")[0]
    gln = next(i for i in org["identifier"] if i["system"] == "https://www.gs1.org/gln")
    gln["value"] = value
    assert_rejected(data, {"mc-gln"}, label(org), "Organization.identifier")


@SETTINGS
@given(st.sampled_from(sorted(BASES)), st.text(alphabet="0123456789", min_size=1, max_size=10))
def test_a_short_sor_id_is_rejected(base: str, value: str) -> None:
    data = copy.deepcopy(BASES[base])
    org = resources(data, "Organization")[0]
    sor = next(i for i in org["identifier"] if i["system"] == "urn:oid:1.2.208.176.1.1")
    sor["value"] = value
    assert_rejected(data, {"mc-sor"}, label(org), "Organization.identifier")


# --- timestamps ---------------------------------------------------------------------------------------------
@SETTINGS
@given(st.sampled_from(HN_BASES), st.sampled_from(["period.start", "provenance", "bundle"]))
def test_a_timestamp_without_time_zone_is_rejected(base: str, where: str) -> None:
    data = copy.deepcopy(BASES[base])
    if where == "period.start":
        owner = resources(data, "Encounter")[0]
        owner["period"]["start"] = "2022-12-07T12:00:00"
        assert_rejected(data, {"mc-timestamp-zone"}, label(owner), "Encounter.period.start")
    elif where == "provenance":
        owner = current_provenance(data)
        owner["occurredDateTime"] = "2022-12-07T12:00:02"
        assert_rejected(data, {"mc-timestamp-zone"}, label(owner), "Provenance.occurredDateTime")
    else:
        data["timestamp"] = "2022-12-07T12:00:02"
        assert_rejected(data, {"mc-timestamp-zone"}, "Bundle", "Bundle.timestamp")


def test_impossible_dates_and_stays_ending_before_they_start() -> None:
    data = copy.deepcopy(BASES["SLOR"])
    encounter = resources(data, "Encounter")[0]
    encounter["period"]["start"] = "2023-02-29T12:00:00+01:00"
    assert_rejected(data, {"mc-fhir-structure"}, label(encounter), "Encounter.period.start")
    data = copy.deepcopy(BASES["SLOR"])
    leave = resources(data, "Encounter")[0]["extension"][0]["valuePeriod"]
    leave["end"] = "2022-12-01T00:00:00+01:00"
    assert_rejected(data, {"mc-hn-leave"}, None, "leavePeriod")


# --- unreadable input ---------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([("HN", ".json"), ("HN", ".xml"), ("CC", ".json"), ("CC", ".xml")]),
    st.floats(0, 1, exclude_max=True),
)
def test_truncated_messages_give_a_parse_error(source: tuple[str, str], fraction: float) -> None:
    folder, name = (
        (HN, "Bundle-f4aa42a4-86db-4e68-9b38-9dda0dfd5774")
        if source[0] == "HN"
        else (CC, "Bundle-b56549f7-ed10-422d-8088-f7222b686e46")
    )
    raw = example(folder, name + source[1]).rstrip()
    cut = raw[: int(len(raw) * fraction)]
    result = validate_message(cut)
    assert not result.valid and result.bundle is None
    assert [(i.resource, i.path, i.rule) for i in result.issues] in (
        [("Bundle", "Bundle", "mc-parse")],
        [("Bundle", "Bundle.resourceType", "mc-parse")],
    )


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_never_raises(raw: bytes) -> None:
    result = validate_message(raw)
    assert not result.valid and all(i.rule in RULES for i in result.issues)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(BASES)), st.integers(min_value=0), st.integers(min_value=0, max_value=255))
def test_a_flipped_byte_never_raises(base: str, position: int, byte: int) -> None:
    raw = bytearray(json.dumps(BASES[base]).encode())
    raw[position % len(raw)] = byte
    result = validate_message(bytes(raw))
    assert all(i.rule in RULES and i.resource and i.path for i in result.issues)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*prefix, i))
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(BASES)), st.data(), JSON_VALUES)
def test_replacing_any_element_with_any_value_never_raises(
    base: str, draw: st.DataObject, value: Any
) -> None:
    data = copy.deepcopy(BASES[base])
    path = draw.draw(st.sampled_from(_paths(data)[1:]))
    owner = data
    for step in path[:-1]:
        owner = owner[step]
    owner[path[-1]] = value
    result = validate_message(json.dumps(data).encode())
    assert all(i.rule in RULES and i.resource and i.path and i.message for i in result.issues)
    assert "mc-internal" not in {i.rule for i in result.issues}, [i.line() for i in result.issues]
    if result.valid:  # what stays valid must also be accepted by the fhir.resources models
        assert validate_message(json.dumps(data).encode(), model_check=True).valid
    extract.facts(result)  # reading the facts of a broken message never raises either
    try:  # and whatever can be acknowledged gets a valid acknowledgement
        ack = build.acknowledgement_message(
            result, code="ok" if result.valid else "fatal-error", issues=result.issues, now=NOW
        )
    except build.CannotAcknowledge:
        pass
    else:
        checked = validate_message(build.to_xml(ack))
        assert checked.valid, [i.line() for i in checked.errors]


def _string_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    return [p for p in _paths(value, prefix) if _at(value, p) is not None and isinstance(_at(value, p), str)]


def _at(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def test_an_organisation_name_with_a_control_character_is_refused_not_raised() -> None:
    """Regression (a flake of the test above): an Organization.name holding a control character made the XML
    writer raise lxml's ValueError. The validator rejects it with a rule id, the XML writer refuses it naming the
    element and the rule, and the acknowledgement is valid XML."""
    for base in sorted(BASES):
        data = copy.deepcopy(BASES[base])
        organisation = resources(data, "Organization")[0]
        organisation["name"] = "Randers\x01 Kommune"
        result = validate_message(json.dumps(data).encode())
        assert not result.valid and {i.rule for i in result.errors} == {"mc-parse"}
        with pytest.raises(fhirjson.UnwritableXml) as refused:
            build.to_xml(data)
        assert refused.value.rule in RULES and refused.value.path.endswith("Organization.name")
        try:
            ack = build.acknowledgement_message(result, code="fatal-error", issues=result.issues, now=NOW)
        except build.CannotAcknowledge:
            continue
        assert validate_message(build.to_xml(ack)).valid


@pytest.mark.parametrize("character", ["\x01", "\x0b", "\x1f", "\ud800", "\uffff"])
def test_any_string_with_a_character_xml_cannot_carry_is_refused_with_a_rule(character: str) -> None:
    """Every string of every base message, one at a time: the message is rejected with a rule, writing it as XML is
    refused with the element path and a rule id (never lxml's ValueError), and its acknowledgement is valid XML."""
    for base in sorted(BASES):
        original = BASES[base]
        for path in _string_paths(original)[
            ::3
        ]:  # every third string keeps the test quick; all kinds are covered
            data = copy.deepcopy(original)
            _at(data, path[:-1])[path[-1]] = _at(data, path) + character
            result = validate_message(json.dumps(data).encode())
            assert not result.valid and all(i.rule in RULES for i in result.errors)
            with pytest.raises(fhirjson.UnwritableXml) as refused:
                build.to_xml(data)
            assert refused.value.rule in RULES and refused.value.path
            try:
                ack = build.acknowledgement_message(result, code="fatal-error", issues=result.issues, now=NOW)
            except build.CannotAcknowledge:
                continue
            checked = validate_message(build.to_xml(ack))
            assert checked.valid, (base, path, [i.line() for i in checked.errors])
