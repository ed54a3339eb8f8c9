from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from sektorbro.citizens.access import log_access
from sektorbro.core.pagination import BoundedPageNumberPagination
from sektorbro.courses import services
from sektorbro.courses.models import Course, CourseEvent
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.courses.snapshot import decisions_for

router = Router(tags=["courses"])


class CourseOut(Schema):
    id: uuid.UUID
    citizen_id: uuid.UUID
    citizen_name: str
    hospital: str
    department: str | None
    area: str
    track: str
    admitted_at: dt.datetime
    discharged_at: dt.datetime | None
    status: str
    version: int


class EventOut(Schema):
    seq: int
    type: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    recorded_by: str
    data: dict[str, Any]
    supersedes: int | None
    source_message_id: str


class CourseDetailOut(CourseOut):
    decisions: dict[str, Any]
    events: list[EventOut]


class EventIn(Schema):
    type: str
    occurred_at: dt.datetime | None = None
    date: dt.date | None = None
    data: dict[str, Any] = {}
    supersedes: int | None = None
    expected_version: int


def course_dict(course: Course, decisions: dict[str, Any] | None = None) -> dict[str, Any]:
    from sektorbro.agreement import rules
    from sektorbro.courses.snapshot import build_snapshot

    state = decisions["status"] if decisions else rules.status(build_snapshot(course))
    return {
        "id": course.public_id,
        "citizen_id": course.citizen.public_id,
        "citizen_name": course.citizen.name,
        "hospital": course.hospital.name,
        "department": course.department.name if course.department else None,
        "area": course.area,
        "track": course.track,
        "admitted_at": course.admitted_at,
        "discharged_at": course.discharged_at,
        "status": state,
        "version": course.version,
    }


def event_dict(event: CourseEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "recorded_by": event.actor_label,
        "data": event.data,
        "supersedes": event.supersedes.seq if event.supersedes else None,
        "source_message_id": event.source_message_id,
    }


def _course(request: HttpRequest, course_id: str) -> Course:
    try:
        key = uuid.UUID(course_id)
    except ValueError as exc:
        raise Http404 from exc
    course = courses_visible_to(request.user).filter(public_id=key).first()
    if course is None:
        raise Http404
    return course


class LoggedCourses(BoundedPageNumberPagination):
    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        page = list(result["items"])
        log_access(
            request,
            request.user,
            list({c.citizen_id: c.citizen for c in page}.values()),
            "course.list",
            channel=getattr(request, "api_channel", "api"),
        )
        result["items"] = [course_dict(c) for c in page]
        return result


@router.get("/", response=list[CourseOut], summary="Courses the caller may see (open ones by default)")
@paginate(LoggedCourses, page_size=50)
def list_courses(request: HttpRequest, include_ended: bool = False) -> Any:
    qs = courses_visible_to(request.user).order_by("-admitted_at", "-id")
    if not include_ended:
        qs = qs.filter(ended_at__isnull=True)
    return qs


@router.get(
    "/{course_id}/", response=CourseDetailOut, summary="A course with its derived decisions and events"
)
def course_detail(request: HttpRequest, course_id: str) -> dict[str, Any]:
    course = _course(request, course_id)
    log_access(
        request, request.user, course.citizen, "course.detail", channel=getattr(request, "api_channel", "api")
    )
    decisions = decisions_for(course)
    data = course_dict(course, decisions)
    data["decisions"] = decisions
    data["events"] = [event_dict(e) for e in course.events.select_related("supersedes").order_by("seq")]
    return data


@router.post(
    "/{course_id}/events/", response={201: EventOut}, summary="Record an event (checked by the rules)"
)
def post_event(request: HttpRequest, course_id: str, payload: EventIn) -> Status:
    course = _course(request, course_id)
    data = dict(payload.data)
    if payload.date is not None:
        data["date"] = payload.date.isoformat()
    supersedes = None
    if payload.supersedes is not None:
        supersedes = course.events.filter(seq=payload.supersedes).first()
        if supersedes is None:
            from sektorbro.core.errors import DomainError

            raise DomainError("No event with that sequence number in this course.", field="supersedes")
    occurred = payload.occurred_at or timezone.now()
    event = services.record_event(
        actor=request.user,
        course=course,
        event_type=payload.type,
        occurred_at=occurred,
        data=data,
        expected_version=payload.expected_version,
        supersedes=supersedes,
    )
    log_access(
        request,
        request.user,
        course.citizen,
        "course.event_recorded",
        channel=getattr(request, "api_channel", "api"),
    )
    return Status(201, event_dict(event))
