from __future__ import annotations

from typing import Any

import pytest

from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.messaging.medcom import extract
from sektorbro.messaging.medcom.validate import check
from sektorbro.messaging.models import OutboxMessage
from sektorbro.messaging.services import send_correspondence

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
