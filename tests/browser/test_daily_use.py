"""Issue 18 in Chromium, as the people who meet it: the municipality sees the proposed discharge date on its
worklist and accepts it with one click; the ward's refused weekend discharge shows its reason at the top of the
form, focused and in view, with what the nurse typed kept. axe-core on every page; screenshots in
test-artifacts/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from sektorbro.courses import services
from sektorbro.courses.models import CourseEvent
from tests.browser.axe import install_axe, serious_violations
from tests.browser.conftest import ARTIFACTS
from tests.conftest import CPH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("correct horse battery")
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("#worklist")).to_be_visible()
    assert serious_violations(page) == []


def last_saturday(before: dt.date) -> dt.date:
    day = before - dt.timedelta(days=1)
    while day.weekday() != 5:
        day -= dt.timedelta(days=1)
    return day


def test_the_municipality_accepts_from_the_worklist_and_the_ward_sees_a_refusal_where_it_typed(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any, screenshot: Any
) -> None:
    nurse = make_user("ward.randers", "ward_nurse", "rhr-medicin", first_name="Camilla")
    make_user("visitator.randers", "municipal_visitator", "visitation-730", first_name="Mette")
    now = timezone.now()
    today = timezone.localdate()
    waiting = make_course(make_citizen("730", "Else Venter"), admitted_at=now - dt.timedelta(days=12))
    leaving = make_course(
        make_citizen("730", "Poul Weekend", receives_elderly_care=True),
        admitted_at=now - dt.timedelta(days=12),
    )
    tomorrow = today + dt.timedelta(days=1)
    services.record_event(actor=nurse, course=waiting, event_type="discharge_date_proposed", occurred_at=now,
                          data={"date": tomorrow.isoformat()})  # fmt: skip
    install_axe(page)
    base = live_server.url

    # The visitator: the date is a column of the worklist, accepted with one click from the row.
    log_in(page, base, "visitator.randers")
    cell = page.locator(f"#wl-date-{waiting.public_id}")
    expect(cell).to_contain_text(f"{tomorrow:%d.%m.%Y}")
    expect(cell.locator(".status-pending")).to_have_count(1)
    screenshot("daily-worklist-proposed-date")
    page.locator(f"#wl-accept-{waiting.public_id}").click()
    expect(page.locator(f"#wl-date-{waiting.public_id} .status-accepted")).to_have_count(1)
    expect(page.locator(f"#wl-accept-{waiting.public_id}")).to_have_count(0)
    assert serious_violations(page) == []
    assert CourseEvent.objects.filter(course=waiting, type="discharge_date_accepted").count() == 1
    page.goto(f"{base}/forloeb/{waiting.public_id}/")
    expect(page.locator("#discharge-date")).to_contain_text(f"{tomorrow:%d.%m.%Y}")
    expect(page.locator("#discharge-date .status-accepted")).to_have_count(1)
    assert serious_violations(page) == []
    page.context.clear_cookies()

    # The ward nurse: a weekend discharge without an agreement is refused where she typed it.
    log_in(page, base, "ward.randers")
    page.goto(f"{base}/forloeb/{leaving.public_id}/")
    saturday = last_saturday(today)
    page.locator("#id_type").select_option("discharged")
    page.locator("#id_occurred_at").fill(f"{saturday:%Y-%m-%d}T11:00")
    page.locator("#id_destination").select_option("own_home")
    page.locator("#id_note").fill("Datteren henter hende kl. 11")
    page.locator("#record button[type=submit]").click()
    errors = page.locator("#record-errors")
    expect(errors).to_be_visible()
    expect(errors).to_be_focused()
    expect(errors).to_be_in_viewport()
    expect(page.locator("#id_note")).to_have_value("Datteren henter hende kl. 11")
    expect(page.locator("#id_occurred_at")).to_have_value(f"{saturday:%Y-%m-%d}T11:00")
    expect(page.locator("#id_destination")).to_have_value("own_home")
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)  # the view as the nurse sees it: the refusal at the top of the form
    page.screenshot(path=str(ARTIFACTS / "daily-refused-weekend-discharge.png"))
    assert not CourseEvent.objects.filter(course=leaving, type="discharged").exists()


def test_a_cancellation_refused_meanwhile_is_focused_at_its_form_with_the_reason_kept(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any
) -> None:
    """Keyboard only: the nurse opens "cancel the registration", types the reason; by the time she sends it the
    24 hours have passed (aftalen 2.1), and the refusal is where she is, with her text."""
    start = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CPH)
    with time_machine.travel(start, tick=True) as clock:
        nurse = make_user("ward.randers", "ward_nurse", "rhr-medicin", first_name="Camilla")
        course = make_course(make_citizen("730", "Inge Fejl"), admitted_at=start - dt.timedelta(days=4))
        ready = services.record_event(actor=nurse, course=course, event_type="ready_for_discharge",
                                      occurred_at=start - dt.timedelta(hours=23, minutes=50))  # fmt: skip
        install_axe(page)
        log_in(page, live_server.url, "ward.randers")
        page.goto(f"{live_server.url}/forloeb/{course.public_id}/")
        summary = page.locator(f"#cancel-region-{ready.seq} summary")
        summary.focus()
        page.keyboard.press("Enter")  # opens the disclosure
        page.keyboard.press("Tab")
        expect(page.locator(f"#cancel-{ready.seq}")).to_be_focused()
        page.keyboard.type("Registreret på den forkerte patient")
        clock.move_to(start + dt.timedelta(minutes=20))  # the 24 hours pass while she types
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # the "cancel the registration" button
        errors = page.locator("#cancel-errors")
        expect(errors).to_be_focused()
        expect(errors).to_be_in_viewport()
        expect(page.locator(f"#cancel-{ready.seq}")).to_have_value("Registreret på den forkerte patient")
        assert serious_violations(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "daily-refused-cancellation.png"))
    assert not CourseEvent.objects.filter(course=course, type="cancelled").exists()
