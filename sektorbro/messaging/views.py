from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sektorbro.citizens.access import log_access, log_person_access
from sektorbro.messaging import selectors
from sektorbro.messaging.models import InboxStatus, MessageKind


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, 50).get_page(request.GET.get("page"))


def _log_citizens(request: HttpRequest, rows: list[Any], action: str) -> None:
    citizens = {row.citizen_id: row.citizen for row in rows if row.citizen_id}
    log_access(request, request.user, list(citizens.values()), action)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = selectors.inbox_visible_to(request.user).order_by("-received_at", "-id")
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status in InboxStatus.values:
        qs = qs.filter(status=status)
    if kind in MessageKind.values:
        qs = qs.filter(kind=kind)
    page = _page(request, qs)
    rows = list(page.object_list)
    _log_citizens(request, rows, "messaging.inbox")
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "kind": kind,
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


@login_required
def inbox_detail(request: HttpRequest, message_id: str) -> HttpResponse:
    message = selectors.inbox_visible_to(request.user).filter(public_id=message_id).first()
    if message is None:
        raise Http404
    if message.citizen is not None:
        log_access(request, request.user, message.citizen, "messaging.inbox_detail")
    else:  # the page shows the patient the message names: logged by message and keyed CPR hash
        log_person_access(
            request,
            request.user,
            message_ref=str(message.public_id),
            cpr=selectors.patient_cpr_of(message),
            action="messaging.inbox_detail",
        )
    return render(
        request,
        "messaging/inbox_detail.html",
        {"message": message, "replies": message.replies.all(), "tab": "inbox"},
    )


@login_required
def outbox_detail(request: HttpRequest, message_id: str) -> HttpResponse:
    message = selectors.outbox_visible_to(request.user).filter(public_id=message_id).first()
    if message is None:
        raise Http404
    if message.citizen is not None:
        log_access(request, request.user, message.citizen, "messaging.outbox_detail")
    return render(request, "messaging/outbox_detail.html", {"message": message, "tab": "outbox"})


@login_required
@require_POST
def reprocess(request: HttpRequest, message_id: str) -> HttpResponse:
    from sektorbro.messaging import ingest

    message = selectors.quarantine_visible_to(request.user).filter(public_id=message_id).first()
    if message is None:
        raise Http404
    result = ingest.reprocess(message, actor=request.user)
    if result.status == InboxStatus.ACCEPTED:
        messages.success(request, _("The message was processed again and accepted."))
    else:
        messages.warning(
            request,
            _("The message was processed again: %(status)s.") % {"status": result.get_status_display()},
        )
    return redirect("messaging:inbox_detail", message_id=message.public_id)
