"""The course state fill used by the migrations that add state columns: every course is evaluated by the
current rules and the state columns present in the migration's model state are written. (Not a migration
itself: the loader skips modules starting with an underscore.)"""

from __future__ import annotations

from typing import Any


def fill(apps: Any, schema_editor: Any) -> None:
    from sektorbro.core.bulk import update_rows
    from sektorbro.courses.snapshot import current_tariffs
    from sektorbro.courses.state import STATE_FIELDS, refresh_state

    course_model = apps.get_model("courses", "Course")
    tariffs = current_tariffs(apps.get_model("courses", "ReadyForDischargeTariff"))
    # The state columns this migration state has (later migrations add more and fill them themselves).
    present = {f.name for f in course_model._meta.get_fields()}
    fields = [name for name in STATE_FIELDS if name in present]
    batch: list[Any] = []
    from django.db.models import Prefetch

    event_model = apps.get_model("courses", "CourseEvent")
    queryset = (
        course_model.objects.select_related("citizen", "hospital", "hospital__cluster")
        .prefetch_related(
            Prefetch("events", queryset=event_model.objects.select_related("supersedes").order_by("seq"))
        )
        .order_by("pk")
    )
    for course in queryset.iterator(chunk_size=500):
        batch.append(refresh_state(course, list(course.events.all()), tariffs=tariffs))
        if len(batch) >= 500:
            update_rows(batch, fields)
            batch = []
    if batch:
        update_rows(batch, fields)
