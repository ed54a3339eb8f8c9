"""The audit pages under /opfoelgning/audit/ (docs/followup.md). Thin: form → service → redirect, or the page
again with the service's error on its field.

Reading a round needs ``access.may_read`` (otherwise 404); changing it needs ``access.may_manage`` (otherwise
403). An audited course is shown as "Citizen C"; its name and CPR number only to a user whom the citizens
access selector lets see the citizen, and then the read is logged."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sektorbro.citizens.access import log_access
from sektorbro.core.pdf import html_to_pdf
from sektorbro.followup import access, selectors, services
from sektorbro.followup.candidates import read_text
from sektorbro.followup.forms import (
    CandidatesForm,
    MemberForm,
    PlatformCourseForm,
    ReviewForm,
    RoundEditForm,
    RoundForm,
    SuggestionForm,
    ThemeForm,
)
from sektorbro.followup.models import AuditCourse, AuditRound
from sektorbro.followup.report import learning_report_html
from sektorbro.followup.view_helpers import apply_service, managed_clusters

MAX_UPLOAD = 2 * 1024 * 1024


def _round(request: HttpRequest, round_id: Any) -> AuditRound:
    found = selectors.round_for(request.user, round_id)
    if found is None:
        raise Http404
    return found


def _managed_round(request: HttpRequest, round_id: Any) -> AuditRound:
    found = _round(request, round_id)
    if not access.may_manage(request.user, found.cluster_id):
        raise PermissionDenied
    return found


def _course(audit_round: AuditRound, course_id: Any) -> AuditCourse:
    found = selectors.audit_course(audit_round, course_id)
    if found is None:
        raise Http404
    return found


# --- the list of rounds -----------------------------------------------------------------------------------------


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    return _rounds_page(request, None)


def _rounds_page(request: HttpRequest, form: RoundForm | None, status: int = 200) -> HttpResponse:
    managed = managed_clusters(request.user)
    may_create = access.is_main_user(request.user) and managed.exists()
    if may_create and form is None:
        form = RoundForm(clusters=managed)
    return render(
        request,
        "followup/audit_rounds.html",
        {"rounds": selectors.rounds_for(request.user), "form": form if may_create else None},
        status=status,
    )


@login_required
@require_POST
def round_create(request: HttpRequest) -> HttpResponse:
    managed = managed_clusters(request.user)
    if not access.is_main_user(request.user) or not managed.exists():
        raise PermissionDenied
    form = RoundForm(request.POST, clusters=managed)
    if form.is_valid():
        data = form.cleaned_data
        created = apply_service(
            form,
            lambda: services.create_round(
                actor=request.user,
                cluster=data["cluster"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                meeting_on=data["meeting_on"],
                selection=data["selection"],
            ),
        )
        if created is not None:
            messages.success(request, _("The audit round is created."))
            return redirect("followup:audit_round", round_id=created.public_id)
    return _rounds_page(request, form, status=400)


# --- one round --------------------------------------------------------------------------------------------------


def _round_page(
    request: HttpRequest, audit_round: AuditRound, status: int = 200, **forms: Any
) -> HttpResponse:
    manager = access.may_manage(request.user, audit_round.cluster_id)
    context: dict[str, Any] = {
        "round": audit_round,
        "members": list(audit_round.members.select_related("organisation")),
        "themes": list(audit_round.themes.all()),
        "courses": [(c, selectors.borger(c.number)) for c in selectors.round_courses(audit_round)],
        "manager": manager,
        "may_select": access.may_select_courses(request.user, audit_round),
    }
    if manager:
        context.update(
            edit_form=forms.get("edit_form")
            or RoundEditForm(
                initial={
                    "title": audit_round.title,
                    "period_start": audit_round.period_start,
                    "period_end": audit_round.period_end,
                    "meeting_on": audit_round.meeting_on,
                    "selection": audit_round.selection,
                    "status": audit_round.status,
                    "version": audit_round.version,
                }
            ),
            member_form=forms.get("member_form") or MemberForm(audit_round=audit_round),
            theme_form=forms.get("theme_form") or ThemeForm(),
            theme_rows=[
                (
                    t,
                    forms.get(f"theme_form_{t.number}")
                    or ThemeForm(
                        initial={"name": t.name, "description": t.description}, prefix=f"t{t.number}"
                    ),
                )
                for t in context["themes"]
            ],
            candidates_form=forms.get("candidates_form") or CandidatesForm(),
        )
    context["theme_rows"] = [
        (
            t,
            (
                forms.get(f"theme_form_{t.number}")
                or ThemeForm(initial={"name": t.name, "description": t.description}, prefix=f"t{t.number}")
            )
            if manager
            else None,
        )
        for t in context["themes"]
    ]
    if context["may_select"]:
        context["course_form"] = forms.get("course_form") or PlatformCourseForm()
    return render(request, "followup/audit_round.html", context, status=status)


@login_required
def round_detail(request: HttpRequest, round_id: Any) -> HttpResponse:
    return _round_page(request, _round(request, round_id))


@login_required
@require_POST
def round_edit(request: HttpRequest, round_id: Any) -> HttpResponse:
    audit_round = _managed_round(request, round_id)
    form = RoundEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: services.update_round(
                actor=request.user,
                audit_round=audit_round,
                expected_version=data["version"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                meeting_on=data["meeting_on"],
                selection=data["selection"],
                status=data["status"],
            ),
        )
        if done is not None:
            messages.success(request, _("The round is saved."))
            return redirect("followup:audit_round", round_id=audit_round.public_id)
    return _round_page(request, _round(request, round_id), status=400, edit_form=form)


@login_required
@require_POST
def member_add(request: HttpRequest, round_id: Any) -> HttpResponse:
    audit_round = _managed_round(request, round_id)
    form = MemberForm(request.POST, audit_round=audit_round)
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: services.add_member(
                actor=request.user,
                audit_round=audit_round,
                name=data["name"],
                title=data["title"],
                party=data["party"],
                organisation=data["organisation"],
            ),
        )
        if done is not None:
            messages.success(request, _("The member is added to the audit group."))
            return redirect("followup:audit_round", round_id=audit_round.public_id)
    return _round_page(request, audit_round, status=400, member_form=form)


@login_required
@require_POST
def theme_add(request: HttpRequest, round_id: Any) -> HttpResponse:
    audit_round = _managed_round(request, round_id)
    form = ThemeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: services.add_theme(
                actor=request.user,
                audit_round=audit_round,
                name=data["name"],
                description=data["description"],
            ),
        )
        if done is not None:
            messages.success(request, _("The theme is added."))
            return redirect("followup:audit_round", round_id=audit_round.public_id)
    return _round_page(request, audit_round, status=400, theme_form=form)


@login_required
@require_POST
def theme_edit(request: HttpRequest, round_id: Any, number: int) -> HttpResponse:
    """Rename a theme, or remove it (its suggestions stay, uncoded)."""
    audit_round = _managed_round(request, round_id)
    theme = audit_round.themes.filter(number=number).first()
    if theme is None:
        raise Http404
    if "remove" in request.POST:
        apply_service(ThemeForm(), lambda: services.remove_theme(actor=request.user, theme=theme))
        messages.success(request, _("The theme is removed; its suggestions are not coded any more."))
        return redirect("followup:audit_round", round_id=audit_round.public_id)
    form = ThemeForm(request.POST, prefix=f"t{theme.number}")
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: services.update_theme(
                actor=request.user, theme=theme, name=data["name"], description=data["description"]
            ),
        )
        if done is not None:
            messages.success(request, _("The theme is saved."))
            return redirect("followup:audit_round", round_id=audit_round.public_id)
    return _round_page(request, audit_round, status=400, **{f"theme_form_{theme.number}": form})


@login_required
@require_POST
def course_add(request: HttpRequest, round_id: Any) -> HttpResponse:
    audit_round = _round(request, round_id)
    if not access.may_select_courses(request.user, audit_round):
        raise PermissionDenied
    form = PlatformCourseForm(request.POST)
    if form.is_valid():
        added = apply_service(
            form,
            lambda: services.add_platform_course(
                actor=request.user, audit_round=audit_round, course_id=form.cleaned_data["course_id"]
            ),
        )
        if added is not None:
            messages.success(
                request, _("The course is added as %(label)s.") % {"label": selectors.borger(added.number)}
            )
            return redirect("followup:audit_round", round_id=audit_round.public_id)
    return _round_page(request, audit_round, status=400, course_form=form)


@login_required
@require_POST
def candidates_import(request: HttpRequest, round_id: Any) -> HttpResponse:
    audit_round = _managed_round(request, round_id)
    form = CandidatesForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        rows = None
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is too large."))
        else:
            try:
                rows = read_text(upload.read().decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                form.add_error("file", _("The file cannot be read: %(error)s") % {"error": exc})
        if rows is not None:
            result = apply_service(
                form,
                lambda: services.import_candidates(
                    actor=request.user, audit_round=audit_round, candidates=rows
                ),
            )
            if result is not None:
                messages.success(
                    request,
                    _("%(added)d courses added, %(skipped)d already in the round.")
                    % {"added": len(result.added), "skipped": result.already_in_round},
                )
                return redirect("followup:audit_round", round_id=audit_round.public_id)
    return _round_page(request, audit_round, status=400, candidates_form=form)


# --- one audited course -----------------------------------------------------------------------------------------


def _course_page(
    request: HttpRequest, audit_round: AuditRound, audit_course: AuditCourse, status: int = 200, **forms: Any
) -> HttpResponse:
    shown = selectors.timeline(request.user, audit_course)
    if shown.identified and shown.citizen is not None:
        log_access(request, request.user, shown.citizen, "audit.course")
    manager = access.may_manage(request.user, audit_round.cluster_id)
    context: dict[str, Any] = {
        "round": audit_round,
        "course": audit_course,
        "timeline": shown,
        "suggestions": list(audit_course.suggestions.select_related("theme")),
        "manager": manager,
        "span_days": (
            (audit_course.last_admission - audit_course.first_admission).days
            if audit_course.first_admission and audit_course.last_admission
            else None
        ),
    }
    if manager:
        context["review_form"] = forms.get("review_form") or ReviewForm(
            initial={
                "coherent": audit_course.coherent,
                "coherent_note": audit_course.coherent_note,
                "preventable": audit_course.preventable,
                "preventable_note": audit_course.preventable_note,
                "patterns": audit_course.patterns,
                "version": audit_course.version,
            }
        )
        context["suggestion_form"] = forms.get("suggestion_form") or SuggestionForm(audit_round=audit_round)
    return render(request, "followup/audit_course.html", context, status=status)


@login_required
def course_detail(request: HttpRequest, round_id: Any, course_id: Any) -> HttpResponse:
    audit_round = _round(request, round_id)
    return _course_page(request, audit_round, _course(audit_round, course_id))


@login_required
@require_POST
def course_review(request: HttpRequest, round_id: Any, course_id: Any) -> HttpResponse:
    audit_round = _managed_round(request, round_id)
    audit_course = _course(audit_round, course_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: services.record_review(
                actor=request.user,
                audit_course=audit_course,
                expected_version=data["version"],
                coherent=data["coherent"],
                coherent_note=data["coherent_note"],
                preventable=data["preventable"],
                preventable_note=data["preventable_note"],
                patterns=data["patterns"],
            ),
        )
        if done is not None:
            messages.success(request, _("The answers are saved."))
            return redirect(
                "followup:audit_course", round_id=audit_round.public_id, course_id=audit_course.public_id
            )
    return _course_page(request, audit_round, _course(audit_round, course_id), status=400, review_form=form)


@login_required
@require_POST
def suggestion_add(request: HttpRequest, round_id: Any, course_id: Any) -> HttpResponse:
    """Add a suggestion. With HTMX only the suggestions section is answered (also when the form has errors, so
    that they are swapped in and shown); without it, back to the course page."""
    audit_round = _managed_round(request, round_id)
    audit_course = _course(audit_round, course_id)
    form = SuggestionForm(request.POST, audit_round=audit_round)
    done = None
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: services.add_suggestion(
                actor=request.user,
                audit_course=audit_course,
                text=data["text"],
                party=data["party"],
                theme=data["theme"],
            ),
        )
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "round": audit_round,
            "course": audit_course,
            "suggestions": list(audit_course.suggestions.select_related("theme")),
            "suggestion_form": SuggestionForm(audit_round=audit_round) if done is not None else form,
            "saved": done is not None,
        }
        return render(request, "followup/audit_course.html#suggestions", context)
    if done is not None:
        messages.success(request, _("The suggestion is added."))
        return redirect(
            "followup:audit_course", round_id=audit_round.public_id, course_id=audit_course.public_id
        )
    return _course_page(request, audit_round, audit_course, status=400, suggestion_form=form)


@login_required
@require_POST
def course_remove(request: HttpRequest, round_id: Any, course_id: Any) -> HttpResponse:
    """Take a course out of the round (a wrong candidate), with its answers and suggestions."""
    audit_round = _managed_round(request, round_id)
    audit_course = _course(audit_round, course_id)
    label = selectors.borger(audit_course.number)
    apply_service(ReviewForm(), lambda: services.remove_course(actor=request.user, audit_course=audit_course))
    messages.success(request, _("%(label)s is taken out of the round.") % {"label": label})
    return redirect("followup:audit_round", round_id=audit_round.public_id)


@login_required
@require_POST
def member_remove(request: HttpRequest, round_id: Any, member_id: int) -> HttpResponse:
    audit_round = _managed_round(request, round_id)
    member = audit_round.members.filter(pk=member_id).first()
    if member is None:
        raise Http404
    apply_service(
        MemberForm(audit_round=audit_round), lambda: services.remove_member(actor=request.user, member=member)
    )
    messages.success(request, _("The member is removed from the audit group."))
    return redirect("followup:audit_round", round_id=audit_round.public_id)


# --- suggestions and the learning report ------------------------------------------------------------------------


def _suggestions_page(
    request: HttpRequest, audit_round: AuditRound, status: int = 200, **forms: Any
) -> HttpResponse:
    manager = access.may_manage(request.user, audit_round.cluster_id)
    rows = []
    for s in selectors.round_suggestions(audit_round):
        form = None
        if manager:
            form = forms.get(f"form_{s.pk}") or SuggestionForm(
                audit_round=audit_round,
                initial={"text": s.text, "party": s.party, "theme": s.theme_id},
                prefix=f"s{s.pk}",
            )
        rows.append((s, selectors.borger(s.course.number), form))
    return render(
        request,
        "followup/audit_suggestions.html",
        {"round": audit_round, "rows": rows, "manager": manager},
        status=status,
    )


@login_required
def suggestions(request: HttpRequest, round_id: Any) -> HttpResponse:
    return _suggestions_page(request, _round(request, round_id))


@login_required
@require_POST
def suggestion_edit(request: HttpRequest, round_id: Any, suggestion_id: Any) -> HttpResponse:
    audit_round = _managed_round(request, round_id)
    suggestion = next(
        (s for s in selectors.round_suggestions(audit_round) if str(s.public_id) == str(suggestion_id)), None
    )
    if suggestion is None:
        raise Http404
    if "remove" in request.POST:
        apply_service(
            SuggestionForm(audit_round=audit_round),
            lambda: services.remove_suggestion(actor=request.user, suggestion=suggestion),
        )
        messages.success(request, _("The suggestion is removed."))
        return redirect("followup:audit_suggestions", round_id=audit_round.public_id)
    form = SuggestionForm(request.POST, audit_round=audit_round, prefix=f"s{suggestion.pk}")
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: services.update_suggestion(
                actor=request.user,
                suggestion=suggestion,
                text=data["text"],
                party=data["party"],
                theme=data["theme"],
            ),
        )
        if done is not None:
            messages.success(request, _("The suggestion is saved."))
            return redirect("followup:audit_suggestions", round_id=audit_round.public_id)
    return _suggestions_page(request, audit_round, status=400, **{f"form_{suggestion.pk}": form})


@login_required
def report(request: HttpRequest, round_id: Any) -> HttpResponse:
    audit_round = _round(request, round_id)
    return render(
        request, "followup/learning_report.html", {"report": selectors.learning_report(audit_round)}
    )


@login_required
def report_pdf(request: HttpRequest, round_id: Any) -> HttpResponse:
    """The learning report as a PDF for the steering group (the same content as the page)."""
    audit_round = _round(request, round_id)
    response = HttpResponse(html_to_pdf(learning_report_html(audit_round)), content_type="application/pdf")
    name = f"laeringsrapport-{audit_round.cluster.key}-{audit_round.period_start}.pdf"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=name) or "inline"
    )
    return response
