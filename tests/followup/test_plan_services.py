"""The write path and the reads of implementation plans, the communication package, the clusters' experiences and
the follow-up report: who may do what, validation, progress counts, the seminar's grouping, versioning and the
report's sections."""

from __future__ import annotations

import datetime as dt
import sys
import types
from typing import Any

import pytest
from django.test import override_settings

from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.followup import experiences, plans
from sektorbro.followup import followup_report as reports
from sektorbro.followup.models import ExperienceResponse, PlanTask, ReportVersion
from sektorbro.overview.models import IndicatorValue
from tests.followup import plan_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    return plan_world.build()


# --- plans ---------------------------------------------------------------------------------------------------------


def test_only_the_clusters_secretaries_and_analysts_change_its_plan(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    plan = world["randers_plan"]
    args = {"plan": plan, "track": "dialogue", "title": "Dialogmøde", "owner": "Sekretariatet"}
    assert plans.add_task(actor=personas["secretary"], **args).plan == plan
    assert plans.add_task(actor=personas["analyst"], **args).plan == plan
    for who in ("visitator_randers", "ward_nurse_randers", "outsider"):
        with pytest.raises(NotPermitted):
            plans.add_task(actor=personas[who], **args)
    with pytest.raises(NotPermitted):  # Randersklyngen's secretary, Midtklyngen's plan
        plans.add_task(actor=personas["secretary"], **{**args, "plan": world["midt_plan"]})
    with pytest.raises(DomainError) as duplicate:
        plans.create_plan(actor=personas["analyst"], cluster=world["randers"])
    assert duplicate.value.field == "cluster"


def test_the_plans_summary_is_saved_with_the_version_the_user_loaded(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    plan = world["randers_plan"]
    saved = plans.update_plan(actor=personas["secretary"], plan=plan, expected_version=1, summary="Ny tekst")
    assert saved.summary == "Ny tekst" and saved.version == 2
    with pytest.raises(ConflictError):
        plans.update_plan(actor=personas["analyst"], plan=plan, expected_version=1, summary="Gammel")
    with pytest.raises(NotPermitted):
        plans.update_plan(actor=personas["visitator_randers"], plan=plan, expected_version=2, summary="x")


def test_a_task_needs_a_known_track_a_title_and_an_owner(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    plan = world["randers_plan"]
    for changes, field in (
        ({"track": "budget"}, "track"),
        ({"owner": " "}, "owner"),
        ({"title": ""}, "title"),
    ):
        values: dict[str, Any] = {"track": "rules", "title": "Instruks", "owner": "Kvalitet", **changes}
        with pytest.raises(DomainError) as refused:
            plans.add_task(actor=personas["secretary"], plan=plan, **values)
        assert refused.value.field == field


def test_the_status_is_saved_with_the_version_the_user_loaded(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    task = world["task"]
    done = plans.set_task_status(actor=personas["secretary"], task=task, expected_version=1, status="done")
    assert done.status == "done" and done.done_on is not None and done.version == 2
    with pytest.raises(ConflictError):
        plans.set_task_status(
            actor=personas["analyst"],
            task=PlanTask.objects.get(pk=task.pk),
            expected_version=1,
            status="planned",
        )
    reopened = plans.set_task_status(
        actor=personas["analyst"],
        task=PlanTask.objects.get(pk=task.pk),
        expected_version=2,
        status="in_progress",
    )
    assert reopened.done_on is None


def test_progress_counts_done_open_and_overdue_per_track(world: dict[str, Any]) -> None:
    plan = world["randers_plan"]
    today = dt.date(2026, 5, 1)
    # the world's communication task: open, deadline 01.03.2026 -> overdue
    plans.add_task(
        actor=None,
        plan=plan,
        track="communication",
        title="Nyhedsbrev",
        owner="K",
        status="done",
        deadline=dt.date(2026, 1, 1),
    )  # done after its deadline: not overdue
    plans.add_task(actor=None, plan=plan, track="dialogue", title="Møde", owner="S")  # open, no deadline
    plans.add_task(
        actor=None, plan=plan, track="rules", title="Instruks", owner="Q", deadline=dt.date(2026, 5, 1)
    )  # due today: not overdue yet
    row = plans.progress([plan], today)[0]
    counts = {track: (c.done, c.open, c.overdue) for track, _label, c in row.tracks}
    assert counts == {"communication": (1, 1, 1), "dialogue": (0, 1, 0), "rules": (0, 1, 0)}
    assert (row.total.done, row.total.open, row.total.overdue, row.total.total) == (1, 3, 1, 4)


def test_plans_are_read_by_the_main_users_and_the_clusters_own_staff(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    def keys(who: str) -> set[str]:
        return {p.cluster.key for p in plans.plans_visible_to(personas[who])}

    assert keys("analyst") == keys("secretary") == {"randersklyngen", "midtklyngen"}
    assert keys("visitator_randers") == keys("gp_randers") == {"randersklyngen"}
    assert keys("visitator_viborg") == {"midtklyngen"}
    assert keys("outsider") == set()


# --- the communication package ---------------------------------------------------------------------------------------


def test_a_material_is_a_link_or_a_checked_file(personas: dict[str, Any]) -> None:
    secretary = personas["secretary"]
    link = plans.add_material(actor=secretary, title="Aftalen", url="https://example.org/aftale")
    assert link.url and not link.has_file
    pdf = plans.add_material(
        actor=secretary, title="Flowchart", file_name="C:\\tmp\\flowchart.pdf", content=b"%PDF-1.4 flowchart"
    )
    assert (pdf.file_name, pdf.content_type, pdf.size) == ("flowchart.pdf", "application/pdf", 18)
    for kwargs in (
        {"file_name": "flowchart.pdf", "content": b"just text"},  # not what the name says
        {"file_name": "program.exe", "content": b"MZ\x90\x00"},  # type not allowed
        {"file_name": "tom.pdf", "content": b""},  # empty
        {"url": "javascript:alert(1)"},
        {},  # neither link nor file
    ):
        with pytest.raises(DomainError) as refused:
            plans.add_material(actor=secretary, title="X", **kwargs)
        assert refused.value.field in ("file", "url")
    with override_settings(SEKTORBRO_FOLLOWUP_MATERIAL_MAX_BYTES=10), pytest.raises(DomainError):
        plans.add_material(actor=secretary, title="Stor", file_name="stor.txt", content=b"x" * 11)
    with pytest.raises(NotPermitted):
        plans.add_material(actor=personas["visitator_randers"], title="X", url="https://example.org")


# --- the clusters' experiences ---------------------------------------------------------------------------------------


def test_staff_answer_for_their_own_cluster_once_and_may_change_it(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    visitator = personas["visitator_randers"]
    first = experiences.save_response(
        actor=visitator, cluster=world["randers"], role="staff",
        answers={"flowchart": " Let at bruge ", "unknown": "dropped", "principles": ""},
    )  # fmt: skip
    assert first.answers == {"flowchart": "Let at bruge"}
    again = experiences.save_response(
        actor=visitator, cluster=world["randers"], role="staff", answers={"adjustment": "Weekender"}
    )
    assert again.pk == first.pk and again.answers == {"adjustment": "Weekender"}
    assert ExperienceResponse.objects.count() == 1
    with pytest.raises(NotPermitted):
        experiences.save_response(
            actor=visitator, cluster=world["midt"], role="staff", answers={"flowchart": "x"}
        )
    with pytest.raises(NotPermitted):
        experiences.save_response(
            actor=personas["analyst"], cluster=world["randers"], role="staff", answers={"flowchart": "x"}
        )  # a region-wide analyst belongs to no cluster
    with pytest.raises(DomainError) as empty:
        experiences.save_response(actor=visitator, cluster=world["randers"], role="staff", answers={})
    assert empty.value.field == "good_examples"
    secretary = experiences.save_response(
        actor=personas["secretary"],
        cluster=world["randers"],
        role="steering_group",
        answers={"principles": "Ja"},
    )
    assert secretary.role == "steering_group"


def test_the_seminar_gathers_the_answers_per_question_and_cluster(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    experiences.save_response(
        actor=personas["visitator_randers"], cluster=world["randers"], role="staff",
        answers={"flowchart": "Randers om flowchart", "joint_training": "Skolebænk"},
    )  # fmt: skip
    experiences.save_response(
        actor=personas["secretary"], cluster=world["randers"], role="steering_group",
        answers={"flowchart": "Styregruppen om flowchart"},
    )  # fmt: skip
    experiences.save_response(
        actor=personas["visitator_viborg"],
        cluster=world["midt"],
        role="staff",
        answers={"flowchart": "Viborg"},
    )
    summary = {s.question.key: s for s in experiences.gather(experiences.responses())}
    assert [s.key for s in experiences.QUESTIONS] == list(summary)
    flowchart = summary["flowchart"]
    assert flowchart.count == 3
    assert [(c.cluster.key, [t for _role, t in c.answers]) for c in flowchart.clusters] == [
        ("midtklyngen", ["Viborg"]),
        ("randersklyngen", ["Randers om flowchart", "Styregruppen om flowchart"]),
    ]
    assert summary["adjustment"].count == 0
    assert experiences.respondents_per_cluster(experiences.responses()) == [
        ("Midtklyngen", 1, 0),
        ("Randersklyngen", 1, 1),
    ]


# --- the follow-up report --------------------------------------------------------------------------------------------


def test_who_makes_which_report(personas: dict[str, Any], world: dict[str, Any]) -> None:
    start, end = plan_world.PERIOD
    with pytest.raises(NotPermitted):  # a cluster's secretary: not the region's report
        reports.create_report(
            actor=personas["secretary"], cluster=None, title="Region", period_start=start, period_end=end
        )
    with pytest.raises(NotPermitted):
        reports.create_report(
            actor=personas["secretary"],
            cluster=world["midt"],
            title="Midt",
            period_start=start,
            period_end=end,
        )
    with pytest.raises(NotPermitted):
        reports.publish(actor=personas["visitator_randers"], report=world["report"])
    region = reports.create_report(
        actor=personas["analyst"], cluster=None, title="Region", period_start=start, period_end=end
    )
    assert region.cluster is None
    with pytest.raises(DomainError) as reversed_period:
        reports.create_report(
            actor=personas["analyst"], cluster=None, title="R", period_start=end, period_end=start
        )
    assert reversed_period.value.field == "period_end"


def test_publishing_freezes_a_version_and_later_edits_make_the_next(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    secretary, report = personas["secretary"], world["report"]
    report = reports.save_narratives(
        actor=secretary, report=report, expected_version=1, narratives={"summary": "Første sammenfatning"}
    )
    with pytest.raises(ConflictError):
        reports.save_narratives(actor=secretary, report=report, expected_version=1, narratives={})
    first = reports.publish(actor=secretary, report=report, note="Til mødet")
    assert first.number == 1 and "Første sammenfatning" in first.body_html
    assert not reports.draft_changed_since_publishing(report)
    report = reports.save_narratives(
        actor=secretary,
        report=report,
        expected_version=report.version,
        narratives={"summary": "Rettet tekst"},
    )
    assert reports.draft_changed_since_publishing(report)
    first.refresh_from_db()
    assert "Første sammenfatning" in first.body_html and "Rettet tekst" not in first.body_html
    second = reports.publish(actor=secretary, report=report)
    assert second.number == 2 and "Rettet tekst" in second.body_html
    assert list(ReportVersion.objects.filter(report=report).values_list("number", flat=True)) == [2, 1]


def test_the_report_holds_the_indicators_audits_experiences_and_plans_of_its_cluster_and_period(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    plan_world.indicator_run()
    experiences.save_response(
        actor=personas["visitator_randers"],
        cluster=world["randers"],
        role="staff",
        answers={"flowchart": "Godt"},
    )
    experiences.save_response(
        actor=personas["visitator_viborg"],
        cluster=world["midt"],
        role="staff",
        answers={"flowchart": "Viborgs svar"},
    )
    content = reports.build(world["report"])
    assert content.indicators.periods == ["1. kvt. 2026", "2. kvt. 2026"]
    block = next(b for b in content.indicators.blocks if b.indicator.id == plan_world.INDICATOR)
    assert block.series[0].value == pytest.approx(12.5)
    assert block.series[1].suppressed  # 3 readmissions: fewer than 5
    assert [lr.audit_round.title for lr in content.audits] == ["Forårsrunden"]
    assert [p.plan.cluster.key for p in content.progress] == ["randersklyngen"]
    flowchart = next(s for s in content.experience_summary if s.question.key == "flowchart")
    assert [t for c in flowchart.clusters for _r, t in c.answers] == ["Godt"]
    assert content.surveys is None


def test_a_period_without_values_or_rounds_says_so(world: dict[str, Any]) -> None:
    plan_world.indicator_run()
    report = reports.create_report(
        actor=None, cluster=world["randers"], title="2024", period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
    )  # fmt: skip
    content = reports.build(report)
    assert content.indicators.run is not None and content.indicators.blocks == []
    assert content.audits == []


def test_the_survey_section_appears_when_the_surveys_module_answers(
    monkeypatch: pytest.MonkeyPatch, world: dict[str, Any]
) -> None:
    calls: list[tuple[Any, ...]] = []
    module = types.ModuleType(reports.SURVEYS_MODULE)

    def results_for(cluster_key: str | None, start: dt.date, end: dt.date) -> list[str]:
        calls.append((cluster_key, start, end))
        return ["Tryg udskrivelse: 80 % svarede ja"]

    module.results_for = results_for  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, reports.SURVEYS_MODULE, module)
    version = reports.publish(actor=None, report=world["report"])
    assert calls == [("randersklyngen", *plan_world.PERIOD)]
    assert 'id="section-surveys"' in version.body_html and "80 % svarede ja" in version.body_html


def test_readers_see_only_published_reports_of_their_cluster_and_the_regions(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    region = reports.create_report(
        actor=None,
        cluster=None,
        title="Regionen",
        period_start=plan_world.PERIOD[0],
        period_end=plan_world.PERIOD[1],
    )

    def titles(who: str) -> set[str]:
        return {r.title for r in reports.reports_visible_to(personas[who])}

    assert titles("visitator_randers") == set()
    reports.publish(actor=None, report=world["report"])
    reports.publish(actor=None, report=region)
    assert titles("visitator_randers") == {"Opfølgning Randers", "Regionen"}
    assert titles("visitator_viborg") == {"Regionen"}
    assert titles("outsider") == set()
    assert titles("analyst") == {"Opfølgning Randers", "Regionen"}


def test_quarters_overlapping_a_period() -> None:
    codes = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026", "2026-01"]
    assert reports.quarters_in(codes, dt.date(2026, 3, 31), dt.date(2026, 4, 1)) == ["2026-Q1", "2026-Q2"]
    assert reports.quarters_in(codes, dt.date(2025, 12, 31), dt.date(2025, 12, 31)) == ["2025-Q4"]
    assert reports.quarters_in(codes, dt.date(2027, 1, 1), dt.date(2027, 2, 1)) == []


def test_the_regions_report_shows_the_regions_values_and_every_clusters_plans(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    run = plan_world.indicator_run()
    IndicatorValue.objects.create(
        run=run, indicator=plan_world.INDICATOR, period="2026-Q1", stratum_type="region", stratum="midtjylland",
        numerator=400, denominator=4000, value=10.0,
    )  # fmt: skip
    region = reports.create_report(
        actor=personas["analyst"], cluster=None, title="Regionen", period_start=plan_world.PERIOD[0],
        period_end=plan_world.PERIOD[1],
    )  # fmt: skip
    content = reports.build(region)
    assert content.indicators.unit is not None and content.indicators.unit.level == "region"
    block = next(b for b in content.indicators.blocks if b.indicator.id == plan_world.INDICATOR)
    assert [r.value for r in block.series] == [10.0, None]
    assert sorted(p.plan.cluster.key for p in content.progress) == ["midtklyngen", "randersklyngen"]
    assert [lr.audit_round.title for lr in content.audits] == ["Forårsrunden"]
