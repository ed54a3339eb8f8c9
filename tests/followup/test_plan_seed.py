"""The demo's plans, package, experiences and follow-up report: made once, and again without duplicates."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from sektorbro.followup import plan_seed
from sektorbro.followup.models import (
    ExperienceResponse,
    ImplementationPlan,
    Material,
    PlanTask,
    ReportVersion,
)

pytestmark = pytest.mark.django_db


def test_the_demo_holds_two_plans_experiences_and_a_published_report(make_user: Any) -> None:
    make_user("hospital.randers", "ward_nurse", "rhr-medicin")
    make_user("kommune.randers", "municipal_visitator", "visitation-730")
    make_user("sekretaer", "committee_secretary", "sekretariat-randersklyngen")
    make_user("hospital.viborg", "ward_nurse", "hem-viborg-medicin")
    make_user("kommune.aarhus", "municipal_visitator", "visitation-751")
    report = plan_seed.load_demo()
    again = plan_seed.load_demo()
    assert again.pk == report.pk
    assert sorted(ImplementationPlan.objects.values_list("cluster__key", flat=True)) == [
        "midtklyngen",
        "randersklyngen",
    ]
    assert PlanTask.objects.count() == sum(len(tasks) for _k, _s, tasks in plan_seed.PLANS)
    assert {t for t in PlanTask.objects.values_list("track", flat=True)} == {
        "communication",
        "dialogue",
        "rules",
    }
    assert Material.objects.count() == len(plan_seed.MATERIALS)
    assert sorted(set(ExperienceResponse.objects.values_list("cluster__key", flat=True))) == [
        "aarhusklyngen",
        "midtklyngen",
        "randersklyngen",
    ]
    assert ExperienceResponse.objects.count() == len(plan_seed.EXPERIENCES)
    version = ReportVersion.objects.get(report=report)
    assert version.number == 1 and plan_seed.NARRATIVES["summary"] in version.body_html


def test_the_demo_commands_published_report_shows_the_demo_overview() -> None:
    """`sektorbro demo` publishes the overview before the region, so the report's version 1 has its charts."""
    with override_settings(DEMO_MODE=True):
        call_command("demo", "--citizens", "19", stdout=StringIO())
    version = ReportVersion.objects.get(report__title=plan_seed.REPORT_TITLE)
    assert 'class="report-indicator"' in version.body_html and "<svg" in version.body_html
    assert "Opfølgende hjemmebesøg" in version.body_html  # the demo's audit round, in the period
