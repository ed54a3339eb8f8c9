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


def _rows(chart: Chart, current: Step | None) -> list[Row]:
    rows = []
    for step in chart.steps:
        primary = step.actions[0].lane.id if step.actions else None
        cells = tuple(
            Cell(lane=lane, action=step.action_for(lane.id), primary=lane.id == primary)
            for lane in chart.lanes
        )
        rows.append(Row(step=step, cells=cells, current=current is not None and step.id == current.id))
    return rows


def _chart(slug: str) -> Chart:
    chart = get_flowchart().chart_by_slug(slug)
    if chart is None:
        raise Http404
    return chart


def _chart_context(chart: Chart, *, current: Step | None = None, course: Any = None) -> dict[str, Any]:
    flowchart = get_flowchart()
    return {
        "flowchart": flowchart,
        "chart": chart,
        "rows": _rows(chart, current),
        "current": current,
        "course": course,
        "other_charts": [c for c in flowchart.charts if c.id != chart.id],
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "flowchart/index.html", {"flowchart": get_flowchart()})


@login_required
def chart(request: HttpRequest, track: str) -> HttpResponse:
    return render(request, "flowchart/chart.html", _chart_context(_chart(track)))


@login_required
def step(request: HttpRequest, track: str, step_id: str) -> HttpResponse:
    """The explanation of one step: a full page, or only the side panel for an HTMX request."""
    chart = _chart(track)
    found = chart.step(step_id)
    if found is None:
        raise Http404
    previous, following = chart.neighbours(found)
    context = {"chart": chart, "step": found, "previous": previous, "following": following}
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
    return render(request, "flowchart/chart.html", _chart_context(chart, current=current, course=found))
