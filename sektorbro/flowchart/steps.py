"""Where a course stands in the flowchart: from its events to a step id ("Du er her").

Plain Python, no Django: the views pass the *effective* event types of a course (after cancellations and
corrections are applied, as :func:`sektorbro.agreement.rules.effective_events` returns them) in the order they
happened.

How the position is found:

- Each event type that marks progress moves the course to a step. The position only moves forward in the
  flow (a late correspondence message does not send the course back to an earlier step), with two
  exceptions: ``treatment_resumed`` moves the course back to the step where the discharge is planned again
  (the patient is no longer ready for discharge, jf. aftalens afsnit 2.1), and on the somatic tracks a second
  or later ``care_plan_sent`` is an *updated* care plan (step 2-5 on the planned track, P11).
- Events that can happen at any time (correspondence, phone calls, leave, transfers, terminal assessment)
  do not move the course.
- ``died``, and a ``cancelled`` that is still in the effective history (a cancelled course), take the course
  out of the flowchart: the answer is ``None`` and stays ``None``.
- No progress event at all (for example an empty history) gives ``None``.

The step ids must exist in the data files (``data/*.json``); ``tests/flowchart`` checks that they do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

SOMATIC_PLANNED: Final = "somatic_planned"
SOMATIC_ACUTE: Final = "somatic_acute"
PSYCHIATRIC: Final = "psychiatric"

# Event types that end the course's place in the flowchart.
_OUT_OF_FLOW: Final = frozenset({"died", "cancelled"})

_PLANNED: Final[Mapping[str, str]] = {
    "admitted": "2-0",
    "admission_report_sent": "2-2",
    "admission_report_received": "2-2",
    "assessment_plan_made": "2-3",
    "care_plan_sent": "2-4",
    "discharge_date_proposed": "2-6",
    "ready_for_discharge": "faerdigbehandlet",
    "discharge_date_agreed": "faerdigbehandlet",
    "discharge_date_accepted": "faerdigbehandlet",
    "weekend_discharge_agreed": "faerdigbehandlet",
    "discharge_report_sent": "udskrivelsesdag",
    "rehab_plan_sent": "udskrivelsesdag",
    "fmk_updated": "udskrivelsesdag",
    "discharge_summary_sent": "udskrivelsesdag",
    "discharged": "efter-udskrivelse",
}
_PLANNED_ORDER: Final = (
    "2-0",
    "2-1",
    "2-2",
    "2-3",
    "2-4",
    "2-5",
    "2-6",
    "faerdigbehandlet",
    "udskrivelsesdag",
    "efter-udskrivelse",
)

_ACUTE: Final[Mapping[str, str]] = {
    "admitted": "akut-modtagelse",
    "admission_report_sent": "akut-modtagelse",
    "admission_report_received": "akut-modtagelse",
    "assessment_plan_made": "udskrivelsesplanlaegning",
    "care_plan_sent": "udskrivelsesplanlaegning",
    "discharge_date_proposed": "udskrivelsesplanlaegning",
    "ready_for_discharge": "faerdigbehandlet",
    "discharge_date_agreed": "faerdigbehandlet",
    "discharge_date_accepted": "faerdigbehandlet",
    "weekend_discharge_agreed": "faerdigbehandlet",
    "discharge_report_sent": "udskrivelsesdag",
    "rehab_plan_sent": "udskrivelsesdag",
    "fmk_updated": "udskrivelsesdag",
    "discharge_summary_sent": "udskrivelsesdag",
    "discharged": "efter-udskrivelse",
}
_ACUTE_ORDER: Final = (
    "henvisning",
    "akut-modtagelse",
    "1-40",
    "udskrivelsesplanlaegning",
    "faerdigbehandlet",
    "udskrivelsesdag",
    "efter-udskrivelse",
)

_PSYCHIATRIC: Final[Mapping[str, str]] = {
    "admitted": "indlaeggelse",
    "admission_report_sent": "kontakt-kommunen",
    "admission_report_received": "kontakt-kommunen",
    "correspondence_sent": "kontakt-kommunen",
    "correspondence_read": "kontakt-kommunen",
    "phone_contact_logged": "kontakt-kommunen",
    "assessment_plan_made": "realistiske-oplysninger",
    "care_plan_sent": "realistiske-oplysninger",
    "discharge_date_proposed": "realistiske-oplysninger",
    "discharge_agreement_made": "udskrivningsaftale",
    "coordination_plan_made": "udskrivningsaftale",
    "ready_for_discharge": "udskrivningsaftale",
    "discharge_date_agreed": "udskrivningsaftale",
    "discharge_date_accepted": "udskrivningsaftale",
    "weekend_discharge_agreed": "udskrivningsaftale",
    "discharge_report_sent": "udskrivelse",
    "rehab_plan_sent": "udskrivelse",
    "fmk_updated": "udskrivelse",
    "discharge_summary_sent": "udskrivelse",
    "discharged": "udskrivelse",
}
_PSYCHIATRIC_ORDER: Final = (
    "indlaeggelse",
    "kontakt-kommunen",
    "inddragelse",
    "realistiske-oplysninger",
    "udskrivningsaftale",
    "udskrivelse",
)

# chart id -> (event type -> step, steps in flow order, step after "treatment_resumed", updated care plan step)
_CHARTS: Final[dict[str, tuple[Mapping[str, str], tuple[str, ...], str, str]]] = {
    SOMATIC_PLANNED: (_PLANNED, _PLANNED_ORDER, "2-5", "2-5"),
    SOMATIC_ACUTE: (_ACUTE, _ACUTE_ORDER, "udskrivelsesplanlaegning", "udskrivelsesplanlaegning"),
    PSYCHIATRIC: (_PSYCHIATRIC, _PSYCHIATRIC_ORDER, "realistiske-oplysninger", "realistiske-oplysninger"),
}


def chart_for(area: str, track: str) -> str:
    """The flowchart that describes a course: psychiatry has one chart for acute and planned admissions."""
    if area == "psychiatric":
        if track not in ("acute", "planned"):
            raise ValueError(f"track: must be 'acute' or 'planned', not {track!r}")
        return PSYCHIATRIC
    if area == "somatic":
        if track == "planned":
            return SOMATIC_PLANNED
        if track == "acute":
            return SOMATIC_ACUTE
        raise ValueError(f"track: must be 'acute' or 'planned', not {track!r}")
    raise ValueError(f"area: must be 'somatic' or 'psychiatric', not {area!r}")


def step_ids(chart: str) -> tuple[str, ...]:
    """Every step id this module knows for a chart, in flow order (the data files must have them all)."""
    return _CHARTS[chart][1]


def reachable_step_ids(chart: str) -> frozenset[str]:
    """The step ids :func:`current_step` can answer for a chart."""
    mapping, _order, resumed, updated = _CHARTS[chart]
    return frozenset({*mapping.values(), resumed, updated})


def current_step(area: str, track: str, event_types: Sequence[str]) -> str | None:
    """The step id the course has reached, or ``None`` when it is not (or no longer) at a step.

    ``area`` is ``somatic`` or ``psychiatric``, ``track`` is ``acute`` or ``planned`` (anything else raises
    ``ValueError``); ``event_types`` are the course's effective event types in order. Unknown event types are
    ignored.
    """
    mapping, order, resumed_step, updated_plan_step = _CHARTS[chart_for(area, track)]
    rank = {step: index for index, step in enumerate(order)}
    position: str | None = None
    care_plans = 0
    for event_type in event_types:
        if event_type in _OUT_OF_FLOW:
            return None
        if event_type == "treatment_resumed":
            if position is not None and rank[position] > rank[resumed_step]:
                position = resumed_step
            continue
        target = mapping.get(event_type)
        if event_type == "care_plan_sent":
            care_plans += 1
            if care_plans > 1:
                target = updated_plan_step
        if target is None:
            continue
        if position is None or rank[target] > rank[position]:
            position = target
    return position
