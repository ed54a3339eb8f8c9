"""The survey pages: the builder for the cluster's secretaries and analysts, the hand-out page for hospital and
municipal staff who may see the discharged course (and the read logged), the public answer page without login
(once; a used, expired or forged code gets one neutral page), and the suppressed results."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sektorbro.citizens.models import AccessLogEntry
from sektorbro.followup import surveys
from sektorbro.followup.models import Survey, SurveyLink, SurveyResponse
from tests.followup.survey_world import discharged, open_survey

pytestmark = pytest.mark.django_db


def neutral(response: Any) -> str:
    """The page without what differs per request anyway (the masked CSRF token, the language form's return
    address): what is left must be the same for every unusable code."""
    body = response.content.decode()
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'name="next" type="hidden" value="[^"]+"', "", body)


@pytest.fixture
def course(make_citizen: Any, make_course: Any) -> Any:
    return discharged(make_citizen, make_course)


def test_the_secretary_builds_a_survey_from_the_template(login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["secretary"])
    page = client.get("/opfoelgning/undersoegelser/").content.decode()
    assert 'action="/opfoelgning/undersoegelser/ny/"' in page
    from sektorbro.organisations.models import Cluster

    randers = Cluster.objects.get(key="randersklyngen")
    answer = client.post(
        "/opfoelgning/undersoegelser/ny/", {"title": "", "cluster": str(randers.pk), "from_template": "on"}
    )
    survey = Survey.objects.get()
    assert (
        answer.status_code == 302 and answer["Location"] == f"/opfoelgning/undersoegelser/{survey.public_id}/"
    )
    url = f"/opfoelgning/undersoegelser/{survey.public_id}/"
    page = client.get(url).content.decode()
    assert "tryg og sammenhængende" in page and "inddraget" in page
    client.post(url + "spoergsmaal/", {"new-text": "Blev du ringet op?", "new-kind": "yes_no"})
    assert survey.questions.count() == 9
    client.post(url + "spoergsmaal/9/", {"up": "1"})
    assert survey.questions.get(number=8).text == "Blev du ringet op?"
    client.post(url + "spoergsmaal/8/", {"remove": "1"})
    assert survey.questions.count() == 8
    bad = client.post(url + "spoergsmaal/", {"new-text": "Skala?", "new-kind": "scale"})
    assert bad.status_code == 400 and "has-error" in bad.content.decode()
    assert client.post(url + "status/", {"status": "open"}).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open"
    assert client.post(url + "spoergsmaal/", {"new-text": "Sent?", "new-kind": "text"}).status_code == 400


def test_staff_and_other_clusters_may_not_build(login: Any, personas: dict[str, Any]) -> None:
    survey = open_survey()
    url = f"/opfoelgning/undersoegelser/{survey.public_id}/"
    assert login(personas["visitator_randers"]).get(url).status_code == 200  # reads the questions
    assert login(personas["visitator_randers"]).post(url + "status/", {"status": "closed"}).status_code == 403
    page = login(personas["visitator_randers"]).get("/opfoelgning/undersoegelser/").content.decode()
    assert "/opfoelgning/undersoegelser/ny/" not in page
    assert login(personas["outsider"]).get("/opfoelgning/undersoegelser/").status_code == 403


def test_a_draft_is_seen_only_by_those_who_build_it(login: Any, personas: dict[str, Any]) -> None:
    draft = surveys.create_survey(actor=None, title="Kladde", cluster=None)
    url = f"/opfoelgning/undersoegelser/{draft.public_id}/"
    assert login(personas["visitator_randers"]).get(url).status_code == 404
    assert login(personas["analyst"]).get(url).status_code == 200


def test_handing_out_a_code_and_answering_it_once_without_login(
    login: Any, personas: dict[str, Any], course: Any
) -> None:
    survey = open_survey()
    staff = login(personas["visitator_randers"])
    url = f"/opfoelgning/undersoegelser/forloeb/{course.public_id}/"
    page = staff.get(url)
    assert page.status_code == 200 and "Survey Borger 730" in page.content.decode()
    assert AccessLogEntry.objects.filter(action="survey.handout", citizen=course.citizen).exists()
    made = staff.post(url, {"survey": str(survey.pk)})
    body = made.content.decode()
    code = re.search(r'id="survey-code">([0-9A-Z-]{24})<', body).group(1)  # type: ignore[union-attr]
    assert f"/svar/{code}/" in body and made["Cache-Control"].startswith("max-age=0")
    assert code not in staff.get(url).content.decode()  # shown once

    citizen = Client(enforce_csrf_checks=True)
    form = citizen.get(f"/svar/{code}/")
    assert form.status_code == 200 and form["Referrer-Policy"] == "same-origin"
    html = form.content.decode()
    assert "tryg og sammenhængende" in html and "Survey Borger" not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert citizen.post(f"/svar/{code}/", {"q1": "4"}).status_code == 403  # CSRF is on
    sent = citizen.post(f"/svar/{code}/", {"q1": "4", "q3": "yes", "csrfmiddlewaretoken": token})
    assert sent.status_code == 302 and sent["Location"] == "/svar/tak/"
    assert SurveyResponse.objects.count() == 1
    again = citizen.get(f"/svar/{code}/")
    forged = citizen.get("/svar/AAAA-BBBB-CCCC-DDDD-EEEE/")
    nonsense = citizen.get("/svar/hello/")
    assert again.status_code == forged.status_code == nonsense.status_code == 404
    assert neutral(again) == neutral(forged) == neutral(nonsense)
    resent = citizen.post(f"/svar/{code}/", {"q1": "1", "csrfmiddlewaretoken": token})
    assert resent.status_code == 404 and neutral(resent) == neutral(forged)
    assert SurveyResponse.objects.count() == 1


def test_an_expired_code_gets_the_same_neutral_page(personas: dict[str, Any], course: Any) -> None:
    code = surveys.issue_link(actor=personas["visitator_randers"], survey=open_survey(), course=course).code
    SurveyLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = Client()
    assert neutral(client.get(f"/svar/{code}/")) == neutral(client.get("/svar/AAAA-BBBB-CCCC-DDDD-EEEE/"))


def test_the_code_can_be_typed_on_the_start_page(personas: dict[str, Any], course: Any) -> None:
    code = surveys.issue_link(actor=personas["visitator_randers"], survey=open_survey(), course=course).code
    client = Client()
    assert client.get("/svar/").status_code == 200
    typed = client.post("/svar/", {"code": code.lower().replace("-", " ")})
    assert typed.status_code == 302 and typed["Location"] == f"/svar/{code}/"
    wrong = client.post("/svar/", {"code": "abc/def"})
    assert wrong.status_code == 404 and neutral(wrong).count("<h1>") == 1
    assert client.get(typed["Location"]).status_code == 200


def test_an_empty_answer_is_shown_again(personas: dict[str, Any], course: Any) -> None:
    code = surveys.issue_link(actor=personas["visitator_randers"], survey=open_survey(), course=course).code
    client = Client()
    page = client.post(f"/svar/{code}/", {})
    assert page.status_code == 400 and 'role="alert"' in page.content.decode()
    assert client.get(f"/svar/{code}/").status_code == 200


def test_who_gets_the_hand_out_page(login: Any, personas: dict[str, Any], course: Any) -> None:
    url = f"/opfoelgning/undersoegelser/forloeb/{course.public_id}/"
    for name in ("visitator_viborg", "gp_randers", "secretary", "analyst", "ortho_nurse_randers"):
        assert login(personas[name]).get(url).status_code == 404, name
    assert login(personas["ward_nurse_randers"]).get(url).status_code == 200


def test_results_show_small_numbers_as_less_than_five(
    login: Any, personas: dict[str, Any], course: Any
) -> None:
    survey = open_survey()
    for value in ("5", "4", "3"):
        code = surveys.issue_link(actor=personas["visitator_randers"], survey=survey, course=course).code
        surveys.submit_answers(code=code, answers={1: value, 8: "Hemmelig kommentar"})
    url = f"/opfoelgning/undersoegelser/{survey.public_id}/resultater/"
    page = login(personas["visitator_viborg"]).get(url).content.decode()
    assert "&lt;5" in page and "4. kvt. 2026" in page and "Hemmelig kommentar" not in page
    for value in ("2", "1"):
        code = surveys.issue_link(actor=personas["visitator_randers"], survey=survey, course=course).code
        surveys.submit_answers(code=code, answers={1: value, 8: "Hemmelig kommentar"})
    staff = login(personas["visitator_viborg"]).get(url).content.decode()
    assert "Hemmelig kommentar" not in staff and "3.0" in staff.replace(",", ".")
    assert "Hemmelig kommentar" in login(personas["secretary"]).get(url).content.decode()


def test_the_recent_discharges_page_and_the_course_page_link(
    login: Any, personas: dict[str, Any], make_citizen: Any, make_course: Any
) -> None:
    open_survey()
    course = discharged(make_citizen, make_course, at=timezone.now() - dt.timedelta(days=2))
    client = login(personas["visitator_randers"])
    page = client.get("/opfoelgning/undersoegelser/udlever/").content.decode()
    assert f"/opfoelgning/undersoegelser/forloeb/{course.public_id}/" in page
    assert AccessLogEntry.objects.filter(action="survey.handout_list", citizen=course.citizen).exists()
    assert 'id="survey-handout-link"' in client.get(f"/forloeb/{course.public_id}/").content.decode()
    assert login(personas["gp_randers"]).get("/opfoelgning/undersoegelser/udlever/").status_code == 403
    gp_course_page = login(personas["gp_randers"]).get(f"/forloeb/{course.public_id}/")
    assert 'id="survey-handout-link"' not in gp_course_page.content.decode()
