"""Issue 18, items 1-3: a refusal shows at the top of the form that was sent, focused, with what the user typed;
only work someone can still do is a task (the rest is history on the course page); the discharge date everyone
waits for is in the course header and the worklist, and the municipality accepts a proposal from its row."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from sektorbro.courses import services
from sektorbro.courses.models import CourseEvent
from sektorbro.workspace.worklists import worklist
from tests.conftest import CPH

pytestmark = pytest.mark.django_db

ADMITTED = dt.datetime(2026, 11, 16, 10, 0, tzinfo=CPH)  # a Monday


@pytest.fixture
def course(make_citizen: Any, make_course: Any) -> Any:
    citizen = make_citizen("730", "Else Side", gp_key="laege-730-1", receives_elderly_care=True)
    return make_course(citizen, admitted_at=ADMITTED)


def at(day: int, hour: int = 9, minute: int = 0) -> Any:
    return time_machine.travel(dt.datetime(2026, 11, day, hour, minute, tzinfo=CPH), tick=False)


def region(body: str, section_id: str) -> str:
    """The HTML of the ``<section … id=section_id>`` (or ``<details id=…>``) up to its end."""
    start = body.index(f'id="{section_id}"')
    end = min(i for i in (body.find("</section>", start), body.find("</details>", start)) if i != -1)
    return body[start:end]


def error_block(body: str, errors_id: str) -> str:
    match = re.search(rf'<div class="form-errors" id="{errors_id}"[^>]*>', body)
    assert match, f"no {errors_id} in the page"
    return match.group(0)


def assert_first_in_region(body: str, section_id: str, errors_id: str) -> None:
    """The refusal is at the top of the form's region (before the form), focusable and focused on load."""
    part = region(body, section_id)
    assert f'id="{errors_id}"' in part
    assert part.index(f'id="{errors_id}"') < part.index("<form")
    tag = error_block(body, errors_id)
    assert 'role="alert"' in tag and 'tabindex="-1"' in tag and "autofocus" in tag
    assert body.count("autofocus") == 1  # one place takes the focus


# --- 1. errors where the eye is ------------------------------------------------------------------------------


def test_a_weekend_discharge_without_agreement_is_refused_at_the_event_form_keeping_the_input(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["ward_nurse_randers"])
    with at(21, 12):  # Saturday
        refused = client.post(
            f"/forloeb/{course.public_id}/haendelse/",
            {"type": "discharged", "occurred_at": "2026-11-21T11:00", "destination": "own_home",
             "note": "Datter henter kl. 11", "version": course.version},
        )  # fmt: skip
    body = refused.content.decode()
    assert refused.status_code == 400
    assert_first_in_region(body, "record", "record-errors")
    assert "Datter henter kl. 11</textarea>" in body  # the note kept
    assert 'value="2026-11-21T11:00"' in body  # the time kept
    assert re.search(r'<option value="own_home" selected>', body)
    assert not CourseEvent.objects.filter(course=course, type="discharged").exists()


def test_an_edit_conflict_is_shown_at_the_form_with_the_input_kept(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["ward_nurse_randers"])
    with at(17):
        stale = client.post(
            f"/forloeb/{course.public_id}/haendelse/",
            {"type": "fmk_updated", "occurred_at": "17.11.2026 09:00", "note": "FMK gennemgået",
             "version": course.version - 1},
        )  # fmt: skip
    body = stale.content.decode()
    assert stale.status_code == 409
    assert_first_in_region(body, "record", "record-errors")
    assert "FMK gennemgået</textarea>" in body


def test_a_letter_the_user_may_not_send_is_refused_at_the_letter_form(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["gp_randers"])
    refused = client.post(
        f"/forloeb/{course.public_id}/korrespondance/",
        {"category": "other", "topic": "Spørgsmål", "text": "Hvornår kommer hun hjem?", "phone": "+4511223344",
         "version": course.version},
    )  # fmt: skip
    body = refused.content.decode()
    assert refused.status_code == 403
    assert_first_in_region(body, "write", "write-errors")
    assert "Hvornår kommer hun hjem?</textarea>" in body and 'value="Spørgsmål"' in body


def test_a_refused_cancellation_shows_at_its_own_form_with_the_reason_kept(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["ward_nurse_randers"])
    url = f"/forloeb/{course.public_id}/haendelse/"
    with at(17):
        assert client.post(url, {"type": "ready_for_discharge", "occurred_at": "17.11.2026 09:00",
                                 "version": course.version}).status_code == 302  # fmt: skip
    course.refresh_from_db()
    ready = CourseEvent.objects.get(course=course, type="ready_for_discharge")
    with at(19):  # two days later: too late to cancel as an error (aftalen 2.1)
        client = login(personas["ward_nurse_randers"])  # a new session: the old one timed out
        refused = client.post(
            url,
            {"type": "cancelled", "occurred_at": "19.11.2026 09:00", "ref_seq": ready.seq,
             "note": "Forkert patient", "version": course.version},
        )  # fmt: skip
    body = refused.content.decode()
    assert refused.status_code == 400
    assert f'<details id="cancel-region-{ready.seq}" open>' in body
    part = body[body.index(f'id="cancel-region-{ready.seq}"') :]
    assert part.index('id="cancel-errors"') < part.index("<form")
    assert "Forkert patient</textarea>" in part
    tag = error_block(body, "cancel-errors")
    assert "autofocus" in tag and 'tabindex="-1"' in tag


def test_a_refused_acceptance_shows_in_the_tasks(login: Any, course: Any, personas: dict[str, Any]) -> None:
    with at(17):
        proposal = services.record_event(actor=personas["ward_nurse_randers"], course=course,
                                         event_type="discharge_date_proposed",
                                         occurred_at=dt.datetime(2026, 11, 17, 9, 0, tzinfo=CPH),
                                         data={"date": "2026-11-19"})  # fmt: skip
        refused = login(personas["visitator_randers"]).post(
            f"/forloeb/{course.public_id}/haendelse/",
            {"type": "discharge_date_accepted", "occurred_at": "17.11.2026 09:30", "ref_seq": proposal.seq,
             "version": 1},  # the version before the proposal
        )  # fmt: skip
    body = refused.content.decode()
    assert refused.status_code == 409
    tasks = body[body.index('aria-labelledby="tasks-heading"') :]
    assert tasks.index('id="accept-errors"') < tasks.index("</section>")
    assert "autofocus" in error_block(body, "accept-errors")


# --- 2. only tasks someone can act on -------------------------------------------------------------------------


def test_after_the_discharge_before_discharge_work_is_history_not_a_task(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    with at(17, 12):
        services.record_event(actor=personas["ward_nurse_randers"], course=course, event_type="discharged",
                              occurred_at=dt.datetime(2026, 11, 17, 11, 0, tzinfo=CPH),
                              data={"destination": "own_home"})  # fmt: skip
        visitator = personas["visitator_randers"]
        [row] = worklist(visitator)["discharged"]
        assert "deadline:P04" not in [t["code"] for t in row.tasks]  # nothing the municipality can still do
        assert not [t for t in row.tasks if t["overdue"] and t["party"] == "municipality"]
        body = login(visitator).get(f"/forloeb/{course.public_id}/").content.decode()
    missed = region(body, "missed")
    assert "P04" in missed and "status-missed" in missed
    tasks = body[body.index('aria-labelledby="tasks-heading"') : body.index('id="missed"')]
    assert "P04" not in tasks  # not among the open tasks


def test_the_worklist_shows_the_most_urgent_task_and_the_rest_behind_why(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    with at(18, 12):
        services.record_event(actor=personas["ward_nurse_randers"], course=course,
                              event_type="ready_for_discharge",
                              occurred_at=dt.datetime(2026, 11, 18, 9, 0, tzinfo=CPH))  # fmt: skip
        [row] = worklist(personas["visitator_randers"])["admitted"]
        assert len(row.tasks) >= 2
        body = login(personas["visitator_randers"]).get("/arbejdsliste/").content.decode()
    cell = body[body.index(f'id="wl-admitted-{course.public_id}"') :]
    cell = cell[
        cell.index('<td class="next-task">') : cell.index("</td>", cell.index('<td class="next-task">'))
    ]
    visible = cell.split("<details")[0]
    assert visible.count("status-failed") <= 1  # one line, the most urgent
    assert '<details class="more-tasks">' in cell and cell.count("<li>") == len(row.tasks) - 1


# --- 3. the date everyone waits for ---------------------------------------------------------------------------


def test_the_proposed_date_is_in_the_header_and_the_worklist_and_accepted_from_the_row(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    with at(17):
        services.record_event(actor=personas["ward_nurse_randers"], course=course,
                              event_type="discharge_date_proposed",
                              occurred_at=dt.datetime(2026, 11, 17, 9, 0, tzinfo=CPH),
                              data={"date": "2026-11-19"})  # fmt: skip
        client = login(personas["visitator_randers"])
        page = client.get(f"/forloeb/{course.public_id}/").content.decode()
        header = page[page.index('id="discharge-date"') :]
        header = header[: header.index("</dd>")]
        assert "19.11.2026" in header and "status-pending" in header
        home = client.get("/arbejdsliste/").content.decode()
        cell = home[home.index(f'id="wl-date-{course.public_id}"') :]
        cell = cell[: cell.index("</td>")]
        assert "19.11.2026" in cell and f'id="wl-accept-{course.public_id}"' in cell
        form = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', cell))
        assert form["type"] == "discharge_date_accepted" and form["next"] == "worklist"
        accepted = client.post(f"/forloeb/{course.public_id}/haendelse/", form)
        assert accepted.status_code == 302 and accepted["Location"] == "/"
        event = CourseEvent.objects.get(course=course, type="discharge_date_accepted")
        assert event.data["by"] == "municipality"
        home = client.get("/arbejdsliste/").content.decode()
    cell = home[home.index(f'id="wl-date-{course.public_id}"') :]
    cell = cell[: cell.index("</td>")]
    assert "19.11.2026" in cell and "status-accepted" in cell and "wl-accept-" not in cell


def test_a_proposal_past_its_date_is_flagged_and_not_offered_for_acceptance(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    with at(17):
        services.record_event(actor=personas["ward_nurse_randers"], course=course,
                              event_type="discharge_date_proposed",
                              occurred_at=dt.datetime(2026, 11, 17, 9, 0, tzinfo=CPH),
                              data={"date": "2026-11-19"})  # fmt: skip
    with at(20):  # no state refresh in between: the flag is decided when the page is read
        client = login(personas["visitator_randers"])
        home = client.get("/arbejdsliste/").content.decode()
        page = client.get(f"/forloeb/{course.public_id}/").content.decode()
    cell = home[home.index(f'id="wl-date-{course.public_id}"') :]
    cell = cell[: cell.index("</td>")]
    assert "19.11.2026" in cell and "status-failed" in cell and "wl-accept-" not in cell
    header = page[page.index('id="discharge-date"') :]
    assert "status-failed" in header[: header.index("</dd>")]


def test_the_hospital_sees_the_date_column_but_no_accept_button_for_its_own_proposal(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    with at(17):
        services.record_event(actor=personas["ward_nurse_randers"], course=course,
                              event_type="discharge_date_proposed",
                              occurred_at=dt.datetime(2026, 11, 17, 9, 0, tzinfo=CPH),
                              data={"date": "2026-11-19"})  # fmt: skip
        home = login(personas["ward_nurse_randers"]).get("/arbejdsliste/").content.decode()
    assert f'id="wl-date-{course.public_id}"' in home and "wl-accept-" not in home


def test_a_refused_phone_agreement_is_shown_at_the_phone_form(
    login: Any, course: Any, personas: dict[str, Any]
) -> None:
    with at(17):
        client = login(personas["visitator_randers"])
        refused = client.post(
            f"/forloeb/{course.public_id}/haendelse/",
            {"type": "discharge_date_agreed", "occurred_at": "2026-11-17T09:00", "date": "2026-11-19",
             "counterpart": "", "call_at": "2026-11-17T08:55", "note": "Aftalt med afdelingen",
             "version": course.version},
        )  # fmt: skip
    body = refused.content.decode()
    assert refused.status_code == 400
    assert_first_in_region(body, "phone", "phone-errors")
    assert "Aftalt med afdelingen</textarea>" in body and 'value="2026-11-19"' in body
