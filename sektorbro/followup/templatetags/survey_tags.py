"""``{% load survey_tags %}``: whether the course page offers a survey code (``followup.surveys``)."""

from __future__ import annotations

from typing import Any

from django import template

from sektorbro.followup import surveys

register = template.Library()


@register.filter
def may_hand_out_survey(user: Any, course: Any) -> bool:
    """The user may hand out a code for this discharged course, and a survey is open for its cluster."""
    if course is None or course.discharged_at is None or not surveys.may_hand_out(user):
        return False
    return (
        surveys.handout_courses(user).filter(pk=course.pk).exists()
        and surveys.surveys_for_course(course).exists()
    )
