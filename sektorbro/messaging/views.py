from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sektorbro.citizens.access import log_access, log_person_access
from sektorbro.core.errors import DomainError
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.messaging import addressing, selectors, services
from sektorbro.messaging.forms import ReplyForm
from sektorbro.messaging.models import InboxMessage, InboxStatus, MessageKind


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, 50).get_page(request.GET.get("page"))


def _log_citizens(request: HttpRequest, rows: list[Any], action: str) -> None:
    citizens = {row.citizen_id: row.citizen for row in rows if row.citizen_id}
    log_access(request, request.user, list(citizens.values()), action)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = selectors.with_unread(selectors.inbox_visible_to(request.user), request.user).order_by(
        "-received_at", "-id"
    )
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    unread = request.GET.get("unread", "") == "1"
    if status in InboxStatus.values:
        qs = qs.filter(status=status)
    if kind in MessageKind.values:
        qs = qs.filter(kind=kind)
    if unread:
        qs = qs.filter(selectors.unread_condition(request.user))
    page = _page(request, qs)
    rows = list(page.object_list)
    _log_citizens(request, rows, "messaging.inbox")
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "kind": kind,
        "unread": unread,
        "statuses": InboxStatus.choices,
        "kinds": MessageKind.choices,
        "tab": "inbox",
    }
    return render(request, "messaging/inbox.html", context)


@login_required
def quarantine(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.quarantine_visible_to(request.user).order_by("-received_at", "-id"))
    rows = list(page.object_list)
    _log_citizens(request, rows, "messaging.quarantine")
    return render(request, "messaging/quarantine.html", {"page": page, "rows": rows, "tab": "quarantine"})


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.outbox_visible_to(request.user).order_by("-created_at", "-id"))
    rows = list(page.object_list)
    _log_citizens(request, rows, "messaging.outbox")
    return render(request, "messaging/outbox.html", {"page": page, "rows": rows, "tab": "outbox"})


def _reply_form(request: HttpRequest, message: InboxMessage) -> ReplyForm | None:
    """A reply form when the message is a letter of a course the user may see and write in, and its sender can
    receive MedCom messages."""
    if message.kind != MessageKind.CARE_COMMUNICATION or message.course is None:
        return None
    course = courses_visible_to(request.user).filter(pk=message.course.pk).first()
    if course is None or not addressing.addressable(message.sender_unit):
        return None
    if addressing.reply_sender(request.user, course, message.receiver_unit) is None:
        return None
    return ReplyForm()


def _detail(
    request: HttpRequest, message: InboxMessage, reply_form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    course = None
    if message.course is not None:
        course = courses_visible_to(request.user).filter(pk=message.course.pk).first()
    reply_form = reply_form or _reply_form(request, message)
    context = {
        "message": message,
        "replies": message.replies.all(),
        "tab": "inbox",
        "read": selectors.is_read(message),
        "course": course,
        "reply_form": reply_form,
        "reply_from": (
            addressing.reply_sender(request.user, course, message.receiver_unit)
            if reply_form is not None and course is not None
            else None
        ),
    }
    return render(request, "messaging/inbox_detail.html", context, status=status)


def _visible_message(request: HttpRequest, message_id: uuid.UUID) -> InboxMessage:
    message = selectors.inbox_visible_to(request.user).filter(public_id=message_id).first()
    if message is None:
        raise Http404
    return message


def _log_detail(request: HttpRequest, message: InboxMessage, action: str) -> None:
    if message.citizen is not None:
        log_access(request, request.user, message.citizen, action)
    else:  # the page shows the patient the message names: logged by message and keyed CPR hash
        log_person_access(
            request,
            request.user,
            message_ref=str(message.public_id),
            cpr=selectors.patient_cpr_of(message),
            action=action,
        )


@login_required
def inbox_detail(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    message = _visible_message(request, message_id)
    _log_detail(request, message, "messaging.inbox_detail")
    # Opening a letter addressed to the user's organisation makes it read for the organisation.
    services.mark_read(actor=request.user, message=message)
    return _detail(request, message)


@login_required
@require_POST
def reply(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    message = _visible_message(request, message_id)
    _log_detail(request, message, "messaging.reply")
    if _reply_form(request, message) is None or message.course is None:
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            sent = services.send_correspondence(
                actor=request.user,
                course=message.course,
                reply_to=message,
                text=form.cleaned_data["text"],
                category="",  # the thread's category
                phone=form.cleaned_data["phone"],
            )
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
            )
            return _detail(request, message, form, status=exc.status)
        messages.success(
            request,
            _("The reply to %(receiver)s is in the outbox.") % {"receiver": sent.receiver_label},
        )
        return redirect("messaging:inbox_detail", message_id=message.public_id)
    return _detail(request, message, form, status=400)


@login_required
def outbox_detail(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    message = selectors.outbox_visible_to(request.user).filter(public_id=message_id).first()
    if message is None:
        raise Http404
    if message.citizen is not None:
        log_access(request, request.user, message.citizen, "messaging.outbox_detail")
    return render(request, "messaging/outbox_detail.html", {"message": message, "tab": "outbox"})


@login_required
@require_POST
def reprocess(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    from sektorbro.messaging import ingest

    message = selectors.quarantine_visible_to(request.user).filter(public_id=message_id).first()
    if message is None:
        raise Http404
    result = ingest.reprocess(message, actor=request.user)
    if result.status == InboxStatus.ACCEPTED:
        messages.success(request, _("The message was processed again and accepted."))
    elif result.reason:
        # Say what is still missing (an unknown organisation, a department without its hospital, an earlier
        # message not yet received), so the person fixing the cause knows what to do next.
        messages.warning(
            request,
            _("The message was processed again: %(status)s. Still missing: %(reason)s")
            % {"status": result.get_status_display(), "reason": result.reason},
        )
    else:
        messages.warning(
            request,
            _("The message was processed again: %(status)s.") % {"status": result.get_status_display()},
        )
    return redirect("messaging:inbox_detail", message_id=message.public_id)
