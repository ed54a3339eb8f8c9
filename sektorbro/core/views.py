from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.organisations import selectors as reference


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page: the citizens and courses it works with now, or the region's structure."""
    user: Any = request.user
    sectors = {sector_of(m.role) for m in user.active_memberships()}
    context: dict[str, Any] = {
        "memberships": user.active_memberships(),
        "sectors": [s.value for s in sectors],
    }
    if sectors & {Sector.HOSPITAL, Sector.MUNICIPALITY, Sector.GENERAL_PRACTICE, Sector.SOCIAL_AREA}:
        from sektorbro.workspace.views import worklist_context

        context.update(worklist_context(request))
        from sektorbro.messaging.selectors import quarantine_visible_to

        # Messages that could not be placed wait for the staff of the organisations they concern.
        context["quarantined"] = quarantine_visible_to(user).count()
    if sectors & {Sector.ANALYTICS, Sector.GOVERNANCE, Sector.ADMINISTRATION} or not sectors:
        context["clusters"] = reference.clusters().prefetch_related("municipalities", "units", "aliases")
    return render(request, "core/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
