from django.db import migrations


def load(apps, schema_editor):
    """The reference data now carries phone numbers (marked as examples in the demo data): load them."""
    from sektorbro.organisations.reference import load_reference_data

    load_reference_data(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_unit_phone_is_example")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
