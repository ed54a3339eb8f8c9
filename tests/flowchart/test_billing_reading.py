"""Aftalen 2.1 read one way everywhere (issue 17): the flowchart tells the municipality it pays for the days from
the ready-for-discharge date to the agreed date, and the rules bill exactly those days."""

from __future__ import annotations

import pytest

from sektorbro.agreement import rules
from sektorbro.agreement.model import DEFAULT_SETTINGS
from sektorbro.flowchart.content import load_flowchart
from tests.agreement.helpers import agreed, course, ev, t


@pytest.mark.parametrize("chart_id", ["somatic_planned", "somatic_acute"])
def test_the_flowchart_and_the_rules_bill_the_days_between_the_ready_date_and_the_agreed_date(
    chart_id: str,
) -> None:
    chart = next(c for c in load_flowchart().charts if c.id == chart_id)
    step = next(s for s in chart.steps if s.id == "faerdigbehandlet")
    municipality = step.action_for("municipality")
    assert municipality is not None
    assert "til den aftalte dato" in municipality.text.da and "to the agreed date" in municipality.text.en
    assert "ikke for de dage" in municipality.text.da  # kept longer by the hospital: not the municipality's
    assert "kommunen accepterer" in municipality.text.da and "bestride" in municipality.text.da
    hospital = step.action_for("hospital")
    assert hospital is not None and "kan som udgangspunkt ikke ændres" in hospital.text.da
    assert DEFAULT_SETTINGS.bill_until_agreed_date is True
    kept_longer = course(
        [
            ev("ready_for_discharge", "2025-03-05 09:00"),
            agreed("2025-03-05 10:00", date="2025-03-07"),
            ev("discharged", "2025-03-10 11:00"),
        ]
    )
    assert rules.billable_days(kept_longer, t("2025-03-11 12:00")).value["nights"] == [
        "2025-03-05",
        "2025-03-06",
    ]
