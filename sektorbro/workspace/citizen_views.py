from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sektorbro.citizens import services
from sektorbro.citizens.access import care_relation_ids, citizens_visible_to, get_visible_citizen, log_access
from sektorbro.citizens.models import Citizen
from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.workspace.citizen_forms import (
    CitizenRegistrationForm,
    CprSearchForm,
    RelativeForm,
    relatives_section,
)


def _courses(request: HttpRequest, citizen: Citizen) -> list[Any]:
    return list(courses_visible_to(request.user).filter(citizen=citizen).order_by("-admitted_at")[:20])


@login_required
def citizen_list(request: HttpRequest) -> HttpResponse:
    qs = citizens_visible_to(request.user).order_by("name", "id")
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(name__icontains=query)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    citizens = list(page.object_list)
    care = care_relation_ids(request.user, citizens)
    log_access(request, request.user, citizens, "citizen.list")
    context = {
        "page": page,
        "rows": [(c, c.pk in care) for c in citizens],
        "query": query,
        "cpr_form": CprSearchForm(),
        "may_register": services.may_register_citizens(request.user),
    }
    template = "workspace/citizen_list.html#results" if request.htmx else "workspace/citizen_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_POST
def citizen_cpr_search(request: HttpRequest) -> HttpResponse:
    form = CprSearchForm(request.POST)
    if form.is_valid():
        citizen = citizens_visible_to(request.user).filter(cpr=form.cleaned_data["cpr"]).first()
        if citizen is not None:
            return redirect("citizens:detail", citizen_id=citizen.public_id)
        form.add_error("cpr", _("No citizen with this CPR number is visible to you."))
    return render(request, "workspace/cpr_search.html", {"cpr_form": form}, status=400)


@login_required
def citizen_detail(request: HttpRequest, citizen_id: str) -> HttpResponse:
    citizen = get_visible_citizen(request.user, citizen_id)
    care = bool(care_relation_ids(request.user, [citizen]))
    log_access(request, request.user, citizen, "citizen.detail")
    return render(
        request,
        "workspace/citizen.html",
        {
            "citizen": citizen,
            "care_relation": care,
            "courses": _courses(request, citizen),
            "may_name_gp": services.may_name_gp(request.user, citizen),
            **relatives_section(citizen),
        },
    )


@login_required
@require_POST
def named_gp_save(request: HttpRequest, citizen_id: str) -> HttpResponse:
    """The citizen's GP clinic names the doctor who is patient-responsible when the GP is (aftalen 2.2)."""
    citizen = get_visible_citizen(request.user, citizen_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.set_named_gp(
            actor=request.user,
            citizen=citizen,
            name=request.POST.get("gp_doctor_name", ""),
            expected_version=version,
        )
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The named GP was saved."))
    return redirect("citizens:detail", citizen_id=citizen.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def citizen_register(request: HttpRequest) -> HttpResponse:
    if not services.may_register_citizens(request.user):
        raise Http404
    form = CitizenRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            citizen = services.register_citizen(
                actor=request.user,
                cpr=data["cpr"],
                name=data["name"],
                municipality_code=data["municipality"].code,
                gp_clinic_key=data["gp_clinic"].key if data["gp_clinic"] else None,
                receives_elderly_care=data["receives_elderly_care"],
                known_to_municipal_social_area=data["known_to_municipal_social_area"],
                known_to_regional_social_area=data["known_to_regional_social_area"],
            )
        except services.RegistrationHeld as held:
            messages.info(request, held.message)
            return redirect("citizens:list")
        except DomainError as exc:
            field = {"municipality_code": "municipality"}.get(exc.field or "", exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The citizen was registered."))
            return redirect("citizens:detail", citizen_id=citizen.public_id)
    return render(
        request, "workspace/citizen_register.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def relative_save(request: HttpRequest, citizen_id: str, relative_id: str | None = None) -> HttpResponse:
    citizen = get_visible_citizen(request.user, citizen_id)
    relative = None
    if relative_id is not None:
        relative = citizen.relatives.filter(public_id=relative_id).first()
        if relative is None:
            raise Http404
    form = RelativeForm(
        request.POST, auto_id=f"id_relative_{relative.public_id}_%s" if relative is not None else "id_%s"
    )
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.save_relative(
                actor=request.user,
                citizen=citizen,
                relative=relative,
                name=data["name"],
                relation=data["relation"],
                phone=data["phone"],
                may_be_involved=data["may_be_involved"],
                expected_version=data["version"],
            )
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
            )
            status = exc.status
        else:
            messages.success(request, _("The relative was saved."))
    else:
        status = 400
    log_access(request, request.user, citizen, "citizen.relatives")
    citizen.refresh_from_db(fields=["version"])
    failed = form if status != 200 else None  # a saved form is shown afresh
    context = {"citizen": citizen, **relatives_section(citizen, failed, relative)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "workspace/citizen.html#relatives", context, status=status)
    if status == 200:
        return redirect("citizens:detail", citizen_id=citizen.public_id)
    context.update(
        {
            "care_relation": bool(care_relation_ids(request.user, [citizen])),
            "courses": _courses(request, citizen),
        }
    )
    return render(request, "workspace/citizen.html", context, status=status)
