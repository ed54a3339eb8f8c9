"""One regional stay across hospitals (issue 17, aftalen 2.2): a discharge at one region hospital and an
admission at another within the transfer gap (``AgreementSettings.transfer_gap_hours``) link the receiving
hospital's course to the first, in whichever order the two notifications arrive."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from sektorbro.core.models import AuditEvent
from sektorbro.courses.models import Course
from sektorbro.courses.snapshot import decisions_for
from sektorbro.messaging import ingest
from sektorbro.messaging.medcom import synthetic
from sektorbro.messaging.medcom.build import Organisation, to_json
from sektorbro.messaging.models import InboxMessage, InboxStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("example_parties")]
CPH = synthetic.COPENHAGEN
AUH_ACUTE = Organisation("Akutafdelingen, AUH", "900000000000002", "5790001990022")
ADMITTED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=CPH)
FIVE_DAYS = dt.timedelta(days=5)


def stays(second_after: dt.timedelta) -> tuple[list[bytes], list[bytes]]:
    """Five days at Randers (STIN, SLHJ), then an admission at AUH ``second_after`` the discharge, discharged
    from there after 22 hours (STIN, SLHJ)."""
    patient = synthetic.fictitious_patient(random.Random(7), 7)
    first = synthetic.stay(("STIN", "SLHJ"), patient=patient, admitted_at=ADMITTED, step=FIVE_DAYS)
    second = synthetic.stay(
        ("STIN", "SLHJ"),
        patient=patient,
        admitted_at=ADMITTED + FIVE_DAYS + second_after,
        sender=AUH_ACUTE,
        step=dt.timedelta(hours=22),
    )
    encode = lambda ms: [to_json(m, indent=None).encode("utf-8") for m in ms]  # noqa: E731
    return encode(first), encode(second)


def take(*raws: bytes) -> list[InboxMessage]:
    taken = []
    for raw in raws:
        message = ingest.ingest(raw, transport="test")
        assert message.status == InboxStatus.ACCEPTED, message.reason
        taken.append(message)
    return taken


def courses() -> tuple[Course, Course]:
    first, second = Course.objects.order_by("admitted_at")
    return first, second


def test_a_discharge_then_an_admission_within_the_gap_are_one_regional_stay() -> None:
    (a_in, a_out), (b_in, b_out) = stays(dt.timedelta(hours=1))
    admission = take(a_in, a_out, b_in)[-1]
    assert "Overflyttet fra Regionshospitalet Randers" in admission.effect["description"]
    first, second = courses()
    assert first.hospital.key == "rhr" and second.hospital.key == "auh"
    assert AuditEvent.objects.filter(
        action="course.transfer_linked", subject_id=str(second.public_id)
    ).exists()
    assert second.previous_course == first
    assert first.discharge_destination == "other_hospital"
    correction = first.events.order_by("seq").last()
    assert correction is not None and correction.type == "corrected"
    assert correction.data["transferred_to"] == "Aarhus Universitetshospital"
    take(b_out)
    second.refresh_from_db()
    decisions = decisions_for(second)
    assert decisions["documents"]["short_stay"] is False  # 22 hours at AUH after five days at Randers
    assert second.state_status == "discharged"


def test_the_admission_arriving_before_the_discharge_is_linked_too() -> None:
    (a_in, a_out), (b_in, b_out) = stays(dt.timedelta(minutes=30))
    take(a_in, b_in)
    first, second = courses()
    assert second.previous_course is None  # the first stay has not ended yet
    (discharge_message,) = take(a_out)
    assert "overflytning til Aarhus Universitetshospital" in discharge_message.effect["description"]
    first, second = courses()
    assert second.previous_course == first and first.discharge_destination == "other_hospital"
    discharge = first.events.get(type="discharged")
    assert discharge.data["destination"] == "other_hospital"
    take(b_out)
    second.refresh_from_db()
    assert decisions_for(second)["documents"]["short_stay"] is False


def test_an_admission_beyond_the_gap_is_a_new_stay() -> None:
    (a_in, a_out), (b_in, b_out) = stays(dt.timedelta(hours=5))
    take(a_in, a_out, b_in, b_out)
    first, second = courses()
    assert second.previous_course is None and first.discharge_destination == "own_home"
    assert decisions_for(second)["documents"]["short_stay"] is True


def test_all_four_in_one_batch() -> None:
    (a_in, a_out), (b_in, b_out) = stays(dt.timedelta(hours=2))
    stored = ingest.receive_many([(raw, "test") for raw in (a_in, b_in, a_out, b_out)], transport="test")
    assert ingest.process_pending() == 4
    assert all(m.status == InboxStatus.ACCEPTED for m in [type(m).objects.get(pk=m.pk) for m in stored])
    first, second = courses()
    assert second.previous_course == first and first.discharge_destination == "other_hospital"
    assert decisions_for(second)["documents"]["short_stay"] is False
