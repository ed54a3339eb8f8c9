"""A small audit round in Randersklyngen for the audit tests: a Randers citizen with three acute admissions in
the period (events on the last one), a Norddjurs citizen, and the round's themes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sektorbro.courses import services as course_services
from sektorbro.followup import services
from sektorbro.organisations.models import Cluster
from tests.conftest import CPH

PERIOD = (dt.date(2026, 8, 1), dt.date(2026, 10, 31))


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=CPH)


def event(course: Any, kind: str, when: dt.datetime, **data: Any) -> None:
    course_services.record_event(
        actor=None, course=course, event_type=kind, occurred_at=when, data=data or None, source="demo"
    )


def build(make_citizen: Callable[..., Any], make_course: Callable[..., Any]) -> dict[str, Any]:
    randers = make_citizen("730", "Ingrid Auditsen", gp_key="laege-730-1", receives_elderly_care=True)
    first = make_course(randers, admitted_at=at(8, 3))
    event(first, "discharged", at(8, 6), destination="own_home")
    second = make_course(randers, admitted_at=at(9, 1))
    event(second, "discharged", at(9, 4), destination="own_home")
    third = make_course(randers, admitted_at=at(10, 2))
    event(third, "care_plan_sent", at(10, 3))
    event(third, "ready_for_discharge", at(10, 5, 9))
    event(third, "correspondence_sent", at(10, 5, 12), to="municipality", text="Fortroligt indhold")
    event(third, "discharged", at(10, 8), destination="own_home")
    before = make_course(randers, admitted_at=at(6, 1))  # before the period: not counted, not shown
    event(before, "discharged", at(6, 3), destination="own_home")
    norddjurs = make_citizen("707", "Poul Norddjurs")
    nd_course = make_course(norddjurs, admitted_at=at(9, 20))
    viborg = make_citizen("791", "Vera Viborg")
    viborg_course = make_course(viborg, admitted_at=at(9, 21))
    cluster = Cluster.objects.get(key="randersklyngen")
    audit_round = services.create_round(
        actor=None, cluster=cluster, title="Efterårsrunden", period_start=PERIOD[0], period_end=PERIOD[1]
    )
    themes = [
        services.add_theme(actor=None, audit_round=audit_round, name=name)
        for name in ("Behandlingsplan til patienter med KOL", "Opfølgende hjemmebesøg")
    ]
    return {
        "round": audit_round,
        "themes": themes,
        "randers": randers,
        "randers_course": third,
        "norddjurs": norddjurs,
        "norddjurs_course": nd_course,
        "viborg_course": viborg_course,
        "cluster": cluster,
    }
