"""Words, not codes (#18 item 7): no page a person works with shows an internal code such as
``discharge_report``, ``leave_started``, ``carecoordination`` or ``new-message``. The demo is loaded and its pages
are read as several roles; the visible text (not attributes, scripts or styles) must hold no such token."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from sektorbro.accounts.models import User
from sektorbro.courses.models import Course
from sektorbro.messaging.models import InboxMessage, OutboxMessage

pytestmark = pytest.mark.django_db

CODE = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b(?:carecoordination|new-message|forward-message|reply-message)\b"
)
ROLES = ("hospital.randers", "psykiatri.randers", "kommune.randers", "akut.randers", "laege.randers")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@override_settings(DEMO_MODE=True)
def test_pages_show_words_not_codes(client: Any) -> None:
    call_command("demo", "--citizens", "60", stdout=StringIO())
    found: dict[str, str] = {}
    pages = 0
    courses = list(Course.objects.order_by("pk").values_list("public_id", flat=True)[:80])
    inbox = list(InboxMessage.objects.order_by("pk").values_list("public_id", flat=True)[:60])
    outbox = list(OutboxMessage.objects.order_by("pk").values_list("public_id", flat=True)[:20])
    for username in ROLES:
        client.force_login(
            User.objects.get(username=username), backend="sektorbro.accounts.backends.SektorbroModelBackend"
        )
        urls = ["/", "/arbejdsliste/", "/beskeder/", "/borgere/", "/flowchart/"]
        urls += [f"/forloeb/{c}/" for c in courses]
        urls += [f"/beskeder/modtaget/{m}/" for m in inbox] + [f"/beskeder/sendt/{m}/" for m in outbox]
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue  # outside this role's scope
            pages += 1
            text = visible_text(response.content.decode())
            for match in CODE.finditer(text):
                context = " ".join(text[max(0, match.start() - 80) : match.end() + 20].split())
                found.setdefault(match.group(0), f"{username} {url}: …{context}")
    assert pages > 100
    assert not found, "\n".join(f"{code}: {where}" for code, where in sorted(found.items()))


# Danish words that the English pages used to show (the catalogue's gaps, #18 item 7).
DANISH_WORDS = re.compile(r"\b(?:Kategori|Aktivitet|kvt\.|Færdigbehandlede|Udskriv|Ingen|Indlagte|Afsnit)\b")


@override_settings(DEMO_MODE=True)
def test_english_pages_show_english_words_not_codes(client: Any) -> None:
    call_command("demo", "--citizens", "19", stdout=StringIO())
    found: dict[str, str] = {}
    pages = 0
    courses = list(Course.objects.order_by("pk").values_list("public_id", flat=True)[:15])
    inbox = list(InboxMessage.objects.order_by("pk").values_list("public_id", flat=True)[:10])
    for username in ("hospital.randers", "koordinator.randers", "kommune.randers", "sygepleje.randers",
                     "laege.randers", "social.randers"):  # fmt: skip
        client.force_login(
            User.objects.get(username=username), backend="sektorbro.accounts.backends.SektorbroModelBackend"
        )
        urls = ["/", "/arbejdsliste/", "/beskeder/", "/flowchart/", "/overblik/", "/overblik/kommune/730/"]
        urls += [f"/forloeb/{c}/" for c in courses] + [f"/beskeder/modtaget/{m}/" for m in inbox]
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            if response.status_code != 200:
                continue
            pages += 1
            body = response.content.decode()
            assert '<html lang="en"' in body or not body.lstrip().startswith("<!doctype"), url
            text = visible_text(body)
            for pattern in (CODE, DANISH_WORDS):
                for match in pattern.finditer(text):
                    context = " ".join(text[max(0, match.start() - 80) : match.end() + 20].split())
                    found.setdefault(match.group(0), f"{username} {url}: …{context}")
    assert pages > 40
    assert not found, "\n".join(f"{word}: {where}" for word, where in sorted(found.items()))
