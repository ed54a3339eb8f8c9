"""Any screen size and the keyboard (#18 items 1 and 8): on a 390 px phone the page never scrolls sideways (wide
tables scroll inside their card) and the menu folds behind a button; the worklist's minute refresh keeps the
keyboard focus where the user left it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.axe import install_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("correct horse battery")
    page.get_by_role("button", name="Log ind").click()


def test_a_phone_sized_screen_gets_a_folded_menu_and_no_sideways_scrolling(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any, screenshot: Any
) -> None:
    make_user("hospital.randers", "ward_nurse", "rhr-medicin", first_name="Camilla")
    for i in range(3):
        make_course(
            make_citizen("730", f"Borger Med Et Langt Navn {i}"),
            admitted_at=timezone.now() - dt.timedelta(days=i + 1),
        )
    page.set_viewport_size({"width": 390, "height": 844})
    install_axe(page)
    _log_in(page, live_server.url, "hospital.randers")
    expect(page.get_by_role("heading", name="Arbejdsliste")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="Borgere")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Borgere")).to_be_visible()
    screenshot("phone-menu-open")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Borgere").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Borgere")).to_be_visible()
    overflow = page.evaluate(
        "() => { const c = document.getElementById('worklist'); return c.getBoundingClientRect().right "
        "- Math.max(...[...c.querySelectorAll('table')].map(t => Math.min(t.getBoundingClientRect().right, "
        "c.getBoundingClientRect().right))); }"
    )
    assert overflow >= 0  # no table sticks out of its card


def test_the_minute_refresh_keeps_the_keyboard_focus(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any
) -> None:
    make_user("hospital.randers", "ward_nurse", "rhr-medicin", first_name="Camilla")
    course = make_course(
        make_citizen("730", "Fokus Borger"), admitted_at=timezone.now() - dt.timedelta(days=1)
    )
    _log_in(page, live_server.url, "hospital.randers")
    link = page.get_by_role("link", name="Fokus Borger")
    link.focus()
    expect(link).to_be_focused()
    # What the "every 60s" trigger does, now rather than in a minute.
    page.evaluate(
        "() => new Promise(done => { document.body.addEventListener('htmx:afterSettle', () => done(), {once: true});"
        " htmx.ajax('GET', document.getElementById('worklist').getAttribute('hx-get'),"
        " {target: '#worklist', swap: 'outerHTML'}); })"
    )
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == f"wl-admitted-{course.public_id}"


def _tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until ``selector`` has the keyboard focus (fails after ``limit`` presses)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_from_login_to_a_course_and_its_event_form(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any
) -> None:
    make_user("hospital.randers", "ward_nurse", "rhr-medicin", first_name="Camilla")
    course = make_course(
        make_citizen("730", "Tastatur Borger"), admitted_at=timezone.now() - dt.timedelta(days=2)
    )
    install_axe(page)
    page.goto(f"{live_server.url}/accounts/login/")
    _tab_to(page, "input[name=username]")
    page.keyboard.type("hospital.randers")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.locator("#worklist")).to_be_visible()
    # The skip link is the first stop and leads past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    _tab_to(page, f"#wl-admitted-{course.public_id}")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")  # the focus is visible
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/forloeb/{course.public_id}/")
    _tab_to(page, "#record button[type=submit]")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in ("", "none")
    assert serious_violations(page) == []
