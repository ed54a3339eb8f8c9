"""The minutes as HTML and PDF: the published version is printed as published, a draft is marked, and the PDF
renderer fetches nothing from the network."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

from sektorbro.core.pdf import refuses
from sektorbro.governance import minutes
from sektorbro.governance.models import Meeting, MeetingStatus
from sektorbro.governance.seed import load_demo

try:
    import weasyprint
except (ImportError, OSError):  # not installed, or Pango missing: the scripts install both; CI must have them
    if os.environ.get("CI") == "true":
        raise
    pytest.skip(
        "WeasyPrint is not installed here (the lock files and scripts/lib.sh install it)",
        allow_module_level=True,
    )


@pytest.fixture
def meeting(db: Any) -> Meeting:
    load_demo()
    return Meeting.objects.get(date=dt.date(2021, 5, 5))


def _texts(box: Any) -> Any:
    if getattr(box, "text", None):
        yield box.text
    for child in getattr(box, "children", []):
        yield from _texts(child)


def _laid_out_text(html: str) -> str:
    """The text WeasyPrint lays out on the pages (what the PDF shows), whitespace collapsed."""
    document = weasyprint.HTML(string=html).render()
    return re.sub(r"\s+", " ", " ".join(t for page in document.pages for t in _texts(page._page_box)))


def test_the_pdf_is_a_pdf_with_every_item_title(meeting: Meeting) -> None:
    pdf = minutes.minutes_pdf(meeting)
    assert pdf.startswith(b"%PDF")
    text = _laid_out_text(minutes.minutes_html(meeting))
    for item in meeting.items.all():
        assert f"{item.number}. {item.title}" in text
    assert "Helene Bækmark" in text and "deltager fra kl. 15" in text
    assert "Det indstilles" in text or "It is recommended" in text


def test_the_download_is_named_after_group_and_date(meeting: Meeting) -> None:
    assert minutes.pdf_filename(meeting) == "referat-randersklyngen-klyngestyregruppe-2021-05-05.pdf"


def test_deadlines_are_printed_as_danish_dates(meeting: Meeting) -> None:
    html = minutes.minutes_html(meeting)
    assert "01.06.2021" in html and "15.08.2021" in html and "05.05.2021" in html
    assert "Hurtigst muligt" in html


def test_published_minutes_print_the_frozen_version(meeting: Meeting) -> None:
    meeting.items.filter(number=2).update(title="Ændret efter offentliggørelse")
    html = minutes.minutes_html(meeting)
    assert "2. Projekt GAIN 2.0" in html
    assert "Ændret efter offentliggørelse" not in html
    assert 'class="draft"' not in html


def test_a_draft_is_printed_live_and_marked(meeting: Meeting) -> None:
    meeting.minutes_versions.all().delete()  # not yet published
    meeting.status = MeetingStatus.HELD
    meeting.save()
    meeting.items.filter(number=2).update(title="Projekt GAIN 2.0 (rettet)")
    html = minutes.minutes_html(meeting)
    assert "2. Projekt GAIN 2.0 (rettet)" in html
    assert 'class="draft"' in html


def test_user_text_is_escaped(meeting: Meeting) -> None:
    meeting.status = MeetingStatus.HELD
    meeting.save()
    meeting.items.filter(number=9).update(case_text='<img src="http://example.invalid/x.png">')
    html = minutes.minutes_html(meeting, draft=True)
    assert "<img" not in html and "&lt;img" in html


def test_only_data_and_local_files_under_the_base_are_fetched(tmp_path: Path) -> None:
    assert refuses("data:text/plain,hej", None) is None
    assert refuses("https://example.invalid/logo.png", tmp_path) is not None
    assert refuses("http://127.0.0.1/logo.png", tmp_path) is not None
    assert refuses(f"file://{tmp_path}/logo.png", tmp_path) is None
    assert refuses("file:///etc/passwd", tmp_path) is not None
    assert refuses(f"file://{tmp_path}/logo.png", None) is not None


def test_the_renderer_never_asks_the_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from weasyprint import urls

    from sektorbro.core.pdf import html_to_pdf

    asked: list[str] = []
    real_fetch = urls.URLFetcher.fetch

    def recording_fetch(self: Any, url: str, headers: Any = None) -> Any:
        asked.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(urls.URLFetcher, "fetch", recording_fetch)
    (tmp_path / "style.css").write_text("p { color: red; }", encoding="utf-8")
    html = (
        '<link rel="stylesheet" href="style.css">'
        '<link rel="stylesheet" href="https://example.invalid/remote.css">'
        '<img src="http://127.0.0.1:9/x.png" alt="">'
        "<p>Referat</p>"
    )
    pdf = html_to_pdf(html, base_url=f"{tmp_path}/")
    assert pdf.startswith(b"%PDF")
    assert any(u.endswith("/style.css") for u in asked)
    assert not any(u.startswith(("http:", "https:")) for u in asked)


def test_during_a_correction_readers_get_the_published_version(meeting: Meeting) -> None:
    """A correction puts the meeting back in draft; the published version is still what is printed, unless the
    draft is asked for."""
    meeting.status = MeetingStatus.HELD
    meeting.save()
    meeting.items.filter(number=2).update(title="Projekt GAIN 2.0 (rettelse)")
    published = minutes.minutes_html(meeting)
    assert "2. Projekt GAIN 2.0<" in published and 'class="draft"' not in published
    draft = minutes.minutes_html(meeting, draft=True)
    assert "2. Projekt GAIN 2.0 (rettelse)" in draft and 'class="draft"' in draft


@pytest.mark.django_db
def test_the_minutes_page_offers_the_pdf_and_readers_of_published_minutes_never_get_a_draft(
    login: Any, personas: dict[str, Any]
) -> None:
    load_demo()
    meeting = Meeting.objects.get(date="2021-05-05")
    client = login(personas["analyst"])
    page = client.get(f"/moeder/{meeting.pk}/referat/").content.decode()
    assert f'href="/moeder/{meeting.pk}/referat.pdf' in page
    response = client.get(f"/moeder/{meeting.pk}/referat.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="referat-' in response["Content-Disposition"]
    assert client.get(f"/moeder/{meeting.pk}/referat.pdf?version=99").status_code == 404


def test_the_agenda_invites_and_leaves_out_decisions_and_action_items(meeting: Meeting) -> None:
    text = _laid_out_text(minutes.agenda_html(meeting))
    assert text.startswith(meeting.group.name.upper()) or meeting.group.name.upper() in text
    assert "Dagsorden" in text and "Referat:" not in text
    for item in meeting.items.all():
        assert f"{item.number}. {item.title}" in text
        if item.decision:
            assert item.decision.split("\n")[0][:60] not in text
    assert "Beslutning" not in text and "Opfølgningspunkter" not in text
    assert minutes.agenda_filename(meeting) == "dagsorden-randersklyngen-klyngestyregruppe-2021-05-05.pdf"


@pytest.mark.django_db
def test_the_meeting_page_offers_the_agenda_pdf_to_its_readers(login: Any, personas: dict[str, Any]) -> None:
    load_demo()
    meeting = Meeting.objects.get(date=dt.date(2021, 5, 5))
    client = login(personas["analyst"])
    response = client.get(f"/moeder/{meeting.pk}/dagsorden.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert 'filename="dagsorden-' in response["Content-Disposition"]
