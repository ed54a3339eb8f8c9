from django.apps import AppConfig


class OverviewConfig(AppConfig):
    name = "sektorbro.overview"
    label = "overview"
    default_auto_field = "django.db.models.BigAutoField"
