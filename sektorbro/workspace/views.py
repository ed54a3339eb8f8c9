from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sektorbro.citizens.access import log_access
from sektorbro.workspace.worklists import worklist


def worklist_context(request: HttpRequest) -> dict[str, Any]:
    ward = request.GET.get("afsnit") or None
    wl = worklist(request.user, ward=ward)
    citizens = {r.course.citizen_id: r.course.citizen for r in wl["admitted"] + wl["discharged"]}
    log_access(request, request.user, list(citizens.values()), "worklist")
    return {"wl": wl, "ward": ward}


@login_required
def worklist_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/worklist.html", worklist_context(request))
