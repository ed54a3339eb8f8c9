"""Ingestion in batches: many messages in one transaction behave exactly like one at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sektorbro.citizens.models import Citizen
from sektorbro.core.models import AuditEvent
from sektorbro.courses.models import Course, CourseEvent
from sektorbro.messaging import ingest
from sektorbro.messaging.models import InboxMessage, InboxStatus, OutboxMessage
from sektorbro.organisations.models import OrganisationUnit
from tests.messaging_django.test_ingest import (
    AN_STIN,
    MORS,
    RE_STIN,
    SLHJ,
    SLOR,
    STIN,
    STOR,
    hn,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("medcom_examples")]


def store(*stems: str) -> list[InboxMessage]:
    return ingest.receive_many([(hn(stem), stem) for stem in stems], transport="test")


def statuses(messages: list[InboxMessage]) -> list[str]:
    return [InboxMessage.objects.get(pk=m.pk).status for m in messages]


def test_a_whole_course_in_one_batch_is_applied_in_arrival_order(example_parties: None) -> None:
    stored = store(STIN, STOR, SLOR, SLHJ)
    assert ingest.process_pending() == 4
    assert statuses(stored) == [InboxStatus.ACCEPTED] * 4
    course = Course.objects.get()
    assert list(course.events.values_list("seq", "type")) == [
        (1, "admitted"),
        (2, "leave_started"),
        (3, "leave_ended"),
        (4, "discharged"),
    ]
    assert course.discharged_at is not None and course.ended_at is not None
    assert course.version == 4  # one bump per event after the admission
    assert course.state_status == "discharged" and course.state_evaluated_at is not None  # worklists' state
    assert AuditEvent.objects.filter(subject_id=str(course.public_id)).count() == 4
    assert OutboxMessage.objects.filter(event_code="ok").count() == 4
    effect = InboxMessage.objects.get(pk=stored[3].pk).effect
    assert effect["events"][0]["type"] == "discharged" and effect["events"][0]["seq"] == 4


def test_an_undo_of_an_event_staged_in_the_same_batch_points_at_it(example_parties: None) -> None:
    store(STIN, RE_STIN, AN_STIN)
    assert ingest.process_pending() == 3
    events = list(CourseEvent.objects.order_by("seq"))
    assert [e.type for e in events] == ["admitted", "corrected", "cancelled"]
    assert events[1].supersedes_id == events[0].pk and events[2].supersedes_id == events[0].pk
    assert Course.objects.get().ended_at is not None


def test_what_a_message_staged_is_undone_when_it_cannot_be_applied(db: Any) -> None:
    """Undo restores the batch to the mark: a staged citizen, course, event and version are not written."""
    from django.db import transaction

    from sektorbro.citizens.cpr import make_cpr
    from sektorbro.courses.services import CourseBatch

    hospital = OrganisationUnit.objects.get(key="rhr")
    ward = OrganisationUnit.objects.get(key="rhr-medicin")
    admitted = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with transaction.atomic():
        batch = CourseBatch()
        kept = batch.add_citizen(
            Citizen(cpr=make_cpr(dt.date(1940, 1, 1), 1, female=True), name="Beholdt", birth_date=dt.date(1940, 1, 1),
                    residence_municipality=OrganisationUnit.objects.get(key="visitation-730").municipality)
        )  # fmt: skip
        course = batch.open_course(actor=None, citizen=kept, hospital=hospital, department=ward, area="somatic",
                                   track="acute", admitted_at=admitted)  # fmt: skip
        mark = batch.mark()
        gone = batch.add_citizen(
            Citizen(cpr=make_cpr(dt.date(1941, 1, 1), 2, female=False), name="Fortrudt", birth_date=dt.date(1941, 1, 1),
                    residence_municipality=kept.residence_municipality)
        )  # fmt: skip
        batch.open_course(actor=None, citizen=gone, hospital=hospital, department=ward, area="somatic",
                          track="acute", admitted_at=admitted)  # fmt: skip
        batch.record_event(actor="test", course=course, event_type="discharged",
                           occurred_at=admitted + dt.timedelta(days=2), data={"destination": "own_home"})  # fmt: skip
        assert course.discharged_at is not None and course.version == 2
        batch.rollback(mark)
        assert course.discharged_at is None and course.version == 1
        assert batch.citizen(gone.cpr) is None and batch.events_of(course) == [batch.events_of(course)[0]]
        batch.flush()
    assert list(Citizen.objects.values_list("name", flat=True)) == ["Beholdt"]
    assert Course.objects.count() == 1 and CourseEvent.objects.get().type == "admitted"


def test_a_refused_message_in_the_middle_does_not_disturb_the_others(example_parties: None) -> None:
    stored = store(STIN)
    ingest.process_pending()
    assert Course.objects.get().state_status == "admitted"  # a course opened by a message has its state
    stored += store(MORS, SLHJ)  # died, then discharged: the discharge is refused after the death
    ingest.process_pending()
    assert statuses(stored) == [InboxStatus.ACCEPTED, InboxStatus.ACCEPTED, InboxStatus.UNAPPLICABLE]
    assert list(CourseEvent.objects.order_by("seq").values_list("type", flat=True)) == ["admitted", "died"]
    course = Course.objects.get()
    assert course.version == 2 and course.state_status == "dead"  # an existing course's state is updated


def test_the_same_message_twice_in_one_batch_has_one_effect(example_parties: None) -> None:
    stored = store(STIN, STIN)
    ingest.process_pending()
    first, second = (InboxMessage.objects.get(pk=m.pk) for m in stored)
    assert (first.status, second.status) == (InboxStatus.ACCEPTED, InboxStatus.DUPLICATE)
    assert second.duplicate_of_id == first.pk and second.course_id == first.course_id
    assert Course.objects.count() == 1 and CourseEvent.objects.count() == 1
    assert OutboxMessage.objects.filter(in_reply_to=second, event_code="ok").exists()


def test_a_crash_in_a_batch_rolls_the_whole_batch_back_and_a_restart_applies_each_once(
    example_parties: None, monkeypatch: Any
) -> None:
    stored = store(STIN, STOR, SLOR, SLHJ)
    original = ingest._apply_hospital_notification
    calls = {"n": 0}

    def crash(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return original(*args)

    monkeypatch.setattr(ingest, "_apply_hospital_notification", crash)
    with pytest.raises(RuntimeError):
        ingest.process_pending()
    assert statuses(stored) == [InboxStatus.RECEIVED] * 4  # all still stored, none applied
    assert Course.objects.count() == 0 and Citizen.objects.count() == 0 and OutboxMessage.objects.count() == 0
    monkeypatch.setattr(ingest, "_apply_hospital_notification", original)
    assert ingest.process_pending() == 4
    assert CourseEvent.objects.count() == 4 and OutboxMessage.objects.count() == 4


def test_a_waiting_message_is_released_when_its_predecessor_arrives_in_a_later_batch(
    example_parties: None,
) -> None:
    early = store(SLHJ)
    ingest.process_pending()
    assert statuses(early) == [InboxStatus.QUEUED]
    store(STIN)
    ingest.process_pending()
    assert statuses(early) == [InboxStatus.ACCEPTED]
    assert list(CourseEvent.objects.order_by("seq").values_list("type", flat=True)) == [
        "admitted",
        "discharged",
    ]


def test_the_worker_command_processes_what_was_stored(example_parties: None) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    stored = store(STIN, SLHJ)
    out = StringIO()
    call_command("medcom", "process", "--once", stdout=out)
    assert out.getvalue().strip() == '{"processed": 2}'
    assert statuses(stored) == [InboxStatus.ACCEPTED] * 2
    with pytest.raises(CommandError, match="at least 1"):
        call_command("medcom", "process", "--once", "--batch", "0")


def test_the_worker_parks_a_message_that_fails_unexpectedly_and_goes_on(
    example_parties: None, monkeypatch: Any, caplog: Any
) -> None:
    stored = store(STIN, SLHJ, STIN)  # the second admission message is a duplicate of the first
    original = ingest._apply_hospital_notification
    state = {"broken": True}

    def broken_admission(message: Any, *args: Any) -> Any:
        if message.event_code == "STIN" and state["broken"]:
            raise KeyError("a bug")
        return original(message, *args)

    monkeypatch.setattr(ingest, "_apply_hospital_notification", broken_admission)
    assert ingest.process_pending(quarantine_failures=True) == 3
    broken, discharge, again = (InboxMessage.objects.get(pk=m.pk) for m in stored)
    assert (
        broken.status == InboxStatus.UNAPPLICABLE
        and "Intern fejl" in broken.reason
        and "KeyError" in broken.reason
    )
    assert f"inbox message {broken.pk} failed" in caplog.text
    assert discharge.status == InboxStatus.QUEUED  # waits for its admission instead of being lost
    assert again.status == InboxStatus.UNAPPLICABLE  # the same bug; parked as well
    state["broken"] = False  # the bug is fixed; staff process the parked message again
    assert ingest.reprocess(broken).status == InboxStatus.ACCEPTED
    assert InboxMessage.objects.get(pk=discharge.pk).status == InboxStatus.ACCEPTED
    assert ingest.reprocess(again).status == InboxStatus.DUPLICATE
    assert list(CourseEvent.objects.order_by("seq").values_list("type", flat=True)) == [
        "admitted",
        "discharged",
    ]
