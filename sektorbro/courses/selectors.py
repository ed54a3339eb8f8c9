"""Which courses a user may see. Built on the citizens access selector, one path for every view."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.citizens.access import citizens_visible_to, hospital_courses_of
from sektorbro.courses.models import Course


def courses_visible_to(user: Any) -> QuerySet[Course]:
    """Hospital staff see the courses of their department, or of their hospital when their membership is on the
    hospital itself (``citizens.access.hospital_courses_of``); municipal staff, GPs and social-area staff see every
    course of the citizens they may see. Everyone else sees none.

    Municipal staff see their residents (``citizens_visible_to``); their courses are found by the copy of the
    citizen's municipality on the course (an index, not a semi-join over every citizen), which is the same
    set: ``Citizen.save`` keeps the copy in step, and a test holds the two paths equal."""
    if user is None or not user.is_authenticated:
        return Course.objects.none()
    condition = Q(pk__in=[])
    other_sectors = False
    for membership in user.active_memberships():
        sector = sector_of(membership.role)
        if sector == Sector.HOSPITAL and (covered := hospital_courses_of(membership.unit)) is not None:
            condition |= covered
        elif sector == Sector.MUNICIPALITY:
            if membership.unit.municipality_id is not None:
                condition |= Q(municipality_id=membership.unit.municipality_id)
        elif sector in (Sector.GENERAL_PRACTICE, Sector.SOCIAL_AREA):
            other_sectors = True
    if other_sectors:
        condition |= Q(citizen__in=citizens_visible_to(user).values("pk"))
    return Course.objects.filter(condition).select_related(
        "citizen", "citizen__residence_municipality", "hospital", "department"
    )


def open_courses_visible_to(user: Any) -> QuerySet[Course]:
    return courses_visible_to(user).filter(ended_at__isnull=True)
