"""The pages for implementation plans, the communication package, the clusters' experiences and the follow-up
report: who reads and who changes, the forms end to end, the HTMX status change, the download, publishing and
the PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sektorbro.followup import experiences
from sektorbro.followup import followup_report as reports
from sektorbro.followup.models import ExperienceResponse, Material, PlanTask
from tests.followup import plan_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    return plan_world.build()


def plan_url(w: dict[str, Any], key: str = "randers_plan", tail: str = "") -> str:
    return f"/opfoelgning/planer/{w[key].public_id}/{tail}"


def report_url(w: dict[str, Any], tail: str = "") -> str:
    return f"/opfoelgning/rapporter/{w['report'].public_id}/{tail}"


def test_the_progress_table_shows_each_user_the_plans_they_may_read(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    secretary = login(personas["secretary"]).get("/opfoelgning/planer/").content.decode()
    assert 'id="progress-randersklyngen"' in secretary and 'id="progress-midtklyngen"' in secretary
    staff = login(personas["visitator_randers"]).get("/opfoelgning/planer/").content.decode()
    assert 'id="progress-randersklyngen"' in staff and "progress-midtklyngen" not in staff
    assert login(personas["outsider"]).get("/opfoelgning/planer/").status_code == 403
    assert login(personas["visitator_viborg"]).get(plan_url(world)).status_code == 404


def test_the_secretary_adds_a_task_and_changes_its_status_with_htmx(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    client = login(personas["secretary"])
    data = {"track": "dialogue", "title": "Dialogmøde i klyngen", "owner": "Sekretariatet",
            "deadline": "01.09.2026", "status": "planned", "description": ""}  # fmt: skip
    response = client.post(plan_url(world, tail="opgaver/"), data)
    assert response.status_code == 302
    task = PlanTask.objects.get(title="Dialogmøde i klyngen")
    assert str(task.deadline) == "2026-09-01"
    missing = client.post(plan_url(world, tail="opgaver/"), {**data, "owner": ""})
    assert missing.status_code == 400
    row = client.post(
        plan_url(world, tail=f"opgaver/{task.public_id}/"),
        {"status": "done", "version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200 and f'id="task-{task.public_id}"' in row.content.decode()
    task.refresh_from_db()
    assert task.status == "done"
    stale = client.post(
        plan_url(world, tail=f"opgaver/{task.public_id}/"),
        {"status": "planned", "version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 200 and 'role="alert"' in stale.content.decode()  # swapped in, with the error
    task.refresh_from_db()
    assert task.status == "done"
    removed = client.post(plan_url(world, tail=f"opgaver/{task.public_id}/"), {"remove": "1"})
    assert removed.status_code == 302 and not PlanTask.objects.filter(pk=task.pk).exists()


def test_readers_see_the_plan_without_forms_and_may_not_change_it(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    reader = login(personas["visitator_randers"])
    page = reader.get(plan_url(world)).content.decode()
    assert "Præsentere flowchartet" in page and "opgaver/" not in page
    task = world["task"]
    assert (
        reader.post(
            plan_url(world, tail=f"opgaver/{task.public_id}/"), {"status": "done", "version": "1"}
        ).status_code
        == 403
    )
    secretary = login(personas["secretary"])
    assert secretary.post(plan_url(world, "midt_plan", "opgaver/"), {"track": "rules"}).status_code == 403


def test_the_communication_package_upload_and_download(login: Any, personas: dict[str, Any]) -> None:
    secretary = login(personas["secretary"])
    upload = SimpleUploadedFile("flowchart.pdf", b"%PDF-1.4 flowchart", content_type="application/pdf")
    response = secretary.post("/opfoelgning/planer/materialer/ny/", {"title": "Flowchart", "file": upload})
    assert response.status_code == 302
    material = Material.objects.get(title="Flowchart")
    fake = SimpleUploadedFile("fake.pdf", b"not a pdf", content_type="application/pdf")
    refused = secretary.post("/opfoelgning/planer/materialer/ny/", {"title": "Falsk", "file": fake})
    assert refused.status_code == 400 and not Material.objects.filter(title="Falsk").exists()
    reader = login(personas["gp_randers"])
    assert "Flowchart" in reader.get("/opfoelgning/planer/materialer/").content.decode()
    download = reader.get(f"/opfoelgning/planer/materialer/{material.public_id}/fil/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content == b"%PDF-1.4 flowchart" and "attachment" in download["Content-Disposition"]
    assert reader.post(f"/opfoelgning/planer/materialer/{material.public_id}/fjern/").status_code == 403
    assert login(personas["outsider"]).get("/opfoelgning/planer/materialer/").status_code == 403


def test_staff_answer_the_questionnaire_for_their_cluster_and_the_seminar_gathers_it(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    staff = login(personas["visitator_randers"])
    form = staff.get("/opfoelgning/erfaringer/randersklyngen/")
    assert form.status_code == 200 and 'name="date_coincidence"' in form.content.decode()
    assert staff.get("/opfoelgning/erfaringer/midtklyngen/").status_code == 404
    empty = staff.post("/opfoelgning/erfaringer/randersklyngen/", {"role": "staff"})
    assert empty.status_code == 400
    saved = staff.post(
        "/opfoelgning/erfaringer/randersklyngen/",
        {"role": "staff", "shared_preparation": "Fælles forberedelse virker, når vi ringer sammen"},
    )
    assert saved.status_code == 302
    response = ExperienceResponse.objects.get()
    assert response.answers == {"shared_preparation": "Fælles forberedelse virker, når vi ringer sammen"}
    again = staff.get("/opfoelgning/erfaringer/randersklyngen/").content.decode()
    assert "Fælles forberedelse virker" in again  # the earlier answers, to change
    seminar = login(personas["visitator_viborg"]).get("/opfoelgning/erfaringer/seminar/").content.decode()
    assert (
        "Fælles forberedelse virker, når vi ringer sammen" in seminar and "visitator.randers" not in seminar
    )
    only_midt = login(personas["analyst"]).get("/opfoelgning/erfaringer/seminar/?klynge=midtklyngen").content
    assert "Fælles forberedelse virker" not in only_midt.decode()
    assert login(personas["outsider"]).get("/opfoelgning/erfaringer/seminar/").status_code == 403


def test_the_secretary_writes_publishes_and_gets_the_pdf(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    plan_world.indicator_run()
    reader = login(personas["visitator_randers"])
    assert reader.get(report_url(world)).status_code == 404  # not published yet
    client = login(personas["secretary"])
    page = client.get(report_url(world)).content.decode()
    assert 'id="report-draft"' in page and 'id="section-indicators"' in page and "<svg" in page
    narratives = {
        "version": "1",
        "summary": "Klyngen har gennemført året",
        "implementation": "Regelsporet er bagud",
    }
    assert client.post(report_url(world, "tekster/"), narratives).status_code == 302
    assert client.post(report_url(world, "tekster/"), narratives).status_code == 400  # stale version
    published = client.post(report_url(world, "udgiv/"), {"note": "Til Sundhedsstyregruppen"})
    assert published.status_code == 302 and published["Location"] == report_url(world, "v1/")
    version_page = client.get(report_url(world, "v1/")).content.decode()
    assert "Klyngen har gennemført året" in version_page and report_url(world, "v1.pdf") in version_page
    pdf = client.get(report_url(world, "v1.pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert (
        pdf.content.startswith(b"%PDF") and "opfoelgningsrapport-randersklyngen" in pdf["Content-Disposition"]
    )
    reader = login(personas["visitator_randers"])  # one test client: log in again
    readable = reader.get(report_url(world)).content.decode()
    assert 'id="report-published"' in readable and "Klyngen har gennemført året" in readable
    assert "tekster/" not in readable
    assert reader.post(report_url(world, "udgiv/")).status_code == 403
    assert login(personas["visitator_viborg"]).get(report_url(world, "v1/")).status_code == 404


def test_the_report_list_and_creating_a_report(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    analyst = login(personas["analyst"])
    page = analyst.get("/opfoelgning/rapporter/").content.decode()
    assert "Opfølgning Randers" in page and 'action="/opfoelgning/rapporter/ny/"' in page
    created = analyst.post(
        "/opfoelgning/rapporter/ny/",
        {
            "cluster": "",
            "title": "Regionens opfølgning",
            "period_start": "01.01.2026",
            "period_end": "31.12.2026",
        },
    )
    assert created.status_code == 302
    region = reports.FollowupReport.objects.get(title="Regionens opfølgning")
    assert region.cluster is None and created["Location"] == f"/opfoelgning/rapporter/{region.public_id}/"
    secretary = login(personas["secretary"])
    refused = secretary.post(
        "/opfoelgning/rapporter/ny/",
        {"cluster": "", "title": "Region", "period_start": "01.01.2026", "period_end": "31.12.2026"},
    )
    assert refused.status_code == 400  # the region is not the secretary's to report on
    assert login(personas["visitator_randers"]).post("/opfoelgning/rapporter/ny/", {}).status_code == 403
    assert experiences.QUESTIONS  # the questionnaire is there for the report's section
