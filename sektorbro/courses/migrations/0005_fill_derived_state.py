"""Give existing courses their derived state (new courses get it from the services)."""

from __future__ import annotations

from django.db import migrations

from sektorbro.courses.migrations import _fill


class Migration(migrations.Migration):
    dependencies = [("courses", "0004_derived_state")]

    operations = [migrations.RunPython(_fill.fill, migrations.RunPython.noop)]
