"""Every view and API endpoint, asked by an anonymous user, a user of the wrong organisation and a user of
the right organisation. A completeness check makes sure a new route cannot be added without a row here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[dict[str, Any]], str]
    right: str  # persona allowed
    wrong: str  # persona that must get 404 (or 403 for non-citizen pages)
    right_status: int = 200
    wrong_status: int = 404
    anonymous_status: int = 302
    data: dict[str, Any] | None = None


def cid(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda w: str(w[key].public_id)


def governance_draft(world: dict[str, Any]) -> str:
    """A meeting not yet published in a group whose committee secretary is the ``secretary`` persona."""
    import datetime as dt

    from sektorbro.accounts.models import User
    from sektorbro.governance.models import Group, Meeting

    group, _ = Group.objects.get_or_create(
        key="matrix-klyngestyregruppe",
        defaults={"name": "Klyngestyregruppe", "kind": "cluster_steering_group"},
    )
    group.secretaries.add(User.objects.get(username="secretary"))
    meeting, _ = Meeting.objects.get_or_create(
        group=group, date=dt.date(2026, 12, 1), title="Møde", status="held"
    )
    return str(meeting.pk)


def letter(w: dict[str, Any]) -> Any:
    """A letter from the Randers ward to Randers' visitation about the admitted Randers citizen, built on first use."""
    if "letter" not in w:
        from tests.letters import received_letter

        w["letter"] = received_letter(w["randers_admitted"])
    return w["letter"]


def audit(w: dict[str, Any]) -> dict[str, Any]:
    """An audit round in Randersklyngen, built on first use: a theme, the ward nurse in the audit group, the
    admitted Randers citizen's course audited, one suggestion."""
    if "audit" not in w:
        import datetime as dt

        from sektorbro.accounts.models import User
        from sektorbro.followup import services as audits
        from sektorbro.organisations.models import Cluster

        r = audits.create_round(
            actor=None, cluster=Cluster.objects.get(key="randersklyngen"), title="Matrix",
            period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30),
        )  # fmt: skip
        theme = audits.add_theme(actor=None, audit_round=r, name="Opfølgende hjemmebesøg")
        audits.add_member(
            actor=None,
            audit_round=r,
            name="Camilla",
            party="hospital",
            user=User.objects.get(username="ward.randers"),
        )
        course = audits.add_platform_course(
            actor=None, audit_round=r, course_id=w["randers_admitted"].courses.get().public_id
        )
        suggestion = audits.add_suggestion(
            actor=None, audit_course=course, text="Besøg", party="municipality"
        )
        w["audit"] = {"round": r, "theme": theme, "course": course, "suggestion": suggestion}
    return w["audit"]


def plans_world(w: dict[str, Any]) -> dict[str, Any]:
    """Plans for Randersklyngen and Midtklyngen, a material with a file, and Randersklyngen's follow-up report
    (``tests/followup/plan_world.py``), built on first use."""
    if "plans" not in w:
        from sektorbro.followup import plans
        from tests.followup import plan_world

        built = plan_world.build()
        built["material"] = plans.add_material(
            actor=None, title="Flowchart", file_name="flowchart.pdf", content=b"%PDF-1.4 flowchart"
        )
        w["plans"] = built
    return dict(w["plans"])


def published_report(w: dict[str, Any]) -> Any:
    from sektorbro.followup import followup_report

    report = plans_world(w)["report"]
    if not report.versions.exists():
        followup_report.publish(actor=None, report=report)
    return report


def plan_url(tail: str = "") -> Callable[[dict[str, Any]], str]:
    return lambda w: f"/opfoelgning/planer/{plans_world(w)['randers_plan'].public_id}/{tail}"


def report_url(tail: str = "", *, published: bool = False) -> Callable[[dict[str, Any]], str]:
    def url(w: dict[str, Any]) -> str:
        report = published_report(w) if published else plans_world(w)["report"]
        return f"/opfoelgning/rapporter/{report.public_id}/{tail}"

    return url


def material_url(tail: str) -> Callable[[dict[str, Any]], str]:
    return lambda w: f"/opfoelgning/planer/materialer/{plans_world(w)['material'].public_id}/{tail}"


def audit_url(tail: str = "") -> Callable[[dict[str, Any]], str]:
    return lambda w: f"/opfoelgning/audit/{audit(w)['round'].public_id}/{tail}"


def audited_url(tail: str = "") -> Callable[[dict[str, Any]], str]:
    return lambda w: (
        f"/opfoelgning/audit/{audit(w)['round'].public_id}/forloeb/{audit(w)['course'].public_id}/{tail}"
    )


def suggestion_url(w: dict[str, Any]) -> str:
    return f"/opfoelgning/audit/{audit(w)['round'].public_id}/forslag/{audit(w)['suggestion'].public_id}/"


def suggestion_data(w: dict[str, Any]) -> dict[str, str]:
    prefix = f"s{audit(w)['suggestion'].pk}"
    return {
        f"{prefix}-text": "Besøg",
        f"{prefix}-party": "municipality",
        f"{prefix}-theme": str(audit(w)["theme"].pk),
    }


def survey(w: dict[str, Any]) -> dict[str, Any]:
    """An open survey of Randersklyngen from the annex-1 template and a discharged course of a Randers citizen
    (seen by the Randers visitator and the ward nurse), built on first use."""
    if "survey" not in w:
        import datetime as dt

        from sektorbro.courses import services as course_services
        from sektorbro.followup import surveys
        from sektorbro.organisations.models import Cluster
        from tests.conftest import CPH

        created = surveys.create_survey(
            actor=None, title="", cluster=Cluster.objects.get(key="randersklyngen"), from_template=True
        )
        surveys.set_status(actor=None, survey=created, status="open")
        course = w["randers_admitted"].courses.get()
        course_services.record_event(
            actor=None, course=course, event_type="discharged", occurred_at=dt.datetime(2026, 11, 22, 10, 0, tzinfo=CPH),
            data={"destination": "own_home"}, source="demo",
        )  # fmt: skip
        w["survey"] = {"survey": created, "course": course}
    return w["survey"]


def survey_url(tail: str = "") -> Callable[[dict[str, Any]], str]:
    return lambda w: f"/opfoelgning/undersoegelser/{survey(w)['survey'].public_id}/{tail}"


def draft_survey_url(w: dict[str, Any]) -> str:
    """A draft survey of Randersklyngen (questions may change): its own, built on first use."""
    if "draft_survey" not in w:
        from sektorbro.followup import surveys
        from sektorbro.organisations.models import Cluster

        w["draft_survey"] = surveys.create_survey(
            actor=None, title="Kladde", cluster=Cluster.objects.get(key="randersklyngen"), from_template=True
        )
    return f"/opfoelgning/undersoegelser/{w['draft_survey'].public_id}/"


CASES = [
    Case("home", "get", lambda w: "/", "visitator_randers", "outsider", wrong_status=200),
    Case("citizens:list", "get", lambda w: "/borgere/", "visitator_randers", "analyst", wrong_status=200),
    Case("citizens:detail", "get", lambda w: f"/borgere/{cid('randers_home')(w)}/", "visitator_randers",
         "visitator_viborg"),
    Case("citizens:detail (hospital)", "get", lambda w: f"/borgere/{cid('viborg_at_randers')(w)}/",
         "ward_nurse_randers", "gp_randers"),
    # Need to know at the hospital (#16): a nurse on another ward of the same hospital does not see the course.
    Case("citizens:detail (other ward)", "get", lambda w: f"/borgere/{cid('viborg_at_randers')(w)}/",
         "ward_nurse_randers", "ortho_nurse_randers"),
    Case("courses:detail (other ward)", "get",
         lambda w: f"/forloeb/{w['viborg_at_randers'].courses.get().public_id}/", "ward_nurse_randers",
         "ortho_nurse_randers"),
    Case("citizens:detail (gp)", "get", lambda w: f"/borgere/{cid('randers_admitted')(w)}/", "gp_randers",
         "analyst"),
    Case("citizens:detail (social)", "get", lambda w: f"/borgere/{cid('social')(w)}/", "social_randers",
         "ward_nurse_randers"),
    Case("citizens:named_gp", "post", lambda w: f"/borgere/{cid('randers_admitted')(w)}/laege/", "gp_randers",
         "visitator_viborg", right_status=302, data={"gp_doctor_name": "Læge Karen Poulsen"}),
    Case("citizens:relative_add", "post", lambda w: f"/borgere/{cid('randers_home')(w)}/paaroerende/",
         "visitator_randers", "visitator_viborg", right_status=302,
         data={"name": "Kim Hansen", "relation": "søn", "phone": "", "may_be_involved": "on", "version": "1"}),
    Case("citizens:relative_edit", "post",
         lambda w: f"/borgere/{cid('randers_home')(w)}/paaroerende/{cid('relative')(w)}/", "visitator_randers",
         "visitator_viborg", right_status=302,
         data={"name": "Ulla Hjemme", "relation": "datter", "may_be_involved": "on", "version": "1"}),
    Case("citizens:register", "get", lambda w: "/borgere/opret/", "visitator_randers", "gp_randers"),
    Case("citizens:cpr_search", "post", lambda w: "/borgere/soeg-cpr/", "visitator_randers", "visitator_viborg",
         right_status=302, wrong_status=400, data={"cpr": "__CPR__"}),
    Case("messaging:inbox", "get", lambda w: "/beskeder/", "visitator_randers", "outsider", wrong_status=200),
    Case("messaging:quarantine", "get", lambda w: "/beskeder/karantaene/", "visitator_randers", "outsider",
         wrong_status=200),
    Case("messaging:outbox", "get", lambda w: "/beskeder/udbakke/", "visitator_randers", "outsider", wrong_status=200),
    Case("messaging:inbox_detail", "get", lambda w: f"/beskeder/modtaget/{cid('inbox')(w)}/", "visitator_randers",
         "visitator_viborg"),
    Case("messaging:reply", "post", lambda w: f"/beskeder/modtaget/{letter(w).public_id}/svar/", "visitator_randers",
         "visitator_viborg", right_status=302, data={"text": "Fredag passer fint.", "phone": "89151515"}),
    # A GP sees the letter (a listed patient's course) but may not answer it in the course: 403.
    Case("messaging:reply (gp)", "post", lambda w: f"/beskeder/modtaget/{letter(w).public_id}/svar/",
         "visitator_randers", "gp_randers", right_status=302, wrong_status=403,
         data={"text": "Fredag passer fint.", "phone": "89151515"}),
    Case("messaging:reprocess", "post", lambda w: f"/beskeder/modtaget/{cid('quarantined')(w)}/genbehandl/",
         "visitator_randers", "visitator_viborg", right_status=302),
    Case("messaging:outbox_detail", "get", lambda w: f"/beskeder/sendt/{cid('outbox')(w)}/", "visitator_randers",
         "visitator_viborg"),
    Case("courses:detail", "get", lambda w: f"/forloeb/{w['randers_admitted'].courses.get().public_id}/",
         "gp_randers", "visitator_viborg"),
    Case("courses:record_event", "post", lambda w: f"/forloeb/{w['randers_admitted'].courses.get().public_id}/haendelse/",
         "ward_nurse_randers", "visitator_viborg", right_status=302,
         data={"type": "fmk_updated", "occurred_at": "20.11.2026 12:00", "version": "1"}),
    Case("courses:send_correspondence", "post",
         lambda w: f"/forloeb/{w['randers_admitted'].courses.get().public_id}/korrespondance/",
         "visitator_randers", "visitator_viborg", right_status=302,
         data={"category": "nursing", "text": "Hej", "phone": "89151515", "version": "1"}),
    Case("courses:update_facts", "post",
         lambda w: f"/forloeb/{w['randers_admitted'].courses.get().public_id}/oplysninger/",
         "ward_nurse_randers", "visitator_viborg", right_status=302,
         data={"track": "planned", "version": "1"}),
    Case("flowchart:index", "get", lambda w: "/flowchart/", "analyst", "outsider", wrong_status=200),
    Case("flowchart:chart", "get", lambda w: "/flowchart/planlagt/", "secretary", "outsider", wrong_status=200),
    Case("flowchart:step", "get", lambda w: "/flowchart/planlagt/2-4/", "gp_randers", "outsider", wrong_status=200),
    Case("flowchart:course", "get", lambda w: f"/flowchart/forloeb/{w['randers_admitted'].courses.get().public_id}/",
         "ward_nurse_randers", "visitator_viborg"),
    Case("overview:index", "get", lambda w: "/overblik/", "analyst", "outsider", wrong_status=403),
    Case("overview:region", "get", lambda w: "/overblik/region/", "secretary", "outsider", wrong_status=403),
    Case("overview:region_export", "get", lambda w: "/overblik/region/eksport.csv", "analyst", "outsider",
         wrong_status=403),
    Case("overview:cluster", "get", lambda w: "/overblik/klynge/randersklyngen/", "visitator_randers", "outsider",
         wrong_status=403),
    Case("overview:cluster_export", "get", lambda w: "/overblik/klynge/randersklyngen/eksport.xlsx", "analyst",
         "outsider", wrong_status=403),
    Case("overview:municipality", "get", lambda w: "/overblik/kommune/730/", "gp_randers", "outsider",
         wrong_status=403),
    Case("overview:municipality_export", "get", lambda w: "/overblik/kommune/730/eksport.csv", "secretary",
         "outsider", wrong_status=403),
    Case("overview:indicator", "get", lambda w: "/overblik/indikator/readmission_30d_somatic/", "analyst",
         "outsider", wrong_status=403),
    Case("overview:region_pdf", "get", lambda w: "/overblik/region/rapport.pdf", "secretary", "outsider",
         wrong_status=403),
    Case("overview:cluster_pdf", "get", lambda w: "/overblik/klynge/randersklyngen/rapport.pdf", "analyst",
         "outsider", wrong_status=403),
    Case("overview:municipality_pdf", "get", lambda w: "/overblik/kommune/730/rapport.pdf", "gp_randers",
         "outsider", wrong_status=403),
    # Governance (/moeder/): the group's secretary edits; members read drafts; others read published minutes.
    Case("governance:index", "get", lambda w: "/moeder/", "secretary", "outsider", wrong_status=403),
    Case("governance:actions", "get", lambda w: "/moeder/opgaver/?status=overdue", "analyst", "outsider",
         wrong_status=403),
    Case("governance:search", "get", lambda w: "/moeder/soeg/?q=audit", "analyst", "outsider", wrong_status=403),
    Case("governance:group", "get", lambda w: "/moeder/gruppe/ksg-randers/", "analyst", "outsider",
         wrong_status=403),
    Case("governance:meeting-create", "post", lambda w: "/moeder/gruppe/ksg-randers/nyt-moede/", "secretary",
         "analyst", right_status=302, wrong_status=403, data={"title": "Nyt møde", "date": "20.01.2027"}),
    Case("governance:meeting", "get", lambda w: f"/moeder/{w['draft'].pk}/", "secretary", "analyst"),
    Case("governance:meeting (member reads the draft)", "get", lambda w: f"/moeder/{w['draft'].pk}/",
         "visitator_randers", "gp_randers"),
    Case("governance:meeting (published)", "get", lambda w: f"/moeder/{w['published'].pk}/", "analyst", "outsider",
         wrong_status=403),
    Case("governance:meeting-update", "post", lambda w: f"/moeder/{w['draft'].pk}/oplysninger/", "secretary",
         "analyst", right_status=302, data={"title": "Møde", "date": "10.12.2026", "version": "__VERSION_draft__"}),
    Case("governance:meeting-update (member)", "post", lambda w: f"/moeder/{w['draft'].pk}/oplysninger/",
         "secretary", "visitator_randers", right_status=302, wrong_status=403,
         data={"title": "Møde", "date": "10.12.2026", "version": "__VERSION_draft__"}),
    Case("governance:attendance", "post", lambda w: f"/moeder/{w['draft'].pk}/fremmoede/", "secretary", "analyst",
         right_status=302, data={"version": "__VERSION_draft__"}),
    Case("governance:participant-add", "post", lambda w: f"/moeder/{w['draft'].pk}/deltagere/", "secretary",
         "analyst", right_status=302, data={"name": "Gæst", "attendance": "present", "version": "__VERSION_draft__"}),
    Case("governance:item-add", "post", lambda w: f"/moeder/{w['draft'].pk}/punkter/", "secretary", "analyst",
         right_status=302, data={"title": "Nyt punkt", "version": "__VERSION_draft__"}),
    Case("governance:item-update", "post", lambda w: f"/moeder/{w['draft'].pk}/punkter/{w['draft_item'].pk}/",
         "secretary", "analyst", right_status=302, data={"title": "Velkomst", "version": "__VERSION_draft__"}),
    Case("governance:item-move", "post", lambda w: f"/moeder/{w['draft'].pk}/punkter/{w['draft_item'].pk}/flyt/",
         "secretary", "analyst", right_status=302, data={"direction": "down", "version": "__VERSION_draft__"}),
    Case("governance:item-remove", "post", lambda w: f"/moeder/{w['draft'].pk}/punkter/{w['draft_item'].pk}/slet/",
         "secretary", "analyst", right_status=302, data={"version": "__VERSION_draft__"}),
    Case("governance:decision", "post",
         lambda w: f"/moeder/{w['draft'].pk}/punkter/{w['draft_item'].pk}/beslutning/", "secretary", "analyst",
         right_status=302, data={"decision": "Godkendt", "version": "__VERSION_draft__"}),
    Case("governance:attachment-add", "post",
         lambda w: f"/moeder/{w['draft'].pk}/punkter/{w['draft_item'].pk}/bilag/", "secretary", "analyst",
         right_status=302, data={"file": "__PDF__", "version": "__VERSION_draft__"}),
    Case("governance:action-add", "post",
         lambda w: f"/moeder/{w['draft'].pk}/punkter/{w['draft_item'].pk}/opgaver/", "secretary", "analyst",
         right_status=302, data={"text": "Opgave", "owner": "KSG", "version": "__VERSION_draft__"}),
    Case("governance:attachment", "get",
         lambda w: f"/moeder/{w['published'].pk}/bilag/{w['attachment'].pk}/", "analyst", "outsider",
         wrong_status=403),
    Case("governance:attachment-remove", "post",
         lambda w: f"/moeder/{w['held'].pk}/bilag/{w['held_attachment'].pk}/slet/", "secretary", "analyst",
         right_status=302, data={"version": "__VERSION_held__"}),
    Case("governance:held", "post", lambda w: f"/moeder/{w['draft'].pk}/afholdt/", "secretary", "analyst",
         right_status=302, data={"version": "__VERSION_draft__"}),
    Case("governance:publish", "post", lambda w: f"/moeder/{w['held'].pk}/udgiv/", "secretary", "analyst",
         right_status=302, data={"version": "__VERSION_held__"}),
    Case("governance:correct", "post", lambda w: f"/moeder/{w['published'].pk}/ret/", "secretary", "analyst",
         right_status=302, wrong_status=403, data={"version": "__VERSION_published__"}),
    Case("governance:minutes", "get", lambda w: f"/moeder/{w['published'].pk}/referat/", "analyst", "outsider",
         wrong_status=403),
    Case("governance:minutes (draft)", "get", lambda w: f"/moeder/{w['draft'].pk}/referat/", "visitator_randers",
         "analyst"),
    Case("governance:minutes-pdf", "get", lambda w: f"/moeder/{w['published'].pk}/referat.pdf", "analyst",
         "outsider", wrong_status=403),
    Case("governance:minutes-pdf (draft)", "get", lambda w: f"/moeder/{w['draft'].pk}/referat.pdf",
         "visitator_randers", "analyst"),
    Case("governance:agenda-pdf (draft)", "get", lambda w: f"/moeder/{w['draft'].pk}/dagsorden.pdf",
         "visitator_randers", "analyst"),
    Case("governance:action-close", "post", lambda w: f"/moeder/opgaver/{w['action'].pk}/luk/", "secretary",
         "analyst", right_status=302, wrong_status=403, data={"status": "done", "note": "Løst"}),
    Case("followup:audit_rounds", "get", lambda w: "/opfoelgning/audit/", "secretary", "outsider", wrong_status=200),
    Case("followup:audit_round_create", "post", lambda w: "/opfoelgning/audit/ny/", "secretary", "visitator_randers",
         right_status=302, wrong_status=403,
         data={"cluster": "__RANDERSKLYNGEN__", "title": "Ny runde", "period_start": "01.01.2027",
               "period_end": "31.03.2027"}),
    Case("followup:audit_round", "get", audit_url(), "visitator_randers", "visitator_viborg"),
    Case("followup:audit_round (outsider)", "get", audit_url(), "gp_randers", "outsider"),
    Case("followup:audit_round_edit", "post", audit_url("ret/"), "secretary", "visitator_randers", right_status=302,
         wrong_status=403, data={"title": "Matrix", "period_start": "01.11.2026", "period_end": "30.11.2026",
                                 "status": "held", "version": "1"}),
    Case("followup:audit_member_add", "post", audit_url("medlemmer/"), "analyst", "gp_randers", right_status=302,
         wrong_status=403, data={"name": "Kim", "party": "municipality"}),
    Case("followup:audit_member_remove", "post",
         lambda w: f"/opfoelgning/audit/{audit(w)['round'].public_id}/medlemmer/{audit(w)['round'].members.get().pk}/fjern/",
         "secretary", "ward_nurse_randers", right_status=302, wrong_status=403),
    Case("followup:audit_theme_add", "post", audit_url("temaer/"), "secretary", "visitator_viborg", right_status=302,
         data={"name": "Livets afslutning"}),
    Case("followup:audit_theme_edit", "post", audit_url("temaer/1/"), "secretary", "visitator_randers",
         right_status=302, wrong_status=403, data={"t1-name": "Hjemmebesøg efter udskrivelse"}),
    Case("followup:audit_course_add", "post", audit_url("forloeb/"), "ward_nurse_randers", "visitator_randers",
         right_status=302, wrong_status=403, data={"course_id": "__NORDDJURS_COURSE__"}),
    Case("followup:audit_candidates_import", "post", audit_url("kandidater/"), "secretary", "visitator_randers",
         right_status=302, wrong_status=403, data={"file": "__CANDIDATES__"}),
    Case("followup:audit_course", "get", audited_url(), "secretary", "visitator_viborg"),
    Case("followup:audit_course_review", "post", audited_url("vurdering/"), "secretary", "gp_randers",
         right_status=302, wrong_status=403, data={"coherent": "yes", "patterns": "", "version": "1"}),
    Case("followup:audit_suggestion_add", "post", audited_url("forslag/"), "secretary", "visitator_randers",
         right_status=302, wrong_status=403, data={"text": "KOL-plan", "party": "hospital"}),
    Case("followup:audit_course_remove", "post", audited_url("fjern/"), "analyst", "visitator_viborg",
         right_status=302),
    Case("followup:audit_suggestions", "get", audit_url("forslag/"), "ward_nurse_randers", "visitator_viborg"),
    Case("followup:audit_suggestion_edit", "post", suggestion_url, "secretary", "visitator_randers",
         right_status=302, wrong_status=403, data={"__from__": "suggestion"}),
    Case("followup:audit_report", "get", audit_url("rapport/"), "visitator_randers", "outsider"),
    Case("followup:audit_report_pdf", "get", audit_url("rapport.pdf"), "visitator_randers", "outsider"),
    Case("followup:surveys", "get", lambda w: "/opfoelgning/undersoegelser/", "secretary", "outsider",
         wrong_status=403),
    Case("followup:survey_create", "post", lambda w: "/opfoelgning/undersoegelser/ny/", "secretary",
         "visitator_randers", right_status=302, wrong_status=403,
         data={"title": "Ny", "cluster": "__RANDERSKLYNGEN__", "from_template": "on"}),
    Case("followup:survey", "get", survey_url(), "visitator_randers", "outsider", wrong_status=404),
    Case("followup:survey (draft)", "get", draft_survey_url, "secretary", "visitator_randers"),
    Case("followup:survey_edit", "post", survey_url("ret/"), "secretary", "visitator_randers", right_status=302,
         wrong_status=403, data={"title": "Oplevelsen", "introduction": ""}),
    Case("followup:survey_status", "post", survey_url("status/"), "analyst", "gp_randers", right_status=302,
         wrong_status=403, data={"status": "closed"}),
    Case("followup:survey_question_add", "post", lambda w: draft_survey_url(w) + "spoergsmaal/", "secretary",
         "ward_nurse_randers", right_status=302, data={"new-text": "Ringede vi?", "new-kind": "yes_no"}),
    Case("followup:survey_question_edit", "post", lambda w: draft_survey_url(w) + "spoergsmaal/1/", "secretary",
         "visitator_randers", right_status=302, data={"down": "1"}),
    Case("followup:survey_results", "get", survey_url("resultater/"), "visitator_viborg", "outsider"),
    Case("followup:survey_handouts", "get", lambda w: "/opfoelgning/undersoegelser/udlever/", "visitator_randers",
         "analyst", wrong_status=403),
    Case("followup:survey_handout", "get",
         lambda w: f"/opfoelgning/undersoegelser/forloeb/{survey(w)['course'].public_id}/", "visitator_randers",
         "visitator_viborg"),
    Case("followup:survey_handout (post)", "post",
         lambda w: f"/opfoelgning/undersoegelser/forloeb/{survey(w)['course'].public_id}/", "ward_nurse_randers",
         "gp_randers", data={"survey": "__SURVEY__"}),
    Case("followup:plans", "get", lambda w: "/opfoelgning/planer/", "visitator_randers", "outsider", wrong_status=403),
    Case("followup:plan_create", "post", lambda w: "/opfoelgning/planer/ny/", "analyst", "visitator_randers",
         right_status=302, wrong_status=403, data={"cluster": "__AARHUSKLYNGEN__", "summary": ""}),
    Case("followup:plan", "get", plan_url(), "visitator_randers", "visitator_viborg"),
    Case("followup:plan_task_add", "post", plan_url("opgaver/"), "secretary", "visitator_randers", right_status=302,
         wrong_status=403, data={"track": "rules", "title": "Instruks", "owner": "Kvalitet", "status": "planned"}),
    Case("followup:plan_task_status", "post", lambda w: plan_url(f"opgaver/{plans_world(w)['task'].public_id}/")(w),
         "secretary", "gp_randers", right_status=302, wrong_status=403, data={"status": "done", "version": "1"}),
    Case("followup:materials", "get", lambda w: "/opfoelgning/planer/materialer/", "gp_randers", "outsider",
         wrong_status=403),
    Case("followup:material_add", "post", lambda w: "/opfoelgning/planer/materialer/ny/", "secretary",
         "visitator_randers", right_status=302, wrong_status=403,
         data={"title": "Aftalen", "url": "https://example.org/aftale"}),
    Case("followup:material_download", "get", material_url("fil/"), "visitator_randers", "outsider",
         wrong_status=403),
    Case("followup:material_remove", "post", material_url("fjern/"), "analyst", "gp_randers", right_status=302,
         wrong_status=403),
    Case("followup:experiences", "get", lambda w: "/opfoelgning/erfaringer/", "visitator_randers", "outsider",
         wrong_status=403),
    Case("followup:experience_answer", "get", lambda w: "/opfoelgning/erfaringer/randersklyngen/",
         "visitator_randers", "visitator_viborg"),
    Case("followup:experience_answer (post)", "post", lambda w: "/opfoelgning/erfaringer/randersklyngen/",
         "gp_randers", "visitator_viborg", right_status=302, data={"role": "staff", "flowchart": "Let at bruge"}),
    Case("followup:seminar", "get", lambda w: "/opfoelgning/erfaringer/seminar/", "visitator_viborg", "outsider",
         wrong_status=403),
    Case("followup:reports", "get", lambda w: "/opfoelgning/rapporter/", "visitator_randers", "outsider",
         wrong_status=403),
    Case("followup:report_create", "post", lambda w: "/opfoelgning/rapporter/ny/", "secretary", "visitator_randers",
         right_status=302, wrong_status=403,
         data={"cluster": "__RANDERSKLYNGEN__", "title": "Opfølgning", "period_start": "01.01.2026",
               "period_end": "30.06.2026"}),
    Case("followup:report (draft)", "get", report_url(), "secretary", "visitator_randers"),
    Case("followup:report (published)", "get", report_url(published=True), "visitator_randers", "visitator_viborg"),
    Case("followup:report_narratives", "post", report_url("tekster/"), "secretary", "visitator_randers",
         right_status=302, data={"version": "1", "summary": "Sammenfatning"}),
    Case("followup:report_narratives (published)", "post", report_url("tekster/", published=True), "analyst",
         "visitator_randers", right_status=302, wrong_status=403, data={"version": "1", "summary": "Sammenfatning"}),
    Case("followup:report_publish", "post", report_url("udgiv/"), "secretary", "visitator_randers",
         right_status=302),
    Case("followup:report_version", "get", report_url("v1/", published=True), "visitator_randers",
         "visitator_viborg"),
    Case("followup:report_version_pdf", "get", report_url("v1.pdf", published=True), "visitator_randers",
         "visitator_viborg"),
    Case("workspace:worklist", "get", lambda w: "/arbejdsliste/", "ward_nurse_randers", "outsider", wrong_status=200),
    Case("password_change", "get", lambda w: "/accounts/password_change/", "visitator_randers", "outsider",
         wrong_status=200),
    Case("admin:index", "get", lambda w: "/admin/", "administrator", "visitator_randers", wrong_status=302),
    Case("api me", "get", lambda w: "/api/v1/me", "visitator_randers", "outsider", wrong_status=200,
         anonymous_status=401),
    Case("api citizens list", "get", lambda w: "/api/v1/citizens/", "visitator_randers", "analyst",
         wrong_status=200, anonymous_status=401),
    Case("api citizen detail", "get", lambda w: f"/api/v1/citizens/{cid('randers_home')(w)}/",
         "visitator_randers", "visitator_viborg", anonymous_status=401),
    Case("api citizen detail (analyst)", "get", lambda w: f"/api/v1/citizens/{cid('randers_home')(w)}/",
         "visitator_randers", "analyst", anonymous_status=401),
    Case("api courses list", "get", lambda w: "/api/v1/courses/", "ward_nurse_randers", "analyst",
         wrong_status=200, anonymous_status=401),
    Case("api course detail", "get", lambda w: f"/api/v1/courses/{w['randers_admitted'].courses.get().public_id}/",
         "visitator_randers", "visitator_viborg", anonymous_status=401),
    Case("api course events", "post",
         lambda w: f"/api/v1/courses/{w['randers_admitted'].courses.get().public_id}/events/",
         "ward_nurse_randers", "visitator_viborg", right_status=201, anonymous_status=401,
         data={"type": "phone_contact_logged", "occurred_at": "2026-11-20T12:00:00+01:00", "expected_version": 1}),
    Case("api reference municipalities", "get", lambda w: "/api/v1/reference/municipalities",
         "analyst", "outsider", wrong_status=200, anonymous_status=401),
    Case("api reference clusters", "get", lambda w: "/api/v1/reference/clusters", "secretary", "outsider",
         wrong_status=200, anonymous_status=401),
    Case("api reference units", "get", lambda w: "/api/v1/reference/units?kind=hospital", "secretary",
         "outsider", wrong_status=200, anonymous_status=401),
    Case("api governance groups", "get", lambda w: "/api/v1/governance/groups/", "secretary", "outsider",
         wrong_status=200, anonymous_status=401),
    Case("api governance meetings", "get", lambda w: "/api/v1/governance/meetings/", "analyst", "outsider",
         wrong_status=200, anonymous_status=401),
    # A draft: its group's secretary reads it, an analyst (published minutes only) gets 404.
    Case("api governance meeting detail", "get", lambda w: f"/api/v1/governance/meetings/{governance_draft(w)}/",
         "secretary", "analyst", anonymous_status=401),
]  # fmt: skip

# Routes that need no login, or are Django's own machinery; everything else must appear in CASES.
PUBLIC_OR_FRAMEWORK = {
    "login",
    "logout",
    "healthz",
    "set_language",
    "javascript-catalog",
    "password_change_done",
    # The survey answer pages for citizens and relatives: public by design (tests/followup/test_survey_views.py).
    "survey_answer:start",
    "survey_answer:answer",
    "survey_answer:thanks",
}


def _audit_data(data: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    """The audit rows' form data that needs the world: a cluster key, a course, a fresh upload."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    if data.get("__from__") == "suggestion":
        return suggestion_data(world)
    if data.get("cluster") == "__AARHUSKLYNGEN__":
        from sektorbro.organisations.models import Cluster

        data["cluster"] = str(Cluster.objects.get(key="aarhusklyngen").pk)
    if data.get("cluster") == "__RANDERSKLYNGEN__":
        data["cluster"] = str(audit(world)["round"].cluster_id)
    if data.get("survey") == "__SURVEY__":
        data["survey"] = str(survey(world)["survey"].pk)
    if data.get("course_id") == "__NORDDJURS_COURSE__":
        if "norddjurs_course" not in world:
            world["norddjurs_course"] = _norddjurs_course()
        data["course_id"] = str(world["norddjurs_course"].public_id)
    if data.get("file") == "__CANDIDATES__":
        text = (
            "person_id,municipality_code,admissions,preventable_admissions,first_admission,last_admission\n"
        )
        text += "R-1,707,4,2,2026-11-02,2026-11-20\n"
        data["file"] = SimpleUploadedFile("kandidater.csv", text.encode(), "text/csv")
    return data


def _norddjurs_course() -> Any:
    """A Norddjurs citizen admitted to the Randers ward (seen by the ward nurse, not by Randers' visitator)."""
    import datetime as dt

    from sektorbro.citizens.cpr import make_cpr
    from sektorbro.citizens.models import Citizen
    from sektorbro.courses import services as course_services
    from sektorbro.organisations.models import Municipality, OrganisationUnit
    from tests.conftest import CPH

    citizen = Citizen.objects.create(
        cpr=make_cpr(dt.date(1941, 2, 3), 901, female=True), name="Norddjurs Audit", birth_date=dt.date(1941, 2, 3),
        residence_municipality=Municipality.objects.get(code="707"),
    )  # fmt: skip
    return course_services.open_course(
        actor=None, citizen=citizen, hospital=OrganisationUnit.objects.get(key="rhr"),
        department=OrganisationUnit.objects.get(key="rhr-medicin"), area="somatic", track="acute",
        admitted_at=dt.datetime(2026, 11, 10, 9, 0, tzinfo=CPH),
    )  # fmt: skip


def _request(client: Any, case: Case, world: dict[str, Any]) -> Any:
    data = dict(case.data or {})
    if data.get("cpr") == "__CPR__":
        data["cpr"] = world["randers_home"].cpr
    if data.get("file") == "__PDF__":
        from django.core.files.uploadedfile import SimpleUploadedFile

        data["file"] = SimpleUploadedFile("bilag.pdf", b"%PDF-1.4 bilag", content_type="application/pdf")
    for key, value in data.items():
        if isinstance(value, str) and value.startswith("__VERSION_"):  # a meeting's current version
            meeting = world[value.removeprefix("__VERSION_").removesuffix("__")]
            meeting.refresh_from_db()
            data[key] = str(meeting.version)
    data = _audit_data(data, world)
    if case.method == "post" and case.url(world).startswith("/api/"):
        return client.post(case.url(world), json.dumps(data), content_type="application/json")
    if case.method == "post":
        return client.post(case.url(world), data)
    return client.get(case.url(world))


@pytest.fixture
def world(personas: dict[str, Any], randers_world: dict[str, Any]) -> dict[str, Any]:
    """The citizens around the Randers personas, and a governance group with a draft, a held and a published
    meeting (``tests/governance/world.py``)."""
    from tests.governance.world import governance_world

    return {**randers_world, **governance_world(personas)}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_permission_matrix(
    case: Case, client: Any, login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    anonymous = _request(client, case, world)
    assert anonymous.status_code == case.anonymous_status, "anonymous"
    if anonymous.status_code == 302:
        assert (
            anonymous["Location"].startswith("/accounts/login/") or "/admin/login/" in anonymous["Location"]
        )
    wrong = _request(login(personas[case.wrong]), case, world)
    assert wrong.status_code == case.wrong_status, f"wrong organisation ({case.wrong})"
    client.logout()
    right = _request(login(personas[case.right]), case, world)
    assert right.status_code == case.right_status, f"right organisation ({case.right})"


def test_wrong_organisation_never_sees_the_name(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    client = login(personas["visitator_viborg"])
    for path in ("/", "/borgere/", "/api/v1/citizens/"):
        assert "Randers Hjemme" not in client.get(path).content.decode()
    client = login(personas["analyst"])
    for path in ("/", "/borgere/", "/api/v1/citizens/"):
        body = client.get(path).content.decode()
        assert "Randers" not in body or "Randers Hjemme" not in body


def _named_routes(resolver: Any = None, prefix: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{pattern.namespace}:" if pattern.namespace else ""
            names |= _named_routes(pattern, prefix + ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_route_is_in_the_matrix() -> None:
    covered = {c.name.split(" (")[0] for c in CASES}
    uncovered = set()
    for name in _named_routes():
        if name.startswith(("admin:", "api-v1:")) or name in PUBLIC_OR_FRAMEWORK:
            continue
        if name not in covered:
            uncovered.add(name)
    assert uncovered == set(), f"add these routes to the permission matrix: {sorted(uncovered)}"


def test_every_api_operation_is_in_the_matrix() -> None:
    from sektorbro.api.api import api

    schema = api.get_openapi_schema()
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    covered = {"/api/v1/me", "/api/v1/citizens/", "/api/v1/citizens/{citizen_id}/"}
    covered |= {"/api/v1/medcom/messages"}  # token-only: tests/messaging_django/test_http.py
    covered |= {"/api/v1/courses/", "/api/v1/courses/{course_id}/", "/api/v1/courses/{course_id}/events/"}
    covered |= {"/api/v1/reference/municipalities", "/api/v1/reference/clusters", "/api/v1/reference/units"}
    covered |= {
        "/api/v1/governance/groups/",
        "/api/v1/governance/meetings/",
        "/api/v1/governance/meetings/{meeting_id}/",
    }
    missing = {op for op in operations if op[1] not in covered}
    assert missing == set(), f"add these API operations to the permission matrix: {sorted(missing)}"
