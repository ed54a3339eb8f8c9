"""The committee secretary in Chromium: from the start page to the group, plans a meeting, prepares the agenda
(items, recommendations, an attachment), holds the meeting (attendance with a note, a decision, an action item),
publishes the minutes and finds the open action item on the action items page, filtered with HTMX. Every page is
checked with axe-core. Locators use ids and addresses, not texts, so the test holds in either language."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sektorbro.governance.models import ActionItem, Meeting, MinutesVersion
from tests.browser.axe import install_axe, serious_violations
from tests.governance.world import make_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page: Page) -> None:
    found = serious_violations(page)
    assert found == [], f"{page.url}: {found}"


def test_secretary_prepares_holds_and_publishes_a_meeting(
    page: Page, live_server: Any, make_user: Any, screenshot: Any
) -> None:
    secretary = make_user("sekretaer.randers", "committee_secretary", "sekretariat-randersklyngen")
    make_group(secretary)
    install_axe(page)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill("sekretaer.randers")
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{base}/")
    check(page)

    # The start page leads to the meetings; the overview to the group.
    page.locator("main a[href='/moeder/']").first.click()
    expect(page).to_have_url(f"{base}/moeder/")
    check(page)
    page.locator("main a[href='/moeder/gruppe/ksg-randers/']").first.click()
    expect(page.locator("h1")).to_have_text("Klyngestyregruppen for Randersklyngen")
    expect(page.locator("body")).to_contain_text("Godkende handleplaner")  # the current terms of reference
    check(page)

    # Plan a meeting: the active members are invited.
    page.locator("#id_title").fill("Klyngestyregruppemøde")
    page.locator("#id_date").fill("2026-12-10")
    page.locator("#id_starts_at").fill("13:00")
    page.locator("#id_ends_at").fill("15:30")
    page.locator("form[action$='/nyt-moede/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/moeder/\d+/$"))
    meeting = Meeting.objects.get(title="Klyngestyregruppemøde")
    expect(page.locator("#deltagere")).to_contain_text("Anne Formand")
    check(page)

    # The agenda: two items, the first with recommendations, a case presentation and an attachment.
    page.locator("#id_newitem_title").fill("GAIN 2.0 – genoptræning")
    page.locator("#id_newitem_presenters").fill("Anne Formand")
    page.locator("#id_newitem_recommendations").fill(
        "at klyngestyregruppen godkender planen\nat kommunerne udpeger terapeuter"
    )
    page.locator("#id_newitem_case_text").fill("Klyngen afprøver GAIN 2.0 med audit i efteråret.")
    page.locator("#id_newitem_links").fill("Genindlæggelser | /overblik/indikator/readmission_30d_somatic/")
    page.locator("form[action$='/punkter/'] button[type=submit]").click()
    item = meeting.items.get()
    expect(page.locator(f"#punkt-{item.pk}")).to_contain_text("at kommunerne udpeger terapeuter")
    page.locator("#id_newitem_title").fill("Eventuelt")
    page.locator("form[action$='/punkter/'] button[type=submit]").click()
    expect(page.locator("#dagsorden article")).to_have_count(2)

    card = page.locator(f"#punkt-{item.pk}")
    card.locator("form[action$='/bilag/']").locator("xpath=..").locator("summary").click()
    card.locator(f"#id_attachment{item.pk}_file").set_input_files(
        {"name": "GAIN-plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\nplan\n"}
    )
    card.locator("form[action$='/bilag/'] button[type=submit]").click()
    expect(page.locator(f"#punkt-{item.pk} a", has_text="GAIN-plan.pdf")).to_be_visible()
    check(page)
    screenshot("governance-agenda")

    # The meeting is held: attendance with a note, the decision and an action item.
    page.locator("form[action$='/afholdt/'] button").click()
    expect(page.locator("form[action$='/afholdt/']")).to_have_count(0)
    anne, bo = meeting.participants.order_by("position")
    page.locator(f"#id_att_attendance_{anne.pk}").select_option("present")
    page.locator(f"#id_att_note_{anne.pk}").fill("deltager fra kl. 15")
    page.locator(f"#id_att_attendance_{bo.pk}").select_option("apologies")
    page.locator("form[action$='/fremmoede/'] button[type=submit]").click()
    expect(page.locator(f"#id_att_note_{anne.pk}")).to_have_value("deltager fra kl. 15")

    card = page.locator(f"#punkt-{item.pk}")
    card.locator("form[action$='/beslutning/']").locator("xpath=..").locator("summary").click()
    card.locator(f"#id_decision{item.pk}_decision").fill("Planen godkendes. Kommunerne udpeger terapeuter.")
    card.locator("form[action$='/beslutning/'] button[type=submit]").click()
    expect(page.locator(f"#punkt-{item.pk}")).to_contain_text("Planen godkendes.")

    card = page.locator(f"#punkt-{item.pk}")
    card.locator("form[action$='/opgaver/']").locator("xpath=..").locator("summary").click()
    card.locator(f"#id_action{item.pk}_text").fill("Udpeg terapeuter til GAIN 2.0")
    card.locator(f"#id_action{item.pk}_owner").fill("Kommunerne i klyngen")
    card.locator(f"#id_action{item.pk}_deadline").fill("2021-06-01")
    card.locator("form[action$='/opgaver/'] button[type=submit]").click()
    expect(page.locator(f"#punkt-{item.pk}")).to_contain_text("Udpeg terapeuter til GAIN 2.0")
    check(page)
    screenshot("governance-meeting-held")

    # Publish: the minutes page shows the frozen version with a link to the PDF.
    page.locator("form[action$='/udgiv/'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/moeder/{meeting.pk}/referat/")
    expect(page.locator("main")).to_contain_text("deltager fra kl. 15")
    expect(page.locator("main")).to_contain_text("Planen godkendes.")
    expect(page.locator(f"main a[href='/moeder/{meeting.pk}/referat.pdf']")).to_be_visible()
    assert MinutesVersion.objects.filter(meeting=meeting, number=1).exists()
    check(page)
    screenshot("governance-minutes")

    # The open, overdue action item on the action items page; the filter swaps the table with HTMX.
    page.goto(f"{base}/moeder/opgaver/")
    action = ActionItem.objects.get()
    row = page.locator(f"#opgave-{action.pk}")
    expect(row).to_contain_text("Udpeg terapeuter til GAIN 2.0")
    expect(row.locator(".status-failed")).to_be_visible()  # overdue since 01.06.2021
    check(page)
    page.locator("#f-status").select_option("done")
    expect(page).to_have_url(re.compile(r"/moeder/opgaver/\?status=done"))
    expect(page.locator(f"#opgave-{action.pk}")).to_have_count(0)
    page.locator("#f-status").select_option("overdue")
    expect(page.locator(f"#opgave-{action.pk}")).to_be_visible()
    check(page)
    screenshot("governance-action-items")
    assert action.deadline == dt.date(2021, 6, 1)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{base}/")


def test_a_correction_is_a_new_version_and_readers_search_the_decisions(
    page: Page, live_server: Any, make_user: Any, screenshot: Any
) -> None:
    from tests.governance.world import governance_world

    personas = {
        "secretary": make_user("sekretaer.randers", "committee_secretary", "sekretariat-randersklyngen"),
        "visitator_randers": make_user("visitator.randers", "municipal_visitator", "visitation-730"),
    }
    make_user("analytiker", "data_analyst", "region-sekretariat")
    world = governance_world(personas)
    meeting, item = world["published"], world["item"]
    install_axe(page)
    base = live_server.url

    # The secretary opens a correction, changes the decision and publishes version 2 with its reason.
    log_in(page, base, "sekretaer.randers")
    page.goto(f"{base}/moeder/{meeting.pk}/")
    page.locator("form[action$='/ret/'] button").click()
    card = page.locator(f"#punkt-{item.pk}")
    card.locator("form[action$='/beslutning/']").locator("xpath=..").locator("summary").click()
    card.locator(f"#id_decision{item.pk}_decision").fill("Godkendt; audit flyttes til foråret.")
    card.locator("form[action$='/beslutning/'] button[type=submit]").click()
    expect(page.locator(f"#punkt-{item.pk}")).to_contain_text("audit flyttes til foråret")
    check(page)
    page.locator("#id_publish_reason").fill("Tidspunktet for audit var gengivet forkert")
    page.locator("form[action$='/udgiv/'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/moeder/{meeting.pk}/referat/")
    versions = page.locator("table").last
    expect(versions.locator("tbody tr")).to_have_count(2)
    expect(versions).to_contain_text("Tidspunktet for audit var gengivet forkert")
    check(page)
    versions.locator("a[href$='?version=1']").click()
    expect(page.locator("main")).to_contain_text("Godkendt med audit i efteråret.")
    expect(page.locator("main")).not_to_contain_text("audit flyttes til foråret")
    check(page)
    screenshot("governance-minutes-v1")
    page.locator("form[action$='/logout/'] button").click()

    # An analyst (no member) searches the decisions: only published minutes are found.
    log_in(page, base, "analytiker")
    page.goto(f"{base}/moeder/soeg/")
    page.locator("#gov-q").fill("audit")
    page.locator("form[role=search] button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/moeder/soeg/\?q=audit"))
    expect(page.locator("#search-results")).to_contain_text("GAIN 2.0")
    expect(page.locator("#search-results")).not_to_contain_text("Velkomst og godkendelse")
    check(page)
    page.goto(f"{base}/moeder/gruppe/ksg-randers/")
    expect(page.locator("main")).to_contain_text("Kommissorium 2021")
    page.locator("#terms-version").select_option("1")
    expect(page).to_have_url(re.compile(r"version=1"))
    expect(page.locator("main")).to_contain_text("Gammel baggrund")
    check(page)
    page.locator("form[action$='/logout/'] button").click()

    # A member reads the draft agenda without forms.
    log_in(page, base, "visitator.randers")
    page.goto(f"{base}/moeder/{world['draft'].pk}/")
    expect(page.locator("#dagsorden")).to_contain_text("Velkomst og godkendelse af dagsorden")
    expect(page.locator("main form[method=post]")).to_have_count(0)
    expect(page.locator("#opfoelgning")).to_contain_text("Udpeg terapeuter til GAIN")  # carried forward
    check(page)
    screenshot("governance-member-draft")
