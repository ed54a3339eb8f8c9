"""Ingestion of MedCom messages into courses: stored first, applied once, in order, or quarantined."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from sektorbro.citizens.models import Citizen
from sektorbro.core.models import AuditEvent
from sektorbro.courses.models import Course
from sektorbro.messaging import ingest
from sektorbro.messaging.folder import drain_folder
from sektorbro.messaging.models import InboxMessage, InboxStatus, OutboxMessage
from sektorbro.organisations.models import OrganisationUnit
from tests.corpus import examples_dir

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("medcom_examples")]
EXAMPLES = examples_dir()
HN = EXAMPLES / "hospitalnotification" / "ig-examples"
STIN, RE_STIN, AN_STIN = (
    "a5e5b880-c087-4055-b9ec-99108695f81d",
    "bfab3e80-9584-11ec-b909-0242ac120002",
    "c83671a4-9584-11ec-b909-0242ac120002",
)
STOR, SLOR, SLHJ = (
    "d3128d9b-cede-4c7f-8904-809eab322d7d",
    "e94de8ee-bd94-475e-b454-b8fbbef8a685",
    "f4aa42a4-86db-4e68-9b38-9dda0dfd5774",
)
MORS = "g099bbf3-3fca-4722-a248-bfe1aa956410"
INVALID_CC = (
    EXAMPLES
    / "carecommunication/test-examples/receive/Bundle-R-Tek-M-dublicate-inv-260a3cc1-38eb-454a-a57b-9e32eabb54a3.json"
)


def hn(stem: str, suffix: str = ".json") -> bytes:
    return (HN / f"Bundle-{stem}{suffix}").read_bytes()


def run(stem: str, suffix: str = ".json") -> InboxMessage:
    return ingest.ingest(hn(stem, suffix), transport="test")


def test_admission_opens_a_course_and_is_acknowledged(example_parties: None) -> None:
    message = run(STIN)
    assert message.status == InboxStatus.ACCEPTED, message.reason
    course = Course.objects.get()
    assert course.citizen.cpr == "2509479989" and course.hospital.key == "rhr" and course.track == "planned"
    assert message.course == course and message.effect["events"][0]["type"] == "admitted"
    ack = OutboxMessage.objects.get(in_reply_to=message)
    assert (
        ack.event_code == "ok"
        and json.loads(ack.content)["entry"][0]["resource"]["response"]["identifier"] == message.message_id
    )
    assert bytes(message.raw) == hn(STIN) and len(message.sha256) == 64


def test_leave_discharge_and_death_add_events(example_parties: None) -> None:
    for stem in (STIN, STOR, SLOR, SLHJ):
        assert run(stem).status == InboxStatus.ACCEPTED
    course = Course.objects.get()
    assert list(course.events.values_list("type", flat=True)) == [
        "admitted",
        "leave_started",
        "leave_ended",
        "discharged",
    ]
    assert course.ended_at is not None


def test_death_closes_the_course(example_parties: None) -> None:
    run(STIN)
    assert run(MORS).status == InboxStatus.ACCEPTED
    course = Course.objects.get()
    assert course.events.last().type == "died" and course.discharge_destination == "dead"  # type: ignore[union-attr]


def test_correction_and_cancellation_amend_exactly_the_earlier_message(example_parties: None) -> None:
    run(STIN)
    run(RE_STIN)
    course = Course.objects.get()
    assert course.admitted_at.isoformat() == "2022-12-07T11:00:00+00:00"
    assert run(AN_STIN).status == InboxStatus.ACCEPTED
    course.refresh_from_db()
    assert course.ended_at is not None
    assert list(course.events.values_list("type", flat=True)) == ["admitted", "corrected", "cancelled"]


def test_duplicates_have_one_effect(example_parties: None) -> None:
    first, second = run(STIN), run(STIN, ".xml")
    assert (first.status, second.status) == (InboxStatus.ACCEPTED, InboxStatus.DUPLICATE)
    assert second.duplicate_of == first and Course.objects.count() == 1
    assert OutboxMessage.objects.filter(in_reply_to=second, event_code="ok").exists()


def test_a_discharge_before_its_admission_waits_and_is_then_applied(example_parties: None) -> None:
    early = run(SLHJ)
    assert early.status == InboxStatus.QUEUED and Course.objects.count() == 0
    assert OutboxMessage.objects.get(in_reply_to=early).event_code == "ok"  # received, valid: not resent
    run(STIN)
    early.refresh_from_db()
    assert early.status == InboxStatus.ACCEPTED
    assert Course.objects.get().events.last().type == "discharged"  # type: ignore[union-attr]
    assert OutboxMessage.objects.filter(in_reply_to=early).count() == 1  # one answer per message


def test_invalid_messages_are_kept_rejected_and_answered_negatively(example_parties: None) -> None:
    message = ingest.ingest(INVALID_CC.read_bytes(), transport="test")
    assert message.status == InboxStatus.REJECTED and message.in_quarantine
    assert message.errors[0]["rule"] == "mc-cc-category"
    assert OutboxMessage.objects.get(in_reply_to=message).event_code == "fatal-error"
    garbage = ingest.ingest(b"<Bundle><broken", transport="test")
    assert garbage.status == InboxStatus.REJECTED and bytes(garbage.raw) == b"<Bundle><broken"
    assert Course.objects.count() == 0 and Citizen.objects.count() == 0


def test_unknown_sender_goes_to_quarantine_and_can_be_reprocessed(example_parties: None) -> None:
    OrganisationUnit.objects.filter(key="rhr-medicin").update(location_number="", sor_code="")
    message = run(STIN)
    assert message.status == InboxStatus.UNAPPLICABLE and "hospital" in message.reason
    assert Course.objects.count() == 0 and Citizen.objects.count() == 0  # nothing half-written
    assert OutboxMessage.objects.get(in_reply_to=message).event_code == "ok"  # valid: placing it is ours
    OrganisationUnit.objects.filter(key="rhr-medicin").update(
        location_number="5790000209354", sor_code="265161000016000"
    )
    assert ingest.reprocess(message).status == InboxStatus.ACCEPTED
    assert Course.objects.count() == 1
    assert OutboxMessage.objects.filter(in_reply_to=message).count() == 1  # not acknowledged twice


def test_notifications_for_citizens_we_do_not_serve_are_acknowledged_and_discarded() -> None:
    message = run(STIN)  # addressed to a municipality outside the region
    assert message.status == InboxStatus.ACCEPTED and Course.objects.count() == 0
    assert "kasseres" in message.effect["description"]


def test_a_crash_mid_batch_loses_nothing_and_applies_nothing_twice(
    example_parties: None, monkeypatch: Any
) -> None:
    stored = [ingest.receive(hn(s), transport="test") for s in (STIN, STOR, SLOR, SLHJ)]
    ingest.process(stored[0])
    original = ingest._apply_hospital_notification
    calls = {"n": 0}

    def crash(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return original(*args)

    monkeypatch.setattr(ingest, "_apply_hospital_notification", crash)
    ingest.process(stored[1])
    with pytest.raises(RuntimeError):
        ingest.process(stored[2])
    assert (
        InboxMessage.objects.get(pk=stored[2].pk).status == InboxStatus.RECEIVED
    )  # rolled back, still stored
    monkeypatch.setattr(ingest, "_apply_hospital_notification", original)
    assert ingest.process_pending() == 2
    assert list(Course.objects.get().events.values_list("type", flat=True)) == [
        "admitted",
        "leave_started",
        "leave_ended",
        "discharged",
    ]


def test_acknowledgements_mark_the_outbound_message(example_parties: None) -> None:
    message = run(STIN)
    ack = OutboxMessage.objects.get(in_reply_to=message)
    their_ack = (
        EXAMPLES / "acknowledgement/ig-examples/Bundle-a8c041b8-c65a-4fde-a90f-962076918834.json"
    ).read_text()
    data = json.loads(their_ack)
    data["entry"][0]["resource"]["response"]["identifier"] = ack.message_id
    result = ingest.ingest(json.dumps(data).encode(), transport="test")
    assert result.status == InboxStatus.ACCEPTED
    ack.refresh_from_db()
    assert ack.ack_code == "ok" and ack.acknowledged_at is not None


def test_every_example_is_stored_and_only_the_invalid_ones_are_rejected(example_parties: None) -> None:
    folders = [EXAMPLES / "hospitalnotification" / "ig-examples", EXAMPLES / "carecommunication" / "ig-examples", EXAMPLES / "carecommunication" / "test-examples", EXAMPLES / "acknowledgement" / "ig-examples", EXAMPLES / "messaging"]  # fmt: skip
    files = sum(1 for folder in folders for _ in folder.rglob("Bundle-*"))
    out = StringIO()
    call_command("medcom", "ingest", *map(str, folders), stdout=out)
    lines = out.getvalue().splitlines()
    summary = json.loads(lines[0])
    rejected = [line for line in lines[1:] if line.startswith("REJECTED")]
    assert len(rejected) == 1 and "R-Tek-M-dublicate-inv" in rejected[0] and "mc-cc-category" in rejected[0]
    # N repeats M's MessageHeader.id: a duplicate of a rejected message gets the same negative answer.
    n = InboxMessage.objects.get(sender_label__startswith="Bundle-R-Tek-N-dublicate-inv")
    assert n.status == InboxStatus.DUPLICATE and n.duplicate_of is not None
    assert n.duplicate_of.status == InboxStatus.REJECTED
    assert OutboxMessage.objects.get(in_reply_to=n).event_code == "fatal-error"
    assert sum(summary.values()) == files == InboxMessage.objects.count()
    # The examples replay several alternative histories of one patient; those that contradict an earlier one
    # are kept in quarantine with a reason instead of being forced onto the course.
    assert all(line.split(": ", 1)[1] for line in lines[1:] if line.startswith("QUARANTINED"))


def test_the_folder_drop_moves_files(tmp_path: Path, example_parties: None) -> None:
    invalid = json.loads(hn(STIN))
    invalid["entry"][0]["resource"]["id"] = "0d5c7b52-3b8f-4a57-9d6e-ffeb0a1e9a01"
    del invalid["entry"][0]["resource"]["eventCoding"]
    (tmp_path / "a.json").write_bytes(hn(STIN))
    (tmp_path / "b.json").write_bytes(json.dumps(invalid).encode())
    (tmp_path / "c.json").write_bytes(INVALID_CC.read_bytes())  # from AUH, Skejby: not this folder's sender
    summary = drain_folder(tmp_path, allowed=[OrganisationUnit.objects.get(key="rhr")])
    assert summary.accepted == 1 and summary.rejected == 1 and summary.refused == 1
    assert len(list((tmp_path / "done").iterdir())) == 1 and len(list((tmp_path / "failed").iterdir())) == 1
    assert not list(tmp_path.glob("*.json"))
    # The refused file is not stored; it is kept with its reason, naming the sender.
    assert (tmp_path / "refused" / "c.json").read_bytes() == INVALID_CC.read_bytes()
    reason = (tmp_path / "refused" / "c.json.reason.txt").read_text(encoding="utf-8")
    assert "Klinik for Ældresygdomme, AUH, Skejby" in reason and "441211000016000" in reason
    assert InboxMessage.objects.count() == 2
    assert AuditEvent.objects.filter(action="security.medcom_sender_refused").count() == 1
