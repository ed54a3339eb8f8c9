"""``current_step``: from a course's events to the step id that is marked "You are here". Pure Python."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sektorbro.agreement.model import EVENT_TYPES
from sektorbro.flowchart.steps import (
    PSYCHIATRIC,
    SOMATIC_ACUTE,
    SOMATIC_PLANNED,
    chart_for,
    current_step,
    reachable_step_ids,
    step_ids,
)

COURSE_KINDS = [
    ("somatic", "planned"),
    ("somatic", "acute"),
    ("psychiatric", "planned"),
    ("psychiatric", "acute"),
]
# Events that can happen at any point and therefore never move the position.
ANYTIME = ("transferred", "leave_started", "leave_ended", "terminal_assessed", "corrected")
SOMATIC_ANYTIME = (*ANYTIME, "correspondence_sent", "correspondence_read", "phone_contact_logged")


@pytest.mark.parametrize(
    ("area", "track", "chart"),
    [
        ("somatic", "planned", SOMATIC_PLANNED),
        ("somatic", "acute", SOMATIC_ACUTE),
        ("psychiatric", "planned", PSYCHIATRIC),
        ("psychiatric", "acute", PSYCHIATRIC),
    ],
)
def test_each_course_is_shown_on_its_chart(area: str, track: str, chart: str) -> None:
    assert chart_for(area, track) == chart


@pytest.mark.parametrize(
    ("area", "track"), [("somatic", "elective"), ("dental", "acute"), ("psychiatric", "")]
)
def test_an_unknown_area_or_track_is_refused(area: str, track: str) -> None:
    with pytest.raises(ValueError, match=r"area|track"):
        current_step(area, track, ["admitted"])


PLANNED = [
    ([], None),
    (["admitted"], "2-0"),
    (["admitted", "admission_report_sent"], "2-2"),
    (["admitted", "admission_report_received", "assessment_plan_made"], "2-3"),
    (["admitted", "care_plan_sent"], "2-4"),
    (["admitted", "care_plan_sent", "care_plan_sent"], "2-5"),
    (["admitted", "care_plan_sent", "discharge_date_proposed"], "2-6"),
    (["admitted", "care_plan_sent", "ready_for_discharge"], "faerdigbehandlet"),
    (["admitted", "discharge_date_agreed", "care_plan_sent"], "faerdigbehandlet"),
    (["admitted", "ready_for_discharge", "treatment_resumed"], "2-5"),
    (["admitted", "ready_for_discharge", "treatment_resumed", "ready_for_discharge"], "faerdigbehandlet"),
    (["admitted", "assessment_plan_made", "treatment_resumed"], "2-3"),
    (["admitted", "ready_for_discharge", "fmk_updated", "discharge_report_sent"], "udskrivelsesdag"),
    (["admitted", "ready_for_discharge", "discharged"], "efter-udskrivelse"),
    (["admitted", "discharged", "discharge_summary_sent"], "efter-udskrivelse"),
    (["admitted", "care_plan_sent", "correspondence_sent", "phone_contact_logged"], "2-4"),
    (["admitted", "care_plan_sent", "died"], None),
    (["admitted", "cancelled"], None),
    (["correspondence_sent"], None),
    (["admitted", "something_new"], "2-0"),
]


@pytest.mark.parametrize(("events", "expected"), PLANNED)
def test_planned_somatic_track(events: list[str], expected: str | None) -> None:
    assert current_step("somatic", "planned", events) == expected


ACUTE = [
    (["admitted"], "akut-modtagelse"),
    (["admitted", "admission_report_sent"], "akut-modtagelse"),
    (["admitted", "correspondence_sent"], "akut-modtagelse"),
    (["admitted", "care_plan_sent"], "udskrivelsesplanlaegning"),
    (["admitted", "care_plan_sent", "care_plan_sent"], "udskrivelsesplanlaegning"),
    (["admitted", "ready_for_discharge"], "faerdigbehandlet"),
    (["admitted", "ready_for_discharge", "treatment_resumed"], "udskrivelsesplanlaegning"),
    (["admitted", "weekend_discharge_agreed", "rehab_plan_sent"], "udskrivelsesdag"),
    (["admitted", "discharged"], "efter-udskrivelse"),
    (["admitted", "discharge_agreement_made"], "akut-modtagelse"),
]


@pytest.mark.parametrize(("events", "expected"), ACUTE)
def test_acute_somatic_track(events: list[str], expected: str | None) -> None:
    assert current_step("somatic", "acute", events) == expected


PSYCHIATRY = [
    (["admitted"], "indlaeggelse"),
    (["admitted", "correspondence_sent"], "kontakt-kommunen"),
    (["admitted", "care_plan_sent"], "realistiske-oplysninger"),
    (["admitted", "care_plan_sent", "correspondence_sent"], "realistiske-oplysninger"),
    (["admitted", "discharge_agreement_made"], "udskrivningsaftale"),
    (["admitted", "coordination_plan_made", "care_plan_sent"], "udskrivningsaftale"),
    (["admitted", "ready_for_discharge", "treatment_resumed"], "realistiske-oplysninger"),
    (["admitted", "discharge_agreement_made", "discharged"], "udskrivelse"),
    (["admitted", "died"], None),
]


@pytest.mark.parametrize("track", ["acute", "planned"])
@pytest.mark.parametrize(("events", "expected"), PSYCHIATRY)
def test_psychiatry_has_one_chart_for_both_tracks(
    track: str, events: list[str], expected: str | None
) -> None:
    assert current_step("psychiatric", track, events) == expected


def test_the_reachable_steps_are_steps_of_the_chart() -> None:
    for chart in (SOMATIC_PLANNED, SOMATIC_ACUTE, PSYCHIATRIC):
        assert reachable_step_ids(chart) <= set(step_ids(chart))


EVENTS = st.lists(st.sampled_from((*EVENT_TYPES, "unknown_event", "")), max_size=30)


@given(kind=st.sampled_from(COURSE_KINDS), events=EVENTS)
def test_any_history_gives_a_known_step_or_none(kind: tuple[str, str], events: list[str]) -> None:
    area, track = kind
    result = current_step(area, track, events)
    assert result is None or result in reachable_step_ids(chart_for(area, track))


@given(kind=st.sampled_from(COURSE_KINDS), events=EVENTS, extra=st.sampled_from(ANYTIME))
def test_events_that_can_happen_any_time_do_not_move_the_course(
    kind: tuple[str, str], events: list[str], extra: str
) -> None:
    area, track = kind
    assert current_step(area, track, [*events, extra]) == current_step(area, track, events)


@given(events=EVENTS, extra=st.sampled_from(SOMATIC_ANYTIME))
def test_correspondence_does_not_move_a_somatic_course(events: list[str], extra: str) -> None:
    for track in ("planned", "acute"):
        assert current_step("somatic", track, [*events, extra]) == current_step("somatic", track, events)


@given(kind=st.sampled_from(COURSE_KINDS), before=EVENTS, after=EVENTS)
def test_death_or_cancellation_takes_the_course_out_of_the_chart(
    kind: tuple[str, str], before: list[str], after: list[str]
) -> None:
    area, track = kind
    assert current_step(area, track, [*before, "died", *after]) is None
    assert current_step(area, track, [*before, "cancelled", *after]) is None


@given(
    kind=st.sampled_from(COURSE_KINDS),
    events=st.lists(
        st.sampled_from(
            [e for e in EVENT_TYPES if e not in ("died", "cancelled", "treatment_resumed", "care_plan_sent")]
        ),
        max_size=30,
    ),
)
def test_without_setbacks_the_position_only_moves_forward(kind: tuple[str, str], events: list[str]) -> None:
    area, track = kind
    order = step_ids(chart_for(area, track))
    positions = [current_step(area, track, events[:n]) for n in range(len(events) + 1)]
    ranks = [order.index(p) for p in positions if p is not None]
    assert ranks == sorted(ranks)
    if any(p is not None for p in positions):
        first = next(i for i, p in enumerate(positions) if p is not None)
        assert all(p is not None for p in positions[first:])
