"""A discharged Randers course and an open survey from the annex-1 template, for the survey tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sektorbro.courses import services as course_services
from sektorbro.followup import surveys
from sektorbro.organisations.models import Cluster
from tests.conftest import CPH


def discharged(
    make_citizen: Callable[..., Any],
    make_course: Callable[..., Any],
    code: str = "730",
    at: dt.datetime | None = None,
) -> Any:
    """A citizen of the municipality with ``code`` discharged home at ``at`` (6 November 2026 unless given)."""
    at = at or dt.datetime(2026, 11, 6, 11, 0, tzinfo=CPH)
    citizen = make_citizen(code, f"Survey Borger {code}", gp_key=None)
    course = make_course(citizen, admitted_at=at - dt.timedelta(days=4))
    course_services.record_event(
        actor=None,
        course=course,
        event_type="discharged",
        occurred_at=at,
        data={"destination": "own_home"},
        source="demo",
    )
    course.refresh_from_db()
    return course


def open_survey(cluster_key: str | None = "randersklyngen") -> Any:
    cluster = Cluster.objects.get(key=cluster_key) if cluster_key else None
    survey = surveys.create_survey(actor=None, title="", cluster=cluster, from_template=True)
    return surveys.set_status(actor=None, survey=survey, status="open")
