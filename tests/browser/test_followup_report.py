"""The follow-up in Chromium: the cluster's secretary opens the demo's implementation plan, marks a task as done
(HTMX, the row alone is swapped), writes the report's summary, publishes a new version of the follow-up report
and finds it as a PDF link; a municipal user answers the clusters' questionnaire and finds the answer on the seminar
page, without a name; no serious axe violations."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sektorbro.followup.models import ImplementationPlan, PlanTask
from sektorbro.followup.plan_seed import load_demo
from tests.browser.axe import install_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretary_updates_a_task_and_publishes_the_follow_up_report(
    page: Page, live_server: Any, make_user: Any, screenshot: Any
) -> None:
    report = load_demo()
    plan = ImplementationPlan.objects.get(cluster__key="randersklyngen")
    task = PlanTask.objects.filter(plan=plan).exclude(status="done").order_by("id").first()
    assert task is not None
    make_user("rapport.sekretaer", "committee_secretary", "sekretariat-randersklyngen")

    install_axe(page)
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/opfoelgning/planer/")
    page.locator("input[name=username]").fill("rapport.sekretaer")
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{base}/opfoelgning/planer/")
    expect(page.locator("#progress-randersklyngen")).to_be_visible()
    expect(page.locator("#progress-midtklyngen")).to_be_visible()
    assert serious_violations(page) == []

    page.locator(f"a[href='/opfoelgning/planer/{plan.public_id}/']").first.click()
    row = page.locator(f"#task-{task.public_id}")
    expect(row).to_be_visible()
    totals_before = page.locator("#plan-totals").inner_text()
    row.locator("select[name=status]").select_option("done")
    page.locator(f"#save-task-{task.public_id}").click()
    expect(page.locator(f"#task-{task.public_id} [role=status]")).to_be_visible()
    expect(page.locator(f"#task-{task.public_id} select[name=status]")).to_have_value("done")
    expect(page.locator("#plan-totals")).not_to_have_text(totals_before)  # swapped out of band
    expect(page.locator("#plan-totals")).to_have_count(1)
    screenshot("followup-plan")
    assert serious_violations(page) == []
    task.refresh_from_db()
    assert task.status == "done"

    page.goto(f"{base}/opfoelgning/rapporter/")
    page.locator(f"a[href='/opfoelgning/rapporter/{report.public_id}/']").click()
    expect(page.locator("#report-versions li")).to_have_count(1)
    expect(page.locator("#report-draft #section-implementation")).to_be_visible()
    assert serious_violations(page) == []
    page.locator("#id_summary").fill("Sammenfatning til Sundhedsstyregruppen efter implementeringsåret")
    page.locator("#narrative-form button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    page.locator("#id_note").fill("Opgave markeret som løst")
    page.locator("#publish-button").click()
    expect(page).to_have_url(f"{base}/opfoelgning/rapporter/{report.public_id}/v2/")
    expect(page.locator("#report-version")).to_contain_text("Sammenfatning til Sundhedsstyregruppen")
    pdf_link = page.locator("#version-pdf")
    expect(pdf_link).to_have_attribute("href", f"/opfoelgning/rapporter/{report.public_id}/v2.pdf")
    screenshot("followup-report-version")
    assert serious_violations(page) == []
    pdf = page.request.get(f"{base}/opfoelgning/rapporter/{report.public_id}/v2.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")


def test_staff_answer_the_clusters_questionnaire_and_the_seminar_gathers_it(
    page: Page, live_server: Any, make_user: Any
) -> None:
    make_user("erfaring.randers", "municipal_visitator", "visitation-730")
    install_axe(page)
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/opfoelgning/erfaringer/")
    page.locator("input[name=username]").fill("erfaring.randers")
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{base}/opfoelgning/erfaringer/")
    assert serious_violations(page) == []

    page.locator("a[href='/opfoelgning/erfaringer/randersklyngen/']").click()
    expect(page.locator("#experience-form")).to_be_visible()
    assert serious_violations(page) == []
    page.locator("input[name=role][value=staff]").check()
    page.locator("textarea[name=shared_preparation]").fill(
        "Fælles forberedelse virker, når vi ringer sammen tidligt"
    )
    page.locator("#experience-form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/opfoelgning/erfaringer/")
    expect(page.locator(".message-success")).to_be_visible()

    page.locator("#seminar-link").click()
    expect(page.locator("#question-shared_preparation")).to_contain_text("Fælles forberedelse virker")
    assert "erfaring.randers" not in page.locator("main").inner_text()
    assert serious_violations(page) == []

    page.goto(f"{base}/opfoelgning/planer/materialer/")
    expect(page.locator("h1")).to_be_visible()
    assert serious_violations(page) == []
