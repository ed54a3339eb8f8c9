from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


def check_flowchart_content(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``sektorbro check`` fails when a flowchart data file is malformed (the message names file, step, field)."""
    from sektorbro.flowchart.content import FlowchartDataError, get_flowchart
    from sektorbro.flowchart.steps import reachable_step_ids

    try:
        flowchart = get_flowchart()
    except FlowchartDataError as exc:
        return [checks.Error(str(exc), id="flowchart.E001")]
    problems: list[checks.CheckMessage] = []
    for chart in flowchart.charts:
        missing = sorted(reachable_step_ids(chart.id) - {s.id for s in chart.steps})
        if missing:
            problems.append(
                checks.Error(
                    f"{chart.id}.json: the steps {', '.join(missing)} are used for 'You are here' "
                    "(sektorbro/flowchart/steps.py) but are not in the file",
                    id="flowchart.E002",
                )
            )
    return problems


class FlowchartConfig(AppConfig):
    name = "sektorbro.flowchart"
    label = "flowchart"
    verbose_name = _("Flowchart")

    def ready(self) -> None:
        checks.register(check_flowchart_content)
