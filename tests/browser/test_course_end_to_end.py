"""Whole courses played in Chromium across three logins (hospital ward, municipal visitation, GP), each in its own
browser context, clicking as a person would. Only the hospital's HospitalNotification arrives another way: built
with the project's MedCom builders and received by the real ingestion service.

The clock is fixed (time-machine, ticking from a chosen moment) and moved forward between the steps, so the
deadlines, the billed ready-for-discharge days and the 72-hour window are the same on every run. Every page
visited is checked with axe-core; screenshots of each worklist, the course page and the flowchart ("you are
here") are saved in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect

from sektorbro.courses.labels import EVENT_LABELS
from sektorbro.courses.models import Course
from sektorbro.messaging import ingest
from sektorbro.messaging.medcom import build
from sektorbro.messaging.models import InboxStatus
from sektorbro.organisations.models import OrganisationUnit
from tests.browser.axe import install_axe, serious_violations
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CPH = ZoneInfo("Europe/Copenhagen")
PASSWORD = "correct horse battery"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local time in the week of Monday 23 November 2026 (no public holidays; the 28th is a Saturday)."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CPH)


def label(event_type: str) -> str:
    with translation.override("da"):
        return str(EVENT_LABELS[event_type])


class Person:
    """One person at one computer: a browser context of their own, logging in again when the day changes."""

    def __init__(self, browser: Browser, base: str, username: str, slug: str) -> None:
        self.context: BrowserContext = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
        self.page: Page = self.context.new_page()
        install_axe(self.page)
        self.base, self.username, self.slug = base, username, slug

    def check(self) -> None:
        """No serious or critical accessibility violations on the page now shown."""
        found = serious_violations(self.page)
        assert found == [], f"{self.page.url}: {found}"

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=True)

    def log_in(self) -> None:
        """Open the start page; log in when asked to (sessions last a working day, so after the clock has moved
        on to the next day the login page comes first, as it would the next morning)."""
        page = self.page
        page.goto(f"{self.base}/")
        if "/accounts/login/" in page.url:
            self.check()
            page.get_by_label("Brugernavn").fill(self.username)
            page.get_by_label("Adgangskode").fill(PASSWORD)
            page.get_by_role("button", name="Log ind").click()
        expect(page.get_by_role("heading", name="Arbejdsliste")).to_be_visible()
        self.check()

    def open_course(self, citizen: str, section: str = "Indlagt nu") -> None:
        """From the worklist on the start page, open the citizen's course."""
        worklist = self.page.locator("#worklist")
        expect(worklist.get_by_role("heading", name=section)).to_be_visible()
        worklist.get_by_role("link", name=citizen).click()
        expect(self.page.get_by_role("heading", name=citizen, level=1)).to_be_visible()
        self.check()

    def record(
        self,
        event_type: str,
        when: dt.datetime,
        *,
        date: dt.date | None = None,
        destination: str = "",
        municipal_nursing: bool = False,
        ok: bool = True,
    ) -> None:
        """Fill in "Registrér en hændelse" on the course page and press Registrér."""
        page = self.page
        form = page.locator("form", has=page.get_by_role("button", name="Registrér", exact=True))
        form.get_by_label("Hvad er sket").select_option(label=label(event_type))
        form.get_by_label("Hvornår").fill(when.strftime("%Y-%m-%dT%H:%M"))
        if date is not None:
            form.get_by_label("Dato (for en udskrivningsdato)").fill(date.isoformat())
        if destination:
            form.get_by_label("Udskrives til").select_option(label=destination)
        if municipal_nursing:
            form.locator("input[name=municipal_nursing]").check()
        form.get_by_role("button", name="Registrér", exact=True).click()
        if ok:
            expect(page.get_by_text(f"Registreret: {label(event_type)}.")).to_be_visible()
        self.check()

    def agree_by_phone(
        self,
        event_type: str,
        when: dt.datetime,
        counterpart: str,
        call: dt.datetime,
        date: dt.date | None = None,
    ) -> None:
        """Fill in the phone agreement form (aftalen 2.1: who at the other party agreed, and when the call was)."""
        page = self.page
        form = page.locator("form", has=page.locator("[name=counterpart]"))
        form.locator("[name=type]").select_option(value=event_type)
        form.locator("[name=occurred_at]").fill(when.strftime("%Y-%m-%dT%H:%M"))
        if date is not None:
            form.locator("[name=date]").fill(date.isoformat())
        form.locator("[name=counterpart]").fill(counterpart)
        form.locator("[name=call_at]").fill(call.strftime("%Y-%m-%dT%H:%M"))
        form.locator("button[type=submit]").click()
        expect(page.get_by_text(f"Registreret: {label(event_type)}.")).to_be_visible()
        self.check()

    def accept_proposal(self) -> None:
        """Press the button that accepts the other party's proposed discharge date."""
        self.page.locator("form.answer button[type=submit]").click()
        expect(self.page.get_by_text(f"Registreret: {label('discharge_date_accepted')}.")).to_be_visible()
        self.check()

    def close(self) -> None:
        self.context.close()


def deliver_notification(code: str, citizen: Any, ward_key: str, start: dt.datetime, episode: str) -> None:
    """The hospital's patient administration system sends a HospitalNotification; Sektorbro receives it."""
    ward = OrganisationUnit.objects.get(key=ward_key)
    visitation = OrganisationUnit.objects.get(key="visitation-730")
    bundle = build.hospital_notification_message(
        build.HospitalNotificationDraft(
            event_code=code,
            sender=build.Organisation(ward.name, ward.sor_code, ward.location_number),
            receiver=build.Organisation(visitation.name, visitation.sor_code, visitation.location_number),
            patient=build.Patient.from_name(citizen.cpr, citizen.name),
            episode_of_care_id=episode,
            start=start,
            sent_at=start + dt.timedelta(minutes=2),
            encounter_class="EMER" if code == "STAA" else "IMP",
        )
    )
    message = ingest.ingest(build.to_json(bundle).encode("utf-8"), transport="test")
    assert message.status == InboxStatus.ACCEPTED, message.reason


@pytest.fixture
def people(browser: Browser, live_server: Any, make_user: Any) -> Iterator[dict[str, Person]]:
    make_user("hospital.randers", "ward_nurse", "rhr-medicin", first_name="Camilla", last_name="Nørgaard")
    make_user(
        "kommune.randers", "municipal_visitator", "visitation-730", first_name="Mette", last_name="Lund"
    )
    make_user("laege.randers", "gp", "laege-730-1", first_name="Karen", last_name="Poulsen")
    found = {
        "hospital": Person(browser, live_server.url, "hospital.randers", "hospital"),
        "municipality": Person(browser, live_server.url, "kommune.randers", "municipality"),
        "gp": Person(browser, live_server.url, "laege.randers", "gp"),
    }
    yield found
    for person in found.values():
        person.close()


def test_planned_course_from_admission_to_the_gps_72_hour_window(
    people: dict[str, Person], make_citizen: Any
) -> None:
    hospital, municipality, gp = people["hospital"], people["municipality"], people["gp"]
    citizen = make_citizen("730", "Inger Planlagt", gp_key="laege-730-1", receives_elderly_care=True)
    with time_machine.travel(at(23, 8, 5), tick=True) as clock:
        # Monday 08:00: the planned admission arrives by HospitalNotification (STIN).
        deliver_notification("STIN", citizen, "rhr-medicin", at(23, 8), "e2e-planned-episode")
        course = Course.objects.get(citizen=citizen)
        assert course.track == "planned"

        # Monday 14:00: the ward nurse sends the care plan and proposes Wednesday as the discharge date.
        clock.move_to(at(23, 14))
        hospital.log_in()
        hospital.shot("worklist-hospital")
        hospital.open_course("Inger Planlagt")
        hospital.record("care_plan_sent", at(23, 14))
        hospital.record("discharge_date_proposed", at(23, 14, 5), date=dt.date(2026, 11, 25))

        # Monday 15:00: the visitator finds her on the worklist and agrees the date.
        clock.move_to(at(23, 15))
        municipality.log_in()
        worklist = municipality.page.locator("#worklist")
        expect(worklist.get_by_role("link", name="Inger Planlagt")).to_be_visible()
        municipality.shot("worklist-municipality-admitted")
        municipality.open_course("Inger Planlagt")
        timeline = municipality.page.locator(".timeline")
        expect(timeline).to_contain_text(label("care_plan_sent"))
        expect(timeline).to_contain_text(label("discharge_date_proposed"))
        municipality.accept_proposal()

        # Tuesday 10:00: the ward registers her ready for discharge.
        clock.move_to(at(24, 10))
        hospital.log_in()
        hospital.open_course("Inger Planlagt")
        hospital.record("ready_for_discharge", at(24, 10))
        expect(hospital.page.locator(".page-head .status")).to_contain_text("Færdigbehandlet")

        # Tuesday 12:00: the visitator sees the ready-for-discharge day running on the worklist.
        clock.move_to(at(24, 12))
        municipality.log_in()
        row = municipality.page.locator("#worklist tr", has_text="Inger Planlagt")
        expect(row).to_contain_text("Færdigbehandlet")
        municipality.shot("worklist-municipality-ready")

        # Wednesday 11:00, a day later: the discharge home with municipal nursing, as agreed.
        clock.move_to(at(25, 11, 5))
        hospital.log_in()
        hospital.open_course("Inger Planlagt")
        hospital.record("fmk_updated", at(25, 10, 30))
        hospital.record("discharged", at(25, 11), destination="Eget hjem", municipal_nursing=True)
        hospital.shot("course-hospital-discharged")

        # Wednesday 15:00: the municipality sees one billed ready-for-discharge day and its amount.
        clock.move_to(at(25, 15))
        municipality.log_in()
        municipality.shot("worklist-municipality-discharged")
        municipality.open_course("Inger Planlagt", section="Udskrevet de seneste tre døgn")
        billing = municipality.page.locator("dt:has-text('Færdigbehandlede sengedage') + dd")
        expect(billing).to_contain_text("1 afregnes (1 indtil nu)")
        expect(billing).to_contain_text("2.400 kr.")
        municipality.shot("course-municipality")
        course.refresh_from_db()
        assert (course.state_billing or {}).get("billable_days") == 1

        # The flowchart, with the course's step marked "you are here".
        municipality.page.get_by_role("link", name="Hvor er vi i flowchartet?").click()
        expect(municipality.page.locator("a[aria-current=step]")).to_have_count(1)
        expect(municipality.page.get_by_text("Du er her").first).to_be_visible()
        municipality.check()
        municipality.shot("flowchart-you-are-here")

        # The GP (third login) sees the citizen in the 72-hour window of the discharging ward.
        gp.log_in()
        discharged = gp.page.locator("#worklist tr", has_text="Inger Planlagt")
        expect(discharged).to_contain_text("Ring til Medicinsk Afdeling, Randers indtil")
        expect(discharged).to_contain_text("28.11.2026 11:00")
        gp.shot("worklist-gp")
        gp.open_course("Inger Planlagt", section="Udskrevet de seneste tre døgn")
        expect(gp.page.locator("dt:has-text('72 timers') + dd")).to_contain_text("Gælder")
        gp.shot("course-gp")


def test_acute_course_weekend_discharge_waits_for_the_documented_agreement(
    people: dict[str, Person], make_citizen: Any
) -> None:
    hospital, municipality = people["hospital"], people["municipality"]
    citizen = make_citizen("730", "Erik Akut", gp_key="laege-730-1", receives_elderly_care=True)
    with time_machine.travel(at(26, 19, 5), tick=True) as clock:
        # Thursday evening: an acute admission (STAA).
        deliver_notification("STAA", citizen, "rhr-medicin", at(26, 19), "e2e-acute-episode")
        assert Course.objects.get(citizen=citizen).track == "acute"

        # Friday 14:00: ready for discharge.
        clock.move_to(at(27, 14))
        hospital.log_in()
        hospital.open_course("Erik Akut")
        hospital.record("ready_for_discharge", at(27, 14))

        # Saturday 10:00: the ward tries to discharge him; the weekend rule refuses it, in Danish.
        clock.move_to(at(28, 10, 5))
        hospital.log_in()
        hospital.open_course("Erik Akut")
        hospital.record("discharged", at(28, 10), destination="Eget hjem", ok=False)
        # The refusal heads the form (focused, issue 18) and is repeated at the field it concerns.
        refusal = hospital.page.locator("#record-errors").get_by_text(
            "Udskrivelse på en weekend kræver en individuel aftale med kommunen"
        )
        expect(refusal).to_be_visible()
        expect(hospital.page.locator("#record-errors")).to_be_focused()
        hospital.shot("weekend-discharge-refused")
        assert not Course.objects.get(citizen=citizen).events.filter(type="discharged").exists()

        # The visitator documents the weekend discharge agreed by phone.
        municipality.log_in()
        municipality.open_course("Erik Akut")
        municipality.agree_by_phone(
            "weekend_discharge_agreed", at(28, 10, 10), "Sygeplejerske Camilla Nørgaard", at(28, 10, 5)
        )

        # Now the ward may discharge him.
        clock.move_to(at(28, 10, 30))
        hospital.log_in()
        hospital.open_course("Erik Akut")
        hospital.record("discharged", at(28, 10, 20), destination="Eget hjem", municipal_nursing=True)
        expect(hospital.page.locator(".page-head .status")).to_contain_text("Udskrevet")
        hospital.shot("weekend-discharge-allowed")
