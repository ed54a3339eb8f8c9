"""A meeting as the JSON document of ``documents.py`` (export side). The document is also what a published
minutes version freezes (``MinutesVersion.document``), so the web page, the PDF and an export of the same
version say the same."""

from __future__ import annotations

from typing import Any

from sektorbro.governance import documents
from sektorbro.governance.models import Group, Meeting


def meeting_document(meeting: Meeting) -> dict[str, Any]:
    """One meeting in the export format (JSON-ready: dates and times as ISO strings)."""
    items = list(meeting.items.prefetch_related("attachments").order_by("number"))
    numbers = {item.pk: item.number for item in items}
    return {
        "date": meeting.date.isoformat(),
        "title": meeting.title,
        "starts_at": meeting.starts_at.strftime("%H:%M") if meeting.starts_at else "",
        "ends_at": meeting.ends_at.strftime("%H:%M") if meeting.ends_at else "",
        "location": meeting.location,
        "case_number": meeting.case_number,
        "status": meeting.status,
        "participants": [
            {
                "name": p.name,
                "title": p.title,
                "organisation": p.organisation,
                "organisation_kind": p.organisation_kind,
                "attendance": p.attendance,
                "note": p.note,
            }
            for p in meeting.participants.order_by("position", "id")
        ],
        "items": [
            {
                "number": item.number,
                "title": item.title,
                "presenters": item.presenters,
                "recommendations": list(item.recommendations),
                "case": item.case_text,
                "decision": item.decision,
                "attachments": [{"name": a.name} for a in item.attachments.all()],
            }
            for item in items
        ],
        "action_items": [
            {
                "item": numbers.get(x.item_id) if x.item_id else None,
                "text": x.text,
                "owner": x.owner,
                "deadline": x.deadline.isoformat() if x.deadline else None,
                "deadline_note": x.deadline_note,
                "status": x.status,
                "closing_note": x.closing_note,
            }
            for x in meeting.action_items.order_by("deadline", "id")
        ],
    }


def group_document(group: Group, meetings: list[Meeting] | None = None) -> dict[str, Any]:
    """A group's meetings (all of them unless given) as one importable document."""
    chosen = meetings if meetings is not None else list(group.meetings.order_by("date", "id"))
    return {
        "format": documents.FORMAT,
        "format_version": documents.FORMAT_VERSION,
        "group": {"key": group.key, "name": group.name},
        "meetings": [meeting_document(m) for m in chosen],
    }
