"""Who signs the demo's course events: the demo person of the party that acts, with the organisation.

A hospital event is signed by the demo nurse of the course's ward (else the hospital's discharge coordinator),
a municipal event by the demo visitator of the citizen's municipality. Where the demo has no person for that
organisation, the event carries the organisation (its name as the signature), never the administrator."""

from __future__ import annotations

from typing import Any

from sektorbro.accounts.models import Membership
from sektorbro.courses.models import Course
from sektorbro.organisations.models import OrganisationUnit

# Events the municipality records; a discharge-date proposal or agreement goes by its ``by``.
MUNICIPAL_ONLY = frozenset(
    {"admission_report_sent", "discharge_date_accepted", "discharge_agreement_disputed"}
)
HOSPITAL_ROLES = ("ward_nurse", "discharge_coordinator", "hospital_doctor")


class Signers:
    def __init__(self) -> None:
        self.by_unit: dict[int, Any] = {}
        memberships = (
            Membership.objects.filter(active=True, user__is_demo_account=True, user__is_active=True)
            .select_related("user", "unit")
            .order_by("pk")
        )
        for m in memberships:
            if m.role in HOSPITAL_ROLES or m.role == "municipal_visitator":
                # The first (ward nurse before coordinator in the demo's list) signs for the unit.
                self.by_unit.setdefault(m.unit_id, m.user)
        self.visitation: dict[int | None, OrganisationUnit] = {
            u.municipality_id: u
            for u in OrganisationUnit.objects.filter(municipal_service="visitation").exclude(
                municipality__isnull=True
            )
        }

    def hospital_of(
        self, hospital: OrganisationUnit, department: OrganisationUnit | None
    ) -> tuple[Any, OrganisationUnit]:
        for unit in (department, hospital):
            if unit is not None and unit.pk in self.by_unit:
                return self.by_unit[unit.pk], unit
        unit = department or hospital
        return unit.name, unit

    def hospital(self, course: Course) -> tuple[Any, OrganisationUnit]:
        return self.hospital_of(course.hospital, course.department)

    def municipality(self, course: Course) -> tuple[Any, OrganisationUnit | None]:
        unit = self.visitation.get(course.citizen.residence_municipality_id)
        if unit is None:
            return self.hospital(course)
        return self.by_unit.get(unit.pk, unit.name), unit

    def for_event(self, course: Course, event_type: str, data: dict[str, Any]) -> tuple[Any, Any]:
        """The signer (a demo user, or the organisation's name) and the organisation of one event."""
        by = data.get("by")
        if by == "municipality" or (by is None and event_type in MUNICIPAL_ONLY):
            return self.municipality(course)
        return self.hospital(course)
