"""Read side of governance for other systems: groups, meetings and one meeting with its minutes.

Only what the caller may read (``access.py``): published minutes for every member of an organisation, drafts and
agendas for the group's members and secretaries. A published meeting is served from its latest minutes version
(the frozen document), so the API says what the published minutes say; its action items are the live ones,
whose status moves on at later meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.http import HttpRequest
from ninja import Query, Router, Schema

from sektorbro.governance import access, exchange
from sektorbro.governance.models import Meeting, MeetingStatus

router = Router(tags=["governance"])
BIGGEST_ID = 2**63 - 1  # larger ids are no row of any database here


class GroupOut(Schema):
    id: int
    name: str
    kind: str
    parent: int | None


class MeetingOut(Schema):
    id: int
    group: int
    date: dt.date
    title: str
    status: str


class ParticipantOut(Schema):
    name: str
    title: str
    organisation: str
    apologies: bool
    note: str


class AttachmentOut(Schema):
    name: str


class ItemOut(Schema):
    number: int
    title: str
    recommendations: list[str]
    case: str
    decision: str
    attachments: list[AttachmentOut]


class ActionItemOut(Schema):
    text: str
    owner: str
    deadline: dt.date | None
    status: str


class MeetingDetailOut(MeetingOut):
    participants: list[ParticipantOut]
    items: list[ItemOut]
    action_items: list[ActionItemOut]


def _meeting_row(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "group": meeting.group_id,
        "date": meeting.date,
        "title": meeting.title,
        "status": meeting.status,
    }


def meeting_content(meeting: Meeting, user: Any) -> dict[str, Any]:
    """The document the caller reads: the latest published version (also while a correction is being prepared,
    unless the caller reads drafts), or the live meeting before the first publication."""
    latest = meeting.minutes_versions.order_by("-number").first()
    if latest is not None and (
        meeting.status == MeetingStatus.PUBLISHED or not access.can_read_all(user, meeting.group)
    ):
        return dict(latest.document)
    return exchange.meeting_document(meeting)


@router.get(
    "/groups/", response=list[GroupOut], summary="The groups (committees, steering and working groups)"
)
def groups(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": g.pk, "name": g.name, "kind": g.kind, "parent": g.parent_id}
        for g in access.groups_visible_to(request.user).order_by("name", "id")
    ]


@router.get(
    "/meetings/", response=list[MeetingOut], summary="Meetings the caller may read (filter by group id)"
)
def meetings(
    request: HttpRequest, group: int | None = Query(None, ge=1, le=BIGGEST_ID)
) -> list[dict[str, Any]]:
    qs = access.meetings_visible_to(request.user)
    if group is not None:
        qs = qs.filter(group_id=group)
    return [_meeting_row(m) for m in qs.order_by("-date", "-id")]


@router.get(
    "/meetings/{meeting_id}/",
    response=MeetingDetailOut,
    summary="A meeting: participants, agenda items with decisions, action items",
)
def meeting_detail(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    meeting = access.get_meeting(request.user, meeting_id)
    doc = meeting_content(meeting, request.user)
    return {
        **_meeting_row(meeting),
        "participants": [
            {
                "name": p["name"],
                "title": p["title"],
                "organisation": p["organisation"],
                "apologies": p["attendance"] == "apologies",
                "note": p["note"],
            }
            for p in doc["participants"]
        ],
        "items": [
            {
                "number": i["number"],
                "title": i["title"],
                "recommendations": list(i["recommendations"]),
                "case": i["case"],
                "decision": i["decision"],
                "attachments": [{"name": a["name"]} for a in i["attachments"]],
            }
            for i in doc["items"]
        ],
        "action_items": [
            {"text": x.text, "owner": x.owner, "deadline": x.deadline, "status": x.status}
            for x in meeting.action_items.order_by(F("deadline").asc(nulls_last=True), "id")
        ],
    }
