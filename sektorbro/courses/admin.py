from django.contrib import admin

from sektorbro.courses.models import ReadyForDischargeTariff


@admin.register(ReadyForDischargeTariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ["sector", "valid_from", "valid_to", "dkk_per_day", "source", "is_example"]
    list_filter = ["sector", "is_example"]
