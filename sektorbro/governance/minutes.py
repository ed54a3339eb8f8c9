"""The minutes as HTML and PDF (template ``governance/minutes_print.html``).

What is printed is the meeting document (``exchange.meeting_document``): once minutes are published, the frozen
copy of the latest ``MinutesVersion``, so the PDF of a version never changes; before the first publication (or on
request, for those who read drafts) the live meeting, marked as a draft ("Udkast"). ``/moeder/<id>/referat.pdf``
serves :func:`minutes_pdf` behind ``access.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sektorbro.core.pdf import html_to_pdf
from sektorbro.governance import exchange
from sektorbro.governance.models import ActionStatus, Attendance, Meeting, MeetingStatus, MinutesVersion

TEMPLATE = "governance/minutes_print.html"


@dataclass(frozen=True)
class Publication:
    version: int
    published_at: dt.datetime | None
    published_by: str
    reason: str = ""


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _context(
    document: dict[str, Any],
    *,
    group_name: str,
    publication: Publication | None,
    draft: bool,
    agenda: bool = False,
) -> dict[str, Any]:
    """The document in the shape the template prints: dates as dates, participants by organisation."""
    participants = [
        {
            **p,
            "apologies": p["attendance"] == Attendance.APOLOGIES,
            "absent": p["attendance"] == Attendance.ABSENT,
        }
        for p in document["participants"]
    ]
    organisations = [
        {"name": name, "participants": list(people)}
        for name, people in groupby(participants, key=lambda p: p["organisation"])
    ]
    statuses = dict(ActionStatus.choices)
    actions = [
        {**x, "deadline": _date(x["deadline"]), "status_label": statuses.get(x["status"], x["status"])}
        for x in document["action_items"]
    ]
    actions.sort(key=lambda x: (x["deadline"] is None, x["deadline"] or dt.date.min, x["item"] or 0))
    published_at = publication.published_at if publication else None
    return {
        "group_name": group_name,
        "meeting": {
            **document,
            "date": _date(document["date"]),
            "starts_at": _time(document.get("starts_at")),
            "ends_at": _time(document.get("ends_at")),
        },
        "organisations": organisations,
        "apologies_count": sum(p["apologies"] for p in participants),
        "items": document["items"],
        "action_items": actions,
        "publication": publication,
        "published_at": timezone.localtime(published_at) if published_at else None,
        "draft": draft,
        "agenda": agenda,
        "printed_at": timezone.localtime(),
    }


def render_html(
    document: dict[str, Any],
    *,
    group_name: str,
    publication: Publication | None = None,
    draft: bool = False,
) -> str:
    """Minutes HTML for a meeting document, in the platform's default language (the minutes are Danish)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            TEMPLATE, _context(document, group_name=group_name, publication=publication, draft=draft)
        )


def latest_version(meeting: Meeting) -> MinutesVersion | None:
    return meeting.minutes_versions.order_by("-number").first()


def minutes_html(meeting: Meeting, *, draft: bool = False) -> str:
    """The latest published minutes version when there is one, else the live meeting marked as a draft.

    During a correction (the meeting back in draft after publication) readers still get the published version;
    ``draft=True`` asks for the live meeting instead (for those who may read drafts, ``access.can_read_all``).
    A published meeting is locked, so it always prints its latest version."""
    version = latest_version(meeting)
    if version is not None and (meeting.status == MeetingStatus.PUBLISHED or not draft):
        return render_html(
            version.document,
            group_name=meeting.group.name,
            publication=Publication(
                version.number, version.published_at, version.published_by, version.reason
            ),
        )
    return render_html(exchange.meeting_document(meeting), group_name=meeting.group.name, draft=True)


def pdf_filename(meeting: Meeting) -> str:
    """A file name for the download, e.g. ``referat-randersklyngen-klyngestyregruppe-2021-05-05.pdf``."""
    return f"referat-{meeting.group.key}-{meeting.date.isoformat()}.pdf"


def minutes_pdf(meeting: Meeting, *, draft: bool = False) -> bytes:
    """The minutes as PDF bytes (see :func:`minutes_html`)."""
    return html_to_pdf(minutes_html(meeting, draft=draft))


def agenda_html(meeting: Meeting) -> str:
    """The agenda and invitation: the meeting as it is being prepared (time, place, who is invited, apologies
    already given, the numbered items with recommendations, case presentations and attachments) without
    decisions or action items, which belong to the minutes."""
    document = exchange.meeting_document(meeting)
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            TEMPLATE,
            _context(document, group_name=meeting.group.name, publication=None, draft=False, agenda=True),
        )


def agenda_filename(meeting: Meeting) -> str:
    return f"dagsorden-{meeting.group.key}-{meeting.date.isoformat()}.pdf"
