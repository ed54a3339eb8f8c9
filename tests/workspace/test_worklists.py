from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sektorbro.courses import services
from sektorbro.workspace.worklists import worklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(make_citizen: Any, make_course: Any, personas: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    waiting = make_course(
        make_citizen("730", "Venter Færdig", receives_elderly_care=True),
        admitted_at=now - dt.timedelta(days=6),
    )
    services.record_event(
        actor=None,
        course=waiting,
        event_type="ready_for_discharge",
        occurred_at=now - dt.timedelta(days=3),
        source="demo",
    )
    services.record_event(actor=None, course=waiting, event_type="discharge_date_agreed", occurred_at=now - dt.timedelta(days=3), data={"date": (timezone.localdate() + dt.timedelta(days=1)).isoformat(), "counterpart": "Visitator Lene Holm", "call_at": (now - dt.timedelta(days=3)).isoformat()}, source="demo")  # fmt: skip
    fresh = make_course(
        make_citizen("730", "Ny Indlagt", receives_elderly_care=True), admitted_at=now - dt.timedelta(hours=2)
    )
    home = make_course(
        make_citizen("730", "Hjemme Igen", receives_elderly_care=True), admitted_at=now - dt.timedelta(days=5)
    )
    services.record_event(
        actor=None,
        course=home,
        event_type="ready_for_discharge",
        occurred_at=now - dt.timedelta(days=2),
        source="demo",
    )
    services.record_event(actor=None, course=home, event_type="discharged", occurred_at=now - dt.timedelta(hours=20), data={"destination": "nursing_home"}, source="demo")  # fmt: skip
    return {"waiting": waiting, "fresh": fresh, "home": home}


def names(rows: list[Any]) -> list[str]:
    return [r.course.citizen.name for r in rows]


def test_the_municipal_worklist_shows_days_accruing_tasks_and_the_72_hour_window(
    courses: dict[str, Any], personas: dict[str, Any]
) -> None:
    wl = worklist(personas["visitator_randers"])
    assert names(wl["admitted"])[0] == "Venter Færdig"  # overdue admission report first
    waiting = wl["admitted"][0]
    assert waiting.decisions["billing"]["accruing_days"] == 3 and waiting.decisions["billable_days"] == 3
    assert {t["party"] for t in waiting.tasks} <= {"municipality", "hospital+municipality"}
    assert names(wl["window_72h"]) == ["Hjemme Igen"]


def test_the_ward_worklist_filters_by_ward_and_polls(
    courses: dict[str, Any], personas: dict[str, Any], login: Any
) -> None:
    wl = worklist(personas["ward_nurse_randers"], ward="rhr-medicin")
    assert set(names(wl["admitted"])) == {"Venter Færdig", "Ny Indlagt"}
    assert worklist(personas["ward_nurse_randers"], ward="rhr-akut")["admitted"] == []
    body = login(personas["ward_nurse_randers"]).get("/arbejdsliste/?afsnit=rhr-medicin").content.decode()
    assert 'hx-trigger="every 60s"' in body and "Venter Færdig" in body
    assert "(frist " in body  # the next task shows when it is due


def test_the_gp_and_outsiders(courses: dict[str, Any], personas: dict[str, Any]) -> None:
    assert worklist(personas["gp_randers"])["admitted"] == []  # none of them are listed with this clinic
    assert worklist(personas["visitator_viborg"])["admitted"] == []


def test_the_worklist_reads_stored_state_in_a_bounded_number_of_queries(
    make_citizen: Any, make_course: Any, personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    for i in range(30):
        make_course(make_citizen("730", f"Mange {i:02}"), admitted_at=now - dt.timedelta(hours=i + 1))
    user = personas["ward_nurse_randers"]
    user.active_memberships()  # memberships are cached per user object, as in a request
    with django_assert_max_num_queries(10):  # independent of the number of courses
        wl = worklist(user, limits={"admitted": 10})
        rows = list(wl["admitted"])
        assert [r.course.citizen.name for r in rows] and rows[0].course.hospital.name
    assert wl["admitted"].count == 30 and len(rows) == 10 and wl["admitted"].more
    # Nothing is silently left out: paging on shows the rest.
    everyone = worklist(user, limits={"admitted": 100})["admitted"]
    assert len(everyone) == 30 and not everyone.more


def test_urgency_orders_overdue_first_then_the_nearest_deadline(
    courses: dict[str, Any], personas: dict[str, Any]
) -> None:
    rows = worklist(personas["visitator_randers"])["admitted"]
    dues = [r.course.state_municipality_due for r in rows]
    known = [d for d in dues if d is not None]
    assert known == sorted(known) and dues[: len(known)] == known  # no deadline sorts last
    assert rows[0].overdue >= 1 and rows[0].tasks[0]["overdue"]


def test_the_show_more_link_keeps_the_ward_and_the_poll_keeps_the_page(
    courses: dict[str, Any], personas: dict[str, Any], login: Any
) -> None:
    body = login(personas["ward_nurse_randers"]).get("/arbejdsliste/?afsnit=rhr-medicin&indlagte=1").content
    text = body.decode()
    assert "afsnit=rhr-medicin&amp;indlagte=26" in text  # show more: one page (25) more
    assert "afsnit=rhr-medicin&amp;indlagte=1&amp;udskrevne=25" in text  # live refresh keeps the page
    assert login(personas["ward_nurse_randers"]).get("/arbejdsliste/?indlagte=x").status_code == 200


def test_refresh_state_brings_time_dependent_state_up_to_date(courses: dict[str, Any]) -> None:
    from django.core.management import call_command

    from sektorbro.courses.models import Course

    Course.objects.update(state_status="", state_tasks=[], state_evaluated_at=None)
    out = __import__("io").StringIO()
    call_command("courses", "refresh-state", stdout=out)
    assert "refreshed 3 courses" in out.getvalue()
    waiting = Course.objects.get(pk=courses["waiting"].pk)
    assert waiting.state_status == "ready_for_discharge" and waiting.state_evaluated_at is not None
    assert waiting.state_billing["accruing_days"] == 3
    assert any(t["party"] == "municipality" for t in waiting.state_tasks)


def test_the_municipality_sees_the_care_plan_versions_and_what_is_new(
    make_citizen: Any, make_course: Any, personas: dict[str, Any], login: Any
) -> None:
    now = timezone.now()
    course = make_course(
        make_citizen("730", "Plan Borger", receives_elderly_care=True), admitted_at=now - dt.timedelta(days=3)
    )
    nurse = personas["ward_nurse_randers"]
    services.record_event(actor=nurse, course=course, event_type="care_plan_sent", occurred_at=now - dt.timedelta(days=2))  # fmt: skip
    services.record_event(
        actor=nurse,
        course=course,
        event_type="care_plan_sent",
        occurred_at=now - dt.timedelta(hours=3),
        data={"changes": [{"dato": "02.12.2026", "nyt": "Har nu brug for ilt om natten"}]},
    )
    [row] = [r for r in worklist(personas["visitator_randers"])["admitted"] if r.course.pk == course.pk]
    assert row.care_plan is not None and row.care_plan["versions"] == 2
    assert row.care_plan["changes"] == [{"dato": "02.12.2026", "nyt": "Har nu brug for ilt om natten"}]
    body = login(personas["visitator_randers"]).get("/arbejdsliste/").content.decode()
    assert "Plejeforløbsplan" in body and "Version 2" in body and "Har nu brug for ilt om natten" in body
    # The hospital's own worklist does not repeat the care plan column.
    ward = login(nurse).get("/arbejdsliste/").content.decode()
    assert "Har nu brug for ilt om natten" not in ward


def test_discharged_citizens_show_whether_the_epikrise_came(
    courses: dict[str, Any], personas: dict[str, Any], login: Any
) -> None:
    [row] = worklist(personas["visitator_randers"])["discharged"]
    assert row.discharge_summary == "missing"
    services.record_event(
        actor=None,
        course=row.course,
        event_type="discharge_summary_sent",
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        source="demo",
    )
    [row] = worklist(personas["visitator_randers"])["discharged"]
    assert row.discharge_summary == "sent"
    body = login(personas["visitator_randers"]).get("/arbejdsliste/").content.decode()
    assert "Epikrise" in body and "Modtaget" in body


def test_the_minute_refresh_does_not_keep_an_idle_session_alive(
    courses: dict[str, Any], personas: dict[str, Any], login: Any
) -> None:
    from django.contrib.sessions.models import Session

    client = login(personas["visitator_randers"])
    key = client.session.session_key

    def expiry() -> Any:
        return Session.objects.get(session_key=key).expire_date

    client.get("/")
    before = expiry()
    poll = client.get("/arbejdsliste/", HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="worklist")
    assert poll.status_code == 200 and "Venter Færdig" in poll.content.decode()
    assert expiry() == before  # the poll did not renew the session
    client.get("/arbejdsliste/?indlagte=50", HTTP_HX_REQUEST="true")  # "show more" is the user's own click
    assert expiry() > before


def test_refresh_state_writes_only_the_courses_whose_state_changed(courses: dict[str, Any]) -> None:
    from sektorbro.courses.models import Course
    from sektorbro.courses.state import refresh_many

    first = refresh_many(Course.objects.all())
    assert first.refreshed == 3
    again = refresh_many(Course.objects.all())
    assert (again.refreshed, again.written) == (3, 0)  # nothing moved: no rows rewritten
    Course.objects.filter(pk=courses["fresh"].pk).update(state_tasks=[])
    assert refresh_many(Course.objects.all()).written == 1
    assert Course.objects.get(pk=courses["fresh"].pk).state_tasks


def test_a_gp_sees_each_partys_open_tasks_named_as_a_list(
    make_citizen: Any, make_course: Any, personas: dict[str, Any], login: Any
) -> None:
    now = timezone.now()
    course = make_course(
        make_citizen("730", "Listet Patient", gp_key="laege-730-1", receives_elderly_care=True),
        admitted_at=now - dt.timedelta(days=2),
    )
    services.record_event(actor=None, course=course, event_type="discharged", occurred_at=now - dt.timedelta(hours=5), data={"destination": "own_home"}, source="demo")  # fmt: skip
    [row] = worklist(personas["gp_randers"])["discharged"]
    assert {t["party_label"] for t in row.tasks} >= {"Hospital"}
    body = login(personas["gp_randers"]).get("/arbejdsliste/").content.decode()
    # One line with the most urgent task, the rest behind "Why?" (issue 18), each named with its party.
    assert '<details class="more-tasks">' in body and '<ul class="compact"><li>' in body and ".;" not in body
    assert body.count("<strong>Hospital:</strong>") >= 2
    ward = login(personas["visitator_randers"]).get("/arbejdsliste/").content.decode()
    assert "<strong>Kommune:</strong>" not in ward  # a party sees its own tasks without the label


@pytest.mark.django_db
def test_cluster_names_on_the_analysts_start_page_link_to_their_overview(
    login: Any, personas: dict[str, Any]
) -> None:
    page = login(personas["analyst"]).get("/").content.decode()
    assert 'href="/overblik/klynge/randersklyngen/">Randersklyngen</a>' in page


@pytest.mark.django_db
def test_a_ward_nurse_sees_her_own_ward_first_and_her_choice_is_remembered(
    login: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["ward_nurse_randers"])
    first = client.get("/").content.decode()
    assert '<option value="rhr-medicin" selected>' in first
    client.get("/?afsnit=")  # she chooses "Alle"
    again = client.get("/").content.decode()
    ward_choice = again.split('id="id_afsnit"')[1].split("</select>")[0]
    assert "selected" not in ward_choice  # "Alle", the first option
    client.get("/?afsnit=rhr-medicin")
    assert '<option value="rhr-medicin" selected>' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_minute_refresh_does_not_change_the_remembered_ward(login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["ward_nurse_randers"])
    client.get("/?afsnit=")
    client.get("/arbejdsliste/?afsnit=rhr-medicin", headers={"HX-Request": "true", "HX-Trigger": "worklist"})
    assert client.session["worklist_ward"] == ""
