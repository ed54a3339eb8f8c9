"""The flowchart pages. The content comes from the data files (``content.py``); the templates only lay it out.

Every page needs a login; only the course link shows citizen data, and it goes through the access selector
(404 outside the user's scope) and writes the access log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from sektorbro.citizens.access import log_access
from sektorbro.flowchart.content import Action, Chart, Lane, Step, get_flowchart
from sektorbro.flowchart.steps import chart_for, current_step


@dataclass(frozen=True)
class Cell:
    lane: Lane
    action: Action | None
    primary: bool


@dataclass(frozen=True)
class Row:
    step: Step
    cells: tuple[Cell, ...]
    current: bool
    number: int


#: Roles that revise the flowchart's content and see the notes on what was recovered (the secretariat).
REVISION_ROLES = frozenset({"administrator", "committee_secretary"})


def may_revise(user: Any) -> bool:
    """Administrators and committee secretaries may open the revision view (``?revision=1``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_administrator", False)) or bool(REVISION_ROLES & set(user.roles()))


def _revision(request: HttpRequest) -> bool:
    """The secretariat's revision view: the notes on missing and cut-off pages of the original flowchart and
    the recovery markers. Clinicians see the content without them (and without steps whose content is unknown)."""
    return request.GET.get("revision") == "1" and may_revise(request.user)


def _steps(chart: Chart, revision: bool) -> tuple[Step, ...]:
    """The steps shown: all of them in the revision view, otherwise those with content."""
    return chart.steps if revision else tuple(s for s in chart.steps if not s.is_gap)


def _rows(chart: Chart, current: Step | None, revision: bool = False) -> list[Row]:
    rows = []
    for number, step in enumerate(_steps(chart, revision), start=1):
        primary = step.actions[0].lane.id if step.actions else None
        cells = tuple(
            Cell(lane=lane, action=step.action_for(lane.id), primary=lane.id == primary)
            for lane in chart.lanes
        )
        rows.append(
            Row(
                step=step,
                cells=cells,
                current=current is not None and step.id == current.id,
                number=number,
            )
        )
    return rows


def _chart(slug: str) -> Chart:
    chart = get_flowchart().chart_by_slug(slug)
    if chart is None:
        raise Http404
    return chart


def _view_context(request: HttpRequest) -> dict[str, Any]:
    revision = _revision(request)
    return {
        "revision": revision,
        "may_revise": may_revise(request.user),
        "rq": "?revision=1" if revision else "",
    }


def _chart_context(
    request: HttpRequest, chart: Chart, *, current: Step | None = None, course: Any = None
) -> dict[str, Any]:
    flowchart = get_flowchart()
    view = _view_context(request)
    rows = _rows(chart, current, view["revision"])
    return {
        **view,
        "flowchart": flowchart,
        "chart": chart,
        "rows": rows,
        "current": current,
        "current_number": next((r.number for r in rows if r.current), None),
        "course": course,
        "other_charts": [c for c in flowchart.charts if c.id != chart.id],
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "flowchart/index.html", {"flowchart": get_flowchart(), **_view_context(request)})


@login_required
def chart(request: HttpRequest, track: str) -> HttpResponse:
    return render(request, "flowchart/chart.html", _chart_context(request, _chart(track)))


@login_required
def step(request: HttpRequest, track: str, step_id: str) -> HttpResponse:
    """The explanation of one step: a full page, or only the side panel for an HTMX request."""
    chart = _chart(track)
    view = _view_context(request)
    shown = _steps(chart, view["revision"])
    found = chart.step(step_id)
    if found is None or found not in shown:
        raise Http404
    index = shown.index(found)
    previous = shown[index - 1] if index > 0 else None
    following = shown[index + 1] if index + 1 < len(shown) else None
    context = {
        **view,
        "chart": chart,
        "step": found,
        "number": index + 1,
        "previous": previous,
        "following": following,
    }
    partial = bool(getattr(request, "htmx", False))
    response = render(request, "flowchart/step.html#panel" if partial else "flowchart/step.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def course(request: HttpRequest, course_id: uuid.UUID) -> HttpResponse:
    """The chart that describes a course, with the step the course has reached marked "You are here"."""
    from sektorbro.agreement.rules import effective_events
    from sektorbro.courses.selectors import courses_visible_to
    from sektorbro.courses.snapshot import build_snapshot

    found = courses_visible_to(request.user).filter(public_id=course_id).first()
    if found is None:
        raise Http404
    log_access(request, request.user, found.citizen, "flowchart.course")
    chart = get_flowchart().chart(chart_for(found.area, found.track))
    event_types = [event.type for event in effective_events(build_snapshot(found))]
    step_id = current_step(found.area, found.track, event_types)
    current = chart.step(step_id) if step_id else None
    return render(
        request, "flowchart/chart.html", _chart_context(request, chart, current=current, course=found)
    )
