"""The course's municipality is required and indexed (filled by 0006; a separate migration so PostgreSQL's
deferred foreign-key checks from the fill have run before the column is altered)."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("courses", "0006_course_municipality")]

    operations = [
        migrations.AlterField(
            model_name="course",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.municipality",
                verbose_name="citizen's municipality",
            ),
        ),
        migrations.RemoveIndex(model_name="course", name="course_open_municipal_due"),
        migrations.RemoveIndex(model_name="course", name="course_open_hospital_due"),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", True)),
                fields=["hospital", "state_hospital_due", "admitted_at"],
                include=["state_status"],
                name="course_open_hospital_due_st",
            ),
        ),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", True)),
                fields=["municipality", "state_municipality_due", "admitted_at"],
                include=["state_status"],
                name="course_open_municipality_due",
            ),
        ),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(fields=["municipality", "ended_at"], name="course_municipality_ended"),
        ),
    ]
