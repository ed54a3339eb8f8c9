"""Importing a meetings document (the format of ``documents.py``, the import side of ``exchange.py``).

All or nothing: the whole document is checked before anything is written, and written in one transaction; a
document that fails raises :class:`documents.DocumentError` naming the line and the field, and the database is as
it was. A meeting is matched by group, date and title:

* a new meeting is created;
* an existing meeting whose content equals the document's is left alone (importing the same file again changes
  nothing);
* an existing meeting with other content gets the document's content (participants, items, action items
  replaced), unless its minutes are published: then the import is refused, because published minutes change
  only through a new minutes version.

A meeting imported with ``status: "published"`` gets its first minutes version, frozen from what was imported.
Uploaded attachment files survive a replacement when the item number and the attachment name stay the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction

from sektorbro.core import audit
from sektorbro.governance import documents, exchange
from sektorbro.governance.documents import DocumentError
from sektorbro.governance.models import (
    ActionItem,
    AgendaItem,
    Attachment,
    Group,
    GroupMember,
    Meeting,
    MeetingStatus,
    MinutesVersion,
    Participant,
)

__all__ = ["DocumentError", "ImportResult", "import_document", "import_text"]


@dataclass
class ImportResult:
    group: Group
    created: list[Meeting] = field(default_factory=list)
    replaced: list[Meeting] = field(default_factory=list)
    unchanged: list[Meeting] = field(default_factory=list)

    @property
    def meetings(self) -> list[Meeting]:
        return [*self.created, *self.replaced, *self.unchanged]

    def summary(self) -> str:
        return (
            f"{self.group.name}: {len(self.created)} created, {len(self.replaced)} replaced, "
            f"{len(self.unchanged)} unchanged"
        )


def _comparable(meeting: dict[str, Any]) -> dict[str, Any]:
    """A validated meeting (from ``documents.validate``) or an exported one, in one comparable shape."""

    def iso(value: Any) -> str:
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value or ""

    actions = [{**x, "deadline": iso(x["deadline"]), "item": x["item"]} for x in meeting["action_items"]]
    return {
        "date": iso(meeting["date"]),
        "title": meeting["title"],
        "starts_at": iso(meeting["starts_at"]),
        "ends_at": iso(meeting["ends_at"]),
        "location": meeting["location"],
        "case_number": meeting["case_number"],
        "status": meeting["status"],
        "participants": [dict(p) for p in meeting["participants"]],
        "items": sorted((dict(i) for i in meeting["items"]), key=lambda i: i["number"]),
        "action_items": sorted(actions, key=lambda x: (x["deadline"], x["item"] or 0, x["text"])),
    }


def _is_published(meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.PUBLISHED or meeting.minutes_versions.exists()


def _fill(meeting: Meeting, data: dict[str, Any], group: Group) -> None:
    """Write the document's participants, items and action items into ``meeting`` (which has none now)."""
    members = {m.name.casefold(): m for m in GroupMember.objects.filter(group=group)}
    Participant.objects.bulk_create(
        Participant(
            meeting=meeting,
            member=members.get(p["name"].casefold()),
            name=p["name"],
            title=p["title"],
            organisation=p["organisation"],
            organisation_kind=p["organisation_kind"],
            attendance=p["attendance"],
            note=p["note"],
            position=position,
        )
        for position, p in enumerate(data["participants"])
    )
    items: dict[int, AgendaItem] = {}
    for raw in data["items"]:
        items[raw["number"]] = AgendaItem.objects.create(
            meeting=meeting,
            number=raw["number"],
            title=raw["title"],
            presenters=raw["presenters"],
            recommendations=list(raw["recommendations"]),
            case_text=raw["case"],
            decision=raw["decision"],
        )
    for raw in data["items"]:
        for a in raw["attachments"]:
            Attachment.objects.create(item=items[raw["number"]], name=a["name"])
    for x in data["action_items"]:
        ActionItem.objects.create(
            meeting=meeting,
            item=items.get(x["item"]) if x["item"] is not None else None,
            text=x["text"],
            owner=x["owner"],
            deadline=x["deadline"],
            deadline_note=x["deadline_note"],
            status=x["status"],
            closing_note=x["closing_note"],
        )


def _kept_files(meeting: Meeting) -> dict[tuple[int, str], Attachment]:
    return {
        (a.item.number, a.name): a
        for a in Attachment.objects.filter(item__meeting=meeting, size__gt=0).select_related("item")
    }


def _kept_actions(meeting: Meeting) -> dict[str, ActionItem]:
    return {x.text: x for x in meeting.action_items.all()}


def _restore(
    meeting: Meeting, files: dict[tuple[int, str], Attachment], actions: dict[str, ActionItem]
) -> None:
    for a in Attachment.objects.filter(item__meeting=meeting).select_related("item"):
        old = files.get((a.item.number, a.name))
        if old is not None:
            a.content_type, a.size, a.sha256, a.content = old.content_type, old.size, old.sha256, old.content
            a.save(update_fields=["content_type", "size", "sha256", "content"])
    for x in meeting.action_items.all():
        previous = actions.get(x.text)
        if previous is not None:
            x.owner_user_id = previous.owner_user_id
            x.closed_at, x.closed_in_id = previous.closed_at, previous.closed_in_id
            x.save(update_fields=["owner_user", "closed_at", "closed_in"])


def _publish_first_version(meeting: Meeting, actor: Any) -> None:
    label = actor.get_username() if getattr(actor, "pk", None) is not None else "import"
    MinutesVersion.objects.create(
        meeting=meeting, number=1, document=exchange.meeting_document(meeting), published_by=label
    )


@transaction.atomic
def import_document(doc: dict[str, Any], *, actor: Any = None) -> ImportResult:
    """Import a parsed document (as :func:`documents.parse` returns it, so errors can name lines)."""
    data = documents.validate(doc)
    group_line = getattr(doc.get("group"), "line", None)
    group = Group.objects.filter(key=data["group"]["key"]).first()
    if group is None:
        raise DocumentError(
            f"there is no group with the key {data['group']['key']!r}; create the group first",
            field="group.key",
            line=group_line,
        )
    result = ImportResult(group=group)
    for index, incoming in enumerate(data["meetings"]):
        where, line = f"meetings[{index}]", incoming["line"]
        existing = (
            Meeting.objects.select_for_update()
            .filter(group=group, date=incoming["date"], title=incoming["title"])
            .order_by("id")
            .first()
        )
        try:
            if existing is None:
                meeting = Meeting.objects.create(
                    group=group,
                    date=incoming["date"],
                    title=incoming["title"],
                    starts_at=incoming["starts_at"],
                    ends_at=incoming["ends_at"],
                    location=incoming["location"],
                    case_number=incoming["case_number"],
                    status=incoming["status"],
                )
                _fill(meeting, incoming, group)
                if meeting.status == MeetingStatus.PUBLISHED:
                    _publish_first_version(meeting, actor)
                result.created.append(meeting)
                action = "governance.meeting_imported"
            elif _comparable(exchange.meeting_document(existing)) == _comparable(incoming):
                result.unchanged.append(existing)
                continue
            elif _is_published(existing):
                raise DocumentError(
                    "the minutes of this meeting are published and differ from the document; published "
                    "minutes change only through a new minutes version, not by import",
                    field=where,
                    line=line,
                )
            else:
                meeting = existing
                files, actions = _kept_files(meeting), _kept_actions(meeting)
                meeting.action_items.all().delete()
                meeting.items.all().delete()
                meeting.participants.all().delete()
                for name in ("starts_at", "ends_at", "location", "case_number", "status"):
                    setattr(meeting, name, incoming[name])
                meeting.version += 1
                meeting.save()
                _fill(meeting, incoming, group)
                _restore(meeting, files, actions)
                if meeting.status == MeetingStatus.PUBLISHED:
                    _publish_first_version(meeting, actor)
                result.replaced.append(meeting)
                action = "governance.meeting_replaced_by_import"
        except DatabaseError as exc:
            raise DocumentError(f"cannot be stored: {exc}", field=where, line=line) from exc
        audit.record(
            actor=actor,
            action=action,
            subject_type="governance.meeting",
            subject_id=str(meeting.pk),
            data={"group": group.key, "date": incoming["date"].isoformat(), "title": incoming["title"]},
        )
    return result


def import_text(text: str, *, actor: Any = None) -> ImportResult:
    """Parse and import a document given as JSON text."""
    return import_document(documents.parse(text), actor=actor)
