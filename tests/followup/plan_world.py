"""A small world for the plans, experiences and follow-up report tests: Randersklyngen's and Midtklyngen's plans
(one task each), a published indicator run with a Randersklyngen value, an audit round with a theme and a
suggestion in the period, and Randersklyngen's report (not published)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sektorbro.followup import followup_report as reports
from sektorbro.followup import plans
from sektorbro.followup import services as audits
from sektorbro.organisations.models import Cluster
from sektorbro.overview.models import IndicatorRun, IndicatorValue

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
INDICATOR = "readmission_30d_somatic"


def indicator_run() -> IndicatorRun:
    run = IndicatorRun.objects.create(
        label="Testkørsel", period_from=dt.date(2025, 1, 1), period_to=dt.date(2026, 12, 31), sha256="0" * 64
    )
    for period, numerator, denominator in (
        ("2025-Q4", 30, 300), ("2026-Q1", 40, 320), ("2026-Q2", 3, 310), ("2026-Q3", 50, 330),
        ("2025-01-01..2026-12-31", 200, 2000),
    ):  # fmt: skip
        IndicatorValue.objects.create(
            run=run, indicator=INDICATOR, period=period, stratum_type="cluster", stratum="randersklyngen",
            numerator=numerator, denominator=denominator, value=100 * numerator / denominator,
        )  # fmt: skip
    return run


def build() -> dict[str, Any]:
    randers = Cluster.objects.get(key="randersklyngen")
    midt = Cluster.objects.get(key="midtklyngen")
    randers_plan = plans.create_plan(actor=None, cluster=randers, summary="Randers' plan")
    midt_plan = plans.create_plan(actor=None, cluster=midt, summary="Midt's plan")
    task = plans.add_task(
        actor=None, plan=randers_plan, track="communication", title="Præsentere flowchartet",
        owner="Oversygeplejerske", deadline=dt.date(2026, 3, 1),
    )  # fmt: skip
    plans.add_task(actor=None, plan=midt_plan, track="rules", title="Instruks", owner="Kvalitet")
    audit_round = audits.create_round(
        actor=None, cluster=randers, title="Forårsrunden", period_start=dt.date(2026, 2, 1),
        period_end=dt.date(2026, 4, 30),
    )  # fmt: skip
    theme = audits.add_theme(actor=None, audit_round=audit_round, name="Opfølgende hjemmebesøg")
    report = reports.create_report(
        actor=None, cluster=randers, title="Opfølgning Randers", period_start=PERIOD[0], period_end=PERIOD[1]
    )
    return {
        "randers": randers,
        "midt": midt,
        "randers_plan": randers_plan,
        "midt_plan": midt_plan,
        "task": task,
        "round": audit_round,
        "theme": theme,
        "report": report,
    }
