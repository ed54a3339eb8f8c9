"""A newcomer logs in as the demo's Randers visitator and finds MedCom messages in the inbox, the outbox and
exactly one in the quarantine, with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sektorbro.demo.region import DEMO_PASSWORD, build_demo
from tests.browser.axe import install_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_visitator_sees_the_inbox_and_the_quarantine(
    page: Page, live_server: Any, settings: Any, screenshot: Any
) -> None:
    settings.DEMO_MODE = True  # demo accounts only log in in demo mode
    build_demo(citizens=19)

    install_axe(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Brugernavn").fill("kommune.randers")
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Velkommen, Mette Lund")).to_be_visible()
    # The worklist shows the citizens the hospital reported by message.
    worklist = page.locator("#worklist")
    expect(worklist.get_by_role("link", name="Gudrun Holm")).to_be_visible()
    expect(worklist.get_by_role("link", name="Aksel Brandt")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Beskeder").click()
    expect(page.get_by_role("heading", name="MedCom-meddelelser")).to_be_visible()
    table = page.locator("table").first
    expect(table.locator("tbody tr")).to_have_count(11)
    expect(table.get_by_role("link", name="Svend Aagaard").first).to_be_visible()
    expect(table.get_by_text("Modtaget og anvendt").first).to_be_visible()
    screenshot("demo-inbox")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Karantæne").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    screenshot("demo-quarantine")
    assert serious_violations(page) == []
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_text("Det afsendende hospital er ukendt i Sektorbro")).to_be_visible()
    screenshot("demo-quarantined-message")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Udbakke").click()
    expect(page.get_by_text("Hjælpemidler").first).to_be_visible()
    screenshot("demo-outbox")
    assert serious_violations(page) == []
