"""Courses carry a copy of the citizen's municipality of residence (indexed for the municipal worklists)."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("citizens", "0001_initial"),
        ("courses", "0005_fill_derived_state"),
        ("organisations", "0002_load_reference_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.municipality",
                verbose_name="citizen's municipality",
            ),
        ),
        migrations.RunSQL(
            "UPDATE courses_course SET municipality_id = (SELECT residence_municipality_id FROM citizens_citizen"
            " WHERE citizens_citizen.id = courses_course.citizen_id)",
            migrations.RunSQL.noop,
        ),
    ]
