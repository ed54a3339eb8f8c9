from __future__ import annotations

from typing import Any

import pytest

from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.messaging.medcom import extract
from sektorbro.messaging.medcom.validate import check
from sektorbro.messaging.models import OutboxMessage
from sektorbro.messaging.services import send_correspondence
from sektorbro.organisations.models import OrganisationUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(make_citizen: Any, make_course: Any) -> Any:
    return make_course(make_citizen("730", "Bruno Elmer", receives_elderly_care=True))


def test_a_municipality_writes_to_the_ward(course: Any, personas: dict[str, Any]) -> None:
    outbox = send_correspondence(
        actor=personas["visitator_randers"], course=course, text="Vi kan modtage borgeren fredag.",
        category="discharge", topic="Vedr. plejeforløbsplan", phone="89151515", expected_version=course.version,
    )  # fmt: skip
    checked = check(outbox.content.encode())
    assert checked.valid, [i.line() for i in checked.issues]
    facts = extract.care_communication(checked)
    assert (
        facts.common.receiver is not None and facts.common.receiver.gln == course.department.location_number
    )
    assert facts.common.patient_cpr == course.citizen.cpr and outbox.receiver_label == course.department.name
    event = course.events.get(type="correspondence_sent")
    assert event.data["to"] == "hospital" and outbox.summary["course_event"] == event.seq


def test_the_ward_answers_the_municipality(course: Any, personas: dict[str, Any]) -> None:
    nurse = personas["ward_nurse_randers"]
    OrganisationUnit.objects.filter(key="rhr-medicin").update(phone="")  # a ward whose number is not known
    with pytest.raises(DomainError) as err:  # MedCom needs a phone number on every segment
        send_correspondence(actor=nurse, course=course, text="Plejeforløbsplan følger.", category="nursing")
    assert err.value.field == "phone"
    outbox = send_correspondence(
        actor=nurse, course=course, text="Plejeforløbsplan følger.", category="nursing", phone="78420000"
    )
    assert outbox.receiver_unit.key == "visitation-730"  # type: ignore[union-attr]
    assert check(outbox.content.encode()).valid


def test_outsiders_stale_versions_and_bad_input_write_nothing(course: Any, personas: dict[str, Any]) -> None:
    with pytest.raises(NotPermitted):
        send_correspondence(actor=personas["visitator_viborg"], course=course, text="x", category="nursing")
    with pytest.raises(DomainError):
        send_correspondence(
            actor=personas["visitator_randers"], course=course, text=" ", category="nursing", phone="89151515"
        )
    with pytest.raises(DomainError):
        send_correspondence(
            actor=personas["visitator_randers"], course=course, text="x", category="gossip", phone="89151515"
        )
    with pytest.raises(ConflictError):
        send_correspondence(
            actor=personas["visitator_randers"],
            course=course,
            text="x",
            category="nursing",
            phone="89151515",
            expected_version=course.version + 5,
        )
    assert (
        OutboxMessage.objects.count() == 0 and not course.events.filter(type="correspondence_sent").exists()
    )


# --- letters name the stay the hospital notified (issue 15) -------------------------------------------------
def _stay_of_letter(outbox: OutboxMessage) -> tuple[str, ...]:
    checked = check(outbox.content.encode())
    assert checked.valid, [i.line() for i in checked.issues]
    return extract.care_communication(checked).episode_ids


STIN_EXAMPLE = "hospitalnotification/ig-examples/Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"


@pytest.mark.usefixtures("example_parties")
def test_letters_carry_the_episode_of_care_of_the_hospital_notification(
    medcom_examples: Any, personas: dict[str, Any]
) -> None:
    from sektorbro.messaging import ingest
    from sektorbro.messaging.medcom import build
    from sektorbro.messaging.models import InboxStatus

    stin = ingest.ingest((medcom_examples / STIN_EXAMPLE).read_bytes(), transport="test")
    assert stin.status == InboxStatus.ACCEPTED and stin.course is not None, stin.reason
    notified = extract.hospital_notification(check(bytes(stin.raw))).episode_ids
    assert notified
    letter = send_correspondence(
        actor=personas["visitator_randers"], course=stin.course, text="Vi kan modtage borgeren fredag.",
        category="discharge", phone="+45 89 15 15 15",
    )  # fmt: skip
    assert _stay_of_letter(letter) == notified
    assert '"value": "+4589151515"' in letter.content
    # the ward writes in the course; the visitation's answer names the stay too
    ward = extract.hospital_notification(check(bytes(stin.raw))).common.sender
    visitation = extract.hospital_notification(check(bytes(stin.raw))).common.receiver
    assert ward is not None and visitation is not None
    question = build.care_communication(
        sender=ward, receiver=visitation, patient_cpr="2509479989", patient_name="Bruno Test Elmer",
        category="nursing", text="Hvornår kan I modtage ham?", author_phone="78420000",
        now=stin.received_at.replace(microsecond=0),
    )  # fmt: skip
    received = ingest.ingest(build.to_json(question).encode(), transport="test")
    assert received.status == InboxStatus.ACCEPTED and received.course == stin.course, received.reason
    answer = send_correspondence(
        actor=personas["visitator_randers"], course=stin.course, reply_to=received, text="Fredag.",
        category="nursing", phone="89151515",
    )  # fmt: skip
    assert answer.event_code == "reply-message" and _stay_of_letter(answer) == notified


def test_without_a_hospital_notification_a_letter_names_no_stay(
    course: Any, personas: dict[str, Any]
) -> None:
    letter = send_correspondence(
        actor=personas["visitator_randers"], course=course, text="Vi kan modtage borgeren fredag.",
        category="discharge", phone="89151515",
    )  # fmt: skip
    assert _stay_of_letter(letter) == ()
    assert '"resourceType": "Encounter"' not in letter.content


def test_a_phone_number_with_letters_is_a_phone_error(course: Any, personas: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as err:
        send_correspondence(
            actor=personas["visitator_randers"],
            course=course,
            text="x",
            category="nursing",
            phone="89 15 ext 1",
        )
    assert err.value.field == "phone" and "+45 89 15 15 15" in str(err.value)
    assert OutboxMessage.objects.count() == 0


def test_the_units_phone_from_the_reference_data_is_written_digits_only(
    course: Any, personas: dict[str, Any]
) -> None:
    unit = personas["visitator_randers"].active_memberships()[0].unit
    assert " " in unit.phone  # the reference data writes "+45 89 15 15 15"
    letter = send_correspondence(
        actor=personas["visitator_randers"],
        course=course,
        text="Vi kan modtage borgeren fredag.",
        category="nursing",
    )
    phones = {s.author_phone for s in extract.care_communication(check(letter.content.encode())).segments}
    assert phones == {unit.phone.replace(" ", "")}
