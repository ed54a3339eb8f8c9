"""Aftalen 2.1 on the write path and the course page (issue 17, "Dates that no party can move alone"): a ready
registration is cancelled only as an error correction, a discharge date needs both parties, and no proposal is
for a date already past."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import override_settings

from sektorbro.core.errors import DomainError
from sektorbro.courses import services
from sektorbro.courses.models import CourseEvent
from sektorbro.courses.snapshot import decisions_for
from tests.conftest import CPH

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=CPH)


def at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CPH)


@pytest.fixture
def course(make_citizen: Any, make_course: Any) -> Any:
    citizen = make_citizen("730", "Else Dato", gp_key="laege-730-1", receives_elderly_care=True)
    return make_course(citizen, admitted_at=MONDAY)


def record(user: Any, course: Any, kind: str, when: dt.datetime, **data: Any) -> Any:
    return services.record_event(actor=user, course=course, event_type=kind, occurred_at=when, data=data)


def api_cancel(client: Any, course: Any, target: Any, **data: Any) -> Any:
    body = {
        "type": "cancelled",
        "supersedes": target.seq,
        "data": data,
        "expected_version": type(course).objects.get(pk=course.pk).version,
    }
    return client.post(
        f"/api/v1/courses/{course.public_id}/events/", json.dumps(body), content_type="application/json"
    )


# --- cancelling a færdigbehandlet registration ----------------------------------------------------------------


def test_a_ready_registration_is_cancelled_within_the_window_with_a_reason_the_municipality_sees(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    with time_machine.travel(at(17, 9, 30), tick=False):
        ready = record(nurse, course, "ready_for_discharge", at(17, 9))
        no_reason = api_cancel(login(nurse), course, ready)
        assert no_reason.status_code == 400 and "begrundelse" in no_reason.json()["message"]
        ok = api_cancel(login(nurse), course, ready, reason="Registreret på den forkerte patient.")
        assert ok.status_code == 201
        page = login(personas["visitator_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    assert "Registreret på den forkerte patient." in page
    course.refresh_from_db()
    assert decisions_for(course, at(18))["ready_for_discharge"]["registered"] is False


def test_a_late_cancellation_is_refused_and_points_to_treatment_resumed(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    with time_machine.travel(at(17, 9, 30), tick=False):
        ready = record(nurse, course, "ready_for_discharge", at(17, 9))
    with time_machine.travel(at(18, 12), tick=False):
        refused = api_cancel(login(nurse), course, ready, reason="Patienten fik feber.")
        # the time typed in does not move the window: it counts to the moment of recording
        with pytest.raises(DomainError) as err:
            services.record_event(
                actor=nurse,
                course=course,
                event_type="cancelled",
                occurred_at=at(17, 10),
                supersedes=ready,
                data={"reason": "Fejl"},
            )
    assert refused.status_code == 400 and "behandling genoptaget" in refused.json()["message"]
    assert err.value.code == "ready_cancellation_refused"
    assert not CourseEvent.objects.filter(course=course, type="cancelled").exists()


@override_settings(SEKTORBRO_READY_CORRECTION_HOURS=48)
def test_the_window_is_the_setting(login: Any, course: Any, personas: dict[str, Any]) -> None:
    nurse = personas["ward_nurse_randers"]
    with time_machine.travel(at(17, 9, 30), tick=False):
        ready = record(nurse, course, "ready_for_discharge", at(17, 9))
    with time_machine.travel(at(18, 12), tick=False):
        assert api_cancel(login(nurse), course, ready, reason="Fejl i registreringen").status_code == 201


# --- a discharge date needs both parties ----------------------------------------------------------------------


def test_the_hospital_alone_cannot_agree_a_date_nor_a_weekend_discharge(
    course: Any, personas: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    with time_machine.travel(at(17, 9, 30), tick=False):
        record(nurse, course, "ready_for_discharge", at(17, 9))
        for kind, data in (
            ("discharge_date_agreed", {"date": "2026-11-20"}),
            ("weekend_discharge_agreed", {}),
        ):
            with pytest.raises(DomainError) as err:
                record(nurse, course, kind, at(17, 9, 20), **data)
            assert err.value.code == "transition_refused" and "telefon" in err.value.message
        made = record(
            nurse,
            course,
            "discharge_date_agreed",
            at(17, 9, 20),
            date="2026-11-20",
            counterpart="Visitator Lene Holm",
            call_at=at(17, 9, 10).isoformat(),
        )
    assert made.data["by"] == "hospital" and made.data["counterpart"] == "Visitator Lene Holm"
    course.refresh_from_db()
    assert decisions_for(course, at(21))["billable_days"] == 3  # 17, 18 and 19 (until the agreed 20th)


def test_a_proposal_for_a_past_date_is_refused_whatever_time_is_typed(
    course: Any, personas: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    with time_machine.travel(at(20, 10), tick=False):
        with pytest.raises(DomainError) as err:
            record(nurse, course, "discharge_date_proposed", at(17, 10), date="2026-11-19")
        assert err.value.code == "date_in_past" and err.value.field == "date"
        assert record(nurse, course, "discharge_date_proposed", at(20, 10), date="2026-11-20").data["by"] == (
            "hospital"
        )


def test_the_municipality_accepts_with_one_button_and_disputes_a_phone_agreement(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    nurse, visitator = personas["ward_nurse_randers"], personas["visitator_randers"]
    page_url, url = f"/forloeb/{course.public_id}/", f"/forloeb/{course.public_id}/haendelse/"
    with time_machine.travel(at(17, 9, 30), tick=False):
        record(nurse, course, "ready_for_discharge", at(17, 9))
        proposal = record(nurse, course, "discharge_date_proposed", at(17, 9, 15), date="2026-11-19")
        ward_page = login(nurse).get(page_url).content.decode()
        assert 'value="discharge_date_accepted"' not in ward_page  # not one's own proposal
        assert (
            'id="phone-heading"' in ward_page
            and 'name="counterpart"' in ward_page
            and 'name="call_at"' in ward_page
        )
        page = login(visitator).get(page_url).content.decode()
        assert 'value="discharge_date_accepted"' in page and "19.11.2026" in page
        course.refresh_from_db()
        accepted = login(visitator).post(
            url,
            {
                "type": "discharge_date_accepted",
                "occurred_at": "2026-11-17T09:30",
                "ref_seq": proposal.seq,
                "version": course.version,
            },
        )
        assert accepted.status_code == 302
        event = CourseEvent.objects.get(course=course, type="discharge_date_accepted")
        assert event.data == {"by": "municipality", "ref_seq": proposal.seq, "date": "2026-11-19"}
        course.refresh_from_db()
        assert (
            decisions_for(course, at(17, 10))["billing"]["days"] == 0
        )  # nothing billed before the 17th ends
        assert 'value="discharge_date_accepted"' not in login(visitator).get(page_url).content.decode()

        course.refresh_from_db()
        phone = login(nurse).post(
            url,
            {
                "type": "discharge_date_agreed",
                "occurred_at": "2026-11-17T09:30",
                "date": "2026-11-23",
                "counterpart": "Visitator Lene Holm",
                "call_at": "2026-11-17T09:25",
                "version": course.version,
            },
        )
        assert phone.status_code == 302
        agreement = CourseEvent.objects.get(course=course, type="discharge_date_agreed")
        page = login(visitator).get(page_url).content.decode()
        assert "Visitator Lene Holm" in page and "17.11.2026 09:25" in page
        assert 'value="discharge_agreement_disputed"' in page
        course.refresh_from_db()
        disputed = login(visitator).post(
            url,
            {
                "type": "discharge_agreement_disputed",
                "occurred_at": "2026-11-17T09:30",
                "ref_seq": agreement.seq,
                "note": "Vi har ikke talt sammen om den 23.",
                "version": course.version,
            },
        )
        assert disputed.status_code == 302
    dispute = CourseEvent.objects.get(course=course, type="discharge_agreement_disputed")
    assert (
        dispute.data["by"] == "municipality"
        and dispute.data["reason"] == "Vi har ikke talt sammen om den 23."
    )
    course.refresh_from_db()
    # the disputed phone agreement no longer counts; the accepted 19th does again
    assert decisions_for(course, at(24))["billable_days"] == 2


def test_the_ward_cancels_a_fresh_registration_from_the_course_page_with_a_reason(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    nurse, visitator = personas["ward_nurse_randers"], personas["visitator_randers"]
    page_url, url = f"/forloeb/{course.public_id}/", f"/forloeb/{course.public_id}/haendelse/"
    with time_machine.travel(at(17, 9, 30), tick=False):
        ready = record(nurse, course, "ready_for_discharge", at(17, 9))
        assert 'name="type" value="cancelled"' in login(nurse).get(page_url).content.decode()
        assert 'name="type" value="cancelled"' not in login(visitator).get(page_url).content.decode()
        course.refresh_from_db()
        post = {"type": "cancelled", "occurred_at": "2026-11-17T09:30", "ref_seq": ready.seq}
        no_reason = login(nurse).post(url, {**post, "version": course.version})
        assert no_reason.status_code == 400 and "begrundelse" in no_reason.content.decode()
        done = login(nurse).post(url, {**post, "note": "Forkert patient.", "version": course.version})
        assert done.status_code == 302
    cancel = CourseEvent.objects.get(course=course, type="cancelled")
    assert cancel.supersedes == ready and cancel.data["reason"] == "Forkert patient."
    with time_machine.travel(at(17, 10), tick=False):
        again = record(nurse, course, "ready_for_discharge", at(17, 10))
    with time_machine.travel(at(18, 11), tick=False):  # a day later: no cancel button any more
        assert 'name="type" value="cancelled"' not in login(nurse).get(page_url).content.decode()
    assert again.seq > cancel.seq
