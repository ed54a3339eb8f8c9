"""The facts read from MedCom's examples: notification codes and their meaning, CPR, times, parties, the
Provenance chain; CareCommunication threads and segments; acknowledgement codes and problems."""

from __future__ import annotations

import datetime as dt

import pytest

from sektorbro.messaging.medcom import extract
from sektorbro.messaging.medcom.extract import ProvenanceStep, derive_event_code
from sektorbro.messaging.medcom.validate import validate_message
from tests.messaging.examples import ACK, CC, CC_TEST, HN, example, find

STAY_START = "2022-12-07T12:00:00+02:00"
# stem, code, meaning, amended kind, class, status, start, end, leave start, leave end, provenances
HN_CASES = [
    ("a5e5b880-c087-4055-b9ec-99108695f81d", "STIN", "admission", None, "IMP", "in-progress", STAY_START, None, None, None, 1),
    ("bfab3e80-9584-11ec-b909-0242ac120002", "RE_STIN", "correction", "admission", "IMP", "in-progress", "2022-12-07T13:00:00+02:00", None, None, None, 2),
    ("c83671a4-9584-11ec-b909-0242ac120002", "AN_STIN", "cancellation", "admission", "IMP", "entered-in-error", STAY_START, None, None, None, 2),
    ("d3128d9b-cede-4c7f-8904-809eab322d7d", "STOR", "leave_start", None, "IMP", "onleave", STAY_START, None, "2022-12-13T14:00:10+02:00", None, 2),
    ("e94de8ee-bd94-475e-b454-b8fbbef8a685", "SLOR", "leave_end", None, "IMP", "in-progress", STAY_START, None, "2022-12-13T14:00:10+02:00", "2022-12-14T15:30:00+02:00", 3),
    ("f4aa42a4-86db-4e68-9b38-9dda0dfd5774", "SLHJ", "discharge", None, "IMP", "finished", STAY_START, "2022-12-18T09:45:30+02:00", None, None, 2),
    ("g099bbf3-3fca-4722-a248-bfe1aa956410", "MORS", "death", None, "IMP", "finished", STAY_START, "2022-12-09T09:45:30+02:00", None, None, 2),
    ("h1c8e4a8-6b45-4669-94ad-2a99ad96bf03", "STAA", "acute_ambulant", None, "EMER", "in-progress", "2022-12-01T10:00:04+02:00", None, None, None, 1),
    ("kcab461b-f44e-4d97-a041-ef7e64800587", "SLHJ", "discharge", None, "EMER", "finished", "2022-12-01T10:00:04+02:00", "2022-12-02T22:00:09+02:00", None, None, 2),
    ("ld31e08a-b91f-49c3-841a-ce80e6380517", "MORS", "death", None, "EMER", "finished", "2022-12-01T10:00:04+02:00", "2022-12-02T07:00:00+02:00", None, None, 2),
]  # fmt: skip


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@pytest.mark.parametrize("suffix", [".json", ".xml"])
@pytest.mark.parametrize("case", HN_CASES, ids=[c[1] + "-" + c[4] for c in HN_CASES])
def test_hospital_notification_facts(case: tuple, suffix: str) -> None:
    stem, code, meaning, amended, klass, status, start, end, leave_start, leave_end, steps = case
    result = validate_message(example(HN, f"Bundle-{stem}{suffix}"))
    facts = extract.hospital_notification(result)
    assert (facts.event_code, facts.event, facts.amended_event) == (code, meaning, amended)
    assert (facts.encounter_class, facts.encounter_status) == (klass, status)
    assert (facts.start, facts.end) == (_time(start), _time(end))
    assert (facts.leave_start, facts.leave_end) == (_time(leave_start), _time(leave_end))
    assert facts.common.patient_cpr == "2509479989" and facts.common.patient_family == "Elmer"
    assert facts.common.sender is not None and facts.common.sender.sor == "265161000016000"
    assert facts.common.sender.gln == "5790000209354"
    assert facts.common.receiver == extract.Organisation(
        "Plejecenter Herlev", "953741000016009", "5790001348120"
    )
    assert facts.episode_ids == ("bd481c38-a921-11ed-afa1-0242ac120002",)
    assert len(facts.common.history) == steps and facts.common.history[-1].message_id == facts.message_id
    assert facts.common.deceased is (code == "MORS")
    assert facts.report_of_admission is (code in ("STIN", "STAA"))
    if facts.report_of_admission:
        assert facts.report_of_admission_recipient == facts.common.sender


def test_corrections_and_cancellations_name_the_message_they_amend() -> None:
    stin = extract.hospital_notification(
        validate_message(example(HN, "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"))
    )
    for stem, role in (
        ("bfab3e80-9584-11ec-b909-0242ac120002", "revision"),
        ("c83671a4-9584-11ec-b909-0242ac120002", "removal"),
    ):
        amending = extract.hospital_notification(validate_message(example(HN, f"Bundle-{stem}.json")))
        assert amending.amends == stin.message_id == amending.common.refers_to
        assert amending.common.refers_role == role
    slor = extract.hospital_notification(
        validate_message(example(HN, "Bundle-e94de8ee-bd94-475e-b454-b8fbbef8a685.json"))
    )
    activities = [step.activity for step in slor.common.history]
    assert activities == ["admit-inpatient", "start-leave-inpatient", "end-leave-inpatient"]
    assert slor.amends is None and slor.common.refers_to == slor.common.history[1].message_id
    assert slor.common.history[0].refers_to is None and slor.common.history[1].refers_to == stin.message_id
    assert slor.common.sent_at == dt.datetime.fromisoformat("2022-12-14T15:30:02+02:00")
    assert slor.common.envelope_id == "e94de8ee-bd94-475e-b454-b8fbbef8a685"


def test_sender_differs_from_service_provider_and_two_episode_ids() -> None:
    m = extract.hospital_notification(
        validate_message(example(HN, "Bundle-m908i967-9ie3-9023-b9ec-98108695f01d.json"))
    )
    assert m.service_provider is not None and m.common.sender is not None
    assert m.service_provider != m.common.sender
    n = extract.hospital_notification(
        validate_message(example(HN, "Bundle-n73ccf30-80b9-4bd2-bf50-1ac1914498f0.xml"))
    )
    assert (
        len(n.episodes) == 2 and n.episode_ids[-1] == "urn:uuid:fc60e762-b13b-5773-865e-67f3907bdcc7"
    )  # LPR3 last
    assert n.episode_of_care_id == "urn:uuid:bd481c38-a921-11ed-afa1-0242ac120002"


def _chain(*steps: tuple[str, str, str | None, str | None]) -> tuple[ProvenanceStep, ...]:
    return tuple(
        ProvenanceStep(mid, activity, None, None, None, role, refers, None)
        for mid, activity, role, refers in steps
    )


@pytest.mark.parametrize(
    ("activity", "deceased", "chain", "previous", "expected"),
    [
        ("admit-inpatient", True, _chain(("a", "admit-inpatient", None, None)), None, "MORS"),  # dead on arrival
        ("admit-inpatient", True, _chain(("a", "admit-inpatient", None, None), ("b", "admit-inpatient", "revision", "a")), None, "MORS"),
        ("admit-inpatient", True, _chain(("a", "admit-inpatient", None, None), ("b", "admit-inpatient", "revision", "a"), ("c", "admit-inpatient", "revision", "b")), None, "RE_MORS"),
        ("admit-inpatient", False, _chain(("a", "admit-inpatient", None, None), ("b", "admit-inpatient", "revision", "a"), ("c", "admit-inpatient", "removal", "b")), None, "AN_MORS"),
        ("start-leave-inpatient", True, _chain(("a", "admit-inpatient", None, None), ("b", "start-leave-inpatient", "revision", "a"), ("c", "start-leave-inpatient", "revision", "b")), None, "MORS"),
        # TouchStone's resend of an admission (PF-send-tec-03) is a revision with the same activity, not a death
        ("admit-inpatient", False, _chain(("a", "admit-inpatient", None, None), ("b", "admit-inpatient", "revision", "a")), None, "STIN"),
        # with the previous code known, the dead-on-arrival correction is told apart from a first death
        ("admit-inpatient", True, _chain(("a", "admit-inpatient", None, None), ("b", "admit-inpatient", "revision", "a")), "MORS", "RE_MORS"),
        ("admit-inpatient", False, _chain(("a", "admit-inpatient", None, None), ("b", "admit-inpatient", "removal", "a")), "MORS", "AN_MORS"),
        ("cancel-discharge-emergency-home", False, _chain(("b", "cancel-discharge-emergency-home", "removal", "a")), None, "AN_SLHJ"),
        ("revise-end-leave-inpatient", False, (), None, "RE_SLOR"),
        ("no-such-activity", False, (), None, ""),
    ],
)  # fmt: skip
def test_derive_event_code(
    activity: str, deceased: bool, chain: tuple, previous: str | None, expected: str
) -> None:
    assert (
        derive_event_code(activity, deceased=deceased, chain=chain, previous_event_code=previous) == expected
    )


def test_event_labels() -> None:
    assert extract.event_label("STIN") == ("Start sygehusophold – indlagt", "Admitted")
    assert extract.event_label("AN_SLHJ") == ("Annullering: Slut sygehusophold", "Cancellation: Discharged")
    assert extract.event_label("RE_MORS")[1] == "Correction: Died"


def test_care_communication_thread_segments_and_attachments() -> None:
    step2 = extract.care_communication(
        validate_message(example(CC, "Bundle-b56549f7-ed10-422d-8088-f7222b686e46.xml"))
    )
    assert step2.category == "examination-results" and step2.activity == "reply"
    assert step2.thread_id == "urn:uuid:b2eb3d0e-5de5-4de9-b2a3-0ff321ad1c3a" and step2.topic
    assert [s.kind for s in step2.segments] == ["text", "text", "attachment"]
    assert step2.attachments[0]["content_type"] == "application/pdf" and step2.attachments[0]["has_content"]
    assert step2.attachments[0]["size"] > 1000 and step2.segments[2].organisation is not None
    assert step2.segments[1].author_role and step2.segments[1].author_phone == "44527000"
    assert step2.common.version == "5.0" and step2.common.standard == "CareCommunication"
    step3 = extract.care_communication(
        validate_message(example(CC, "Bundle-3dcb5618-3055-406a-9034-1b8fc8de0fea.json"))
    )
    assert step3.thread_id == step2.thread_id and step3.common.refers_to == step2.message_id
    assert step3.attachments[0]["has_content"] is False  # a reply keeps earlier attachments without content
    assert step3.new_texts == (step3.texts[-1],) and len(step3.texts) == 3
    forward = extract.care_communication(
        validate_message(example(CC, "Bundle-c0426e3e-978f-46e8-a366-a30f27854b0a.json"))
    )
    assert forward.activity == "forward" and forward.thread_id != step2.thread_id
    assert forward.common.refers_to == step3.message_id


def test_care_communication_optional_content_replacement_cpr_and_oioxml_reply() -> None:
    full = extract.care_communication(
        validate_message(example(CC, "Bundle-gfd00bc2-9c26-4174-934e-f6e4360845de.json"))
    )
    assert (full.category, full.priority, full.topic) == ("regarding-referral", "asap", "Journal notat")
    assert full.specific_sender == "Michael Burns" and full.specific_recipient == "Plejecenter Herlev Team 1"
    assert full.episode_ids == ("gfd00bc2-9c26-4174-934e-f6e4360845de",)
    assert [a["url"] for a in full.attachments] == ["", "https://medcom.dk/"]
    ecpr = extract.care_communication(
        validate_message(example(CC, "Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c.json"))
    )
    assert ecpr.common.patient_cpr is None
    assert (
        ecpr.common.patient_identifiers[0].kind == "x-ecpr"
        and ecpr.common.patient_identifiers[0].value == "0703921VJ4"
    )
    oio = extract.care_communication(
        validate_message(example(CC, "Bundle-k7bfbc0c-553d-11ed-bdc3-0242ac120002.json"))
    )
    assert oio.activity == "reply" and oio.common.refers_to is None
    assert oio.common.refers_to_letter is not None and "#" in oio.common.refers_to_letter


def test_regional_replacement_cpr_and_time_zones() -> None:
    tek_b = extract.care_communication(validate_message(find("Bundle-R-Tek-B-").read_bytes()))
    assert [i.kind for i in tek_b.common.patient_identifiers] == ["d-ecpr"]
    winter = extract.care_communication(validate_message(find("Bundle-R-Tek-C-").read_bytes()))
    summer = extract.care_communication(validate_message(find("Bundle-R-Tek-D-").read_bytes()))
    assert winter.common.sent_at is not None and summer.common.sent_at is not None
    assert winter.common.sent_at.utcoffset() == dt.timedelta(hours=1)
    assert summer.common.sent_at.utcoffset() == dt.timedelta(hours=2)


def test_acknowledgement_facts() -> None:
    ok = extract.acknowledgement(
        validate_message(example(ACK, "Bundle-a8c041b8-c65a-4fde-a90f-962076918834.xml"))
    )
    assert (ok.code, ok.outcome, ok.problems) == ("ok", "delivered", ())
    fatal = extract.acknowledgement(
        validate_message(example(ACK, "Bundle-bc9535ef-ed94-4060-a928-7baddec7ee71.json"))
    )
    assert (fatal.code, fatal.outcome, fatal.acknowledged_id) == (
        "fatal-error",
        "rejected",
        "53128d9b-cede-4c7f-8904-809eab322d7d",
    )
    assert fatal.issues[0].detail_code == "MSG_VALUESET_VALUE_UNKNOWN" and fatal.problems == (
        "MSG_VALUESET_VALUE_UNKNOWN",
    )
    transient = extract.acknowledgement(
        validate_message(example(ACK, "Bundle-c9c2b2f6-0807-11ed-861d-0242ac120002.json"))
    )
    assert (transient.code, transient.outcome) == ("transient-error", "retry")
    assert transient.issues[0].detail_code == "MSG_Mailbox_Out_Of_Operation"


def test_facts_dispatch_and_the_generic_message() -> None:
    assert isinstance(
        extract.facts(validate_message(example(HN, "Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"))),
        extract.HospitalNotificationFacts,
    )
    assert isinstance(
        extract.facts(
            validate_message(
                example(CC_TEST / "receive", "Bundle-R-A-new-b10f940e-2000-4ec8-9e0b-a3fb60fc5bb5.json")
            )
        ),
        extract.CareCommunicationFacts,
    )
    generic = extract.facts(
        validate_message(find("Bundle-eb26be85-fdb7-454d-a980-95cba6d1745b.json").read_bytes())
    )
    assert isinstance(generic, extract.MessageFacts) and generic.standard == "Messaging"
    assert generic.activity == "new-message"


def test_extraction_reads_invalid_input_without_raising() -> None:
    for raw in (
        b"",
        b"{",
        b'{"resourceType": "Bundle", "entry": [1, {"resource": []}]}',
        b"<Bundle xmlns='http://hl7.org/fhir'/>",
    ):
        result = validate_message(raw)
        facts = extract.facts(result)
        assert facts.message_id == "" and not result.valid
        assert extract.hospital_notification(result).event_code == ""
