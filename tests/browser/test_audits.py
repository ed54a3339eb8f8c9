"""A cross-sector audit in Chromium: the cluster's secretary opens the demo's audit round, records the three answers
for a course, adds a suggestion with the party that can act and its theme, and finds it in the learning report;
no citizen is named anywhere; no serious axe violations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sektorbro.followup.models import AuditCourse
from sektorbro.followup.seed import TITLE, load_demo
from tests.browser.axe import install_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretary_audits_a_course_and_finds_the_suggestion_in_the_learning_report(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any, screenshot: Any
) -> None:
    now = timezone.now()
    for code in ("730", "707", "710", "706"):
        make_course(make_citizen(code), admitted_at=now - dt.timedelta(days=6))
    audit_round = load_demo()
    names = [
        c.citizen.name
        for c in AuditCourse.objects.filter(round=audit_round, citizen__isnull=False)
        if c.citizen
    ]
    third = AuditCourse.objects.get(round=audit_round, number=3)
    make_user("audit.sekretaer", "committee_secretary", "sekretariat-randersklyngen")

    install_axe(page)
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/opfoelgning/audit/")
    page.locator("input[name=username]").fill("audit.sekretaer")
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{base}/opfoelgning/audit/")
    assert serious_violations(page) == []

    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator("#themes-heading ~ ol li")).to_have_count(5)
    screenshot("audit-round")
    assert serious_violations(page) == []

    page.locator(f"a[href='/opfoelgning/audit/{audit_round.public_id}/forloeb/{third.public_id}/']").click()
    expect(page.locator("#timeline-heading")).to_be_visible()
    page.locator("input[name=coherent][value=partly]").check()
    page.locator("input[name=preventable][value=yes]").check()
    page.locator("textarea[name=preventable_note]").fill("Opfølgende hjemmebesøg efter første udskrivelse")
    page.locator("textarea[name=patterns]").fill("Gentagne indlæggelser med KOL-forværring")
    assert serious_violations(page) == []
    page.locator("form[action$='/vurdering/'] button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("input[name=coherent][value=partly]")).to_be_checked()

    page.locator("textarea[name=text]").fill(
        "Egen læge tager samtalen om behandlingsniveau før næste forværring"
    )
    page.locator("select[name=party]").select_option("general_practice")
    page.locator("select[name=theme]").select_option(label="3. Livets afslutning")
    page.locator("form[action$='/forslag/'] button[type=submit]").click()
    expect(page.locator("#course-suggestions")).to_contain_text("Egen læge tager samtalen")
    screenshot("audit-course")
    assert serious_violations(page) == []

    page.locator(f"a[href='/opfoelgning/audit/{audit_round.public_id}/rapport/']").click()
    report = page.locator("#learning-report")
    expect(report).to_contain_text("Egen læge tager samtalen om behandlingsniveau")
    # under general practice, in the theme it was coded into
    expect(page.locator("#party-general_practice ~ h4", has_text="Livets afslutning").first).to_be_visible()
    screenshot("audit-learning-report")
    assert serious_violations(page) == []
    content = page.content()
    assert names and not any(name in content for name in names)

    third.refresh_from_db()
    assert (third.coherent, third.preventable) == ("partly", "yes")
