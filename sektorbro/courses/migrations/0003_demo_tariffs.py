from django.db import migrations


def load(apps, schema_editor):
    from sektorbro.agreement.tariffs import load_tariffs

    Tariff = apps.get_model("courses", "ReadyForDischargeTariff")
    for t in load_tariffs():
        Tariff.objects.update_or_create(
            sector=t.sector,
            valid_from=t.valid_from,
            defaults={"valid_to": t.valid_to, "dkk_per_day": t.dkk_per_day, "source": t.source, "is_example": t.example},
        )


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_tariffs")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
