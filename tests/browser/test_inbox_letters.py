"""A Randers visitator sees an unread letter from the ward counted in the main menu, opens it (it becomes read
for the municipality), sees whom the reply goes to, replies, on the course page sees the recipient of a new
letter before sending it, and marks the care plan read so its NYT line leaves the worklist."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sektorbro.courses import services
from sektorbro.messaging.models import OutboxMessage
from tests.browser.axe import install_axe, serious_violations
from tests.letters import received_letter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitator_reads_an_unread_letter_replies_and_sees_the_recipient_before_sending(
    page: Page, live_server: Any, make_user: Any, make_citizen: Any, make_course: Any, screenshot: Any
) -> None:
    make_user(
        "kommune.randers", "municipal_visitator", "visitation-730", first_name="Mette", last_name="Lund"
    )
    nurse = make_user("afdeling.randers", "ward_nurse", "rhr-medicin")
    course = make_course(make_citizen("730", "Bruno Elmer", receives_elderly_care=True))
    services.record_event(
        actor=nurse, course=course, event_type="care_plan_sent", occurred_at=timezone.now(),
        data={"changes": [{"dato": "06.12.2026", "nyt": "Skal have ilt om natten"}]},
    )  # fmt: skip
    received_letter(course.citizen, topic="Udskrivelse fredag", text="Kan I modtage Bruno fredag formiddag?")

    install_axe(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Brugernavn").fill("kommune.randers")
    page.get_by_label("Adgangskode").fill("correct horse battery")
    page.get_by_role("button", name="Log ind").click()
    menu = page.locator("#main-menu")
    expect(menu.locator(".badge-unread")).to_contain_text("1")

    menu.get_by_role("link", name="Beskeder").click()
    unread = page.locator("tr.unread")
    expect(unread).to_have_count(1)
    screenshot("inbox-unread-letter")
    assert serious_violations(page) == []
    page.locator("#id_unread").check()
    page.locator("form.filter-form button[type=submit]").click()
    expect(page.locator("table tbody tr")).to_have_count(1)

    page.locator("tr.unread a").first.click()
    expect(page.locator("#message-read")).to_contain_text("Visitationen, Randers Kommune")
    expect(page.locator(".message-text")).to_contain_text("Kan I modtage Bruno fredag formiddag?")
    expect(menu.locator(".badge-unread")).to_have_count(0)  # read for the municipality now
    expect(page.locator("#reply-recipient")).to_contain_text("Medicinsk Afdeling, Randers")
    expect(page.locator("#reply-recipient")).to_contain_text("5790001990107")
    screenshot("inbox-letter-read-reply")
    assert serious_violations(page) == []

    page.locator("#id_text").fill("Ja, vi kan modtage Bruno fredag kl. 10.")
    page.locator("#reply-send").click()
    expect(page.locator(".message-success")).to_contain_text("Medicinsk Afdeling, Randers")
    reply = OutboxMessage.objects.get(kind="care_communication")
    assert reply.event_code == "reply-message" and reply.receiver_label == "Medicinsk Afdeling, Randers"

    page.goto(f"{live_server.url}/beskeder/")
    expect(page.locator("tr.unread")).to_have_count(0)

    page.goto(f"{live_server.url}/beskeder/modtaget/{reply.in_reply_to.public_id}/")  # type: ignore[union-attr]
    page.locator("#message-course-link").click()
    receiver = page.locator("select[name=receiver]")
    expect(receiver.locator("option:checked")).to_contain_text("Medicinsk Afdeling, Randers")
    expect(receiver.locator("option:checked")).to_contain_text("5790001990107")
    receiver.select_option("rhr")
    screenshot("course-letter-recipient")
    assert serious_violations(page) == []

    # The care plan's NYT line is on the worklist until the municipality marks the plan read.
    expect(page.locator("#care-plan-read")).to_contain_text("Skal have ilt om natten")
    page.locator("#care-plan-read-button").click()
    expect(page.locator("#care-plan-read")).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("Skal have ilt om natten")  # the timeline keeps it
    page.goto(f"{live_server.url}/")
    expect(page.locator("#worklist").get_by_role("link", name="Bruno Elmer")).to_be_visible()
    expect(page.locator("#worklist")).not_to_contain_text("Skal have ilt om natten")
    assert serious_violations(page) == []
