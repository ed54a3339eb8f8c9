"""Reads for the governance pages, always through ``access.py``: what a user may see of meetings, minutes,
action items and decisions. Nothing here is citizen data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from sektorbro.governance import access
from sektorbro.governance.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Group,
    Meeting,
    MeetingStatus,
    MinutesVersion,
)


def meetings_with_minutes_visible_to(user: Any) -> QuerySet[Meeting]:
    """Meetings the user may open: those ``access`` allows, and any meeting with published minutes (also while a
    correction is open, when readers see the last published version)."""
    if not access.may_use(user):
        return Meeting.objects.none()
    visible = access.meetings_visible_to(user).values("pk")
    return (
        Meeting.objects.filter(Q(pk__in=visible) | Q(minutes_versions__isnull=False))
        .distinct()
        .select_related("group")
    )


def get_meeting_for_minutes(user: Any, meeting_id: int) -> Meeting:
    from django.http import Http404

    meeting = meetings_with_minutes_visible_to(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting


def reads_live(user: Any, meeting: Meeting) -> bool:
    """Whether the user reads the meeting as it is now (drafts included), or only its published minutes."""
    return access.can_read_all(user, meeting.group) or (
        meeting.status == MeetingStatus.PUBLISHED and access.may_use(user)
    )


def correcting(meeting: Meeting) -> bool:
    """A correction is open: the meeting is in draft again but has published minutes."""
    return meeting.status == MeetingStatus.HELD and meeting.minutes_versions.exists()


def latest_minutes(meeting: Meeting) -> MinutesVersion | None:
    return meeting.minutes_versions.order_by("-number").first()


def action_items_visible_to(user: Any) -> QuerySet[ActionItem]:
    """Action items of the meetings the user reads live (drafts for the group's members, published otherwise)."""
    meetings = access.meetings_visible_to(user).values("pk")
    return ActionItem.objects.filter(meeting__in=meetings).select_related(
        "meeting", "meeting__group", "item", "owner_user", "closed_in"
    )


def filter_action_items(
    items: QuerySet[ActionItem], *, state: str, group: Group | None, today: dt.date
) -> QuerySet[ActionItem]:
    if group is not None:
        items = items.filter(meeting__group=group)
    if state == "open":
        items = items.filter(status=ActionStatus.OPEN)
    elif state == "overdue":
        items = items.filter(status=ActionStatus.OPEN, deadline__lt=today)
    elif state == "done":
        items = items.exclude(status=ActionStatus.OPEN)
    return items.order_by("deadline", "meeting__date", "id")


def my_action_items(user: Any) -> QuerySet[ActionItem]:
    """Open action items the user owns, or that belong to a group the user is the secretary of."""
    editable = access.editable_groups(user).values("pk")
    return (
        action_items_visible_to(user)
        .filter(status=ActionStatus.OPEN)
        .filter(Q(owner_user=user) | Q(meeting__group__in=editable))
        .order_by("deadline", "id")
    )


def follow_up(meeting: Meeting) -> list[ActionItem]:
    """Carried forward: the group's action items raised at earlier meetings that are still open, or that were
    closed at this meeting."""
    return list(
        ActionItem.objects.filter(meeting__group=meeting.group)
        .filter(Q(meeting__date__lt=meeting.date) | Q(meeting__date=meeting.date, meeting__id__lt=meeting.pk))
        .filter(Q(status=ActionStatus.OPEN) | Q(closed_in=meeting))
        .select_related("meeting", "item")
        .order_by("deadline", "id")
    )


def _matches(words: list[str], *texts: Any) -> bool:
    haystack = " ".join(" ".join(t) if isinstance(t, list) else str(t or "") for t in texts).casefold()
    return all(w in haystack for w in words)


def search(user: Any, query: str) -> dict[str, list[Any]]:
    """Agenda items (title, recommendations, case text, decision) and action items (text, owner, closing note)
    that contain every word, in the meetings the user reads. Matched in Python, case-insensitively also for æ, ø
    and å on SQLite (a governance body has hundreds of items, not millions)."""
    words = [w.casefold() for w in query.split() if w][:8]
    if not words:
        return {"items": [], "actions": []}
    meetings = access.meetings_visible_to(user).values("pk")
    items = [
        item
        for item in AgendaItem.objects.filter(meeting__in=meetings)
        .select_related("meeting", "meeting__group")
        .order_by("-meeting__date", "number")
        if _matches(words, item.title, item.recommendations, item.case_text, item.decision)
    ][:100]
    actions = [
        action
        for action in ActionItem.objects.filter(meeting__in=meetings)
        .select_related("meeting", "meeting__group", "item")
        .order_by("-meeting__date", "id")
        if _matches(words, action.text, action.owner, action.closing_note)
    ][:100]
    return {"items": items, "actions": actions}
