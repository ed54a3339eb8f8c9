"""Building messages: a new CareCommunication from a municipality to a ward, a reply and a forward that follow the
thread rules, Acknowledgements for any received message, and HospitalNotifications. Every built message is valid,
round-trips between JSON and XML and carries fresh UUID v4 ids."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.messaging.medcom import build, extract
from sektorbro.messaging.medcom.build import (
    Attachment,
    BuildOptions,
    CareCommunicationDraft,
    EncounterRef,
    ForwardDraft,
    HospitalNotificationDraft,
    Patient,
    ReplyDraft,
)
from sektorbro.messaging.medcom.message import xml_safe
from sektorbro.messaging.medcom.terminology import (
    ACK_ERROR_SYSTEM,
    CC_CATEGORIES,
    HN_EVENT_CODES,
    LPR3_EPISODE_SYSTEM,
    X_ECPR_SYSTEM,
)
from sektorbro.messaging.medcom.validate import ValidationResult, check_thread, normalized, validate_message
from tests.messaging.examples import (
    ACK,
    CC,
    GP,
    HN,
    MUNICIPALITY,
    NOW,
    NURSE,
    PATIENT,
    WARD,
    WARD_NURSE,
    canonical,
    example,
    find,
)

PDF = b"%PDF-1.4\n% Sektorbro test\n"


def read(bundle: dict[str, Any]) -> ValidationResult:
    """Validate a built message from JSON and from XML; both must be valid and read the same."""
    as_json = validate_message(build.to_json(bundle))
    as_xml = validate_message(build.to_xml(bundle))
    assert as_json.valid, [i.line() for i in as_json.issues]
    assert as_xml.valid, [i.line() for i in as_xml.issues]
    assert as_xml.bundle == as_json.bundle == bundle  # lossless both ways
    assert canonical(normalized(build.to_xml(bundle))) == canonical(
        normalized(build.to_json(bundle))
    )  # models agree
    assert not as_json.warnings, [i.line() for i in as_json.warnings]
    return as_json


def uuids(bundle: dict[str, Any]) -> list[str]:
    ids = [bundle["id"]] + [e["resource"]["id"] for e in bundle["entry"]]
    assert all(uuid.UUID(i).version == 4 for i in ids)
    return ids


def new_message(**changes: Any) -> dict[str, Any]:
    draft = CareCommunicationDraft(
        sender=MUNICIPALITY, receiver=WARD, patient=PATIENT, category="discharge",
        text="Vi kan modtage borgeren fredag.\nHjemmeplejen er orienteret.", author=NURSE, sent_at=NOW,
        topic="Vedr. plejeforløbsplan",
    )  # fmt: skip
    return build.care_communication_message(dataclasses.replace(draft, **changes))


def test_a_new_care_communication_from_a_municipality_to_a_ward() -> None:
    bundle = new_message()
    result = read(bundle)
    facts = extract.care_communication(result)
    assert (
        facts.activity == "new" and facts.category == "discharge" and facts.topic == "Vedr. plejeforløbsplan"
    )
    assert facts.texts == ("Vi kan modtage borgeren fredag.\nHjemmeplejen er orienteret.",) == facts.new_texts
    assert facts.common.sender == MUNICIPALITY and facts.common.receiver == WARD
    assert facts.common.patient_cpr == "2509479989" and facts.common.patient_name == "Bruno Test Elmer"
    assert facts.common.sent_at == NOW and facts.common.version == "5.0"
    assert facts.segments[0].author_name == "Anna Holm" and facts.segments[0].author_role == "sygeplejerske"
    assert facts.segments[0].author_phone == "+4589151515" and facts.thread_id.startswith("urn:uuid:")
    assert len(set(uuids(bundle))) == len(bundle["entry"]) + 1
    assert all(e["resource"]["text"]["status"] == "generated" for e in bundle["entry"])
    assert "&#10;" in build.to_xml(bundle)  # a line break survives in XML as a character reference


def test_every_build_has_new_ids() -> None:
    first, second = new_message(), new_message()
    assert not set(uuids(first)) & set(uuids(second))
    assert (
        extract.care_communication(read(first)).thread_id
        != extract.care_communication(read(second)).thread_id
    )


@pytest.mark.parametrize("category", sorted(CC_CATEGORIES))
def test_every_category(category: str) -> None:
    facts = extract.care_communication(read(new_message(category=category, topic="Emne")))
    assert facts.category == category and facts.category_labels == CC_CATEGORIES[category]


def test_all_optional_content() -> None:
    images = [
        Attachment(
            f"Bilag {kind}",
            f"image/{kind}",
            bytes([kind_index]) * 50,
            creation=NOW - dt.timedelta(days=1),
            with_author=True,
        )
        for kind_index, kind in enumerate(("gif", "jpeg", "png", "tiff", "bmp"))
    ]
    attachments = (
        *images,
        Attachment("Udskrivningsbrev", "application/pdf", PDF),
        Attachment("MedCom", url="https://medcom.dk/"),
    )
    bundle = new_message(
        category="regarding-referral", priority="asap", attachments=attachments,
        encounter=EncounterRef("4f0e1a5c-9a8e-4a37-b5f6-0c7b8b7d2d11"), sender_team="Hjemmeplejen Team Nord",
        recipient_team="Sengeafsnit M1",
    )  # fmt: skip
    facts = extract.care_communication(read(bundle))
    assert facts.priority == "asap" and facts.episode_ids == ("4f0e1a5c-9a8e-4a37-b5f6-0c7b8b7d2d11",)
    assert (facts.specific_sender, facts.specific_recipient) == ("Hjemmeplejen Team Nord", "Sengeafsnit M1")
    assert [a["content_type"] for a in facts.attachments] == [
        *(f"image/{k}" for k in ("gif", "jpeg", "png", "tiff", "bmp")),
        "application/pdf",
        "",
    ]
    assert facts.attachments[5]["size"] == len(PDF) and facts.attachments[6]["url"] == "https://medcom.dk/"
    assert facts.segments[1].author_name == "Anna Holm" and facts.segments[6].author_name == ""


def test_a_patient_with_a_replacement_cpr_and_care_communication_4() -> None:
    patient = Patient(cpr="0703921VJ4", family="Hansen", identifier_system=X_ECPR_SYSTEM)
    bundle = build.care_communication_message(
        CareCommunicationDraft(MUNICIPALITY, WARD, patient, "nursing", "Tekst", NURSE, NOW),
        options=BuildOptions(care_communication_version="4.0"),
    )
    facts = extract.care_communication(read(bundle))
    assert facts.common.patient_cpr is None and facts.common.patient_identifiers[0].kind == "x-ecpr"
    assert facts.common.version == "4.0"


def test_relative_references_as_in_the_ig_examples() -> None:
    bundle = build.care_communication_message(
        CareCommunicationDraft(MUNICIPALITY, WARD, PATIENT, "nursing", "Tekst", NURSE, NOW),
        options=BuildOptions(reference_style="relative", base_url="https://kommune.example/fhir"),
    )
    read(bundle)
    header = bundle["entry"][0]["resource"]
    assert header["sender"]["reference"].startswith("Organization/")
    assert bundle["entry"][0]["fullUrl"].startswith("https://kommune.example/fhir/MessageHeader/")


def test_a_reply_keeps_the_thread() -> None:
    received = read(
        new_message(
            attachments=(Attachment("Plan", "application/pdf", PDF),), sender_team="Visitationen Team A"
        )
    )
    reply = read(
        build.reply_message(
            received,
            ReplyDraft(
                WARD, "Tak, vi planlægger udskrivelse fredag.", WARD_NURSE, NOW + dt.timedelta(hours=2)
            ),
        )
    )
    assert check_thread(received, reply) == []
    before, after = extract.care_communication(received), extract.care_communication(reply)
    assert after.activity == "reply" and after.thread_id == before.thread_id
    assert after.common.refers_to == before.message_id and after.common.receiver == MUNICIPALITY
    assert after.texts == (*before.texts, "Tak, vi planlægger udskrivelse fredag.")
    assert after.new_texts == ("Tak, vi planlægger udskrivelse fredag.",)
    assert after.attachments[0]["identifier"] == before.attachments[0]["identifier"]
    assert after.attachments[0]["has_content"] is False  # not sent again
    assert after.specific_recipient == "Visitationen Team A"  # the answer goes to the one who wrote
    assert [s.activity for s in after.common.history] == ["new-message", "reply-message"]
    assert (after.category, after.topic) == (before.category, before.topic)
    # a reply to the reply continues the same thread
    again = read(
        build.reply_message(
            reply,
            ReplyDraft(
                MUNICIPALITY,
                "Godt.",
                NURSE,
                NOW + dt.timedelta(hours=3),
                category="nursing",
                topic="Nyt emne",
            ),
        )
    )
    assert check_thread(reply, again) == []
    third = extract.care_communication(again)
    assert (third.category, third.topic, len(third.common.history)) == ("nursing", "Nyt emne", 3)


def test_a_reply_to_an_official_example_and_to_an_oioxml_answer() -> None:
    for name in (
        "Bundle-add5e7e2-0c0f-4a4a-bfff-f6f984fa7e3c.xml",
        "Bundle-gfd00bc2-9c26-4174-934e-f6e4360845de.json",
        "Bundle-k7bfbc0c-553d-11ed-bdc3-0242ac120002.json",
    ):
        received = validate_message(example(CC, name))
        receiver = extract.care_communication(received).common.receiver
        assert receiver is not None
        reply = validate_message(
            build.to_json(build.reply_message(received, ReplyDraft(receiver, "Svar", WARD_NURSE, NOW)))
        )
        assert reply.valid, [i.line() for i in reply.errors]
        assert check_thread(received, reply) == []
        facts = extract.care_communication(reply)
        assert facts.episode_ids == extract.care_communication(received).episode_ids  # tec-06: carried along


def test_a_reply_may_resend_attachments_on_request() -> None:
    received = read(new_message(attachments=(Attachment("Plan", "application/pdf", PDF),)))
    reply = read(
        build.reply_message(received, ReplyDraft(WARD, "Svar", WARD_NURSE, NOW, resend_attachments=True))
    )
    assert [w.message for w in check_thread(received, reply)] == [
        f"attachment {extract.care_communication(received).attachments[0]['identifier']} was sent before; a reply keeps its segment without the content"
    ]


def test_a_forward_starts_a_new_thread() -> None:
    received = read(new_message(attachments=(Attachment("Plan", "application/pdf", PDF),)))
    forward = read(
        build.forward_message(
            received,
            ForwardDraft(WARD, GP, "Til orientering.", WARD_NURSE, NOW, category="examination-results"),
        )
    )
    assert check_thread(received, forward) == []
    before, after = extract.care_communication(received), extract.care_communication(forward)
    assert after.activity == "forward" and after.thread_id != before.thread_id and after.common.receiver == GP
    assert after.attachments[0]["has_content"] and after.category == "examination-results"
    partial = read(
        build.forward_message(
            received,
            ForwardDraft(
                WARD, GP, "Kun teksten.", WARD_NURSE, NOW, segments=(before.segments[0].identifier,)
            ),
        )
    )
    facts = extract.care_communication(partial)
    assert [s.kind for s in facts.segments] == ["text", "text"] and len(facts.common.history) == 2


def test_builders_refuse_what_would_be_invalid() -> None:
    base = CareCommunicationDraft(MUNICIPALITY, WARD, PATIENT, "nursing", "Tekst", NURSE, NOW)
    cases: list[tuple[dict[str, Any], str]] = [
        (dict(category="gossip"), "category"),
        (dict(category="other"), "topic"),
        (dict(priority="asap"), "priority"),
        (dict(text="  "), "text"),
        (dict(sent_at=dt.datetime(2026, 1, 1)), "timezone"),
        (dict(sender=dataclasses.replace(MUNICIPALITY, gln="5790001348121")), "check digit"),
        (dict(receiver=dataclasses.replace(WARD, sor="123")), "SOR"),
        (dict(author=dataclasses.replace(NURSE, phone="")), "phone"),
        (dict(author=dataclasses.replace(NURSE, role_text="Sygeplejerske")), "role"),
        (dict(attachments=(Attachment("Film", "video/mp4", b"x"),)), "attachment type"),
        (dict(attachments=(Attachment("", "application/pdf", b"x"),)), "title"),
        (dict(attachments=(Attachment("Begge", "application/pdf", b"x", url="https://x"),)), "either"),
    ]
    for change, message in cases:
        with pytest.raises(ValueError, match=message):
            build.care_communication_message(dataclasses.replace(base, **change))
    hn_received = validate_message(example(HN, "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"))
    with pytest.raises(ValueError, match="CareCommunication"):
        build.reply_message(hn_received, ReplyDraft(WARD, "Svar", NURSE, NOW))


@settings(max_examples=40, deadline=None)
@given(
    st.text(min_size=1, max_size=400).filter(lambda t: xml_safe(t).strip()),
    st.sampled_from(sorted(CC_CATEGORIES)),
    st.text(max_size=60),
)
def test_any_text_builds_a_valid_message(text: str, category: str, topic: str) -> None:
    topic = topic if xml_safe(topic).strip() else ("Emne" if category == "other" else "")
    bundle = new_message(text=text, category=category, topic=topic)
    result = validate_message(build.to_xml(bundle))
    assert result.valid, [i.line() for i in result.errors]
    assert validate_message(build.to_json(bundle)).bundle == result.bundle


# --- Acknowledgement ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        HN / "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json",
        HN / "Bundle-e94de8ee-bd94-475e-b454-b8fbbef8a685.xml",
        CC / "Bundle-gfd00bc2-9c26-4174-934e-f6e4360845de.json",
        HN.parent / "testscripts" / "fixtures" / "Bundle-079858e5-8687-4f5c-b183-d9688206fd29.json",
    ],
    ids=lambda p: p.name,
)
@pytest.mark.usefixtures("medcom_examples")
def test_a_positive_acknowledgement(path: Any) -> None:
    received = validate_message(path.read_bytes())
    ack = read(build.acknowledgement_message(received, code="ok", now=NOW))
    facts = extract.acknowledgement(ack)
    assert (facts.code, facts.acknowledged_id, facts.issues) == ("ok", received.message_id, ())
    original = extract.common(received)
    assert facts.common.receiver == original.sender and facts.common.sender == original.receiver
    provenances = ack.resources("Provenance")
    assert (
        len(provenances) == 2
        and [p["activity"]["coding"][0]["code"] for p in provenances][1] == "acknowledgement"
    )
    assert provenances[0]["target"][0]["reference"].endswith(received.message_id or "?")
    assert provenances[1]["entity"][0]["what"]["reference"] == received.header_full_url()


def test_a_negative_acknowledgement_names_every_error() -> None:
    received = validate_message(find("Bundle-R-Tek-M-").read_bytes())
    ack = read(build.acknowledgement_message(received, code="fatal-error", issues=received.issues, now=NOW))
    facts = extract.acknowledgement(ack)
    assert facts.code == "fatal-error" and len(facts.issues) == len(received.errors) == 1
    issue = facts.issues[0]
    assert issue.detail_code == "MSG_VALUESET_VALUE_UNKNOWN" and issue.expression == (
        "Communication.category.coding.code",
    )
    assert "[mc-cc-category]" in issue.text and issue.severity == "error"


def test_a_transient_error_and_an_ok_with_a_note() -> None:
    received = validate_message(example(HN, "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"))
    transient = extract.acknowledgement(
        read(
            build.acknowledgement_message(
                received, code="transient-error", now=NOW, notes=["database unavailable"]
            )
        )
    )
    assert (
        transient.code == "transient-error"
        and transient.issues[0].detail_code == "MSG_Mailbox_Out_Of_Operation"
    )
    noted = extract.acknowledgement(
        read(
            build.acknowledgement_message(
                received, code="ok", now=NOW, notes=["duplicate of an earlier message"]
            )
        )
    )
    assert noted.code == "ok" and noted.issues[0].severity == "information"


def test_a_duplicate_gets_the_same_acknowledgement_again() -> None:
    received = validate_message(example(HN, "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"))
    first = build.acknowledgement_message(received, code="ok", now=NOW)
    again = build.reissue_acknowledgement(first, now=NOW + dt.timedelta(minutes=5))
    read(again)
    assert again["id"] != first["id"] and again["timestamp"] != first["timestamp"]
    assert again["entry"] == first["entry"]


def test_acknowledgements_of_broken_messages() -> None:
    garbled = validate_message(b"<Bundle><broken")
    with pytest.raises(build.CannotAcknowledge):
        build.acknowledgement_message(garbled, code="fatal-error", issues=garbled.issues, now=NOW)
    ack = validate_message(example(ACK, "Bundle-a8c041b8-c65a-4fde-a90f-962076918834.json"))
    with pytest.raises(build.CannotAcknowledge, match="never acknowledged"):
        build.acknowledgement_message(ack, code="ok", now=NOW)
    data = json.loads(example(HN, "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"))
    data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != "Provenance"]
    data["entry"][0]["resource"]["destination"][0]["receiver"]["reference"] = "Organization/missing"
    received = validate_message(json.dumps(data))
    assert not received.valid
    with pytest.raises(build.CannotAcknowledge, match="no receiver"):
        build.acknowledgement_message(received, code="fatal-error", issues=received.issues, now=NOW)
    ack_bundle = build.acknowledgement_message(
        received, code="fatal-error", issues=received.issues, now=NOW, our_organisation=MUNICIPALITY
    )
    facts = extract.acknowledgement(read(ack_bundle))
    assert {i.detail_code for i in facts.issues} >= {"MSG_Datatype_Wrong", "MSG_Receiver_Identifier_MISSING"}
    assert all(i.detail_system == ACK_ERROR_SYSTEM for i in facts.issues)  # MedCom's error codes only


def test_a_sender_with_a_malformed_sor_id_cannot_be_acknowledged() -> None:
    """Found by the mutation test: a short SOR id on the sender raised ValueError instead of CannotAcknowledge,
    which would have stopped a whole ingestion batch."""
    data = json.loads(example(HN, "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"))
    header = data["entry"][0]["resource"]
    sender_id = header["sender"]["reference"].rsplit("/", 1)[-1]
    for entry in data["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Organization" and resource["id"] == sender_id:
            for identifier in resource["identifier"]:
                if identifier["system"] == "urn:oid:1.2.208.176.1.1":  # SOR
                    identifier["value"] = "123"
    received = validate_message(json.dumps(data))
    with pytest.raises(build.CannotAcknowledge, match="cannot be addressed"):
        build.acknowledgement_message(received, code="fatal-error", issues=received.issues, now=NOW)


# --- HospitalNotification -----------------------------------------------------------------------------------
FLOWS = {
    "STIN": [], "STAA": [], "MORS": [],
    "RE_STIN": ["STIN"], "AN_STIN": ["STIN"], "RE_STAA": ["STAA"], "AN_STAA": ["STAA"],
    "STOR": ["STIN"], "RE_STOR": ["STIN", "STOR"], "AN_STOR": ["STIN", "STOR"],
    "SLOR": ["STIN", "STOR"], "RE_SLOR": ["STIN", "STOR", "SLOR"], "AN_SLOR": ["STIN", "STOR", "SLOR"],
    "SLHJ": ["STIN"], "RE_SLHJ": ["STAA", "SLHJ"], "AN_SLHJ": ["STIN", "SLHJ"],
    "RE_MORS": ["STIN", "MORS"], "AN_MORS": ["STIN", "STOR", "MORS"],
}  # fmt: skip


def test_every_notification_code_is_covered() -> None:
    assert set(FLOWS) == set(HN_EVENT_CODES)


@pytest.mark.parametrize("code", sorted(FLOWS))
def test_every_notification_code_can_be_built_and_reads_back(code: str) -> None:
    from sektorbro.messaging.medcom import synthetic

    messages = synthetic.stay(
        [*FLOWS[code], code], patient=PATIENT, admitted_at=NOW, sender=WARD, receiver=MUNICIPALITY
    )
    previous: str | None = None
    for expected, bundle in zip([*FLOWS[code], code], messages, strict=True):
        result = read(bundle)
        facts = extract.hospital_notification(result)
        assert facts.event_code == expected
        assert extract.hospital_notification(result, previous_event_code=previous).event_code == expected
        previous = expected
    assert facts.common.patient_cpr == PATIENT.cpr and len(facts.common.history) == len(messages)
    assert {m["entry"][2]["resource"]["id"] for m in messages} == {
        facts.encounter_id
    }  # one Encounter per stay
    assert {
        extract.hospital_notification(validate_message(build.to_json(m))).episode_of_care_id for m in messages
    } == {facts.episode_of_care_id}


def test_a_hospital_notification_from_a_department_under_a_hospital() -> None:
    department = extract.Organisation("Kardiologisk Afsnit", "265171000016003", "5790000209361")
    bundle = build.hospital_notification_message(
        HospitalNotificationDraft(
            "STIN", WARD, MUNICIPALITY, PATIENT, str(uuid.uuid4()), NOW, NOW, service_provider=department
        )
    )
    facts = extract.hospital_notification(read(bundle))
    assert facts.service_provider == department and facts.common.sender == WARD and facts.report_of_admission


def test_a_follow_up_needs_its_predecessor() -> None:
    with pytest.raises(ValueError, match="previous"):
        build.hospital_notification_message(
            HospitalNotificationDraft("SLHJ", WARD, MUNICIPALITY, PATIENT, "x", NOW, NOW)
        )


def test_the_compatibility_wrappers() -> None:
    bundle = build.care_communication(
        sender=MUNICIPALITY, receiver=WARD, patient_cpr="2509479989", patient_name="Bruno Elmer", category="nursing",
        text="Hej", now=NOW, author_phone="89151515",
    )  # fmt: skip
    received = read(bundle)
    reply = build.care_communication(
        sender=WARD, receiver=MUNICIPALITY, patient_cpr="2509479989", patient_name="Bruno Elmer", category="nursing",
        text="Svar", now=NOW, author_phone="78421000", reply_to=received,
    )  # fmt: skip
    assert check_thread(received, read(reply)) == []
    unsigned = validate_message(build.to_json(build.care_communication(
        sender=MUNICIPALITY, receiver=WARD, patient_cpr="2509479989", patient_name="Bruno Elmer", category="nursing",
        text="Hej", now=NOW,
    )))  # fmt: skip
    assert {i.rule for i in unsigned.errors} == {"mc-cc-payload"}  # no phone: the author contact is missing
    ack = build.acknowledgement(received, code="ok", now=NOW)
    assert read(ack).valid
    assert base64.b64decode(base64.b64encode(PDF)) == PDF


# --- what Sektorbro sends: MedCom's conformance points (issue 15) -------------------------------------------
@pytest.mark.parametrize(
    "written", ["+45 89 15 15 15", "+45-8915-1515", " +45 (89) 15.15.15 ", "+4589151515"]
)
def test_the_author_phone_is_written_with_digits_only(written: str) -> None:
    bundle = new_message(author=dataclasses.replace(NURSE, phone=written))
    contact = [
        x["valueContactPoint"]["value"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Communication"
        for p in e["resource"]["payload"]
        for x in p["extension"]
        if x["url"].endswith("medcom-core-contact-extension")
    ]
    assert contact == ["+4589151515"]
    assert extract.care_communication(read(bundle)).segments[0].author_phone == "+4589151515"


def test_a_phone_number_with_letters_is_refused() -> None:
    assert build.phone_number("78 42 10 00") == "78421000"
    with pytest.raises(ValueError, match="phone"):
        new_message(author=dataclasses.replace(NURSE, phone="89 15 ext. 12"))


STAY = EncounterRef.of_episodes(
    [("https://sor.example/265161000016000", "4f0e1a5c-9a8e-4a37-b5f6-0c7b8b7d2d11")], class_code="IMP"
)


def test_a_reply_names_the_stay_when_the_thread_does_not() -> None:
    received = read(new_message())
    assert extract.care_communication(received).episode_ids == ()
    reply = read(build.reply_message(received, ReplyDraft(WARD, "Svar", WARD_NURSE, NOW, encounter=STAY)))
    assert check_thread(received, reply) == []
    assert extract.care_communication(reply).episode_ids == ("4f0e1a5c-9a8e-4a37-b5f6-0c7b8b7d2d11",)
    # a thread that already names its stay keeps it as it is
    named = read(new_message(encounter=EncounterRef("a-local-episode-id")))
    again = read(build.reply_message(named, ReplyDraft(WARD, "Svar", WARD_NURSE, NOW, encounter=STAY)))
    assert extract.care_communication(again).episode_ids == ("a-local-episode-id",)


def test_of_episodes_keeps_every_identifier_of_the_notification() -> None:
    lpr3 = (LPR3_EPISODE_SYSTEM, "d2b5b8a0-9d4b-5a8e-9e7c-3b2f1c0d4e5f")
    stay = EncounterRef.of_episodes([("urn:local", "E-1"), lpr3], status="onleave", class_code="IMP")
    assert stay == EncounterRef("E-1", "urn:local", "onleave", "IMP", (lpr3,))
    assert EncounterRef.of_episodes([("urn:local", "")]) is None


def test_forwarding_your_own_reply_keeps_the_attachment_content() -> None:
    received = read(new_message(attachments=(Attachment("Plan", "application/pdf", PDF),)))
    own_reply = read(build.reply_message(received, ReplyDraft(WARD, "Tak.", WARD_NURSE, NOW)))
    assert extract.care_communication(own_reply).attachments[0]["has_content"] is False
    draft = ForwardDraft(WARD, GP, "Til orientering.", WARD_NURSE, NOW + dt.timedelta(hours=1))
    forward = read(build.forward_message(own_reply, draft, thread=[received]))
    assert check_thread(own_reply, forward) == []
    facts = extract.care_communication(forward)
    assert facts.attachments[0]["has_content"] and facts.attachments[0]["size"] == len(PDF)
    with pytest.raises(ValueError, match="content of attachment"):  # never sent on without its content
        build.forward_message(own_reply, draft)
