"""Courses store their discharge date (the agreed one and an unanswered proposal, aftalen 2.1) for the worklists;
every course is evaluated once more to fill it, which also retires the work due before the discharge of the
courses that have ended (sektorbro.agreement.tasks.BEFORE_DISCHARGE)."""

from __future__ import annotations

from django.db import migrations, models

from sektorbro.courses.migrations import _fill


class Migration(migrations.Migration):
    dependencies = [("courses", "0008_course_state_documents")]

    operations = [
        migrations.AddField(
            model_name="course",
            name="state_discharge_date",
            field=models.JSONField(blank=True, default=dict, verbose_name="discharge date"),
        ),
        migrations.RunPython(_fill.fill, migrations.RunPython.noop),
    ]
