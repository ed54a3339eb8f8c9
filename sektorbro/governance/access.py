"""Who may read and edit what. The committee secretary of a group (listed in ``Group.secretaries`` and holding
the committee-secretary role) and administrators edit its meetings; the group's members (a ``GroupMember`` with
a user account) read all of its meetings; every other signed-in member of an organisation sees published
minutes only. Nothing here is citizen data, so there is no access log."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from sektorbro.accounts.models import Role
from sektorbro.governance.models import Group, Meeting, MeetingStatus


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may_use(user: Any) -> bool:
    """Signed in and an active member of some organisation (or an administrator)."""
    return _active(user) and (bool(user.active_memberships()) or user.is_administrator)


def can_edit(user: Any, group: Group) -> bool:
    if not _active(user):
        return False
    if user.is_administrator:
        return True
    return Role.COMMITTEE_SECRETARY in user.roles() and group.secretaries.filter(pk=user.pk).exists()


def can_read_all(user: Any, group: Group) -> bool:
    if can_edit(user, group):
        return True
    return _active(user) and group.members.filter(user=user, active=True).exists()


def editable_groups(user: Any) -> QuerySet[Group]:
    if not _active(user):
        return Group.objects.none()
    if user.is_administrator:
        return Group.objects.all()
    if Role.COMMITTEE_SECRETARY not in user.roles():
        return Group.objects.none()
    return Group.objects.filter(secretaries=user)


def readable_groups(user: Any) -> QuerySet[Group]:
    """Groups whose meetings the user reads in full (drafts and agendas included)."""
    if not _active(user):
        return Group.objects.none()
    if user.is_administrator:
        return Group.objects.all()
    return Group.objects.filter(
        Q(pk__in=editable_groups(user).values("pk")) | Q(members__user=user, members__active=True)
    ).distinct()


def groups_visible_to(user: Any) -> QuerySet[Group]:
    return Group.objects.all() if may_use(user) else Group.objects.none()


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    if not may_use(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(
        Q(status=MeetingStatus.PUBLISHED) | Q(group__in=readable_groups(user).values("pk"))
    ).select_related("group")


def get_meeting(user: Any, meeting_id: int) -> Meeting:
    meeting = meetings_visible_to(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting
