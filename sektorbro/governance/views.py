"""The meeting pages under /moeder/: thin views (form → service → redirect, or the page again with the form's
errors). Reads go through ``access.py`` and ``selectors.py``: a meeting outside the user's scope is a 404, an
edit by someone who only reads is a 403. Nothing here is citizen data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sektorbro.core.errors import ConflictError, DomainError
from sektorbro.core.pdf import html_to_pdf
from sektorbro.governance import access, selectors, services
from sektorbro.governance import minutes as printing
from sektorbro.governance.forms import (
    ActionItemForm,
    AttachmentForm,
    AttendanceForm,
    CloseActionForm,
    DecisionForm,
    ItemForm,
    MeetingForm,
    MoveForm,
    ParticipantForm,
    PublishForm,
    VersionForm,
)
from sektorbro.governance.models import (
    ActionStatus,
    AgendaItem,
    Attachment,
    Attendance,
    Group,
    Meeting,
    MeetingStatus,
)

ACTION_STATES = {
    "open": gettext_lazy("Open"),
    "overdue": gettext_lazy("Overdue"),
    "done": gettext_lazy("Closed"),
    "all": gettext_lazy("All"),
}


def user_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and an active member of some organisation (or an administrator)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.may_use(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _editable_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = access.get_meeting(request.user, meeting_id)
    if not access.can_edit(request.user, meeting.group):
        raise PermissionDenied
    return meeting


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    return reverse("governance:meeting", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")


def _users_for(group: Group) -> list[Any]:
    """Who an action item may be assigned to by user account: the group's members and secretaries."""
    users = {m.user for m in group.members.filter(active=True, user__isnull=False).select_related("user")}
    users |= set(group.secretaries.all())
    return sorted((u for u in users if u is not None), key=lambda u: u.display_name())


# --------------------------------------------------------------------------------------------- the overview


@user_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    meetings = selectors.meetings_with_minutes_visible_to(user)
    editable = set(access.editable_groups(user).values_list("pk", flat=True))
    mine = list(access.readable_groups(user))
    return render(
        request,
        "governance/index.html",
        {
            "today": today,
            "my_groups": [(g, g.pk in editable) for g in mine],
            "other_groups": access.groups_visible_to(user).exclude(pk__in=[g.pk for g in mine]),
            "upcoming": list(meetings.filter(date__gte=today).order_by("date", "starts_at")[:10]),
            "recent": list(meetings.filter(date__lt=today).order_by("-date")[:10]),
            "my_actions": list(selectors.my_action_items(user)[:50]),
        },
    )


# -------------------------------------------------------------------------------------------- a group's page


def _entry_text(value: Any) -> str:
    """One entry of a terms-of-reference list (a string, or an object such as {"date": …, "text": …})."""
    if isinstance(value, dict):
        parts = [_entry_text(v) for v in value.values()]
        return " – ".join(p for p in parts if p)
    if isinstance(value, list):
        return "; ".join(p for p in (_entry_text(v) for v in value) if p)
    if value is None:
        return ""
    text = str(value)
    try:
        return dt.date.fromisoformat(text).strftime("%d.%m.%Y") if len(text) == 10 else text
    except ValueError:
        return text


def _terms_sections(terms: Any) -> list[dict[str, Any]]:
    """The kommissorium section by section: heading, paragraphs and list entries."""
    sections: list[dict[str, Any]] = []

    def add(heading: str, value: Any) -> None:
        if not value:
            return
        if isinstance(value, str):
            sections.append({"heading": heading, "paragraphs": [p for p in value.split("\n\n") if p.strip()]})
        else:
            sections.append({"heading": heading, "entries": [e for e in map(_entry_text, value) if e]})

    add(_("Background"), terms.background)
    add(_("Purpose"), terms.purpose)
    add(_("Tasks"), terms.tasks)
    add(_("Organisation"), terms.organisation)
    add(_("Composition"), terms.composition)
    add(_("Chairs"), terms.chairs)
    add(_("Secretariat"), terms.secretariat)
    add(_("Reporting"), terms.reporting)
    for other in terms.other_sections or []:
        if isinstance(other, dict):
            heading = str(other.get("heading") or other.get("title") or "")
            body = other.get("text") or other.get("body") or other.get("items") or ""
            add(heading or _("Other"), body)
        else:
            add(_("Other"), [other])
    timeline = [t for t in terms.timeline or [] if t]
    if timeline and all(isinstance(t, dict) for t in timeline):
        rows = [
            (
                _entry_text(t.get("when") or t.get("date") or ""),
                _entry_text(t.get("what") or t.get("text") or ""),
            )
            for t in timeline
        ]
        sections.append({"heading": _("Timeline"), "timeline": rows})
    else:
        add(_("Timeline"), timeline)
    return sections


@user_required
@require_GET
def group_detail(request: HttpRequest, key: str) -> HttpResponse:
    group = get_object_or_404(access.groups_visible_to(request.user), key=key)
    return _render_group(request, group)


def _render_group(
    request: HttpRequest, group: Group, form: MeetingForm | None = None, status: int = 200
) -> HttpResponse:
    terms = list(group.terms.order_by("-version"))
    chosen = terms[0] if terms else None
    if request.GET.get("version") and terms:
        chosen = next((t for t in terms if str(t.version) == request.GET["version"]), None)
        if chosen is None:
            raise Http404
    can_edit = access.can_edit(request.user, group)
    meetings = selectors.meetings_with_minutes_visible_to(request.user).filter(group=group).order_by("-date")
    return render(
        request,
        "governance/group.html",
        {
            "group": group,
            "members": group.members.filter(active=True).order_by("position", "id"),
            "terms": terms,
            "chosen": chosen,
            "sections": _terms_sections(chosen) if chosen else [],
            "meetings": meetings,
            "can_edit": can_edit,
            "reads_all": access.can_read_all(request.user, group),
            "meeting_form": (form or MeetingForm(creating=True)) if can_edit else None,
        },
        status=status,
    )


@user_required
@require_POST
def meeting_create(request: HttpRequest, key: str) -> HttpResponse:
    group = get_object_or_404(access.groups_visible_to(request.user), key=key)
    if not access.can_edit(request.user, group):
        raise PermissionDenied
    form = MeetingForm(request.POST, creating=True)
    if form.is_valid():
        try:
            meeting = services.create_meeting(
                actor=request.user,
                group=group,
                **{k: form.cleaned_data[k] for k in ("date", "title", "starts_at", "ends_at", "location")},
                case_number=form.cleaned_data["case_number"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _render_group(request, group, form, status=exc.status)
        messages.success(request, _("The meeting is created. Add the agenda items."))
        return redirect(_meeting_url(meeting))
    return _render_group(request, group, form, status=400)


# ------------------------------------------------------------------------------------------ a meeting's page


def _attendance_groups(participants: list[Any]) -> list[tuple[str, Any, list[Any]]]:
    order = [Attendance.PRESENT, Attendance.APOLOGIES, Attendance.ABSENT, Attendance.EXPECTED]
    return [
        (str(value), Attendance(value).label, [p for p in participants if p.attendance == value])
        for value in order
        if any(p.attendance == value for p in participants)
    ]


def _meeting_context(request: HttpRequest, meeting: Meeting, bound: dict[Any, Any]) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    can_edit = access.can_edit(user, meeting.group)
    locked = meeting.status == MeetingStatus.PUBLISHED
    editing = can_edit and not locked
    version = meeting.version
    participants = list(meeting.participants.order_by("position", "id"))
    users = _users_for(meeting.group) if editing else []
    rows = []
    for item in meeting.items.prefetch_related("attachments", "action_items").order_by("number"):
        row: dict[str, Any] = {"item": item}
        if editing:
            auto = f"id_item{item.pk}_%s"
            row["edit_form"] = bound.get(("item", item.pk)) or ItemForm(
                initial=ItemForm.initial_for(item, version), auto_id=auto
            )
            row["decision_form"] = bound.get(("decision", item.pk)) or DecisionForm(
                initial={"decision": item.decision, "version": version}, auto_id=f"id_decision{item.pk}_%s"
            )
            row["attachment_form"] = bound.get(("attachment", item.pk)) or AttachmentForm(
                initial={"version": version}, auto_id=f"id_attachment{item.pk}_%s"
            )
            row["action_form"] = bound.get(("action", item.pk)) or ActionItemForm(
                initial={"version": version}, users=users, auto_id=f"id_action{item.pk}_%s"
            )
        rows.append(row)
    follow_up = selectors.follow_up(meeting)
    close_forms = {}
    if editing:
        for action in follow_up:
            if action.status == ActionStatus.OPEN:
                close_forms[action.pk] = bound.get(("close", action.pk)) or CloseActionForm(
                    initial={
                        "meeting": meeting.pk,
                        "version": version,
                        "next": _meeting_url(meeting, "opfoelgning"),
                    },
                    auto_id=f"id_close{action.pk}_%s",
                )
    versions = list(meeting.minutes_versions.order_by("-number"))
    correcting = meeting.status == MeetingStatus.HELD and bool(versions)
    facts = []
    if meeting.starts_at:
        until = f"–{meeting.ends_at:%H:%M}" if meeting.ends_at else ""
        facts.append((_("Time"), f"{meeting.starts_at:%H:%M}{until}"))
    if meeting.location:
        facts.append((_("Location"), meeting.location))
    if meeting.case_number:
        facts.append((_("Case number"), meeting.case_number))
    return {
        "facts": facts,
        "meeting": meeting,
        "group": meeting.group,
        "today": today,
        "can_edit": can_edit,
        "locked": locked,
        "editing": editing,
        "correcting": correcting,
        "participants": participants,
        "attendance_groups": _attendance_groups(participants),
        "rows": rows,
        "follow_up": [(a, close_forms.get(a.pk), a.is_overdue(today)) for a in follow_up],
        "raised": [
            (a, a.is_overdue(today))
            for a in meeting.action_items.select_related("item").order_by("deadline", "id")
        ],
        "versions": versions,
        "meeting_form": (
            bound.get("meeting")
            or MeetingForm(
                initial={
                    "title": meeting.title,
                    "date": meeting.date,
                    "starts_at": meeting.starts_at,
                    "ends_at": meeting.ends_at,
                    "location": meeting.location,
                    "case_number": meeting.case_number,
                    "version": version,
                },
                auto_id="id_meeting_%s",
            )
        )
        if editing
        else None,
        "item_form": (bound.get("item") or ItemForm(initial={"version": version}, auto_id="id_newitem_%s"))
        if editing
        else None,
        "attendance_form": (
            bound.get("attendance")
            or AttendanceForm(participants=participants, initial={"version": version}, auto_id="id_att_%s")
        )
        if editing and participants
        else None,
        "participant_form": (
            bound.get("participant") or ParticipantForm(initial={"version": version}, auto_id="id_guest_%s")
        )
        if editing
        else None,
        "held_form": VersionForm(initial={"version": version}, auto_id="id_held_%s")
        if editing and meeting.status == MeetingStatus.PLANNED
        else None,
        "publish_form": (
            bound.get("publish") or PublishForm(initial={"version": version}, auto_id="id_publish_%s")
        )
        if editing and meeting.status == MeetingStatus.HELD
        else None,
        "correct_form": VersionForm(initial={"version": version}, auto_id="id_correct_%s")
        if can_edit and locked
        else None,
        "move_forms": editing,
        "error_form": bound.get("error"),
    }


def _render_meeting(
    request: HttpRequest, meeting: Meeting, bound: dict[Any, Any] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request, "governance/meeting.html", _meeting_context(request, meeting, bound or {}), status=status
    )


@user_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_minutes(request.user, meeting_id)
    if not selectors.reads_live(request.user, meeting):
        # Published minutes under correction: readers see the published version.
        return redirect("governance:minutes", meeting_id=meeting.pk)
    return _render_meeting(request, meeting)


def _failed(request: HttpRequest, meeting: Meeting, key: Any, form: Any, exc: DomainError) -> HttpResponse:
    """The page again with the user's entry and the reason it was not saved. After a conflict the entry is
    shown against the current version, so sending it again is a conscious choice."""
    meeting.refresh_from_db()
    if isinstance(exc, ConflictError) and exc.field == "version":
        data = form.data.copy()
        data["version"] = str(meeting.version)
        form.data = data
        form.full_clean()
        form.add_error(None, f"{exc.message} " + _("Your entry is shown again: send it again to save it."))
    else:
        form.add_error(
            exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
        )
    return _render_meeting(request, meeting, {key: form}, status=exc.status)


def _submit(
    request: HttpRequest,
    meeting: Meeting,
    key: Any,
    form: Any,
    action: Callable[[dict[str, Any]], Any],
    done: str,
    anchor: str = "",
) -> HttpResponse:
    if not form.is_valid():
        return _render_meeting(request, meeting, {key: form}, status=400)
    try:
        action(form.cleaned_data)
    except DomainError as exc:
        return _failed(request, meeting, key, form, exc)
    messages.success(request, done)
    return redirect(_meeting_url(meeting, anchor))


@user_required
@require_POST
def meeting_update(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, meeting_id)
    form = MeetingForm(request.POST, auto_id="id_meeting_%s")
    return _submit(
        request,
        meeting,
        "meeting",
        form,
        lambda d: services.update_meeting(
            actor=request.user,
            meeting=meeting,
            expected_version=d["version"],
            **{k: d[k] for k in ("date", "title", "starts_at", "ends_at", "location", "case_number")},
        ),
        _("The meeting's details are saved."),
    )


@user_required
@require_POST
def attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, meeting_id)
    form = AttendanceForm(
        request.POST, participants=list(meeting.participants.order_by("position", "id")), auto_id="id_att_%s"
    )
    return _submit(
        request,
        meeting,
        "attendance",
        form,
        lambda d: services.record_attendance(
            actor=request.user, meeting=meeting, expected_version=d["version"], entries=form.entries()
        ),
        _("The attendance is saved."),
        "deltagere",
    )


@user_required
@require_POST
def participant_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, meeting_id)
    form = ParticipantForm(request.POST, auto_id="id_guest_%s")
    return _submit(
        request,
        meeting,
        "participant",
        form,
        lambda d: services.add_participant(
            actor=request.user,
            meeting=meeting,
            expected_version=d["version"],
            **{k: d[k] for k in ("name", "title", "organisation", "attendance", "note")},
        ),
        _("The participant is added."),
        "deltagere",
    )


def _item_fields(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in ("title", "presenters", "recommendations", "case_text", "links")}


@user_required
@require_POST
def item_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, meeting_id)
    form = ItemForm(request.POST, auto_id="id_newitem_%s")
    return _submit(
        request,
        meeting,
        "item",
        form,
        lambda d: services.add_item(
            actor=request.user, meeting=meeting, expected_version=d["version"], **_item_fields(d)
        ),
        _("The agenda item is added."),
        "dagsorden",
    )


def _meeting_item(request: HttpRequest, meeting_id: int, item_id: int) -> tuple[Meeting, AgendaItem]:
    meeting = _editable_meeting(request, meeting_id)
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    item.meeting = meeting
    return meeting, item


@user_required
@require_POST
def item_update(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting, item = _meeting_item(request, meeting_id, item_id)
    form = ItemForm(request.POST, auto_id=f"id_item{item.pk}_%s")
    return _submit(
        request,
        meeting,
        ("item", item.pk),
        form,
        lambda d: services.update_item(
            actor=request.user, item=item, expected_version=d["version"], **_item_fields(d)
        ),
        _("The agenda item is saved."),
        f"punkt-{item.pk}",
    )


@user_required
@require_POST
def item_move(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting, item = _meeting_item(request, meeting_id, item_id)
    form = MoveForm(request.POST)
    return _submit(
        request,
        meeting,
        "error",
        form,
        lambda d: services.move_item(
            actor=request.user, item=item, expected_version=d["version"], direction=d["direction"]
        ),
        _("The agenda is reordered."),
        f"punkt-{item.pk}",
    )


@user_required
@require_POST
def item_remove(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting, item = _meeting_item(request, meeting_id, item_id)
    form = VersionForm(request.POST)
    return _submit(
        request,
        meeting,
        "error",
        form,
        lambda d: services.remove_item(actor=request.user, item=item, expected_version=d["version"]),
        _("The agenda item is removed."),
        "dagsorden",
    )


@user_required
@require_POST
def decision(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting, item = _meeting_item(request, meeting_id, item_id)
    form = DecisionForm(request.POST, auto_id=f"id_decision{item.pk}_%s")
    return _submit(
        request,
        meeting,
        ("decision", item.pk),
        form,
        lambda d: services.record_decision(
            actor=request.user, item=item, expected_version=d["version"], decision=d["decision"]
        ),
        _("The decision is saved."),
        f"punkt-{item.pk}",
    )


@user_required
@require_POST
def attachment_add(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting, item = _meeting_item(request, meeting_id, item_id)
    form = AttachmentForm(request.POST, request.FILES, auto_id=f"id_attachment{item.pk}_%s")

    def save(d: dict[str, Any]) -> Any:
        upload = d["file"]
        services.check_attachment_size(name=upload.name, size=upload.size)  # before reading it into memory
        content = upload.read()
        return services.add_attachment(
            actor=request.user, item=item, expected_version=d["version"], name=upload.name, content=content
        )

    return _submit(
        request,
        meeting,
        ("attachment", item.pk),
        form,
        save,
        _("The attachment is added."),
        f"punkt-{item.pk}",
    )


@user_required
@require_POST
def attachment_remove(request: HttpRequest, meeting_id: int, attachment_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, meeting_id)
    attachment = get_object_or_404(
        Attachment.objects.select_related("item"), pk=attachment_id, item__meeting=meeting
    )
    attachment.item.meeting = meeting
    anchor = f"punkt-{attachment.item_id}"
    return _submit(
        request,
        meeting,
        "error",
        VersionForm(request.POST),
        lambda d: services.remove_attachment(
            actor=request.user, attachment=attachment, expected_version=d["version"]
        ),
        _("The attachment is removed."),
        anchor,
    )


@user_required
@require_POST
def action_add(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting, item = _meeting_item(request, meeting_id, item_id)
    form = ActionItemForm(request.POST, users=_users_for(meeting.group), auto_id=f"id_action{item.pk}_%s")
    return _submit(
        request,
        meeting,
        ("action", item.pk),
        form,
        lambda d: services.raise_action_item(
            actor=request.user,
            item=item,
            expected_version=d["version"],
            text=d["text"],
            owner=d["owner"],
            deadline=d["deadline"],
            deadline_note=d["deadline_note"],
            owner_user=form.owner_user_object(),
        ),
        _("The action item is added."),
        f"punkt-{item.pk}",
    )


@user_required
@require_POST
def mark_held(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, meeting_id)
    return _submit(
        request,
        meeting,
        "error",
        VersionForm(request.POST),
        lambda d: services.mark_held(actor=request.user, meeting=meeting, expected_version=d["version"]),
        _("The meeting is marked as held. Record attendance and decisions, then publish the minutes."),
    )


@user_required
@require_POST
def publish(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, meeting_id)
    form = PublishForm(request.POST, auto_id="id_publish_%s")
    if not form.is_valid():
        return _render_meeting(request, meeting, {"publish": form}, status=400)
    try:
        version = services.publish_minutes(
            actor=request.user, meeting=meeting, expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except DomainError as exc:
        return _failed(request, meeting, "publish", form, exc)
    messages.success(request, _("Version %(n)s of the minutes is published.") % {"n": version.number})
    return redirect("governance:minutes", meeting_id=meeting.pk)


@user_required
@require_POST
def open_correction(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, meeting_id)
    return _submit(
        request,
        meeting,
        "error",
        VersionForm(request.POST),
        lambda d: services.open_correction(
            actor=request.user, meeting=meeting, expected_version=d["version"]
        ),
        _(
            "The minutes are open for a correction. Readers see the published version until you publish the new one."
        ),
    )


@user_required
@require_GET
def attachment_download(request: HttpRequest, meeting_id: int, attachment_id: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_minutes(request.user, meeting_id)
    if not selectors.reads_live(request.user, meeting):
        raise Http404
    attachment = get_object_or_404(Attachment, pk=attachment_id, item__meeting=meeting)
    if not attachment.has_file or attachment.content is None:
        raise Http404
    response = HttpResponse(
        bytes(attachment.content), content_type=attachment.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=attachment.name)
    return response


# ----------------------------------------------------------------------------------------------- the minutes


def _as_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _minutes_view(document: dict[str, Any]) -> dict[str, Any]:
    """A frozen minutes document ready for the template: dates as dates, labels for attendance and status."""
    participants = document.get("participants", [])
    for p in participants:
        p["attendance_label"] = Attendance(p.get("attendance") or "expected").label
    actions = document.get("action_items", [])
    for a in actions:
        a["deadline_date"] = _as_date(a.get("deadline"))
        a["status_label"] = ActionStatus(a.get("status") or "open").label
    by_item: dict[Any, list[dict[str, Any]]] = {}
    for a in actions:
        by_item.setdefault(a.get("item"), []).append(a)
    items = document.get("items", [])
    for item in items:
        item["action_items"] = by_item.get(item.get("number"), [])
    return {
        **document,
        "date_value": _as_date(document.get("date")),
        "present": [p for p in participants if p.get("attendance") == "present"],
        "apologies": [p for p in participants if p.get("attendance") == "apologies"],
        "others": [p for p in participants if p.get("attendance") not in ("present", "apologies")],
        "items": items,
        "loose_actions": by_item.get(None, []),
    }


def _with_links(meeting: Meeting, doc: dict[str, Any]) -> dict[str, Any]:
    """The pages a decision concerns (indicator pages, flowchart steps) are not part of the frozen document; they
    are shown from the items as they are now, matched by title."""
    links = {item.title: item.links for item in meeting.items.all() if item.links}
    for item in doc["items"]:
        item["links"] = links.get(item.get("title"), [])
    return doc


@user_required
@require_GET
def minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_minutes(request.user, meeting_id)
    versions = list(meeting.minutes_versions.order_by("-number"))
    chosen = versions[0] if versions else None
    if request.GET.get("version"):
        chosen = next((v for v in versions if str(v.number) == request.GET["version"]), None)
        if chosen is None:
            raise Http404
    return render(
        request,
        "governance/minutes.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "versions": versions,
            "chosen": chosen,
            "latest": versions[0] if versions else None,
            "doc": _with_links(meeting, _minutes_view(dict(chosen.document))) if chosen else None,
            "reads_live": selectors.reads_live(request.user, meeting),
            "pdf_url": reverse("governance:minutes-pdf", args=[meeting.pk]),
        },
    )


@user_required
@require_GET
def agenda_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The agenda and invitation as a PDF, for those who read the meeting (its group's members and secretary
    before publication; everyone who reads published minutes after)."""
    meeting = access.get_meeting(request.user, meeting_id)
    response = HttpResponse(html_to_pdf(printing.agenda_html(meeting)), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=printing.agenda_filename(meeting))
        or "inline"
    )
    return response


@user_required
@require_GET
def minutes_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The minutes as a PDF: a chosen published version (``?version=n``), else what the page shows the user:
    the group's secretary and members get the live draft while no minutes are published (marked "Udkast") or a
    correction is open; everyone else only ever a published version."""
    meeting = selectors.get_meeting_for_minutes(request.user, meeting_id)
    wanted = request.GET.get("version")
    if wanted or not access.can_read_all(request.user, meeting.group):
        versions = list(meeting.minutes_versions.order_by("-number"))
        version = next((v for v in versions if not wanted or str(v.number) == wanted), None)
        if version is None:
            raise Http404
        html = printing.render_html(
            version.document,
            group_name=meeting.group.name,
            publication=printing.Publication(
                version.number, version.published_at, version.published_by, version.reason
            ),
        )
    else:
        html = printing.minutes_html(meeting, draft=True)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=printing.pdf_filename(meeting)) or "inline"
    )
    return response


# -------------------------------------------------------------------------------- action items and search


@user_required
@require_GET
def action_items(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    state = request.GET.get("status") or "open"
    if state not in ACTION_STATES:
        state = "open"
    groups = list(access.groups_visible_to(user))
    group = next((g for g in groups if g.key == request.GET.get("gruppe")), None)
    rows = list(
        selectors.filter_action_items(
            selectors.action_items_visible_to(user), state=state, group=group, today=today
        )[:500]
    )
    editable = set(access.editable_groups(user).values_list("pk", flat=True))
    here = request.get_full_path()
    items = [
        (
            a,
            a.is_overdue(today),
            CloseActionForm(initial={"next": here}, auto_id=f"id_close{a.pk}_%s")
            if a.status == ActionStatus.OPEN and a.meeting.group_id in editable
            else None,
        )
        for a in rows
    ]
    context = {
        "state": state,
        "states": ACTION_STATES.items(),
        "groups": groups,
        "group": group,
        "items": items,
        "today": today,
    }
    template = "governance/actions.html#results" if request.htmx else "governance/actions.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@user_required
@require_POST
def close_action(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(selectors.action_items_visible_to(request.user), pk=action_id)
    if not access.can_edit(request.user, action.meeting.group):
        raise PermissionDenied
    form = CloseActionForm(request.POST)
    target = request.POST.get("next") or reverse("governance:actions")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("governance:actions")
    if not form.is_valid():
        messages.error(request, _("Choose whether the action item is done or cancelled."))
        return redirect(target)
    at_meeting = None
    if form.cleaned_data.get("meeting"):
        at_meeting = access.get_meeting(request.user, form.cleaned_data["meeting"])
    try:
        services.close_action_item(
            actor=request.user,
            action=action,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            at_meeting=at_meeting,
            expected_version=form.cleaned_data.get("version"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(target)
    messages.success(request, _("The action item is closed."))
    return redirect(target)


@user_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:200]
    results = selectors.search(request.user, query) if query else {"items": [], "actions": []}
    context = {"q": query, **results, "today": timezone.localdate()}
    template = "governance/search.html#results" if request.htmx else "governance/search.html"  # type: ignore[attr-defined]
    return render(request, template, context)
