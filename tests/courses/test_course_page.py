from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from sektorbro.citizens.models import AccessLogEntry
from sektorbro.messaging.models import OutboxMessage
from tests.conftest import CPH

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(make_citizen: Any, make_course: Any) -> Any:
    citizen = make_citizen("730", "Else Side", gp_key="laege-730-1", receives_elderly_care=True)
    return make_course(citizen, admitted_at=dt.datetime(2026, 11, 16, 10, 0, tzinfo=CPH))


def test_the_course_page_explains_decisions_and_shows_tasks(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    body = login(personas["visitator_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    assert "Hvad siger aftalen" in body and "Hvorfor?" in body and "aftalen 2.1" in body
    assert "Indlæggelsesrapport" in body and "P04" in body  # the municipality's admission report is due
    assert AccessLogEntry.objects.filter(citizen=course.citizen, action="course.detail").exists()


def test_the_ward_registers_ready_and_a_repeat_is_refused_with_the_reason(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["ward_nurse_randers"])
    url = f"/forloeb/{course.public_id}/haendelse/"
    ok = client.post(
        url, {"type": "ready_for_discharge", "occurred_at": "20.11.2026 09:00", "version": course.version}
    )
    assert ok.status_code == 302
    course.refresh_from_db()
    again = client.post(
        url, {"type": "ready_for_discharge", "occurred_at": "21.11.2026 09:00", "version": course.version}
    )
    assert again.status_code == 400 and "behandling genoptaget" in again.content.decode()
    stale = client.post(
        url, {"type": "fmk_updated", "occurred_at": "21.11.2026 09:00", "version": course.version - 1}
    )
    assert stale.status_code == 409 and "Nogen har ændret forløbet" in stale.content.decode()


def test_a_discharge_date_needs_a_date_and_roles_only_see_their_events(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["visitator_randers"])
    page = client.get(f"/forloeb/{course.public_id}/").content.decode()
    assert 'value="discharge_date_agreed"' in page and 'value="ready_for_discharge"' not in page
    missing = client.post(
        f"/forloeb/{course.public_id}/haendelse/",
        {"type": "discharge_date_agreed", "occurred_at": "20.11.2026 09:00", "version": course.version,
         "counterpart": "Sygeplejerske Ida Sand", "call_at": "20.11.2026 08:55"},
    )  # fmt: skip
    assert missing.status_code == 400 and "Angiv udskrivningsdatoen" in missing.content.decode()


def test_writing_correspondence_puts_a_medcom_message_in_the_outbox(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["visitator_randers"])
    response = client.post(
        f"/forloeb/{course.public_id}/korrespondance/",
        {
            "category": "discharge",
            "topic": "Vedr. plejeforløbsplan",
            "text": "Vi er klar fredag.",
            "phone": "89151515",
            "version": course.version,
        },
    )
    assert response.status_code == 302
    outbox = OutboxMessage.objects.get()
    assert outbox.kind == "care_communication" and outbox.course == course


def test_relatives_and_their_consent_are_shown_and_changed_from_the_course_page(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    from sektorbro.citizens.models import Relative

    client = login(personas["visitator_randers"])
    citizen = course.citizen
    client.post(f"/borgere/{citizen.public_id}/paaroerende/",
                {"name": "Kim Side", "relation": "søn", "phone": "12345678", "version": "1"})  # fmt: skip
    page = client.get(f"/forloeb/{course.public_id}/").content.decode()
    assert "Pårørende" in page and "Kim Side" in page and "Ret Kim Side eller samtykket" in page
    relative = Relative.objects.get(citizen=citizen)
    assert not relative.may_be_involved
    citizen.refresh_from_db()
    changed = client.post(
        f"/borgere/{citizen.public_id}/paaroerende/{relative.public_id}/",
        {"name": "Kim Side", "relation": "søn", "phone": "12345678", "may_be_involved": "on",
         "version": str(citizen.version)},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert changed.status_code == 200 and "Ja, borgeren giver samtykke" in changed.content.decode()
    relative.refresh_from_db()
    assert relative.may_be_involved and relative.consent_recorded_at is not None
    empty = client.post(
        f"/borgere/{citizen.public_id}/paaroerende/{relative.public_id}/",
        {"name": "", "relation": "søn", "version": str(citizen.version + 1)},
        HTTP_HX_REQUEST="true",
    )
    assert empty.status_code == 400
    body = empty.content.decode()
    assert f'id="id_relative_{relative.public_id}_name"' in body and "<details open" in body
    relative.refresh_from_db()
    assert relative.name == "Kim Side"


def test_a_date_changed_by_the_other_party_meanwhile_is_shown_and_nothing_is_overwritten(
    client: Any, course: Any, personas: dict[str, Any]
) -> None:
    from django.test import Client

    from sektorbro.courses.models import CourseEvent

    backend = "sektorbro.accounts.backends.SektorbroModelBackend"
    ward, municipality = Client(), Client()
    ward.force_login(personas["ward_nurse_randers"], backend=backend)
    municipality.force_login(personas["visitator_randers"], backend=backend)
    url = f"/forloeb/{course.public_id}/haendelse/"
    seen = {"version": course.version, "seen_seq": 1}  # both opened the page at the same time
    assert 'name="seen_seq" value="1"' in municipality.get(f"/forloeb/{course.public_id}/").content.decode()

    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=CPH), tick=True):
        proposed = ward.post(url, {"type": "discharge_date_proposed", "occurred_at": "20.11.2026 09:00",
                                   "date": "2026-11-24", **seen})  # fmt: skip
    assert proposed.status_code == 302
    entry = {"type": "discharge_date_agreed", "occurred_at": "20.11.2026 09:05", "date": "2026-11-23",
             "counterpart": "Sygeplejerske Ida Sand", "call_at": "20.11.2026 09:00", **seen}  # fmt: skip
    stale = municipality.post(url, entry)
    body = stale.content.decode()
    assert stale.status_code == 409
    assert "Ændret siden du åbnede forløbet" in body and "24.11.2026" in body  # the hospital's proposal
    assert "Nogen har ændret forløbet" in body and "2026-11-23" in body  # the user's own entry kept
    assert not CourseEvent.objects.filter(course=course, type="discharge_date_agreed").exists()

    course.refresh_from_db()
    assert f'name="version" value="{course.version}"' in body  # re-sending is a conscious second step
    again = municipality.post(url, {**entry, "version": course.version, "seen_seq": 2})
    assert again.status_code == 302
    assert CourseEvent.objects.filter(course=course, type="discharge_date_agreed").count() == 1


def test_the_ward_sends_an_updated_care_plan_with_what_is_new(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["ward_nurse_randers"])
    url = f"/forloeb/{course.public_id}/haendelse/"
    first = client.post(
        url, {"type": "care_plan_sent", "occurred_at": "17.11.2026 10:00", "version": course.version}
    )
    assert first.status_code == 302
    course.refresh_from_db()
    unmarked = client.post(
        url, {"type": "care_plan_sent", "occurred_at": "18.11.2026 10:00", "version": course.version}
    )
    assert unmarked.status_code == 400 and "Dato" in unmarked.content.decode()
    wrong = client.post(
        url,
        {"type": "fmk_updated", "occurred_at": "18.11.2026 10:00", "changes": "x", "version": course.version},
    )
    assert wrong.status_code == 400 and "Kun en plejeforløbsplan" in wrong.content.decode()
    updated = client.post(
        url,
        {
            "type": "care_plan_sent",
            "occurred_at": "18.11.2026 10:00",
            "changes": "Skal have ilt om natten\n\nKan ikke gå på trapper",
            "version": course.version,
        },
    )
    assert updated.status_code == 302
    event = course.events.get(type="care_plan_sent", seq=3)
    assert event.data["version"] == 2
    assert event.data["changes"] == [
        {"dato": "18.11.2026", "nyt": "Skal have ilt om natten"},
        {"dato": "18.11.2026", "nyt": "Kan ikke gå på trapper"},
    ]
    page = login(personas["visitator_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    assert "NYT</span> 18.11.2026: Skal have ilt om natten" in page and "Version 2" in page


def test_the_ward_records_a_discharge_with_municipal_nursing_which_opens_the_72_hour_window(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    """The discharge form asks where to and whether municipal nursing follows (the 72-hour window depends on
    it, aftalen 2.2); without a destination the discharge is refused with a Danish message."""
    client = login(personas["ward_nurse_randers"])
    url = f"/forloeb/{course.public_id}/haendelse/"
    page = client.get(f"/forloeb/{course.public_id}/").content.decode()
    assert 'name="municipal_nursing"' in page
    assert client.post(url, {"type": "ready_for_discharge", "occurred_at": "2026-11-17T09:00", "version": course.version}).status_code == 302  # fmt: skip
    course.refresh_from_db()
    missing = client.post(url, {"type": "discharged", "occurred_at": "2026-11-18T11:00", "version": course.version})  # fmt: skip
    assert missing.status_code == 400 and missing.context["event_form"].has_error("destination")
    ok = client.post(
        url,
        {
            "type": "discharged",
            "occurred_at": "2026-11-18T11:00",
            "destination": "own_home",
            "municipal_nursing": "on",
            "version": course.version,
        },
    )
    assert ok.status_code == 302
    course.refresh_from_db()
    assert course.municipal_nursing_after_discharge and course.discharge_destination == "own_home"
    assert course.events.last().data["municipal_nursing"] is True
    assert (course.state_window or {}).get("applies") is True


def test_dates_and_amounts_are_shown_the_danish_way_and_the_flash_message_is_an_accessible_list(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    """The ready date was shown as ISO text (2026-11-17) and the amount as 2400,0; the "Recorded" message was a
    list item inside an element whose role (status) hid the list from assistive technology."""
    nurse = login(personas["ward_nurse_randers"])
    url = f"/forloeb/{course.public_id}/haendelse/"
    done = nurse.post(url, {"type": "ready_for_discharge", "occurred_at": "2026-11-17T09:00", "version": course.version}, follow=True)  # fmt: skip
    body = done.content.decode()
    assert (
        '<div role="status"><ul class="messages">' in body
        and '<ul class="messages" role="status">' not in body
    )
    assert "Ja, siden 17.11.2026" in body and "siden 2026-11-17" not in body
    course.refresh_from_db()
    visitator = login(personas["visitator_randers"])
    agreed = {"type": "discharge_date_agreed", "occurred_at": "2026-11-17T10:00", "date": "2026-11-18", "version": course.version,
              "counterpart": "Sygeplejerske Ida Sand", "call_at": "2026-11-17T09:55"}  # fmt: skip
    assert visitator.post(url, agreed).status_code == 302
    course.refresh_from_db()
    discharged = {"type": "discharged", "occurred_at": "2026-11-18T11:00", "destination": "own_home", "version": course.version}  # fmt: skip
    assert login(personas["ward_nurse_randers"]).post(url, discharged).status_code == 302
    page = login(personas["visitator_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    assert "1 afregnes (1 indtil nu), 2.400 kr." in page and "2400,0" not in page


def test_the_hospital_corrects_the_track_and_the_municipality_cannot(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    from sektorbro.courses.models import Course

    url = f"/forloeb/{course.public_id}/oplysninger/"
    municipality = login(personas["visitator_randers"])
    page = municipality.get(f"/forloeb/{course.public_id}/").content.decode()
    assert "Forløbsoplysninger" in page and 'name="track"' not in page  # only municipal nursing
    ignored = municipality.post(url, {"track": "planned", "version": course.version})
    assert Course.objects.get(pk=course.pk).track == "acute" and ignored.status_code == 302
    course.refresh_from_db()
    nursing = municipality.post(url, {"municipal_nursing_after_discharge": "on", "version": course.version})
    assert nursing.status_code == 302 and Course.objects.get(pk=course.pk).municipal_nursing_after_discharge
    course.refresh_from_db()
    assert login(personas["gp_randers"]).post(url, {"version": course.version}).status_code == 403

    ward = login(personas["ward_nurse_randers"])
    assert "Forløbsoplysninger" in ward.get(f"/forloeb/{course.public_id}/").content.decode()
    saved = ward.post(url, {"track": "planned", "rehabilitation_needed": "on", "version": course.version})
    assert saved.status_code == 302
    changed = Course.objects.get(pk=course.pk)
    assert changed.track == "planned" and changed.rehabilitation_needed
    assert "rehab_plan" in changed.state_documents["required"]  # the rules saw the change at once
    stale = ward.post(url, {"track": "acute", "version": course.version})
    assert stale.status_code == 409 and Course.objects.get(pk=course.pk).track == "planned"


def test_the_event_form_offers_what_the_history_allows_now(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    from sektorbro.courses import services

    ward = login(personas["ward_nurse_randers"])
    admitted = ward.get(f"/forloeb/{course.public_id}/").content.decode()
    assert (
        'value="discharged"' in admitted and 'value="treatment_resumed"' not in admitted
    )  # nothing to resume
    services.record_event(actor=None, course=course, event_type="discharged", occurred_at=dt.datetime(2026, 11, 20, 11, 0, tzinfo=CPH), data={"destination": "own_home"}, source="demo")  # fmt: skip
    after = ward.get(f"/forloeb/{course.public_id}/").content.decode()
    assert 'value="discharge_summary_sent"' in after and 'value="fmk_updated"' in after
    assert 'value="discharge_date_proposed"' not in after and 'value="discharged"' not in after
