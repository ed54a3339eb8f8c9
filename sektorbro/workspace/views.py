from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.citizens.access import log_access
from sektorbro.messaging.selectors import quarantine_visible_to
from sektorbro.organisations import selectors as reference
from sektorbro.workspace.worklists import clamp_limit, worklist

# Query parameters (Danish, like "afsnit") for how many rows each section shows.
LIMIT_PARAMS = {
    "admitted": "indlagte",
    "discharged": "udskrevne",
    "acute_function": "akut",
    "ready": "faerdige",
    "window_72h": "72timer",
}


WARD_SESSION_KEY = "worklist_ward"


def chosen_ward(request: HttpRequest) -> str | None:
    """The ward the worklist shows: the one chosen now (and remembered for the next visit), else the one chosen
    last time ("Alle" included), else the user's own department when the user works on exactly one."""
    session = request.session
    if "afsnit" in request.GET:
        ward = request.GET.get("afsnit", "")[:80]
        # The minute refresh repeats the current choice; only a person's choice is remembered.
        if session.get(WARD_SESSION_KEY) != ward and not getattr(request, "automatic", False):
            session[WARD_SESSION_KEY] = ward
        return ward or None
    if WARD_SESSION_KEY in session:
        return str(session[WARD_SESSION_KEY]) or None
    user: Any = request.user
    departments = {m.unit.key for m in user.active_memberships() if m.unit.kind == "department"}
    return departments.pop() if len(departments) == 1 else None


def worklist_context(request: HttpRequest) -> dict[str, Any]:
    ward = chosen_ward(request)
    limits = {name: clamp_limit(request.GET.get(param)) for name, param in LIMIT_PARAMS.items()}
    wl = worklist(request.user, ward=ward, limits=limits)
    view = wl["view"]
    # Only the sections the role's page shows are read (and logged as seen).
    names = [] if view.acute_only else ["admitted", "discharged"]
    if view.ready_first:
        names.insert(0, "ready")
    if view.window_section:
        names.append("window_72h")
    sections = {name: wl[name] for name in names}
    shown = [r.course.citizen for section in sections.values() for r in section]
    shown += [r.citizen for r in wl["acute_function"] or []]
    log_access(request, request.user, list({c.pk: c for c in shown}.values()), "worklist")
    state = {"afsnit": ward or "", **{LIMIT_PARAMS[k]: v for k, v in limits.items()}}

    def query(**changes: Any) -> str:
        return urlencode({k: v for k, v in {**state, **changes}.items() if v})

    return {
        "wl": wl,
        "ward": ward,
        "wl_query": query(),
        **{f"wl_more_{name}": query(**{LIMIT_PARAMS[name]: s.next_limit}) for name, s in sections.items()},
        "wl_more_acute": query(akut=wl["acute_function"].next_limit) if wl["acute_function"] else "",
    }


# The id of the element whose "every 60s" trigger refreshes the worklist (htmx sends it as HX-Trigger).
POLL_TRIGGER = "worklist"


@login_required
def worklist_partial(request: HttpRequest) -> HttpResponse:
    # The minute refresh is not the user's action: it does not keep the session alive.
    request.automatic = request.headers.get("HX-Trigger") == POLL_TRIGGER  # type: ignore[attr-defined]
    return render(request, "workspace/worklist.html", worklist_context(request))


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
        context.update(worklist_context(request))
        # Messages that could not be placed wait for the staff of the organisations they concern.
        context["quarantined"] = quarantine_visible_to(user).count()
    if Sector.ADMINISTRATION in sectors:  # administrators resolve the quarantine for every organisation
        context["quarantined"] = quarantine_visible_to(user).count()
    if sectors & {Sector.ANALYTICS, Sector.GOVERNANCE, Sector.ADMINISTRATION} or not sectors:
        context["clusters"] = reference.clusters().prefetch_related("municipalities", "units", "aliases")
    return render(request, "workspace/home.html", context)
