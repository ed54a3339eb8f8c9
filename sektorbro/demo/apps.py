from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo region: organisations' staff, citizens, courses, stories and MedCom traffic, built on every app."""

    name = "sektorbro.demo"
    label = "demo"
    verbose_name = _("Demo region")
