from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlowchartConfig(AppConfig):
    name = "sektorbro.flowchart"
    label = "flowchart"
    verbose_name = _("Flowchart")
