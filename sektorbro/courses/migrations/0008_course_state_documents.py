"""Courses store their required and missing documents and a summary of the care plans received (for the
worklists); existing courses are evaluated once more to fill it."""

from __future__ import annotations

from django.db import migrations, models

from sektorbro.courses.migrations import _fill


class Migration(migrations.Migration):
    dependencies = [("courses", "0007_course_municipality_required")]

    operations = [
        migrations.AddField(
            model_name="course",
            name="state_documents",
            field=models.JSONField(blank=True, default=dict, verbose_name="documents"),
        ),
        migrations.RunPython(_fill.fill, migrations.RunPython.noop),
    ]
