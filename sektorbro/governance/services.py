"""The one write path for governance: meetings, agenda items, attachments, attendance, decisions, action items
and minutes. Every function checks the actor's right to edit the group (``access.can_edit``), refuses a stale
``expected_version`` (optimistic concurrency: ``Meeting.version`` goes up with every write), refuses changes to
a meeting whose minutes are published (until a correction is opened), and writes an audit row in the same
transaction.

A meeting moves planned → held → published. Publishing freezes ``exchange.meeting_document`` into a new
``MinutesVersion``; a correction (``open_correction``) puts the meeting back into draft while the published
version stays what readers see, and ``publish_minutes`` with a reason publishes the next version."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sektorbro.core import audit
from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.core.files import (  # noqa: F401 - the file checks moved to core; re-exported for callers
    ALLOWED_EXTENSIONS,
    OLE,
    OLE_TYPES,
    FileKind,
    sniff,
)
from sektorbro.core.files import safe_file_name as _file_name
from sektorbro.governance import access
from sektorbro.governance.exchange import meeting_document
from sektorbro.governance.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attachment,
    Attendance,
    Group,
    Meeting,
    MeetingStatus,
    MinutesVersion,
    Participant,
)

DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Where a decision may link to: the published indicator pages and the flowchart (see sektorbro/urls.py).
LINK_PREFIXES = ("/overblik/", "/flowchart/")


def attachment_max_bytes() -> int:
    return int(getattr(settings, "SEKTORBRO_GOVERNANCE_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


# ---------------------------------------------------------------------------------------------------- helpers


def _actor_label(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "pk", None) else str(actor or "system")


def _require_edit(actor: Any, group: Group) -> None:
    if not access.can_edit(actor, group):
        raise NotPermitted(_("Only the group's committee secretary may change its meetings."))


def _locked(meeting: Meeting, expected_version: int | None) -> Meeting:
    """The meeting row, locked for this transaction; a stale version is refused, nothing is overwritten."""
    row = Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            _(
                "Someone else changed this meeting meanwhile. Reload the page and try again; nothing was saved."
            )
        )
    return row


def _require_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.PUBLISHED:
        raise ConflictError(
            _("The minutes are published and locked. Open a correction to change them."), field="status"
        )


def _bump(meeting: Meeting, original: Meeting, *fields: str) -> None:
    meeting.version += 1
    meeting.save(update_fields=["version", *fields])
    original.version = meeting.version
    for name in fields:
        setattr(original, name, getattr(meeting, name))


def _editable(actor: Any, meeting: Meeting, expected_version: int | None) -> Meeting:
    """Permission, the row lock, the version check and the publication lock, in that order."""
    _require_edit(actor, meeting.group)
    row = _locked(meeting, expected_version)
    _require_open(row)
    return row


def _record(actor: Any, action: str, subject: Any, data: dict[str, Any] | None = None) -> None:
    audit.record(
        actor=actor,
        action=f"governance.{action}",
        subject_type=type(subject).__name__.lower(),
        subject_id=str(subject.pk),
        data=data or {},
    )


def _text(value: str | None, field: str, *, required: bool = False, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), field=field)
    if max_length is not None and len(text) > max_length:
        raise DomainError(
            _("At most %(n)s characters.") % {"n": max_length},
            field=field,
        )
    return text


def _recommendations(values: list[str] | None) -> list[str]:
    return [v.strip() for v in values or [] if v and v.strip()]


def clean_links(links: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """Links from an item to the pages it concerns: internal paths to the overview or the flowchart only."""
    cleaned = []
    for link in links or []:
        label = (link.get("label") or "").strip()
        url = (link.get("url") or "").strip()
        if not url:
            continue
        if not url.startswith(LINK_PREFIXES) or "//" in url or "\\" in url or any(c.isspace() for c in url):
            raise DomainError(
                _(
                    "A link must be a page of the overview (/overblik/…) or the flowchart (/flowchart/…): %(url)s"
                )
                % {"url": url},
                field="links",
            )
        cleaned.append({"label": label[:200] or url, "url": url[:500]})
    return cleaned


# --------------------------------------------------------------------------------------------------- meetings


@transaction.atomic
def create_meeting(
    *,
    actor: Any,
    group: Group,
    date: dt.date,
    title: str,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
    location: str = "",
    case_number: str = "",
) -> Meeting:
    """A planned meeting; the group's active members are invited as its participants."""
    _require_edit(actor, group)
    if starts_at and ends_at and ends_at <= starts_at:
        raise DomainError(_("The meeting must end after it starts."), field="ends_at")
    meeting = Meeting.objects.create(
        group=group,
        date=date,
        title=_text(title, "title", required=True, max_length=200),
        starts_at=starts_at,
        ends_at=ends_at,
        location=_text(location, "location", max_length=200),
        case_number=_text(case_number, "case_number", max_length=60),
    )
    Participant.objects.bulk_create(
        [
            Participant(
                meeting=meeting,
                member=member,
                name=member.name,
                title=member.title,
                organisation=member.organisation,
                organisation_kind=member.organisation_kind,
                position=position,
            )
            for position, member in enumerate(group.members.filter(active=True).order_by("position", "id"))
        ]
    )
    _record(actor, "meeting_created", meeting, {"group": group.key, "date": date.isoformat()})
    return meeting


@transaction.atomic
def update_meeting(
    *,
    actor: Any,
    meeting: Meeting,
    expected_version: int | None,
    date: dt.date,
    title: str,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
    location: str = "",
    case_number: str = "",
) -> Meeting:
    row = _editable(actor, meeting, expected_version)
    if starts_at and ends_at and ends_at <= starts_at:
        raise DomainError(_("The meeting must end after it starts."), field="ends_at")
    row.date = date
    row.title = _text(title, "title", required=True, max_length=200)
    row.starts_at = starts_at
    row.ends_at = ends_at
    row.location = _text(location, "location", max_length=200)
    row.case_number = _text(case_number, "case_number", max_length=60)
    _bump(row, meeting, "date", "title", "starts_at", "ends_at", "location", "case_number")
    _record(actor, "meeting_updated", row, {"version": row.version})
    return meeting


@transaction.atomic
def mark_held(*, actor: Any, meeting: Meeting, expected_version: int | None) -> Meeting:
    row = _editable(actor, meeting, expected_version)
    if row.status != MeetingStatus.PLANNED:
        raise ConflictError(_("The meeting is already marked as held."), field="status")
    row.status = MeetingStatus.HELD
    _bump(row, meeting, "status")
    _record(actor, "meeting_held", row)
    return meeting


# ------------------------------------------------------------------------------------------------ agenda items


def _item(meeting: Meeting, item: AgendaItem) -> AgendaItem:
    if item.meeting_id != meeting.pk:
        raise DomainError(_("The agenda item belongs to another meeting."), field="item")
    return item


@transaction.atomic
def add_item(
    *,
    actor: Any,
    meeting: Meeting,
    expected_version: int | None,
    title: str,
    presenters: str = "",
    recommendations: list[str] | None = None,
    case_text: str = "",
    links: list[dict[str, str]] | None = None,
) -> AgendaItem:
    """A new item at the end of the agenda."""
    row = _editable(actor, meeting, expected_version)
    last = row.items.aggregate(m=Max("number"))["m"] or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        number=last + 1,
        title=_text(title, "title", required=True, max_length=300),
        presenters=_text(presenters, "presenters", max_length=300),
        recommendations=_recommendations(recommendations),
        case_text=(case_text or "").strip(),
        links=clean_links(links),
    )
    _bump(row, meeting)
    _record(actor, "item_added", item, {"meeting": row.pk, "number": item.number})
    return item


@transaction.atomic
def update_item(
    *,
    actor: Any,
    item: AgendaItem,
    expected_version: int | None,
    title: str,
    presenters: str = "",
    recommendations: list[str] | None = None,
    case_text: str = "",
    links: list[dict[str, str]] | None = None,
) -> AgendaItem:
    row = _editable(actor, item.meeting, expected_version)
    _item(row, item)
    item.title = _text(title, "title", required=True, max_length=300)
    item.presenters = _text(presenters, "presenters", max_length=300)
    item.recommendations = _recommendations(recommendations)
    item.case_text = (case_text or "").strip()
    item.links = clean_links(links)
    item.save(update_fields=["title", "presenters", "recommendations", "case_text", "links"])
    _bump(row, item.meeting)
    _record(actor, "item_updated", item, {"meeting": row.pk, "number": item.number})
    return item


def _renumber(meeting: Meeting, ordered: list[AgendaItem]) -> None:
    """Give the items the numbers 1..n in this order (through temporary numbers: the pair is unique)."""
    offset = 1 + max((i.number for i in ordered), default=0) + len(ordered)
    for position, item in enumerate(ordered):
        AgendaItem.objects.filter(pk=item.pk).update(number=offset + position)
    for position, item in enumerate(ordered, start=1):
        AgendaItem.objects.filter(pk=item.pk).update(number=position)
        item.number = position


@transaction.atomic
def move_item(*, actor: Any, item: AgendaItem, expected_version: int | None, direction: str) -> AgendaItem:
    """Move an item one place up or down the agenda; the items are numbered 1..n again."""
    if direction not in ("up", "down"):
        raise DomainError(_("Move an item up or down."), field="direction")
    row = _editable(actor, item.meeting, expected_version)
    _item(row, item)
    ordered = list(row.items.order_by("number"))
    index = next(i for i, x in enumerate(ordered) if x.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(row, ordered)
    item.number = next(x.number for x in ordered if x.pk == item.pk)
    _bump(row, item.meeting)
    _record(actor, "item_moved", item, {"meeting": row.pk, "number": item.number})
    return item


@transaction.atomic
def reorder_items(
    *, actor: Any, meeting: Meeting, expected_version: int | None, order: list[int]
) -> list[AgendaItem]:
    """Put the agenda in the given order of item ids (every item exactly once)."""
    row = _editable(actor, meeting, expected_version)
    items = {i.pk: i for i in row.items.all()}
    if sorted(order) != sorted(items):
        raise DomainError(_("Give every agenda item of the meeting exactly once."), field="order")
    ordered = [items[pk] for pk in order]
    _renumber(row, ordered)
    _bump(row, meeting)
    _record(actor, "items_reordered", row, {"order": order})
    return ordered


@transaction.atomic
def remove_item(*, actor: Any, item: AgendaItem, expected_version: int | None) -> None:
    """Remove an item with its attachments; its action items are refused: close or cancel them first."""
    row = _editable(actor, item.meeting, expected_version)
    _item(row, item)
    if item.action_items.exists():
        raise ConflictError(
            _("The item has action items. Cancel them before the item is removed."), field="item"
        )
    number = item.number
    item_id = item.pk
    item.delete()
    _renumber(row, list(row.items.order_by("number")))
    _bump(row, item.meeting)
    audit.record(
        actor=actor,
        action="governance.item_removed",
        subject_type="agendaitem",
        subject_id=str(item_id),
        data={"meeting": row.pk, "number": number},
    )


@transaction.atomic
def record_decision(
    *, actor: Any, item: AgendaItem, expected_version: int | None, decision: str
) -> AgendaItem:
    row = _editable(actor, item.meeting, expected_version)
    _item(row, item)
    before = item.decision
    item.decision = (decision or "").strip()
    item.save(update_fields=["decision"])
    _bump(row, item.meeting)
    _record(
        actor,
        "decision_recorded",
        item,
        {"meeting": row.pk, "number": item.number, "before": before, "after": item.decision},
    )
    return item


# ------------------------------------------------------------------------------------------------ attachments


def check_attachment_size(*, name: str, size: int) -> None:
    """Refuse a file over the limit (``SEKTORBRO_ATTACHMENT_MAX_MB``); a view calls it before reading an upload."""
    limit = attachment_max_bytes()
    if size > limit:
        raise DomainError(
            _("The file %(name)s is %(size)s MB; an attachment may be at most %(limit)s MB.")
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:g}"},
            field="file",
        )


@transaction.atomic
def add_attachment(
    *, actor: Any, item: AgendaItem, expected_version: int | None, name: str, content: bytes
) -> Attachment:
    """A file (bilag) stored with the item: size within the limit, type allowed by extension and content."""
    row = _editable(actor, item.meeting, expected_version)
    _item(row, item)
    file_name = _file_name(name)
    if not file_name:
        raise DomainError(_("The file has no name."), field="file")
    if not content:
        raise DomainError(_("The file %(name)s is empty.") % {"name": file_name}, field="file")
    check_attachment_size(name=file_name, size=len(content))
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise DomainError(
            _("Files of type .%(ext)s cannot be attached. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(ALLOWED_EXTENSIONS)},
            field="file",
        )
    kind = sniff(content)
    if kind is None or extension not in kind.extensions:
        raise DomainError(
            _("The content of %(name)s is not a .%(ext)s file (it is %(found)s).")
            % {
                "name": file_name,
                "ext": extension,
                "found": kind.label if kind else _("of an unknown or unsupported type"),
            },
            field="file",
        )
    content_type = OLE_TYPES[extension] if kind is OLE else kind.content_type
    attachment = Attachment.objects.create(
        item=item,
        name=file_name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    _bump(row, item.meeting)
    _record(
        actor,
        "attachment_added",
        attachment,
        {"meeting": row.pk, "item": item.number, "sha256": attachment.sha256, "size": attachment.size},
    )
    return attachment


@transaction.atomic
def remove_attachment(*, actor: Any, attachment: Attachment, expected_version: int | None) -> None:
    item = attachment.item
    row = _editable(actor, item.meeting, expected_version)
    _item(row, item)
    attachment_id = attachment.pk
    attachment.delete()
    _bump(row, item.meeting)
    audit.record(
        actor=actor,
        action="governance.attachment_removed",
        subject_type="attachment",
        subject_id=str(attachment_id),
        data={"meeting": row.pk, "item": item.number},
    )


# ------------------------------------------------------------------------------------------------ attendance


@transaction.atomic
def record_attendance(
    *, actor: Any, meeting: Meeting, expected_version: int | None, entries: dict[int, tuple[str, str]]
) -> Meeting:
    """Attendance and note per participant id, e.g. ``{7: ("present", "deltager fra kl. 15")}``."""
    row = _editable(actor, meeting, expected_version)
    participants = {p.pk: p for p in row.participants.all()}
    for pk, (attendance, note) in entries.items():
        if pk not in participants:
            raise DomainError(_("Unknown participant."), field="participant")
        if attendance not in Attendance.values:
            raise DomainError(_("Choose present, apologies or absent."), field="attendance")
        participant = participants[pk]
        participant.attendance = attendance
        participant.note = _text(note, "note", max_length=200)
    Participant.objects.bulk_update(list(participants.values()), ["attendance", "note"])
    _bump(row, meeting)
    _record(actor, "attendance_recorded", row, {"participants": len(entries)})
    return meeting


@transaction.atomic
def add_participant(
    *,
    actor: Any,
    meeting: Meeting,
    expected_version: int | None,
    name: str,
    title: str = "",
    organisation: str = "",
    attendance: str = Attendance.EXPECTED,
    note: str = "",
) -> Participant:
    """A participant who is not a member (a guest, a presenter)."""
    row = _editable(actor, meeting, expected_version)
    if attendance not in Attendance.values:
        raise DomainError(_("Choose present, apologies or absent."), field="attendance")
    last = row.participants.aggregate(m=Max("position"))["m"]
    participant = Participant.objects.create(
        meeting=row,
        name=_text(name, "name", required=True, max_length=200),
        title=_text(title, "title", max_length=200),
        organisation=_text(organisation, "organisation", max_length=200),
        attendance=attendance,
        note=_text(note, "note", max_length=200),
        position=(last + 1) if last is not None else 0,
    )
    _bump(row, meeting)
    _record(actor, "participant_added", participant, {"meeting": row.pk})
    return participant


# ---------------------------------------------------------------------------------------------- action items


@transaction.atomic
def raise_action_item(
    *,
    actor: Any,
    item: AgendaItem,
    expected_version: int | None,
    text: str,
    owner: str,
    deadline: dt.date | None = None,
    deadline_note: str = "",
    owner_user: Any = None,
) -> ActionItem:
    """An action item raised by the item's decision. It stays on the group's follow-up list until closed."""
    row = _editable(actor, item.meeting, expected_version)
    _item(row, item)
    action = ActionItem.objects.create(
        meeting=row,
        item=item,
        text=_text(text, "text", required=True, max_length=4000),
        owner=_text(owner, "owner", required=True, max_length=200),
        owner_user=owner_user,
        deadline=deadline,
        deadline_note=_text(deadline_note, "deadline_note", max_length=100),
    )
    _bump(row, item.meeting)
    _record(
        actor,
        "action_item_raised",
        action,
        {"meeting": row.pk, "item": item.number, "deadline": deadline.isoformat() if deadline else None},
    )
    return action


@transaction.atomic
def close_action_item(
    *,
    actor: Any,
    action: ActionItem,
    status: str,
    note: str = "",
    at_meeting: Meeting | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> ActionItem:
    """Mark an open action item done or cancelled, with a note, optionally at a (later) meeting of the group.
    The raising meeting's published minutes keep the status they were published with. ``expected_version`` is
    the version of ``at_meeting``."""
    _require_edit(actor, action.meeting.group)
    if status not in (ActionStatus.DONE, ActionStatus.CANCELLED):
        raise DomainError(_("An action item is closed as done or cancelled."), field="status")
    if status == ActionStatus.CANCELLED and not (note or "").strip():
        raise DomainError(_("Say why the action item is cancelled."), field="note")
    locked = ActionItem.objects.select_for_update().get(pk=action.pk)
    if locked.status != ActionStatus.OPEN:
        raise ConflictError(_("The action item is already closed."), field="status")
    if at_meeting is not None:
        if at_meeting.group_id != action.meeting.group_id:
            raise DomainError(_("The meeting belongs to another group."), field="meeting")
        if at_meeting.date < action.meeting.date:
            raise DomainError(
                _("An action item is closed at the meeting that raised it or a later one."), field="meeting"
            )
        row = _locked(at_meeting, expected_version)
        _require_open(row)
        _bump(row, at_meeting)
    locked.status = status
    locked.closing_note = (note or "").strip()
    locked.closed_at = today or timezone.localdate()
    locked.closed_in = at_meeting
    locked.save(update_fields=["status", "closing_note", "closed_at", "closed_in"])
    _record(
        actor,
        "action_item_closed",
        locked,
        {"status": status, "meeting": at_meeting.pk if at_meeting else None},
    )
    for name in ("status", "closing_note", "closed_at", "closed_in"):
        setattr(action, name, getattr(locked, name))
    return action


# --------------------------------------------------------------------------------------------------- minutes


@transaction.atomic
def publish_minutes(
    *, actor: Any, meeting: Meeting, expected_version: int | None, reason: str = ""
) -> MinutesVersion:
    """Freeze the meeting as the next minutes version and lock the meeting. The first publication needs a held
    meeting; every later one is a correction and needs its reason."""
    row = _editable(actor, meeting, expected_version)
    if row.status != MeetingStatus.HELD:
        raise ConflictError(_("Mark the meeting as held before the minutes are published."), field="status")
    last = row.minutes_versions.aggregate(m=Max("number"))["m"] or 0
    reason = _text(reason, "reason", max_length=300)
    if last and not reason:
        raise DomainError(_("Give the reason for the correction."), field="reason")
    row.status = MeetingStatus.PUBLISHED
    _bump(row, meeting, "status")
    version = MinutesVersion.objects.create(
        meeting=row,
        number=last + 1,
        document=meeting_document(row),
        reason=reason if last else "",
        published_by=actor.display_name() if hasattr(actor, "display_name") else _actor_label(actor),
    )
    _record(actor, "minutes_published", row, {"number": version.number, "reason": version.reason})
    return version


@transaction.atomic
def open_correction(*, actor: Any, meeting: Meeting, expected_version: int | None) -> Meeting:
    """Unlock published minutes for a correction. Readers keep seeing the published version until the corrected
    one is published (as a new version, with its reason)."""
    _require_edit(actor, meeting.group)
    row = _locked(meeting, expected_version)
    if row.status != MeetingStatus.PUBLISHED:
        raise ConflictError(_("Only published minutes can be corrected."), field="status")
    row.status = MeetingStatus.HELD
    _bump(row, meeting, "status")
    _record(actor, "minutes_correction_opened", row)
    return meeting
