"""The pages for implementation plans (/opfoelgning/planer/), the clusters' experiences (/opfoelgning/erfaringer/)
and the follow-up report (/opfoelgning/rapporter/). Thin: form → service → redirect, or the page again with the
service's error on its field. Who may do what is in ``plans.py``, ``experiences.py`` and ``followup_report.py``:
a page the user may not read answers 404, a change the user may not make 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sektorbro.core.pdf import html_to_pdf
from sektorbro.followup import access, experiences, plans
from sektorbro.followup import followup_report as reports
from sektorbro.followup.models import ExperienceResponse, ImplementationPlan, Material, PlanTask
from sektorbro.followup.plan_forms import (
    ExperienceForm,
    MaterialForm,
    NarrativeForm,
    PlanForm,
    PublishForm,
    ReportForm,
    TaskForm,
    TaskStatusForm,
)
from sektorbro.followup.view_helpers import apply_service, managed_clusters
from sektorbro.organisations.models import Cluster
from sektorbro.organisations.selectors import clusters as valid_clusters

# --- implementation plans ----------------------------------------------------------------------------------------


def _plans_page(request: HttpRequest, form: PlanForm | None = None, status: int = 200) -> HttpResponse:
    visible = list(plans.plans_visible_to(request.user).prefetch_related("tasks"))
    may_create = access.is_main_user(request.user)
    free = managed_clusters(request.user).exclude(pk__in=[p.cluster_id for p in visible])
    if may_create and form is None and free.exists():
        form = PlanForm(clusters=free)
    return render(
        request,
        "followup/plans/index.html",
        {
            "rows": plans.progress(visible, timezone.localdate()),
            "form": form if may_create else None,
            "may_read_materials": plans.may_read_materials(request.user),
        },
        status=status,
    )


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    if not plans.may_read_materials(request.user):  # signed in but in no organisation
        raise PermissionDenied
    return _plans_page(request)


@login_required
@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    if not access.is_main_user(request.user):
        raise PermissionDenied
    form = PlanForm(request.POST, clusters=managed_clusters(request.user))
    if form.is_valid():
        created = apply_service(
            form,
            lambda: plans.create_plan(
                actor=request.user, cluster=form.cleaned_data["cluster"], summary=form.cleaned_data["summary"]
            ),
        )
        if created is not None:
            messages.success(request, _("The implementation plan is created."))
            return redirect("followup:plan", plan_id=created.public_id)
    return _plans_page(request, form, status=400)


def _plan(request: HttpRequest, plan_id: Any) -> ImplementationPlan:
    found = plans.plans_visible_to(request.user).filter(public_id=plan_id).first()
    if found is None:
        raise Http404
    return found


def _task_rows(plan: ImplementationPlan, manager: bool, bound: dict[int, TaskStatusForm]) -> list[Any]:
    today = timezone.localdate()
    rows = []
    for track, label, tasks in plans.tasks_by_track(plan):
        items = [
            (
                t,
                plans.is_overdue(t, today),
                (
                    bound.get(t.pk)
                    or TaskStatusForm(
                        initial={"status": t.status, "version": t.version}, auto_id=f"id_task{t.pk}_%s"
                    )
                )
                if manager
                else None,
            )
            for t in tasks
        ]
        rows.append((track, label, items))
    return rows


def _plan_page(
    request: HttpRequest,
    plan: ImplementationPlan,
    status: int = 200,
    task_form: TaskForm | None = None,
    bound: dict[int, TaskStatusForm] | None = None,
) -> HttpResponse:
    manager = plans.may_manage_plan(request.user, plan)
    return render(
        request,
        "followup/plans/plan.html",
        {
            "plan": plan,
            "manager": manager,
            "tracks": _task_rows(plan, manager, bound or {}),
            "progress": plans.progress([plan], timezone.localdate())[0],
            "task_form": (task_form or TaskForm()) if manager else None,
        },
        status=status,
    )


@login_required
def plan_detail(request: HttpRequest, plan_id: Any) -> HttpResponse:
    return _plan_page(request, _plan(request, plan_id))


@login_required
@require_POST
def plan_task_add(request: HttpRequest, plan_id: Any) -> HttpResponse:
    plan = _plan(request, plan_id)
    if not plans.may_manage_plan(request.user, plan):
        raise PermissionDenied
    form = TaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: plans.add_task(
                actor=request.user,
                plan=plan,
                track=data["track"],
                title=data["title"],
                owner=data["owner"],
                deadline=data["deadline"],
                status=data["status"],
                description=data["description"],
            ),
        )
        if done is not None:
            messages.success(request, _("The task is added."))
            return redirect("followup:plan", plan_id=plan.public_id)
    return _plan_page(request, plan, status=400, task_form=form)


@login_required
@require_POST
def plan_task_status(request: HttpRequest, plan_id: Any, task_id: Any) -> HttpResponse:
    """Change a task's status (or remove the task). With HTMX only the task's row is answered."""
    plan = _plan(request, plan_id)
    if not plans.may_manage_plan(request.user, plan):
        raise PermissionDenied
    task: PlanTask | None = plan.tasks.filter(public_id=task_id).first()
    if task is None:
        raise Http404
    if "remove" in request.POST:
        apply_service(TaskForm(), lambda: plans.remove_task(actor=request.user, task=task))
        messages.success(request, _("The task is removed."))
        return redirect("followup:plan", plan_id=plan.public_id)
    form = TaskStatusForm(request.POST, auto_id=f"id_task{task.pk}_%s")
    done = None
    if form.is_valid():
        done = apply_service(
            form,
            lambda: plans.set_task_status(
                actor=request.user, task=task, expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
            ),
        )  # fmt: skip
    if request.htmx:  # type: ignore[attr-defined]
        task.refresh_from_db()
        row_form = (
            TaskStatusForm(
                initial={"status": task.status, "version": task.version}, auto_id=f"id_task{task.pk}_%s"
            )
            if done is not None
            else form
        )
        return render(
            request,
            "followup/plans/_task_row_htmx.html",
            {
                "plan": plan,
                "task": task,
                "overdue": plans.is_overdue(task, timezone.localdate()),
                "form": row_form,
                "manager": True,
                "saved": done is not None,
                "progress": plans.progress([plan], timezone.localdate())[0],
            },
        )  # 200 also on an error: HTMX swaps only successful answers, and the row shows the error
    if done is not None:
        messages.success(request, _("The task's status is saved."))
        return redirect("followup:plan", plan_id=plan.public_id)
    return _plan_page(request, plan, status=400, bound={task.pk: form})


# --- the communication package -----------------------------------------------------------------------------------


def _materials_page(
    request: HttpRequest, form: MaterialForm | None = None, status: int = 200
) -> HttpResponse:
    manager = plans.may_manage_materials(request.user)
    return render(
        request,
        "followup/plans/materials.html",
        {
            "materials": list(Material.objects.defer("content")),
            "manager": manager,
            "form": (form or MaterialForm()) if manager else None,
            "max_mb": f"{plans.material_max_bytes() / 1024 / 1024:g}",
        },
        status=status,
    )


@login_required
def materials(request: HttpRequest) -> HttpResponse:
    if not plans.may_read_materials(request.user):
        raise PermissionDenied
    return _materials_page(request)


@login_required
@require_POST
def material_add(request: HttpRequest) -> HttpResponse:
    if not plans.may_manage_materials(request.user):
        raise PermissionDenied
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        if upload is not None and upload.size > plans.material_max_bytes():  # before reading it into memory
            form.add_error("file", _("The file is too large."))
        else:
            done = apply_service(
                form,
                lambda: plans.add_material(
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    url=data["url"],
                    file_name=upload.name if upload is not None else "",
                    content=upload.read() if upload is not None else None,
                ),
            )
            if done is not None:
                messages.success(request, _("The material is added to the communication package."))
                return redirect("followup:materials")
    return _materials_page(request, form, status=400)


def _material(material_id: Any) -> Material:
    found = Material.objects.filter(public_id=material_id).first()
    if found is None:
        raise Http404
    return found


@login_required
def material_download(request: HttpRequest, material_id: Any) -> HttpResponse:
    if not plans.may_read_materials(request.user):
        raise PermissionDenied
    material = _material(material_id)
    if not material.has_file or material.content is None:
        raise Http404
    response = HttpResponse(
        bytes(material.content), content_type=material.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=material.file_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def material_remove(request: HttpRequest, material_id: Any) -> HttpResponse:
    if not plans.may_manage_materials(request.user):
        raise PermissionDenied
    material = _material(material_id)
    apply_service(MaterialForm(), lambda: plans.remove_material(actor=request.user, material=material))
    messages.success(request, _("The material is removed."))
    return redirect("followup:materials")


# --- the clusters' experiences -----------------------------------------------------------------------------------


@login_required
def experience_list(request: HttpRequest) -> HttpResponse:
    clusters = experiences.answerable_clusters(request.user)
    if not clusters and not experiences.may_read_seminar(request.user):
        raise PermissionDenied
    own = {r.cluster_id: r for r in ExperienceResponse.objects.filter(respondent_id=request.user.pk)}
    return render(
        request,
        "followup/experiences/index.html",
        {
            "clusters": [(c, own.get(c.pk)) for c in clusters],
            "questions": experiences.QUESTIONS,
            "may_read_seminar": experiences.may_read_seminar(request.user),
        },
    )


def _answer_cluster(request: HttpRequest, cluster_key: str) -> Cluster:
    cluster = valid_clusters().filter(key=cluster_key).first()
    if cluster is None or not experiences.may_answer(request.user, cluster):
        raise Http404
    return cluster


@login_required
def experience_answer(request: HttpRequest, cluster_key: str) -> HttpResponse:
    """The questionnaire for one cluster: GET shows it (with the user's earlier answers), POST saves it."""
    cluster = _answer_cluster(request, cluster_key)
    existing = ExperienceResponse.objects.filter(cluster=cluster, respondent_id=request.user.pk).first()
    if request.method == "POST":
        if "remove" in request.POST and existing is not None:
            apply_service(
                ExperienceForm(), lambda: experiences.remove_response(actor=request.user, response=existing)
            )
            messages.success(request, _("Your answers are removed."))
            return redirect("followup:experiences")
        form = ExperienceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = apply_service(
                form,
                lambda: experiences.save_response(
                    actor=request.user,
                    cluster=cluster,
                    role=data["role"],
                    organisation=data["organisation"],
                    answers={q.key: data[q.key] for q in experiences.QUESTIONS},
                ),
            )
            if done is not None:
                messages.success(
                    request,
                    _("Thank you. Your answers for %(cluster)s are saved.") % {"cluster": cluster.name},
                )
                return redirect("followup:experiences")
        status = 400
    else:
        initial: dict[str, Any] = {}
        if existing is not None:
            initial = {"role": existing.role, "organisation": existing.organisation, **existing.answers}
        form = ExperienceForm(initial=initial)
        status = 200
    return render(
        request,
        "followup/experiences/answer.html",
        {"cluster": cluster, "form": form, "existing": existing},
        status=status,
    )


@login_required
def seminar(request: HttpRequest) -> HttpResponse:
    """The learning seminar: every question with the answers per cluster, across the clusters."""
    if not experiences.may_read_seminar(request.user):
        raise PermissionDenied
    found = experiences.responses()
    chosen = request.GET.get("klynge", "")
    if chosen:
        found = [r for r in found if r.cluster.key == chosen]
    return render(
        request,
        "followup/experiences/seminar.html",
        {
            "summary": experiences.gather(found),
            "counts": experiences.respondents_per_cluster(found),
            "clusters": list(valid_clusters()),
            "chosen": chosen,
        },
    )


# --- the follow-up report ----------------------------------------------------------------------------------------


def _report_form(request: HttpRequest, data: Any = None) -> ReportForm | None:
    if not access.is_main_user(request.user):
        return None
    region = access.managed_cluster_ids(request.user) is None
    return ReportForm(data, clusters=managed_clusters(request.user), region=region)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    if not plans.may_read_materials(request.user):
        raise PermissionDenied
    return _report_list_page(request, _report_form(request))


def _report_list_page(request: HttpRequest, form: ReportForm | None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "followup/report/index.html",
        {"reports": reports.reports_visible_to(request.user), "form": form},
        status=status,
    )


@login_required
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    form = _report_form(request, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        data = form.cleaned_data
        created = apply_service(
            form,
            lambda: reports.create_report(
                actor=request.user,
                cluster=data["cluster"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
            ),
        )
        if created is not None:
            messages.success(request, _("The follow-up report is created."))
            return redirect("followup:report", report_id=created.public_id)
    return _report_list_page(request, form, status=400)


def _report(request: HttpRequest, report_id: Any) -> Any:
    found = reports.report_for(request.user, report_id)
    if found is None:
        raise Http404
    return found


def _report_page(
    request: HttpRequest, report: Any, status: int = 200, form: NarrativeForm | None = None
) -> HttpResponse:
    editor = reports.may_edit(request.user, report)
    versions = list(report.versions.order_by("-number"))
    context: dict[str, Any] = {"report": report, "versions": versions, "editor": editor}
    if access.is_main_user(request.user):  # the draft, as it stands now
        context["content"] = reports.build(report)
        context["draft_changed"] = reports.draft_changed_since_publishing(report)
    elif versions:
        context["published_body"] = mark_safe(versions[0].body_html)  # noqa: S308 - rendered by us when published
    if editor:
        context["narrative_form"] = form or NarrativeForm(
            initial={"version": report.version, **report.narratives}
        )
        context["publish_form"] = PublishForm()
    return render(request, "followup/report/report.html", context, status=status)


@login_required
def report_detail(request: HttpRequest, report_id: Any) -> HttpResponse:
    return _report_page(request, _report(request, report_id))


@login_required
@require_POST
def report_narratives(request: HttpRequest, report_id: Any) -> HttpResponse:
    report = _report(request, report_id)
    if not reports.may_edit(request.user, report):
        raise PermissionDenied
    form = NarrativeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: reports.save_narratives(
                actor=request.user,
                report=report,
                expected_version=data["version"],
                narratives={key: data[key] for key in reports.SECTION_KEYS},
            ),
        )
        if done is not None:
            messages.success(request, _("The narratives are saved in the draft."))
            return redirect("followup:report", report_id=report.public_id)
    return _report_page(request, report, status=400, form=form)


@login_required
@require_POST
def report_publish(request: HttpRequest, report_id: Any) -> HttpResponse:
    report = _report(request, report_id)
    if not reports.may_edit(request.user, report):
        raise PermissionDenied
    form = PublishForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    version = apply_service(form, lambda: reports.publish(actor=request.user, report=report, note=note))
    if version is None:
        return _report_page(request, report, status=400)
    messages.success(request, _("Version %(number)d is published.") % {"number": version.number})
    return redirect("followup:report_version", report_id=report.public_id, number=version.number)


def _version(request: HttpRequest, report_id: Any, number: int) -> tuple[Any, Any]:
    report = _report(request, report_id)
    version = report.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return report, version


@login_required
def report_version(request: HttpRequest, report_id: Any, number: int) -> HttpResponse:
    report, version = _version(request, report_id, number)
    return render(
        request,
        "followup/report/version.html",
        {
            "report": report,
            "version": version,
            "body": mark_safe(version.body_html),  # noqa: S308 - rendered by us when published
            "latest": report.versions.order_by("-number").values_list("number", flat=True).first(),
        },
    )


@login_required
def report_version_pdf(request: HttpRequest, report_id: Any, number: int) -> HttpResponse:
    report, version = _version(request, report_id, number)
    response = HttpResponse(
        html_to_pdf(reports.document_html(report, version)), content_type="application/pdf"
    )
    key = report.cluster.key if report.cluster else "region"
    name = f"opfoelgningsrapport-{key}-{report.period_start}-v{version.number}.pdf"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=name) or "inline"
    )
    return response
