from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The citizen facts the rules read for a course (the responsible doctor depends on the acute function; the
# municipality and the GP clinic decide who the parties are).
STATE_INPUTS = frozenset(
    {
        "acute_function_unit",
        "acute_function_referred_by",
        "acute_function_since",
        "residence_municipality",
        "gp_clinic",
        "gp_doctor_name",
    }
)


def refresh_for_citizen(sender: Any, *, citizen: Any, fields: frozenset[str], **kwargs: Any) -> None:
    """Re-evaluate the citizen's open courses when a fact the rules read has changed."""
    if not fields & STATE_INPUTS:
        return
    from sektorbro.courses.models import Course
    from sektorbro.courses.state import refresh_many

    refresh_many(Course.objects.filter(citizen=citizen, ended_at__isnull=True))


class CoursesConfig(AppConfig):
    name = "sektorbro.courses"
    label = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from sektorbro.citizens.signals import citizen_changed

        citizen_changed.connect(refresh_for_citizen, dispatch_uid="courses.refresh_for_citizen")
