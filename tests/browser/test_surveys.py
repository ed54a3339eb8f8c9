"""The experience survey in Chromium: a municipal visitator hands out a one-time code from the page of a
discharged course; an anonymous citizen types the code and answers once (the second time the code is refused
with the neutral page); the analyst sees the answer counted in the results. No serious axe violations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sektorbro.followup import surveys
from sektorbro.followup.models import SurveyResponse
from sektorbro.followup.survey_rules import quarter_of
from tests.browser.axe import install_axe, serious_violations
from tests.followup.survey_world import discharged, open_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def log_in(page: Page, base: str, username: str, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{base}{next_url}")


def test_a_code_handed_out_after_a_discharge_is_answered_once_and_counted(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any, screenshot: Any
) -> None:
    course = discharged(make_citizen, make_course, at=timezone.now() - dt.timedelta(days=1))
    survey = open_survey()
    quarter = quarter_of(timezone.localtime(course.discharged_at).date())
    for value in ("4", "5", "3", "4"):  # four earlier answers: the fifth makes the cell visible
        code = surveys.issue_system_link(
            survey=survey, municipality=course.municipality, quarter=quarter
        ).code
        surveys.submit_answers(code=code, answers={1: value})
    make_user("survey.visitator", "municipal_visitator", "visitation-730")
    make_user("survey.analytiker", "data_analyst", "region-sekretariat")
    install_axe(page)
    base = live_server.url

    # The municipality hands out a code from the course page.
    log_in(page, base, "survey.visitator", f"/forloeb/{course.public_id}/")
    page.locator("#survey-handout-link").click()
    expect(page.locator("#survey-handout")).to_be_visible()
    assert serious_violations(page) == []
    page.locator("#survey-handout").click()
    code = page.locator("#survey-code").inner_text().strip()
    assert len(code) == 24
    expect(page.locator("#survey-answer-url")).to_contain_text(f"/svar/{code}/")
    screenshot("survey-handout")
    assert serious_violations(page) == []

    # The citizen, not logged in, types the code and answers.
    page.context.clear_cookies()
    page.goto(f"{base}/svar/")
    assert serious_violations(page) == []
    page.locator("#id_code").fill(code.lower().replace("-", " "))
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("#survey-answer-form")).to_be_visible()
    assert course.citizen.name not in page.content()
    page.locator("input[name=q1][value='5']").check()
    page.locator("input[name=q2][value='4']").check()
    page.locator("input[name=q3][value=yes]").check()
    page.locator("textarea[name=q7]").fill("Hjemmeplejen kom samme eftermiddag.")
    screenshot("survey-answer")
    assert serious_violations(page) == []
    page.locator("#survey-send").click()
    expect(page).to_have_url(f"{base}/svar/tak/")
    assert serious_violations(page) == []
    assert SurveyResponse.objects.count() == 5

    # The same code again: the neutral page, the same as for a code that never existed.
    page.goto(f"{base}/svar/{code}/")
    used = page.locator("main").inner_text()
    page.goto(f"{base}/svar/AAAA-BBBB-CCCC-DDDD-EEEE/")
    assert page.locator("main").inner_text() == used
    assert serious_violations(page) == []
    assert SurveyResponse.objects.count() == 5

    # The analyst sees five answers in the cluster and quarter, with the comment.
    log_in(page, base, "survey.analytiker", f"/opfoelgning/undersoegelser/{survey.public_id}/resultater/")
    table = page.locator("#survey-answers")
    expect(table).to_contain_text("Randersklyngen")
    expect(table.locator("td").first).to_contain_text("5")
    expect(page.locator("main")).to_contain_text("Hjemmeplejen kom samme eftermiddag.")
    screenshot("survey-results")
    assert serious_violations(page) == []


def test_the_secretary_builds_a_survey_from_the_annex_template_and_opens_it(
    page: Page, live_server: Any, make_user: Any, screenshot: Any
) -> None:
    make_user("survey.sekretaer", "committee_secretary", "sekretariat-randersklyngen")
    install_axe(page)
    base = live_server.url
    log_in(page, base, "survey.sekretaer", "/opfoelgning/undersoegelser/")
    assert serious_violations(page) == []
    expect(page.locator("#id_from_template")).to_be_checked()
    page.locator("#survey-create").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator(".survey-questions > li")).to_have_count(8)
    expect(page.locator(".survey-questions > li").first).to_contain_text("tryg og sammenhængende")
    assert serious_violations(page) == []

    page.locator(".survey-questions > li").nth(2).locator("button[name=up]").click()
    expect(page.locator(".survey-questions > li").nth(1)).to_contain_text("i god tid")
    page.locator(".survey-questions > li").nth(7).locator("summary").click()
    page.locator("#id_q8-text").fill("Hvad kunne hospital, kommune eller læge have gjort bedre?")
    page.locator(".survey-questions > li").nth(7).locator("button[name=save]").click()
    expect(page.locator(".survey-questions > li").nth(7)).to_contain_text("hospital, kommune eller læge")

    page.locator("#id_status").select_option("open")
    page.locator("#survey-status-save").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator(".survey-questions button[name=up]")).to_have_count(0)  # frozen once open
    screenshot("survey-builder")
    assert serious_violations(page) == []
