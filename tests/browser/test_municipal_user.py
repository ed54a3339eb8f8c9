"""A municipal visitator logs in, sees only the municipality's citizens, switches language and logs out."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import install_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_municipal_user_sees_only_own_citizens_switches_language_and_logs_out(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, screenshot: Any
) -> None:
    make_user(
        "kommune.randers", "municipal_visitator", "visitation-730", first_name="Mette", last_name="Lund"
    )
    make_citizen("730", "Else Randers")
    make_citizen("730", "Poul Randers")
    make_citizen("791", "Karen Viborg")

    install_axe(page)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="Log ind i Sektorbro")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Brugernavn").fill("kommune.randers")
    page.get_by_label("Adgangskode").fill("correct horse battery")
    screenshot("login")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Velkommen, Mette Lund")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Borgere").click()
    rows = page.locator("#citizen-results tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name="Else Randers")).to_be_visible()
    expect(page.get_by_text("Karen Viborg")).to_have_count(0)
    # The live search narrows the list without a page reload (HTMX).
    page.get_by_label("Søg på navn").fill("Poul")
    expect(rows).to_have_count(1)
    expect(page.get_by_role("link", name="Poul Randers")).to_be_visible()
    screenshot("citizens-municipality")
    assert serious_violations(page) == []

    page.get_by_label("Sprog").select_option("en")
    expect(page.get_by_role("link", name="Citizens")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot("citizens-english")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/borgere/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/borgere/")
