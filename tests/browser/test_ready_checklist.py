"""The course page's event form in Chromium: the færdigbehandlet checklist (aftalen 2.1) shows only when that
event is chosen, the doctor's name only for the events that name one (aftalen 2.2)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import install_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_checklist_fields_follow_the_chosen_event(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any
) -> None:
    make_user("ready.nurse", "ward_nurse", "rhr-medicin")
    course = make_course(make_citizen("730", "Else Tjek", receives_elderly_care=True))
    install_axe(page)
    page.goto(f"{live_server.url}/accounts/login/?next=/forloeb/{course.public_id}/")
    page.locator("input[name=username]").fill("ready.nurse")
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}/forloeb/{course.public_id}/")

    kind = page.locator("#id_type")
    checklist = [page.locator(f"#id_{name}") for name in ("fmk_updated", "waiting_for", "waiting_reason")]
    doctor = page.locator("#id_responsible_doctor")

    kind.select_option(value="ready_for_discharge")
    for field in checklist:
        expect(field).to_be_visible()
    expect(doctor).to_be_visible()
    assert serious_violations(page) == []

    kind.select_option(value="fmk_updated")
    for field in checklist:
        expect(field).to_be_hidden()
    expect(doctor).to_be_hidden()

    kind.select_option(value="transferred")
    expect(doctor).to_be_visible()
    expect(checklist[0]).to_be_hidden()

    # Recording the registration with its checklist: the timeline shows what was ticked and what it waits for.
    kind.select_option(value="ready_for_discharge")
    page.locator("#id_fmk_updated").check()
    page.locator("#id_waiting_for").select_option(value="temporary_place")
    page.locator("#id_waiting_reason").fill("Midlertidig plads fra fredag.")
    doctor.fill("Overlæge Anne Berg")
    page.locator("#record-heading + form button[type=submit]").click()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("☑ FMK er ajourført")
    expect(timeline).to_contain_text("Midlertidig plads fra fredag.")
    expect(page.locator("#decisions-heading + dl")).to_contain_text("Overlæge Anne Berg")
    assert serious_violations(page) == []
