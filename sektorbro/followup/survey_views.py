"""The survey pages (docs/followup.md, "Surveys"). Thin: form → ``surveys`` service → redirect, or the page again
with the service's error on its field.

Staff pages need a login: the builder its managers (others 403; a survey the user may not see 404), the results
every member (aggregates only), the hand-out page hospital and municipal staff who may see the discharged course
(otherwise 404), and it logs the read of the citizen. The answer pages under /svar/ need no login; a code that
cannot be used, for whatever reason, gets one and the same neutral page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sektorbro.citizens.access import log_access
from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.followup import access, surveys
from sektorbro.followup.models import Survey, SurveyQuestion
from sektorbro.followup.survey_forms import (
    CodeForm,
    HandoutForm,
    QuestionForm,
    StatusForm,
    SurveyEditForm,
    SurveyForm,
    answer_form,
)
from sektorbro.followup.survey_rules import normalise
from sektorbro.followup.view_helpers import apply_service, managed_clusters


def _member(request: HttpRequest) -> None:
    if not surveys.may_read_results(request.user):
        raise PermissionDenied


def _survey(request: HttpRequest, survey_id: Any) -> Survey:
    found = surveys.surveys_for(request.user).filter(public_id=survey_id).first()
    if found is None:
        raise Http404
    return found


def _managed(request: HttpRequest, survey_id: Any) -> Survey:
    found = _survey(request, survey_id)
    if not surveys.may_manage_survey(request.user, found):
        raise PermissionDenied
    return found


def _survey_form(user: Any, data: Any = None) -> SurveyForm | None:
    if not access.is_main_user(user):
        return None
    clusters = managed_clusters(user)
    region_wide = access.managed_cluster_ids(user) is None
    if not region_wide and not clusters.exists():
        return None
    return SurveyForm(data, clusters=clusters, region_wide=region_wide)


# --- the list and the builder -----------------------------------------------------------------------------------


@login_required
def survey_list(request: HttpRequest, form: SurveyForm | None = None, status: int = 200) -> HttpResponse:
    _member(request)
    return render(
        request,
        "followup/survey/list.html",
        {
            "surveys": surveys.surveys_for(request.user),
            "form": form or _survey_form(request.user),
            "may_hand_out": surveys.may_hand_out(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def survey_create(request: HttpRequest) -> HttpResponse:
    form = _survey_form(request.user, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        data = form.cleaned_data
        created = apply_service(
            form,
            lambda: surveys.create_survey(
                actor=request.user,
                title=data["title"],
                cluster=data["cluster"],
                from_template=data["from_template"],
            ),
        )
        if created is not None:
            messages.success(request, _("The survey is created."))
            return redirect("followup:survey", survey_id=created.public_id)
    return survey_list(request, form=form, status=400)


def _detail_page(request: HttpRequest, survey: Survey, status: int = 200, **forms: Any) -> HttpResponse:
    manager = surveys.may_manage_survey(request.user, survey)
    questions = surveys.questions_of(survey)
    context: dict[str, Any] = {"survey": survey, "manager": manager, "questions": questions}
    if manager:
        context["edit_form"] = forms.get("edit_form") or SurveyEditForm(
            initial={"title": survey.title, "introduction": survey.introduction}
        )
        context["status_form"] = forms.get("status_form") or StatusForm(initial={"status": survey.status})
        if survey.status == "draft":
            context["question_form"] = forms.get("question_form") or QuestionForm(prefix="new")
            context["question_rows"] = [
                (
                    q,
                    forms.get(f"question_form_{q.number}")
                    or QuestionForm(
                        prefix=f"q{q.number}",
                        initial={
                            "text": q.text,
                            "kind": q.kind,
                            "low_label": q.low_label,
                            "high_label": q.high_label,
                        },
                    ),
                )
                for q in questions
            ]
    return render(request, "followup/survey/detail.html", context, status=status)


@login_required
def survey_detail(request: HttpRequest, survey_id: Any) -> HttpResponse:
    return _detail_page(request, _survey(request, survey_id))


@login_required
@require_POST
def survey_edit(request: HttpRequest, survey_id: Any) -> HttpResponse:
    survey = _managed(request, survey_id)
    form = SurveyEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: surveys.update_survey(
                actor=request.user, survey=survey, title=data["title"], introduction=data["introduction"]
            ),
        )
        if done is not None:
            messages.success(request, _("The survey is saved."))
            return redirect("followup:survey", survey_id=survey.public_id)
    return _detail_page(request, survey, status=400, edit_form=form)


@login_required
@require_POST
def survey_status(request: HttpRequest, survey_id: Any) -> HttpResponse:
    survey = _managed(request, survey_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: surveys.set_status(actor=request.user, survey=survey, status=form.cleaned_data["status"]),
        )
        if done is not None:
            messages.success(request, _("The survey's status is saved."))
            return redirect("followup:survey", survey_id=survey.public_id)
    return _detail_page(request, survey, status=400, status_form=form)


@login_required
@require_POST
def question_add(request: HttpRequest, survey_id: Any) -> HttpResponse:
    survey = _managed(request, survey_id)
    form = QuestionForm(request.POST, prefix="new")
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(form, lambda: surveys.add_question(actor=request.user, survey=survey, **data))
        if done is not None:
            messages.success(request, _("The question is added."))
            return redirect("followup:survey", survey_id=survey.public_id)
    return _detail_page(request, survey, status=400, question_form=form)


@login_required
@require_POST
def question_edit(request: HttpRequest, survey_id: Any, number: int) -> HttpResponse:
    """Save, remove or move one question (the button pressed decides)."""
    survey = _managed(request, survey_id)
    question: SurveyQuestion | None = survey.questions.filter(number=number).first()
    if question is None:
        raise Http404
    form = QuestionForm(request.POST, prefix=f"q{number}")
    if "remove" in request.POST or "up" in request.POST or "down" in request.POST:
        if "remove" in request.POST:
            action: Any = lambda: surveys.remove_question(actor=request.user, question=question)  # noqa: E731
            text = _("The question is removed.")
        else:
            up = "up" in request.POST
            action = lambda: surveys.move_question(actor=request.user, question=question, up=up)  # noqa: E731
            text = _("The question is moved.")
        try:
            action()
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("followup:survey", survey_id=survey.public_id)
        messages.success(request, text)
        return redirect("followup:survey", survey_id=survey.public_id)
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form, lambda: surveys.update_question(actor=request.user, question=question, **data)
        )
        if done is not None:
            messages.success(request, _("The question is saved."))
            return redirect("followup:survey", survey_id=survey.public_id)
    return _detail_page(request, survey, status=400, **{f"question_form_{number}": form})


@login_required
def survey_results(request: HttpRequest, survey_id: Any) -> HttpResponse:
    survey = _survey(request, survey_id)
    manager = surveys.may_manage_survey(request.user, survey)
    return render(
        request,
        "followup/survey/results.html",
        {"results": surveys.results(survey, with_comments=manager), "manager": manager},
    )


# --- handing out a link after a discharge -----------------------------------------------------------------------


RECENT_DAYS = 30


@login_required
def handout_list(request: HttpRequest) -> HttpResponse:
    """The discharges of the last 30 days that the user may hand out a code for (the names read are logged)."""
    if not surveys.may_hand_out(request.user):
        raise PermissionDenied
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    courses = list(
        surveys.handout_courses(request.user)
        .filter(discharged_at__gte=since)
        .order_by("-discharged_at")[:100]
    )
    log_access(request, request.user, [c.citizen for c in courses], "survey.handout_list")
    return render(request, "followup/survey/handout_list.html", {"courses": courses, "days": RECENT_DAYS})


@login_required
@never_cache
def handout(request: HttpRequest, course_id: Any) -> HttpResponse:
    """The hand-out page for one discharged course: choose the survey, get a code (shown once)."""
    course = surveys.handout_courses(request.user).filter(public_id=course_id).first()
    if course is None:
        raise Http404
    log_access(request, request.user, course.citizen, "survey.handout")
    available = surveys.surveys_for_course(course)
    form = HandoutForm(request.POST if request.method == "POST" else None, surveys=available)
    issued = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            issued = apply_service(
                form,
                lambda: surveys.issue_link(
                    actor=request.user, survey=form.cleaned_data["survey"], course=course
                ),
            )
        if issued is None:
            status = 400
    context = {
        "course": course,
        "citizen": course.citizen,
        "form": form if available.exists() else None,
        "issued": issued,
    }
    if issued is not None:
        context["answer_url"] = request.build_absolute_uri(
            reverse("survey_answer:answer", args=[issued.code])
        )
        context["start_url"] = request.build_absolute_uri(reverse("survey_answer:start"))
    return render(request, "followup/survey/handout.html", context, status=status)


# --- the public answer pages (no login) -------------------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # no-referrer would make Chromium send "Origin: null" (CSRF)
    response["X-Robots-Tag"] = "noindex"
    return response


def _unusable(request: HttpRequest) -> HttpResponse:
    """The one page for every code that cannot be used: forged, used, expired or closed."""
    return _public(render(request, "followup/survey/unusable.html", status=404))


def answer_start(request: HttpRequest) -> HttpResponse:
    """Type the code from the slip."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        code = normalise(form.cleaned_data["code"])
        if code is None:
            return _unusable(request)
        return redirect(
            "survey_answer:answer", code="-".join(code[i : i + 4] for i in range(0, len(code), 4))
        )
    return _public(render(request, "followup/survey/start.html", {"form": form}))


def answer(request: HttpRequest, code: str) -> HttpResponse:
    try:
        link = surveys.usable_link(code)
    except surveys.LinkUnusable:
        return _unusable(request)
    questions = surveys.questions_of(link.survey)
    form = answer_form(questions, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            given = {q.number: form.cleaned_data.get(f"q{q.number}") for q in questions}
            try:
                surveys.submit_answers(code=code, answers=given)
            except surveys.LinkUnusable:
                return _unusable(request)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("survey_answer:thanks")
    context = {"survey": link.survey, "form": form, "questions": questions}
    return _public(render(request, "followup/survey/answer.html", context, status=status))


def thanks(request: HttpRequest) -> HttpResponse:
    return _public(render(request, "followup/survey/thanks.html"))
