from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sektorbro.agreement import rules
from sektorbro.agreement.model import IN_HOSPITAL_STATUSES
from sektorbro.citizens.access import care_relation_ids, log_access
from sektorbro.core.errors import ConflictError, DomainError
from sektorbro.courses import services
from sektorbro.courses.labels import DOCUMENT_LABELS, EVENT_LABELS, PARTY_LABELS
from sektorbro.courses.models import Course
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.courses.snapshot import agreement_settings, build_snapshot, decisions_for
from sektorbro.messaging import addressing
from sektorbro.messaging import selectors as message_selectors
from sektorbro.messaging import services as message_services
from sektorbro.messaging.models import MessageKind
from sektorbro.workspace.citizen_forms import relatives_section
from sektorbro.workspace.course_forms import (
    ANSWERS,
    PHONE_AGREEMENTS,
    CorrespondenceForm,
    CourseFactsForm,
    EventForm,
    PhoneAgreementForm,
)
from sektorbro.workspace.worklists import discharge_date_view

#: Events answered with a button or a small form on the timeline or in the tasks: a refusal is shown there.
INLINE = ("cancelled", *ANSWERS)


def _course(request: HttpRequest, course_id: uuid.UUID) -> Course:
    course = courses_visible_to(request.user).filter(public_id=course_id).first()
    if course is None:
        raise Http404
    return course


# The psychiatric discharge agreement and coordination plan (aftalen, psykiatri): not offered on somatic courses.
PSYCHIATRIC_ONLY = frozenset({"discharge_agreement_made", "coordination_plan_made"})


def _allowed_event_types(user: Any, course: Course) -> list[str]:
    order = list(EVENT_LABELS)
    skip = {"admitted", "cancelled", "corrected", "correspondence_sent"}
    if course.area != "psychiatric":
        skip |= PSYCHIATRIC_ONLY
    return [t for t in order if t not in skip and services.may_record(user, course, t)]


def _possible_now(course: Course, events: list[Any], types: list[str], now: dt.datetime) -> list[str]:
    """The events the course's history allows now (e.g. no discharge date after the discharge). The check is
    on the history's structure only (as for a reported fact): rules that depend on the time or the details the
    user gives, such as the weekend agreement, answer with their reason when the form is sent."""
    snapshot = build_snapshot(course, events)
    # A phone agreement's details (who, when) are the user's to give; here only whether one may be recorded now.
    details = {"counterpart": "-", "call_at": now.isoformat()}
    return [
        t
        for t in types
        if rules.check_transition(
            snapshot, t, now, source="message", data=details if t in PHONE_AGREEMENTS else None
        ).value
    ]


def _answers(user: Any, course: Course, events: list[Any], now: dt.datetime) -> dict[str, Any]:
    """What the user may answer with one button (aftalen 2.1): accept the other party's pending proposal, or
    dispute a phone agreement the other party recorded in the name of the user's organisation."""
    snapshot = build_snapshot(course, events)
    effective = rules.effective_events(snapshot)
    party = services.proposing_party(user, course, "user")
    accept = None
    proposal = rules.pending_proposal(effective)
    if (
        proposal is not None
        and proposal.date is not None
        and party
        and proposal.data.get("by") != party
        and services.may_record(user, course, "discharge_date_accepted")
        and rules.check_transition(
            snapshot, "discharge_date_accepted", now, data={"by": party}, source="user"
        ).value
    ):
        accept = {"seq": proposal.seq, "date": proposal.date}
    disputable: set[int] = set()
    if party and services.may_record(user, course, "discharge_agreement_disputed"):
        for event in effective:
            if (
                event.type in PHONE_AGREEMENTS
                and event.seq is not None
                and event.data.get("by") not in (None, party)
                and rules.check_transition(
                    snapshot,
                    "discharge_agreement_disputed",
                    now,
                    data={"by": party, "ref_seq": event.seq},
                    source="user",
                ).value
            ):
                disputable.add(event.seq)
    cancellable: set[int] = set()
    if services.may_record(user, course, "cancelled"):
        settings = agreement_settings()
        for event in effective:
            if (
                event.type == "ready_for_discharge"
                and event.seq is not None
                and rules.ready_cancellation(
                    snapshot, now, {"target_seq": event.seq, "reason": "-"}, settings
                ).value
            ):
                cancellable.add(event.seq)
    return {"accept_proposal": accept, "disputable": disputable, "cancellable": cancellable}


def _course_messages(user: Any, course: Course) -> list[dict[str, Any]]:
    """The MedCom messages received and sent about this course that the user's organisation may read, oldest
    first (acknowledgements left out: they are shown on the message they answer)."""
    received = [
        {"at": m.received_at, "direction": "in", "message": m}
        for m in message_selectors.with_unread(message_selectors.inbox_visible_to(user), user)
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
    for e in events:  # a phone agreement's call, for the template to show the local way
        raw = e.data.get("call_at") if isinstance(e.data, dict) else None
        try:
            e.call_time = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            e.call_time = None
        data = e.data if isinstance(e.data, dict) else {}
        # A færdigbehandlet registration's checklist and reason for waiting (aftalen 2.1), for both parties.
        e.ready_items = (
            [
                (_lang([label.as_dict()])[0], data[key])
                for key, label in rules.READY_CHECKLIST.items()
                if isinstance(data.get(key), bool)
            ]
            if e.type == "ready_for_discharge"
            else []
        )
        waiting = rules.WAITING_FOR.get(str(data.get("waiting_for") or ""))
        e.waiting_label = _lang([waiting.as_dict()])[0] if waiting and e.type == "ready_for_discharge" else ""
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


def _care_plan_to_acknowledge(user: Any, course: Course, events: list[Any]) -> Any:
    """The latest care plan when the user's municipality may mark it (and its NYT changes) read, else None."""
    if not services.may_record(user, course, "care_plan_acknowledged"):
        return None
    return rules.care_plan_to_acknowledge(rules.effective_events(build_snapshot(course, events)))


def _recipients(user: Any, course: Course) -> list[Any]:
    """The valid recipients of the user's letter in this course (empty: the user's organisation may not write)."""
    sender = addressing.sender_unit(user, course)
    return addressing.recipients(sender, course) if sender is not None else []


def _letter_form(user: Any, course: Course, form: Any, last_seq: int) -> dict[str, Any]:
    """The letter form, offered only to a user whose organisation may write in the course, naming the valid
    recipients (the default first)."""
    recipients = _recipients(user, course)
    return {
        "may_write": bool(recipients),
        "correspondence_form": form
        or CorrespondenceForm(
            recipients=recipients,
            initial={"version": course.version, "seen_seq": last_seq, "category": "discharge"},
        ),
    }


def _transfers(user: Any, course: Course) -> dict[str, Any]:
    """The transfers around the course (one regional stay, aftalen 2.2): where the citizen came from and where
    they went, each with a link to that course when the user may see it."""
    visible = courses_visible_to(user)

    def link(other: Course) -> str | None:
        if visible.filter(pk=other.pk).exists():
            return reverse("courses:detail", args=[other.public_id])
        return None

    found: dict[str, Any] = {}
    previous = course.previous_course
    if previous is not None:
        found["transfer_from"] = {
            "hospital": previous.hospital.name,
            "at": previous.discharged_at or previous.ended_at,
            "url": link(previous),
        }
    following = Course.objects.filter(previous_course=course).select_related("hospital").first()
    if following is not None:
        found["transfer_to"] = {
            "hospital": following.hospital.name,
            "at": following.admitted_at,
            "url": link(following),
        }
    return found


def _context(request: HttpRequest, course: Course, **forms: Any) -> dict[str, Any]:
    decisions = decisions_for(course)
    events = list(course.events.select_related("supersedes", "organisation").order_by("seq"))
    last_seq = events[-1].seq if events else 0
    changeable = services.facts_changeable_by(request.user, course)
    now = timezone.localtime().replace(second=0, microsecond=0)
    allowed = _possible_now(course, events, _allowed_event_types(request.user, course), now)
    generic = [t for t in allowed if t not in PHONE_AGREEMENTS and t not in ANSWERS]
    phone = [t for t in allowed if t in PHONE_AGREEMENTS]
    for deadline in decisions["deadlines"]:
        deadline["due_at"] = dt.datetime.fromisoformat(deadline["due"]) if deadline["due"] else None
        deadline["party_label"] = PARTY_LABELS.get(deadline["party"], deadline["party"])
        deadline["text_local"] = _lang([deadline["text"]])[0]
    for task in [*decisions["tasks"], *decisions["missed"]]:
        task["text_local"] = _lang([task["text"]])[0]
        task["party_label"] = PARTY_LABELS.get(task["party"], task["party"])
    missed_rules = {t["rule"] for t in decisions["missed"] if t["code"].startswith("deadline:")}
    for deadline in decisions["deadlines"]:
        deadline["missed"] = deadline["rule"] in missed_rules
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
        "discharge_date": discharge_date_view(
            decisions["discharge_date"], now.date() if decisions["status"] in IN_HOSPITAL_STATUSES else None
        ),
        # A refused answer, cancellation or dispute: shown at its own form, with what the user typed.
        "refusal": forms.get("refusal"),
        "ready_date": _date(decisions["ready_for_discharge"].get("date")),
        "events": _labelled(events),
        **_transfers(request.user, course),
        "course_messages": _course_messages(request.user, course),
        "changed": forms.get("changed"),
        "required": [
            (doc, DOCUMENT_LABELS[doc], doc in decisions["missing_documents"])
            for doc in decisions["required_documents"]
        ],
        "event_form": forms.get("event_form")
        or (
            EventForm(
                event_types=generic,
                initial={"version": course.version, "seen_seq": last_seq, "occurred_at": now},
            )
            if generic
            else None
        ),
        "phone_form": forms.get("phone_form")
        or (
            PhoneAgreementForm(
                event_types=phone,
                initial={"version": course.version, "seen_seq": last_seq, "occurred_at": now, "call_at": now},
            )
            if phone
            else None
        ),
        "now": now,
        "last_seq": last_seq,
        **_answers(request.user, course, events, now),
        **_letter_form(request.user, course, forms.get("correspondence_form"), last_seq),
        "care_plan_to_acknowledge": _care_plan_to_acknowledge(request.user, course, events),
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


def _refused_inline(
    request: HttpRequest, course: Course, message: str, status: int, changed: bool = False
) -> HttpResponse:
    """A refused answer (accept a proposal, dispute an agreement) or cancellation: the page again with the
    refusal at the form that was sent, focused, and the text the user typed kept (``refusal``)."""
    try:
        ref_seq = int(request.POST.get("ref_seq") or 0)
    except ValueError:
        ref_seq = 0
    refusal = {
        "kind": request.POST.get("type", ""),
        "ref_seq": ref_seq,
        "message": message,
        "note": request.POST.get("note", "")[:1000],
    }
    extra: dict[str, Any] = {"refusal": refusal}
    if changed:
        course.refresh_from_db()
        try:
            seen = int(request.POST.get("seen_seq") or 0)
        except ValueError:
            seen = 0
        events = list(course.events.select_related("supersedes", "organisation").order_by("seq"))
        extra["changed"] = _labelled([e for e in events if e.seq > seen])
    return render(request, "workspace/course.html", _context(request, course, **extra), status=status)


def _done(request: HttpRequest, course: Course) -> HttpResponse:
    """After a recorded event: back to the worklist when the button was on its row, else to the course."""
    if request.POST.get("next") == "worklist":
        return redirect("home")
    return redirect("courses:detail", course_id=course.public_id)


@login_required
@require_POST
def record_event(request: HttpRequest, course_id: uuid.UUID) -> HttpResponse:
    course = _course(request, course_id)
    log_access(request, request.user, course.citizen, "course.record_event")
    allowed = _allowed_event_types(request.user, course)
    if services.may_record(request.user, course, "cancelled"):
        allowed.append(
            "cancelled"
        )  # only a ready registration, with the button on the timeline (aftalen 2.1)
    phone = request.POST.get("type") in PHONE_AGREEMENTS
    inline = request.POST.get("type") in INLINE
    form_class = PhoneAgreementForm if phone else EventForm
    name = "phone_form" if phone else "event_form"
    form = form_class(request.POST, event_types=allowed)
    if form.is_valid():
        data: dict[str, Any] = {}
        if form.cleaned_data.get("date"):
            data["date"] = form.cleaned_data["date"].isoformat()
        kind = form.cleaned_data["type"]
        if form.cleaned_data.get("note"):
            key = "reason" if kind in ("discharge_agreement_disputed", "cancelled") else "note"
            data[key] = form.cleaned_data["note"]
        supersedes = None
        if kind == "cancelled":
            supersedes = course.events.filter(
                seq=form.cleaned_data.get("ref_seq") or 0, type="ready_for_discharge"
            ).first()
            if supersedes is None:
                raise Http404
        if form.cleaned_data.get("ref_seq") and form.cleaned_data["type"] in ANSWERS:
            data["ref_seq"] = form.cleaned_data["ref_seq"]
        if phone:
            data["counterpart"] = form.cleaned_data["counterpart"]
            data["call_at"] = form.cleaned_data["call_at"].isoformat()
        if form.cleaned_data.get("destination"):
            data["destination"] = form.cleaned_data["destination"]
        if changes := form.care_plan_changes():
            data["changes"] = changes
        if not phone:
            data.update(form.ready_data())
            data.update(form.doctor_data())
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
                supersedes=supersedes,
            )
        except ConflictError as exc:
            if inline:
                message = f"{exc.message} " + _(
                    "The changes are listed below. Look at them, then send your answer again if it still applies."
                )
                return _refused_inline(request, course, message, exc.status, changed=True)
            return _conflict(
                request, course, form, exc, name, lambda data: form_class(data, event_types=allowed)
            )
        except DomainError as exc:
            if inline:
                return _refused_inline(request, course, exc.message, exc.status)
            form.add_error(
                exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
            )
            return render(
                request,
                "workspace/course.html",
                _context(request, course, **{name: form}),
                status=exc.status,
            )
        messages.success(
            request, _("Recorded: %(event)s.") % {"event": EVENT_LABELS[form.cleaned_data["type"]]}
        )
        return _done(request, course)
    if inline:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return _refused_inline(request, course, " ".join(problems), 400)
    return render(request, "workspace/course.html", _context(request, course, **{name: form}), status=400)


@login_required
@require_POST
def send_correspondence(request: HttpRequest, course_id: uuid.UUID) -> HttpResponse:
    course = _course(request, course_id)
    log_access(request, request.user, course.citizen, "course.send_correspondence")
    # No recipients: the user's organisation may not write here; the service refuses it (403) at the form.
    recipients = _recipients(request.user, course)

    def letter_form(data: Any) -> CorrespondenceForm:
        return CorrespondenceForm(data, recipients=recipients)

    form = letter_form(request.POST)
    if form.is_valid():
        try:
            sent = message_services.send_correspondence(
                actor=request.user,
                course=course,
                text=form.cleaned_data["text"],
                category=form.cleaned_data["category"],
                topic=form.cleaned_data["topic"],
                phone=form.cleaned_data["phone"],
                receiver=form.cleaned_data["receiver"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            return _conflict(request, course, form, exc, "correspondence_form", letter_form)
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
        messages.success(
            request,
            _("The correspondence message to %(receiver)s is in the outbox.")
            % {"receiver": sent.receiver_label},
        )
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
