"""The flowchart in Chromium: open a step in the side panel with the mouse and with the keyboard, close it with
Escape (focus returns to the step), follow the course link, read it without JavaScript and print it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from sektorbro.flowchart.content import get_flowchart
from tests.browser.axe import install_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _title(chart_id: str, step_id: str) -> str:
    step = get_flowchart().chart(chart_id).step(step_id)
    assert step is not None
    return step.title.da


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/flowchart/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{base}/flowchart/")


def _step_link(page: Page, step_id: str) -> Any:
    return page.locator(f"#step-{step_id} a[data-step-link]")


def test_the_planned_track_opens_steps_in_a_panel_by_mouse_and_keyboard(
    page: Page, live_server: Any, make_user: Any, screenshot: Any
) -> None:
    make_user("flow.reader", "municipal_visitator", "visitation-730", first_name="Mette")
    install_axe(page)
    _log_in(page, live_server.url, "flow.reader")
    page.locator("a[href='/flowchart/planlagt/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Somatik – planlagt indlæggelse")
    expect(page.locator("a[data-step-link]")).to_have_count(9)  # page 2-1's unknown content is not shown
    expect(page.locator(".fc-panel")).to_be_hidden()
    screenshot("flowchart-planned")
    assert serious_violations(page) == []

    # Mouse: the explanation opens beside the chart, the page does not change.
    _step_link(page, "2-4").click()
    panel = page.locator("#fc-panel")
    expect(panel).to_be_visible()
    heading = panel.locator("[data-panel-heading]")
    expect(heading).to_have_text(_title("somatic_planned", "2-4"))
    expect(heading).to_be_focused()
    expect(panel.locator(".fc-rule", has_text="P10")).to_be_visible()
    expect(_step_link(page, "2-4")).to_have_attribute("aria-expanded", "true")
    expect(page).to_have_url(f"{live_server.url}/flowchart/planlagt/")
    screenshot("flowchart-step")
    assert serious_violations(page) == []

    # Escape closes the panel and gives focus back to the step that opened it.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(_step_link(page, "2-4")).to_be_focused()
    expect(_step_link(page, "2-4")).to_have_attribute("aria-expanded", "false")

    # Keyboard: Tab goes from step to step in the order of the flow; Enter opens the step.
    _step_link(page, "2-0").focus()
    page.keyboard.press("Tab")
    expect(_step_link(page, "2-2")).to_be_focused()
    page.keyboard.press("Enter")
    expect(heading).to_have_text(_title("somatic_planned", "2-2"))
    expect(heading).to_be_focused()
    page.keyboard.press("Escape")
    expect(_step_link(page, "2-2")).to_be_focused()

    # The close button does the same; clicking a party's box opens its step too.
    page.locator("#step-2-6 .fc-box-primary").click()
    expect(heading).to_have_text(_title("somatic_planned", "2-6"))
    panel.locator("[data-panel-close]").click()
    expect(panel).to_be_hidden()
    expect(_step_link(page, "2-6")).to_be_focused()

    # The notes on the original flowchart's missing pages are for the secretariat's revision view.
    expect(page.locator("#step-2-1")).to_have_count(0)
    expect(page.locator(".fc-badge-not_recovered")).to_have_count(0)

    # On paper the chart becomes a list with every explanation.
    page.emulate_media(media="print")
    expect(page.locator(".fc-print-list")).to_be_visible()
    expect(page.locator(".fc-chart")).to_be_hidden()
    expect(page.locator(".fc-print-step")).to_have_count(9)
    page.emulate_media(media="screen")


def test_without_javascript_every_step_is_a_link_to_its_page(
    browser: Browser, page: Page, live_server: Any, make_user: Any
) -> None:
    make_user("flow.nojs", "gp", "laege-730-1")
    _log_in(page, live_server.url, "flow.nojs")
    context = browser.new_context(java_script_enabled=False, locale="da-DK", timezone_id="Europe/Copenhagen")
    try:
        context.add_cookies(page.context.cookies())  # type: ignore[arg-type]
        plain = context.new_page()
        plain.goto(f"{live_server.url}/flowchart/akut/")
        expect(plain.locator("a[data-step-link]")).to_have_count(7)
        plain.locator("#step-1-40 a[data-step-link]").click()
        expect(plain).to_have_url(f"{live_server.url}/flowchart/akut/1-40/")
        expect(plain.get_by_role("heading", level=1)).to_have_text(_title("somatic_acute", "1-40"))
        expect(plain.locator(".fc-rule", has_text="A02")).to_be_visible()
        plain.locator("a[rel=next]").click()
        expect(plain).to_have_url(f"{live_server.url}/flowchart/akut/udskrivelsesplanlaegning/")
        expect(plain.locator(".fc-gap-note")).to_have_count(0)  # revision view only
    finally:
        context.close()


def test_the_course_link_shows_you_are_here(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any
) -> None:
    make_user("flow.nurse", "ward_nurse", "rhr-medicin")
    course = make_course(make_citizen("730", "Else Flow"), track="planned")
    _log_in(page, live_server.url, "flow.nurse")
    page.goto(f"{live_server.url}/flowchart/forloeb/{course.public_id}/")
    current = page.locator("a[aria-current=step]")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("href", "/flowchart/planlagt/2-0/")
    expect(page.locator("#step-2-0")).to_have_class("fc-row is-current")
    expect(page.locator(".fc-course")).to_contain_text("Else Flow")
    current.click()
    expect(page.locator("#fc-panel [data-panel-heading]")).to_have_text(_title("somatic_planned", "2-0"))
