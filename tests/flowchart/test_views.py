"""The flowchart pages: every chart with all its steps and lanes, the step page and its HTMX panel, login, and
the course link with "You are here", the access selector and the access log."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils.html import escape

from sektorbro.flowchart.content import get_flowchart

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")
CHART_SLUGS = ["planlagt", "akut", "psykiatri"]


@pytest.fixture
def reader(make_user: Callable[..., Any], login: Callable[[Any], Any]) -> Any:
    """Any logged-in user may read the flowchart, even without a role."""
    return login(make_user("reader"))


@pytest.fixture
def secretary(make_user: Callable[..., Any]) -> Any:
    """A committee secretary, in a client of its own: may open the secretariat's revision view (``?revision=1``)."""
    from django.test import Client

    client = Client()
    user = make_user("flow.secretary", "committee_secretary", "sekretariat-randersklyngen")
    client.force_login(user, backend="sektorbro.accounts.backends.SektorbroModelBackend")
    return client


def _english(client: Any) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    "url",
    ["/flowchart/", "/flowchart/planlagt/", "/flowchart/akut/1-40/", "/flowchart/forloeb/" + "0" * 32 + "/"],
)
def test_anonymous_users_are_sent_to_login(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_index_offers_the_three_tracks_and_the_principles(reader: Any) -> None:
    response = reader.get("/flowchart/")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in CHART_SLUGS:
        assert f'href="/flowchart/{slug}/"' in html
    for principle in get_flowchart().principles:
        assert f'id="princip-{principle.number}"' in html
        assert escape(principle.title.da) in html
    assert "10 trin, heraf 6" not in html and "fc-badge" not in html  # recovery notes: revision view only


@pytest.mark.parametrize("slug", CHART_SLUGS)
def test_each_chart_shows_all_its_steps_and_lanes(reader: Any, slug: str) -> None:
    chart = get_flowchart().chart_by_slug(slug)
    assert chart is not None
    response = reader.get(f"/flowchart/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(chart.title.da) in html
    assert escape(chart.gaps.da) not in html  # the notes on recovery are for the secretariat's revision view
    head = html[html.index("<thead>") : html.index("</thead>")]
    for lane in chart.lanes:
        assert f'<th scope="col" class="fc-lane-head">{escape(lane.title.da)}</th>' in head
    links = re.findall(r'<a class="fc-step-link" href="([^"]+)"', html)
    shown = [s for s in chart.steps if not s.is_gap]  # a step whose content is unknown is not for clinicians
    assert links == [f"/flowchart/{slug}/{s.id}/" for s in shown], (
        "one link per step, in the order of the flow"
    )
    for step in shown:
        assert f'id="step-{step.id}"' in html
        assert escape(step.title.da) in html
        for action in step.actions:
            assert escape(action.short.da) in html
    assert 'aria-current="step"' not in html
    # No inline scripts or styles (strict CSP), and the app's own assets are loaded.
    assert "<style" not in html and " style=" not in html
    assert "<script>" not in html and "onclick" not in html
    assert "/static/flowchart/flowchart.css" in html and "/static/flowchart/flowchart.js" in html


def test_the_revision_view_marks_missing_pages(secretary: Any) -> None:
    html = secretary.get("/flowchart/planlagt/?revision=1").content.decode()
    row = html[html.index('id="step-2-1"') : html.index('id="step-2-2"')]
    assert "fc-badge-not_recovered" in row and "Ikke genfundet" in row
    assert 'colspan="5"' in row
    cut = html[html.index('id="step-2-4"') : html.index('id="step-2-5"')]
    assert "Siden er afskåret" in cut
    assert escape(get_flowchart().chart("somatic_planned").gaps.da) in html
    index = secretary.get("/flowchart/?revision=1").content.decode()
    assert "10 trin, heraf 6" in index and "fc-badge-not_recovered" in index


def test_clinicians_see_no_notes_on_missing_pages(reader: Any, secretary: Any) -> None:
    """Issue 17: "Side 2-1 er ikke genfundet" and the "Ikke genfundet" badges are for the secretariat."""
    for client, url in ((reader, "/flowchart/planlagt/"), (reader, "/flowchart/planlagt/?revision=1")):
        html = client.get(url).content.decode()
        assert "genfundet" not in html and "afskåret" not in html and 'id="step-2-1"' not in html
        assert "Revisionsvisning" not in html  # no link to a view the user may not open
    for url in ("/flowchart/akut/", "/flowchart/psykiatri/", "/flowchart/planlagt/2-5/", "/flowchart/"):
        assert "genfundet" not in reader.get(url).content.decode(), url
    assert reader.get("/flowchart/planlagt/2-1/").status_code == 404
    assert secretary.get("/flowchart/planlagt/2-1/?revision=1").status_code == 200
    # the steps are numbered as shown: 2-2 follows 2-0 as step 2 for clinicians
    html = reader.get("/flowchart/planlagt/2-2/").content.decode()
    assert "Trin 2</a>" in html and 'href="/flowchart/planlagt/2-0/" rel="prev"' in html
    offered = secretary.get("/flowchart/planlagt/").content.decode()
    assert 'href="/flowchart/planlagt/?revision=1"' in offered and "genfundet" not in offered


def test_the_chart_has_a_print_list_with_every_explanation(reader: Any) -> None:
    chart = get_flowchart().chart("somatic_acute")
    html = reader.get("/flowchart/akut/").content.decode()
    printed = html[html.index('class="fc-print-list"') :]
    for step in chart.steps:
        assert escape(step.summary.da) in printed
        for action in step.actions:
            assert escape(action.text.da) in printed


def test_unknown_charts_and_steps_are_404(reader: Any) -> None:
    assert reader.get("/flowchart/tandlaege/").status_code == 404
    assert reader.get("/flowchart/planlagt/2-9/").status_code == 404
    assert reader.get("/flowchart/psykiatri/1-40/").status_code == 404


def test_the_step_page_is_a_full_page(reader: Any, secretary: Any) -> None:
    step = get_flowchart().chart("somatic_planned").step("2-5")
    assert step is not None
    response = reader.get("/flowchart/planlagt/2-5/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "</html>" in html
    assert f"<h1>{escape(step.title.da)}</h1>" in html
    for action in step.actions:
        assert escape(action.text.da) in html
        assert escape(action.lane.title.da) in html
    for deadline in step.deadlines:
        assert (
            f'<span class="fc-rule" title="Regel fra flowchartets planlagte spor">{deadline.rule}</span>'
            in html
        )
    assert "Flowchartet, side underside-2-5" in html
    assert escape(step.gap_note.da) not in html  # type: ignore[union-attr]
    revision = secretary.get("/flowchart/planlagt/2-5/?revision=1").content.decode()
    assert escape(step.gap_note.da) in revision  # type: ignore[union-attr]
    assert 'href="/flowchart/planlagt/2-6/?revision=1" rel="next"' in revision
    assert 'href="/flowchart/#princip-5"' in html
    assert 'href="/flowchart/planlagt/2-4/" rel="prev"' in html
    assert 'href="/flowchart/planlagt/2-6/" rel="next"' in html
    assert 'href="/flowchart/planlagt/#step-2-5"' in html


def test_the_step_page_in_english(reader: Any) -> None:
    step = get_flowchart().chart("psychiatric").step("udskrivningsaftale")
    assert step is not None
    html = _english(reader).get("/flowchart/psykiatri/udskrivningsaftale/").content.decode()
    assert f"<h1>{escape(step.title.en)}</h1>" in html
    assert "The agreement, annex 2, principle 5" in html
    assert escape(step.title.da) not in html


def test_htmx_gets_only_the_panel(reader: Any) -> None:
    step = get_flowchart().chart("somatic_acute").step("1-40")
    assert step is not None
    response = reader.get("/flowchart/akut/1-40/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<body" not in html and "site-header" not in html
    assert "<h1" not in html
    assert f'<h2 id="fc-panel-title" tabindex="-1" data-panel-heading>{escape(step.title.da)}</h2>' in html
    assert "data-panel-close" in html
    assert 'href="/flowchart/akut/1-40/"' in html  # open the step as a page
    for action in step.actions:
        assert escape(action.text.da) in html
    assert "HX-Request" in response["Vary"]
    full = reader.get("/flowchart/akut/1-40/")
    assert "HX-Request" in full["Vary"]


# --------------------------------------------------------------------------------------------------------------
# The course link
# --------------------------------------------------------------------------------------------------------------


def _record(course: Any, event_type: str, hours: int, **data: Any) -> None:
    from sektorbro.courses import services

    services.record_event(
        actor=None,
        course=course,
        event_type=event_type,
        occurred_at=course.admitted_at + dt.timedelta(hours=hours),
        data=data,
        source="message",
    )


def _access_rows(user: Any, citizen: Any) -> int:
    from sektorbro.citizens.models import AccessLogEntry

    return AccessLogEntry.objects.filter(user=user, citizen=citizen, action="flowchart.course").count()


def test_the_course_link_marks_where_the_course_is(
    personas: dict[str, Any], make_citizen: Any, make_course: Any, login: Any
) -> None:
    citizen = make_citizen("730", "Inger Planlagt", receives_elderly_care=True)
    course = make_course(citizen, track="planned")
    nurse = personas["ward_nurse_randers"]
    client = login(nurse)

    html = client.get(f"/flowchart/forloeb/{course.public_id}/").content.decode()
    assert html.count('aria-current="step"') == 1
    assert re.search(r'href="/flowchart/planlagt/2-0/"[^>]*aria-current="step"', html)
    assert "Du er her" in html or "You are here" in html
    assert "Inger Planlagt" in html
    assert f'href="/forloeb/{course.public_id}/"' in html

    _record(course, "care_plan_sent", 20)
    response = client.get(f"/flowchart/forloeb/{course.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('aria-current="step"') == 1
    assert re.search(r'href="/flowchart/planlagt/2-4/"[^>]*aria-current="step"', html)
    assert 'class="fc-row is-current"' in html
    assert _access_rows(nurse, citizen) == 2


def test_the_course_link_follows_a_cancelled_event(
    personas: dict[str, Any], make_citizen: Any, make_course: Any, login: Any
) -> None:
    from sektorbro.courses import services

    citizen = make_citizen("730")
    course = make_course(citizen, track="acute")
    _record(course, "care_plan_sent", 3)
    plan = course.events.get(type="care_plan_sent")
    services.record_event(
        actor=None,
        course=course,
        event_type="cancelled",
        occurred_at=course.admitted_at + dt.timedelta(hours=4),
        supersedes=plan,
        source="message",
    )
    html = (
        login(personas["ward_nurse_randers"]).get(f"/flowchart/forloeb/{course.public_id}/").content.decode()
    )
    assert re.search(r'href="/flowchart/akut/akut-modtagelse/"[^>]*aria-current="step"', html)


def test_a_psychiatric_course_uses_the_psychiatric_chart(
    personas: dict[str, Any], make_citizen: Any, make_course: Any, login: Any
) -> None:
    citizen = make_citizen("730", gp_key="laege-730-1")
    course = make_course(citizen, area="psychiatric", track="acute")
    _record(course, "discharge_agreement_made", 30)
    response = login(personas["gp_randers"]).get(f"/flowchart/forloeb/{course.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'href="/flowchart/psykiatri/udskrivningsaftale/"[^>]*aria-current="step"', html)


def test_the_course_link_is_404_outside_the_users_access(
    personas: dict[str, Any], make_citizen: Any, make_course: Any, login: Any, client: Any
) -> None:
    citizen = make_citizen("730")
    course = make_course(citizen)
    url = f"/flowchart/forloeb/{course.public_id}/"
    for name in ("visitator_viborg", "analyst", "outsider"):
        client.logout()
        assert login(personas[name]).get(url).status_code == 404, name
        assert _access_rows(personas[name], citizen) == 0
    client.logout()
    assert login(personas["visitator_randers"]).get(url).status_code == 200
    assert _access_rows(personas["visitator_randers"], citizen) == 1
    client.logout()
    assert login(personas["visitator_randers"]).get("/flowchart/forloeb/" + "1" * 32 + "/").status_code == 404


def test_a_dead_citizens_course_is_not_at_a_step(
    personas: dict[str, Any], make_citizen: Any, make_course: Any, login: Any
) -> None:
    citizen = make_citizen("730")
    course = make_course(citizen, admitted_at=dt.datetime(2026, 11, 16, 9, 0, tzinfo=CPH))
    _record(course, "died", 30)
    response = login(personas["ward_nurse_randers"]).get(f"/flowchart/forloeb/{course.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="step"' not in html
    assert "fc-here" not in html.split("<table")[1]
