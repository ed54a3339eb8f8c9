"""MedCom messages: every official example judged as its README says, extraction, acknowledgements and
mutations that must be rejected cleanly."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.messaging.medcom import build, extract
from sektorbro.messaging.medcom.cli import ack_main, validate_main
from sektorbro.messaging.medcom.validate import check, normalized

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "medcom-examples"
INVALID = {
    "Bundle-R-Tek-M-dublicate-inv-260a3cc1-38eb-454a-a57b-9e32eabb54a3.json": "mc-cc-category",
    "Bundle-R-Tek-N-dublicate-inv-260f76f2-d986-4ba1-8049-2369b1b164ce.xml": "mc-cc-category",
    "Bundle-17a0c807-372b-452c-972e-c59036153b57.json": "mc-fhir-structure",
}
ALL = sorted(EXAMPLES.rglob("Bundle-*"))
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
HN = EXAMPLES / "hospitalnotification" / "ig-examples"


def test_the_examples_are_there() -> None:
    assert len(ALL) == 122, f"expected the 122 example bundles in {EXAMPLES}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_is_judged_as_its_readme_says(path: Path) -> None:
    checked = check(path.read_bytes())
    if path.name in INVALID:
        assert not checked.valid
        assert INVALID[path.name] in {i.rule for i in checked.issues}
        assert all(i.resource and i.path and i.rule for i in checked.issues)
    else:
        assert checked.valid, [i.line() for i in checked.issues]


@pytest.mark.parametrize(
    ("stem", "code", "start", "end"),
    [
        ("a5e5b880-c087-4055-b9ec-99108695f81d", "STIN", "2022-12-07T12:00:00+02:00", None),
        ("bfab3e80-9584-11ec-b909-0242ac120002", "RE_STIN", "2022-12-07T13:00:00+02:00", None),
        ("c83671a4-9584-11ec-b909-0242ac120002", "AN_STIN", "2022-12-07T12:00:00+02:00", None),
        ("d3128d9b-cede-4c7f-8904-809eab322d7d", "STOR", "2022-12-07T12:00:00+02:00", None),
        ("e94de8ee-bd94-475e-b454-b8fbbef8a685", "SLOR", "2022-12-07T12:00:00+02:00", None),
        (
            "f4aa42a4-86db-4e68-9b38-9dda0dfd5774",
            "SLHJ",
            "2022-12-07T12:00:00+02:00",
            "2022-12-18T09:45:30+02:00",
        ),
        (
            "g099bbf3-3fca-4722-a248-bfe1aa956410",
            "MORS",
            "2022-12-07T12:00:00+02:00",
            "2022-12-09T09:45:30+02:00",
        ),
        ("h1c8e4a8-6b45-4669-94ad-2a99ad96bf03", "STAA", "2022-12-01T10:00:04+02:00", None),
    ],
)
def test_hospital_notification_facts(stem: str, code: str, start: str, end: str | None) -> None:
    for suffix in (".json", ".xml"):
        facts = extract.hospital_notification(check((HN / f"Bundle-{stem}{suffix}").read_bytes()))
        assert facts.event_code == code
        assert facts.start == dt.datetime.fromisoformat(start)
        assert facts.end == (dt.datetime.fromisoformat(end) if end else None)
        assert facts.common.patient_cpr == "2509479989"
        assert facts.common.receiver is not None and facts.common.receiver.gln == "5790001348120"
        assert facts.episode_ids


def test_follow_up_notifications_point_at_the_message_they_follow() -> None:
    first = extract.hospital_notification(
        check((HN / "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json").read_bytes())
    )
    cancel = extract.hospital_notification(
        check((HN / "Bundle-c83671a4-9584-11ec-b909-0242ac120002.json").read_bytes())
    )
    assert first.common.refers_to is None and cancel.common.refers_to == first.common.message_id


def test_care_communication_and_acknowledgement_facts() -> None:
    cc = extract.care_communication(
        check(
            (
                EXAMPLES / "carecommunication/ig-examples/Bundle-b56549f7-ed10-422d-8088-f7222b686e46.json"
            ).read_bytes()
        )
    )
    assert cc.category == "examination-results" and cc.common.activity == "reply-message"
    assert cc.texts and cc.attachments[0]["content_type"] == "application/pdf"
    ack = extract.acknowledgement(
        check(
            (
                EXAMPLES / "acknowledgement/ig-examples/Bundle-bc9535ef-ed94-4060-a928-7baddec7ee71.json"
            ).read_bytes()
        )
    )
    assert ack.code == "fatal-error" and ack.problems == ("MSG_VALUESET_VALUE_UNKNOWN",)


@pytest.mark.parametrize(
    "name",
    ["Bundle-f4aa42a4-86db-4e68-9b38-9dda0dfd5774.json", "Bundle-h1c8e4a8-6b45-4669-94ad-2a99ad96bf03.xml"],
)
def test_acknowledgements_are_valid_unique_and_round_trip(name: str) -> None:
    received = check((HN / name).read_bytes())
    first = build.acknowledgement(received, code="ok", now=NOW)
    second = build.acknowledgement(received, code="ok", now=NOW)
    assert first["id"] != second["id"]
    as_json, as_xml = check(build.to_json(first).encode()), check(build.to_xml(first).encode())
    assert as_json.valid and as_xml.valid, [i.line() for i in as_json.issues + as_xml.issues]
    assert normalized(build.to_json(first).encode()) == normalized(build.to_xml(first).encode())
    facts = extract.acknowledgement(as_json)
    assert facts.acknowledged_id == extract.common(received).message_id and facts.code == "ok"


def test_a_negative_acknowledgement_names_the_problem() -> None:
    received = check(INVALID_PATH.read_bytes())
    ack = build.acknowledgement(received, code="fatal-error", issues=received.issues, now=NOW)
    facts = extract.acknowledgement(check(build.to_json(ack).encode()))
    assert facts.code == "fatal-error" and "mc-cc-category" in facts.problems[0]


INVALID_PATH = (
    EXAMPLES
    / "carecommunication/test-examples/receive"
    / next(n for n in INVALID if n.startswith("Bundle-R-Tek-M"))
)
BASE = json.loads((HN / "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json").read_text())


def _mutate(kind: str, data: dict[str, Any]) -> bytes:
    entries = data["entry"]
    by_type = {e["resource"]["resourceType"]: e["resource"] for e in entries}
    match kind:
        case "drop-header-event":
            entries[0]["resource"].pop("eventCoding")
        case "break-reference":
            by_type["Encounter"]["subject"]["reference"] = "Patient/does-not-exist"
        case "wrong-code":
            by_type["Encounter"]["class"]["code"] = "AMB"
        case "bad-cpr":
            by_type["Patient"]["identifier"][0]["value"] = "3213991234"
        case "bad-gln":
            by_type["Organization"]["identifier"][0]["value"] = "5790000209355"
        case "no-zone":
            by_type["Encounter"]["period"]["start"] = "2022-12-07T12:00:00"
        case "no-provenance":
            data["entry"] = [e for e in entries if e["resource"]["resourceType"] != "Provenance"]
        case "header-not-first":
            data["entry"] = entries[1:] + entries[:1]
    return json.dumps(data).encode()


MUTATIONS = {
    "drop-header-event": "mc-fhir-structure",
    "break-reference": "mc-reference",
    "wrong-code": "mc-hn-class",
    "bad-cpr": "mc-cpr",
    "bad-gln": "mc-gln",
    "no-zone": "mc-fhir-structure mc-timestamp-zone",
    "no-provenance": "mc-provenance",
    "header-not-first": "mc-header-first",
}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(MUTATIONS)))
def test_mutated_messages_are_rejected_naming_the_rule(kind: str) -> None:
    checked = check(_mutate(kind, json.loads(json.dumps(BASE))))
    assert not checked.valid
    assert set(MUTATIONS[kind].split()) & {i.rule for i in checked.issues}, [i.line() for i in checked.issues]


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["json", "xml"]))
def test_truncated_messages_are_rejected_without_exceptions(cut: int, fmt: str) -> None:
    raw = (HN / f"Bundle-f4aa42a4-86db-4e68-9b38-9dda0dfd5774.{fmt}").read_bytes()
    checked = check(raw[: min(cut, len(raw) - 1)])
    assert not checked.valid and checked.issues


def test_validate_cli(tmp_path: Path) -> None:
    out = StringIO()
    good = str(HN / "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.xml")
    assert validate_main([good], out) == 0 and out.getvalue() == f"OK {good}\n"
    out = StringIO()
    assert validate_main([good, str(INVALID_PATH), str(tmp_path / "missing.json")], out) == 1
    lines = out.getvalue().splitlines()
    assert f"INVALID {INVALID_PATH}" in lines and any("[mc-cc-category]" in line for line in lines)
    assert f"INVALID {tmp_path / 'missing.json'}" in lines


def test_ack_cli_prints_json_or_xml() -> None:
    out = StringIO()
    assert (
        ack_main(str(HN / "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"), out, StringIO(), now=NOW) == 0
    )
    assert json.loads(out.getvalue())["type"] == "message"
    out = StringIO()
    assert ack_main(str(INVALID_PATH), out, StringIO(), fmt="xml", now=NOW) == 0
    assert out.getvalue().startswith("<") and "fatal-error" in out.getvalue()


MUNICIPALITY = extract.Party(name="Visitationen, Randers Kommune", sor="953741000016009", gln="5790001348120")
WARD = extract.Party(name="Medicinsk Afdeling, Randers", sor="265161000016000", gln="5790000209354")


def test_a_new_care_communication_is_valid_and_round_trips() -> None:
    bundle = build.care_communication(
        sender=MUNICIPALITY, receiver=WARD, patient_cpr="2509479989", patient_name="Bruno Elmer",
        category="discharge", topic="Vedr. plejeforløbsplan", text="Vi kan modtage borgeren fredag.", author_phone="89151515", now=NOW,
    )  # fmt: skip
    as_json, as_xml = check(build.to_json(bundle).encode()), check(build.to_xml(bundle).encode())
    assert as_json.valid and as_xml.valid, [i.line() for i in as_json.issues + as_xml.issues]
    assert normalized(build.to_json(bundle).encode()) == normalized(build.to_xml(bundle).encode())
    facts = extract.care_communication(as_json)
    assert facts.common.activity == "new-message" and facts.category == "discharge"
    assert facts.texts == ("Vi kan modtage borgeren fredag.",) and facts.topic == "Vedr. plejeforløbsplan"


def test_a_reply_keeps_the_thread_and_points_at_the_message_it_answers() -> None:
    received = check(
        (
            EXAMPLES / "carecommunication/ig-examples/Bundle-add5e7e2-0c0f-4a4a-bfff-f6f984fa7e3c.json"
        ).read_bytes()
    )
    question = extract.care_communication(received)
    reply = build.care_communication(
        sender=MUNICIPALITY, receiver=WARD, patient_cpr="2509479989", patient_name="Bruno Elmer",
        category=question.category, text="Svar: prøverne er sendt.", now=NOW, reply_to=received,
    )  # fmt: skip
    checked = check(build.to_json(reply).encode())
    assert checked.valid, [i.line() for i in checked.issues]
    facts = extract.care_communication(checked)
    assert facts.common.activity == "reply-message" and facts.common.refers_to == question.common.message_id
    assert facts.thread_id == question.thread_id and facts.texts[0] == "Svar: prøverne er sendt."
    assert question.texts[0] in facts.texts


def test_builders_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="category"):
        build.care_communication(
            sender=MUNICIPALITY,
            receiver=WARD,
            patient_cpr="2509479989",
            patient_name="B E",
            category="gossip",
            text="x",
            now=NOW,
        )
    with pytest.raises(ValueError, match="topic"):
        build.care_communication(
            sender=MUNICIPALITY,
            receiver=WARD,
            patient_cpr="2509479989",
            patient_name="B E",
            category="other",
            text="x",
            now=NOW,
        )
    with pytest.raises(ValueError, match="time"):
        build.care_communication(
            sender=MUNICIPALITY,
            receiver=WARD,
            patient_cpr="2509479989",
            patient_name="B E",
            category="nursing",
            text="x",
            now=dt.datetime(2026, 1, 1),
        )
