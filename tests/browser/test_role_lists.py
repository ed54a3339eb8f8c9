"""Worklists fitted to each role (#18 item 6), played in Chromium: the discharge coordinator finds the patients
ready for discharge across the hospital first, the home nurse the discharges to her area without the
visitator's tasks, the GP the 72-hour windows without municipal tariffs; axe-core on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sektorbro.courses import services
from tests.browser.axe import install_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("correct horse battery")
    page.get_by_role("button", name="Log ind").click()


def _log_out(page: Page) -> None:
    page.context.clear_cookies()


def test_each_role_sees_its_own_worklist(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any, screenshot: Any
) -> None:
    now = timezone.now()
    make_user("koordinator.randers", "discharge_coordinator", "rhr", first_name="Rasmus")
    make_user("sygepleje.randers", "home_nurse", "home-nursing-730", first_name="Hanne")
    make_user("laege.randers", "gp", "laege-730-1", first_name="Karen")
    waiting = make_course(
        make_citizen("730", "Venter Ortopædi", gp_key="laege-730-1", receives_elderly_care=True),
        department_key="rhr-ortopaedi",
        admitted_at=now - dt.timedelta(days=6),
    )
    services.record_event(actor=None, course=waiting, event_type="ready_for_discharge", occurred_at=now - dt.timedelta(days=2), source="demo")  # fmt: skip
    home = make_course(
        make_citizen("730", "Hjemme Igen", gp_key="laege-730-1", receives_elderly_care=True),
        admitted_at=now - dt.timedelta(days=4),
    )
    services.record_event(actor=None, course=home, event_type="ready_for_discharge", occurred_at=now - dt.timedelta(days=2), source="demo")  # fmt: skip
    services.record_event(actor=None, course=home, event_type="discharged", occurred_at=now - dt.timedelta(hours=10), data={"destination": "nursing_home"}, source="demo")  # fmt: skip
    install_axe(page)

    _log_in(page, live_server.url, "koordinator.randers")
    ready = page.locator("#wl-ready-heading")
    expect(ready).to_be_visible()
    expect(page.locator(f"#wl-ready-{waiting.public_id}")).to_be_visible()
    first = page.evaluate(
        "() => [...document.querySelectorAll('#worklist h3')].map(h => h.id).filter(Boolean)[0]"
    )
    assert first == "wl-ready-heading"
    screenshot("role-coordinator")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("role-coordinator-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_out(page)

    _log_in(page, live_server.url, "sygepleje.randers")
    expect(page.locator("#wl-discharged-heading")).to_be_visible()
    expect(page.locator(f"#wl-discharged-{home.public_id}")).to_be_visible()
    expect(page.locator(f"#wl-admitted-{waiting.public_id}")).to_be_visible()  # comes home next
    expect(page.locator("#worklist td.next-task")).to_have_count(0)
    expect(page.locator("#wl-ready-heading")).to_have_count(0)
    screenshot("role-home-nurse")
    assert serious_violations(page) == []
    _log_out(page)

    _log_in(page, live_server.url, "laege.randers")
    expect(page.locator("#wl-window-heading")).to_be_visible()
    expect(page.locator(f"#wl-window-{home.public_id}")).to_be_visible()
    assert (
        "DKK" not in page.locator("#worklist").inner_text()
        and " kr." not in page.locator("#worklist").inner_text()
    )
    screenshot("role-gp")
    assert serious_violations(page) == []
