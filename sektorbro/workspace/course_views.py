from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sektorbro.agreement.transitions import check_transition
from sektorbro.citizens.access import care_relation_ids, log_access
from sektorbro.core.errors import ConflictError, DomainError
from sektorbro.courses import services
from sektorbro.courses.labels import DOCUMENT_LABELS, EVENT_LABELS, PARTY_LABELS
from sektorbro.courses.models import Course
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.courses.snapshot import build_snapshot, decisions_for
from sektorbro.messaging import selectors as message_selectors
from sektorbro.messaging import services as message_services
from sektorbro.messaging.models import MessageKind
from sektorbro.workspace.citizen_forms import relatives_section
from sektorbro.workspace.course_forms import CorrespondenceForm, CourseFactsForm, EventForm


def _course(request: HttpRequest, course_id: uuid.UUID) -> Course:
    course = courses_visible_to(request.user).filter(public_id=course_id).first()
    if course is None:
        raise Http404
    return course


def _allowed_event_types(user: Any, course: Course) -> list[str]:
    order = list(EVENT_LABELS)
    skip = {"admitted", "cancelled", "corrected", "correspondence_sent"}
    return [t for t in order if t not in skip and services.may_record(user, course, t)]


def _possible_now(course: Course, events: list[Any], types: list[str], now: dt.datetime) -> list[str]:
    """The events the course's history allows now (e.g. no discharge date after the discharge). The check is
    on the history's structure only (as for a reported fact): rules that depend on the time or the details the
    user gives, such as the weekend agreement, answer with their reason when the form is sent."""
    snapshot = build_snapshot(course, events)
    return [t for t in types if check_transition(snapshot, t, now, source="message").value]


def _course_messages(user: Any, course: Course) -> list[dict[str, Any]]:
    """The MedCom messages received and sent about this course that the user's organisation may read, oldest
    first (acknowledgements left out: they are shown on the message they answer)."""
    received = [
        {"at": m.received_at, "direction": "in", "message": m}
        for m in message_selectors.inbox_visible_to(user)
        .filter(course=course)
        .exclude(kind=MessageKind.ACKNOWLEDGEMENT)
        .select_related("sender_unit")
    ]
    sent = [
        {"at": m.created_at, "direction": "out", "message": m}
        for m in message_selectors.outbox_visible_to(user)
        .filter(course=course)
        .exclude(kind=MessageKind.ACKNOWLEDGEMENT)
    ]
    return sorted([*received, *sent], key=lambda item: item["at"])


def _lang(reasons: list[dict[str, str]]) -> list[str]:
    key = "en" if (get_language() or "da").startswith("en") else "da"
    return [r[key] for r in reasons]


def _labelled(events: list[Any]) -> list[tuple[Any, str, dt.date | None]]:
    return [
        (
            e,
            EVENT_LABELS.get(e.type, e.type),
            dt.date.fromisoformat(e.data["date"]) if e.data.get("date") else None,
        )
        for e in events
    ]


def _conflict(
    request: HttpRequest, course: Course, form: Any, exc: ConflictError, name: str, make: Any
) -> HttpResponse:
    """Somebody changed the course after the user loaded it: nothing was saved. Show what changed meanwhile and
    the user's own input again, now against the current version, so sending it again is a conscious choice."""
    course.refresh_from_db()
    events = list(course.events.select_related("supersedes", "organisation").order_by("seq"))
    seen = form.cleaned_data.get("seen_seq") or 0
    data = request.POST.copy()
    data["version"] = str(course.version)
    data["seen_seq"] = str(events[-1].seq if events else 0)
    again = make(data)
    again.is_valid()
    again.add_error(
        None,
        f"{exc.message} "
        + _("The changes are listed above the forms. Send the form again to record your entry anyway."),
    )
    changed = _labelled([e for e in events if e.seq > seen])
    return render(
        request,
        "workspace/course.html",
        _context(request, course, changed=changed, **{name: again}),
        status=409,
    )


def _date(value: Any) -> dt.date | None:
    """A date from the rules core (ISO text), for the template to format the local way."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10]) if value else None


def _context(request: HttpRequest, course: Course, **forms: Any) -> dict[str, Any]:
    decisions = decisions_for(course)
    events = list(course.events.select_related("supersedes", "organisation").order_by("seq"))
    last_seq = events[-1].seq if events else 0
    changeable = services.facts_changeable_by(request.user, course)
    now = timezone.localtime().replace(second=0, microsecond=0)
    allowed = _possible_now(course, events, _allowed_event_types(request.user, course), now)
    for deadline in decisions["deadlines"]:
        deadline["due_at"] = dt.datetime.fromisoformat(deadline["due"]) if deadline["due"] else None
        deadline["party_label"] = PARTY_LABELS.get(deadline["party"], deadline["party"])
        deadline["text_local"] = _lang([deadline["text"]])[0]
    for task in decisions["tasks"]:
        task["text_local"] = _lang([task["text"]])[0]
        task["party_label"] = PARTY_LABELS.get(task["party"], task["party"])
    why = {
        key: _lang(decisions[key]["reasons"])
        if isinstance(decisions.get(key), dict) and "reasons" in decisions[key]
        else []
        for key in (
            "ready_for_discharge",
            "billing",
            "extended_responsibility_72h",
            "responsible_doctor",
            "documents",
        )
    }
    return {
        "course": course,
        "citizen": course.citizen,
        "care_relation": bool(care_relation_ids(request.user, [course.citizen])),
        "d": decisions,
        "why": why,
        "status_label": _lang([decisions["status_label"]])[0],
        "ready_date": _date(decisions["ready_for_discharge"].get("date")),
        "events": _labelled(events),
        "course_messages": _course_messages(request.user, course),
        "changed": forms.get("changed"),
        "required": [
            (doc, DOCUMENT_LABELS[doc], doc in decisions["missing_documents"])
            for doc in decisions["required_documents"]
        ],
        "event_form": forms.get("event_form")
        or (
            EventForm(
                event_types=allowed,
                initial={"version": course.version, "seen_seq": last_seq, "occurred_at": now},
            )
            if allowed
            else None
        ),
        "correspondence_form": forms.get("correspondence_form")
        or CorrespondenceForm(
            initial={"version": course.version, "seen_seq": last_seq, "category": "discharge"}
        ),
        "may_write": services.may_record(request.user, course, "correspondence_sent"),
        "facts_form": (
            forms.get("facts_form")
            or CourseFactsForm(
                changeable=changeable,
                initial={
                    "track": course.track,
                    "rehabilitation_needed": course.rehabilitation_needed,
                    "municipal_nursing_after_discharge": course.municipal_nursing_after_discharge,
                    "version": course.version,
                    "seen_seq": last_seq,
                },
            )
        )
        if changeable
        else None,
        **relatives_section(course.citizen),
    }


@login_required
def course_detail(request: HttpRequest, course_id: uuid.UUID) -> HttpResponse:
    course = _course(request, course_id)
    log_access(request, request.user, course.citizen, "course.detail")
    return render(request, "workspace/course.html", _context(request, course))


@login_required
@require_POST
def record_event(request: HttpRequest, course_id: uuid.UUID) -> HttpResponse:
    course = _course(request, course_id)
    log_access(request, request.user, course.citizen, "course.record_event")
    form = EventForm(request.POST, event_types=_allowed_event_types(request.user, course))
    if form.is_valid():
        data: dict[str, Any] = {}
        if form.cleaned_data.get("date"):
            data["date"] = form.cleaned_data["date"].isoformat()
        if form.cleaned_data.get("note"):
            data["note"] = form.cleaned_data["note"]
        if form.cleaned_data.get("destination"):
            data["destination"] = form.cleaned_data["destination"]
        if changes := form.care_plan_changes():
            data["changes"] = changes
        if form.cleaned_data["type"] == "discharged" and form.cleaned_data.get("municipal_nursing"):
            data["municipal_nursing"] = True
        try:
            services.record_event(
                actor=request.user,
                course=course,
                event_type=form.cleaned_data["type"],
                occurred_at=form.cleaned_data["occurred_at"],
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            allowed = _allowed_event_types(request.user, course)
            return _conflict(
                request, course, form, exc, "event_form", lambda data: EventForm(data, event_types=allowed)
            )
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
            )
            return render(
                request,
                "workspace/course.html",
                _context(request, course, event_form=form),
                status=exc.status,
            )
        messages.success(
            request, _("Recorded: %(event)s.") % {"event": EVENT_LABELS[form.cleaned_data["type"]]}
        )
        return redirect("courses:detail", course_id=course.public_id)
    return render(request, "workspace/course.html", _context(request, course, event_form=form), status=400)


@login_required
@require_POST
def send_correspondence(request: HttpRequest, course_id: uuid.UUID) -> HttpResponse:
    course = _course(request, course_id)
    log_access(request, request.user, course.citizen, "course.send_correspondence")
    form = CorrespondenceForm(request.POST)
    if form.is_valid():
        try:
            message_services.send_correspondence(
                actor=request.user,
                course=course,
                text=form.cleaned_data["text"],
                category=form.cleaned_data["category"],
                topic=form.cleaned_data["topic"],
                phone=form.cleaned_data["phone"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            return _conflict(request, course, form, exc, "correspondence_form", CorrespondenceForm)
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
            )
            return render(
                request,
                "workspace/course.html",
                _context(request, course, correspondence_form=form),
                status=exc.status,
            )
        messages.success(request, _("The correspondence message is in the outbox."))
        return redirect("courses:detail", course_id=course.public_id)
    return render(
        request, "workspace/course.html", _context(request, course, correspondence_form=form), status=400
    )


@login_required
@require_POST
def update_facts(request: HttpRequest, course_id: uuid.UUID) -> HttpResponse:
    course = _course(request, course_id)
    log_access(request, request.user, course.citizen, "course.update_facts")
    changeable = services.facts_changeable_by(request.user, course)
    if not changeable:
        raise PermissionDenied
    form = CourseFactsForm(request.POST, changeable=changeable)
    if form.is_valid():
        try:
            services.update_course_facts(
                actor=request.user,
                course=course,
                expected_version=form.cleaned_data["version"],
                track=form.cleaned_data.get("track"),
                rehabilitation_needed=form.cleaned_data.get("rehabilitation_needed"),
                municipal_nursing_after_discharge=form.cleaned_data.get("municipal_nursing_after_discharge"),
            )
        except ConflictError as exc:

            def again(data: Any) -> CourseFactsForm:
                return CourseFactsForm(data, changeable=changeable)

            return _conflict(request, course, form, exc, "facts_form", again)
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
            )
            return render(
                request,
                "workspace/course.html",
                _context(request, course, facts_form=form),
                status=exc.status,
            )
        messages.success(request, _("The course's details are saved."))
        return redirect("courses:detail", course_id=course.public_id)
    return render(request, "workspace/course.html", _context(request, course, facts_form=form), status=400)
