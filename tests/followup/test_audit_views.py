"""The audit pages: who reads a round and who changes it, the de-identified course page (no name or CPR number
unless the citizens access selector lets the user see the citizen, and then the read is logged), the three
questions and a suggestion through the forms, the candidates upload and the learning report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sektorbro.citizens.models import AccessLogEntry
from sektorbro.followup import services
from sektorbro.followup.models import AuditCourse, AuditRound, Suggestion, Theme
from tests.followup import audit_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_citizen: Any, make_course: Any) -> dict[str, Any]:
    w = audit_world.build(make_citizen, make_course)
    w["audited"] = services.add_platform_course(
        actor=None, audit_round=w["round"], course_id=w["randers_course"].public_id
    )
    return w


def round_url(w: dict[str, Any], tail: str = "") -> str:
    return f"/opfoelgning/audit/{w['round'].public_id}/{tail}"


def course_url(w: dict[str, Any], tail: str = "") -> str:
    return round_url(w, f"forloeb/{w['audited'].public_id}/{tail}")


def test_the_list_shows_each_user_the_rounds_they_may_read(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    secretary = login(personas["secretary"]).get("/opfoelgning/audit/").content.decode()
    assert "Efterårsrunden" in secretary and 'action="/opfoelgning/audit/ny/"' in secretary
    staff = login(personas["visitator_randers"]).get("/opfoelgning/audit/").content.decode()
    assert "Efterårsrunden" in staff and "/opfoelgning/audit/ny/" not in staff
    other_cluster = login(personas["visitator_viborg"]).get("/opfoelgning/audit/").content.decode()
    assert "Efterårsrunden" not in other_cluster
    assert login(personas["visitator_viborg"]).get(round_url(world)).status_code == 404


def test_a_secretary_creates_a_round_and_others_may_not(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    data = {
        "cluster": str(world["cluster"].pk), "title": "Forårsrunden", "period_start": "01.01.2027",
        "period_end": "31.03.2027", "meeting_on": "", "selection": "",
    }  # fmt: skip
    assert login(personas["visitator_randers"]).post("/opfoelgning/audit/ny/", data).status_code == 403
    reversed_period = login(personas["secretary"]).post(
        "/opfoelgning/audit/ny/", {**data, "period_end": "01.12.2026"}
    )
    assert reversed_period.status_code == 400
    assert (
        "The period must end" in reversed_period.content.decode()
        or "Perioden" in reversed_period.content.decode()
    )
    response = login(personas["secretary"]).post("/opfoelgning/audit/ny/", data)
    created = AuditRound.objects.get(title="Forårsrunden")
    assert response.status_code == 302 and response["Location"] == f"/opfoelgning/audit/{created.public_id}/"
    assert created.period_start == dt.date(2027, 1, 1)


def test_readers_read_and_only_managers_change(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    reader = login(personas["visitator_randers"])
    page = reader.get(round_url(world)).content.decode()
    assert "Behandlingsplan til patienter med KOL" in page and "Add a theme" not in page
    assert reader.post(round_url(world, "temaer/"), {"name": "Nyt tema"}).status_code == 403
    assert reader.post(course_url(world, "forslag/"), {"text": "x", "party": "hospital"}).status_code == 403
    manager = login(personas["secretary"])
    assert manager.post(round_url(world, "temaer/"), {"name": "Livets afslutning"}).status_code == 302
    assert Theme.objects.filter(round=world["round"], name="Livets afslutning", number=3).exists()
    response = manager.post(
        round_url(world, "medlemmer/"),
        {"name": "Karen Poulsen", "title": "Praksiskonsulent", "party": "general_practice"},
    )
    assert response.status_code == 302 and world["round"].members.get().name == "Karen Poulsen"


def test_the_course_page_is_de_identified_for_the_secretary_and_logs_nothing(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    citizen = world["randers"]
    body = login(personas["secretary"]).get(course_url(world)).content.decode()
    assert "Ingrid Auditsen" not in body and citizen.cpr not in body and citizen.cpr[:6] not in body
    assert "02.10.2026" not in body  # no dates in the de-identified timeline
    assert "Fortroligt indhold" not in body  # messages by type only
    assert not AccessLogEntry.objects.filter(citizen=citizen).exists()


def test_a_user_who_may_see_the_citizen_sees_the_name_and_the_read_is_logged(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    citizen = world["randers"]
    body = login(personas["visitator_randers"]).get(course_url(world)).content.decode()
    assert "Ingrid Auditsen" in body and "02.10.2026" in body
    assert "Fortroligt indhold" not in body
    assert citizen.cpr_formatted in body  # the municipality has a care relation (elderly care)
    entry = AccessLogEntry.objects.get(citizen=citizen)
    assert entry.action == "audit.course" and entry.user == personas["visitator_randers"]


def test_without_a_care_relation_the_cpr_number_stays_masked(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    citizen = world["randers"]  # the ward's courses ended more than 30 days ago: seen, but no care relation
    body = login(personas["ward_nurse_randers"]).get(course_url(world)).content.decode()
    assert "Ingrid Auditsen" in body and citizen.cpr_masked in body and citizen.cpr_formatted not in body
    assert AccessLogEntry.objects.filter(citizen=citizen, user=personas["ward_nurse_randers"]).count() == 1


def test_the_three_answers_and_a_suggestion_through_the_forms(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    client = login(personas["secretary"])
    answers = {
        "coherent": "partly", "coherent_note": "Oplysninger manglede", "preventable": "yes",
        "preventable_note": "Hjemmebesøg", "patterns": "KOL-forværring", "version": "1",
    }  # fmt: skip
    assert client.post(course_url(world, "vurdering/"), answers).status_code == 302
    audited = AuditCourse.objects.get(pk=world["audited"].pk)
    assert (audited.coherent, audited.preventable, audited.patterns, audited.version) == (
        "partly", "yes", "KOL-forværring", 2,
    )  # fmt: skip
    stale = client.post(course_url(world, "vurdering/"), {**answers, "coherent": "no"})
    assert stale.status_code == 400
    assert AuditCourse.objects.get(pk=audited.pk).coherent == "partly"
    theme = world["themes"][1]
    added = client.post(
        course_url(world, "forslag/"), {"text": "Opfølgende besøg inden for en uge", "party": "municipality",
                                        "theme": str(theme.pk)},
    )  # fmt: skip
    assert added.status_code == 302
    assert Suggestion.objects.get().theme == theme
    report = login(personas["visitator_randers"]).get(round_url(world, "rapport/")).content.decode()
    assert "Opfølgende besøg inden for en uge" in report and "Ingrid Auditsen" not in report


def test_a_suggestion_is_coded_on_the_suggestions_page(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    suggestion = services.add_suggestion(
        actor=None, audit_course=world["audited"], text="KOL-plan", party="hospital"
    )
    client = login(personas["secretary"])
    assert "KOL-plan" in client.get(round_url(world, "forslag/")).content.decode()
    prefix = f"s{suggestion.pk}"
    response = client.post(
        round_url(world, f"forslag/{suggestion.public_id}/"),
        {
            f"{prefix}-text": "KOL-plan",
            f"{prefix}-party": "hospital",
            f"{prefix}-theme": str(world["themes"][0].pk),
        },
    )
    assert response.status_code == 302
    assert Suggestion.objects.get(pk=suggestion.pk).theme == world["themes"][0]


def test_a_candidates_file_is_uploaded_and_a_cpr_number_is_refused(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    header = "person_id,municipality_code,admissions,preventable_admissions,first_admission,last_admission\n"
    client = login(personas["secretary"])
    good = SimpleUploadedFile("k.csv", (header + "R-1,707,4,2,2026-08-02,2026-10-20\n").encode(), "text/csv")
    assert client.post(round_url(world, "kandidater/"), {"file": good}).status_code == 302
    assert world["round"].courses.filter(person_ref="R-1", municipality__code="707").exists()
    cpr = SimpleUploadedFile(
        "k.csv", (header + "0101401234,707,4,2,2026-08-02,2026-10-20\n").encode(), "text/csv"
    )
    refused = client.post(round_url(world, "kandidater/"), {"file": cpr})
    assert refused.status_code == 400 and not world["round"].courses.filter(person_ref="0101401234").exists()
    broken = SimpleUploadedFile("k.csv", b"name,cpr\nx,y\n", "text/csv")
    assert client.post(round_url(world, "kandidater/"), {"file": broken}).status_code == 400


def test_an_audit_group_member_adds_a_course_by_its_id(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    services.add_member(actor=None, audit_round=world["round"], name="Camilla", party="hospital", user=nurse)
    client = login(nurse)
    assert 'name="course_id"' in client.get(round_url(world)).content.decode()
    response = client.post(
        round_url(world, "forloeb/"), {"course_id": str(world["norddjurs_course"].public_id)}
    )
    # the Norddjurs citizen's course is at the same ward, so the nurse sees it
    assert response.status_code == 302
    assert world["round"].courses.filter(citizen=world["norddjurs"]).exists()
    unseen = client.post(round_url(world, "forloeb/"), {"course_id": "00000000-0000-0000-0000-000000000000"})
    assert unseen.status_code == 400
    assert (
        login(personas["visitator_randers"])
        .post(round_url(world, "forloeb/"), {"course_id": str(world["norddjurs_course"].public_id)})
        .status_code
        == 403
    )


def test_the_demo_round_is_like_the_seeds_and_loads_once(make_citizen: Any, make_course: Any) -> None:
    from sektorbro.followup.seed import THEMES, load_demo

    now = timezone.now()
    for code in ("730", "707", "710", "706"):
        make_course(make_citizen(code), admitted_at=now - dt.timedelta(days=5))
    first = load_demo()
    assert load_demo() == first and AuditRound.objects.count() == 1
    assert [t.name for t in first.themes.all()] == [
        "Behandlingsplan til patienter med KOL", "Opfølgende hjemmebesøg", "Livets afslutning",
        "Tidlig opsporing og indsats ved alkoholproblemer", "Kompetenceudvikling og videndeling på tværs",
    ]  # fmt: skip
    assert first.cluster.key == "randersklyngen" and first.status == "held"
    platform = first.courses.filter(citizen__isnull=False)
    assert platform.count() == 4
    assert set(platform.values_list("admissions", flat=True)) == {4}  # three earlier stays were given to each
    assert first.courses.filter(citizen__isnull=True).count() == 2
    parties = set(Suggestion.objects.filter(course__round=first).values_list("party", flat=True))
    assert parties == {"hospital", "municipality", "general_practice"}
    assert {p for p, *_ in THEMES} == set(first.themes.values_list("name", flat=True))


def test_with_htmx_only_the_suggestions_section_is_answered(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    client = login(personas["secretary"])
    ok = client.post(
        course_url(world, "forslag/"),
        {"text": "Plan følger med", "party": "hospital"},
        HTTP_HX_REQUEST="true",
    )
    body = ok.content.decode()
    assert ok.status_code == 200 and "<html" not in body and 'id="suggestions"' in body
    assert "Plan følger med" in body and 'role="status"' in body
    refused = client.post(
        course_url(world, "forslag/"), {"text": "", "party": "hospital"}, HTTP_HX_REQUEST="true"
    )
    assert 'class="error"' in refused.content.decode()  # shown in the swapped section
    assert Suggestion.objects.count() == 1


def test_themes_are_renamed_and_removed_and_suggestions_removed(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    kol = world["themes"][0]
    suggestion = services.add_suggestion(
        actor=None, audit_course=world["audited"], text="KOL-plan", party="hospital", theme=kol
    )
    client = login(personas["secretary"])
    renamed = client.post(
        round_url(world, "temaer/1/"), {"t1-name": "KOL-behandlingsplan", "t1-description": ""}
    )
    assert renamed.status_code == 302 and Theme.objects.get(pk=kol.pk).name == "KOL-behandlingsplan"
    taken = client.post(
        round_url(world, "temaer/1/"), {"t1-name": "Opfølgende hjemmebesøg", "t1-description": ""}
    )
    assert taken.status_code == 400
    assert (
        login(personas["visitator_randers"]).post(round_url(world, "temaer/1/"), {"remove": "1"}).status_code
        == 403
    )
    client = login(personas["secretary"])
    assert client.post(round_url(world, "temaer/1/"), {"remove": "1"}).status_code == 302
    assert not Theme.objects.filter(pk=kol.pk).exists()
    assert Suggestion.objects.get(pk=suggestion.pk).theme is None
    assert (
        client.post(round_url(world, f"forslag/{suggestion.public_id}/"), {"remove": "1"}).status_code == 302
    )
    assert not Suggestion.objects.filter(pk=suggestion.pk).exists()
    assert client.post(round_url(world, "temaer/9/"), {"remove": "1"}).status_code == 404


def test_a_course_and_a_member_are_taken_out_by_managers_only(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    member = services.add_member(actor=None, audit_round=world["round"], name="Kim", party="municipality")
    services.add_suggestion(actor=None, audit_course=world["audited"], text="KOL-plan", party="hospital")
    reader = login(personas["visitator_randers"])
    assert reader.post(course_url(world, "fjern/")).status_code == 403
    assert reader.post(round_url(world, f"medlemmer/{member.pk}/fjern/")).status_code == 403
    manager = login(personas["secretary"])
    assert manager.post(round_url(world, f"medlemmer/{member.pk}/fjern/")).status_code == 302
    assert not world["round"].members.exists()
    assert manager.post(course_url(world, "fjern/")).status_code == 302
    assert not world["round"].courses.exists() and not Suggestion.objects.exists()
    assert manager.post(course_url(world, "fjern/")).status_code == 404


def test_the_learning_report_is_a_pdf_for_the_steering_group(
    login: Any, personas: dict[str, Any], world: dict[str, Any]
) -> None:
    pytest.importorskip("weasyprint")
    services.add_suggestion(
        actor=None, audit_course=world["audited"], text="Fælles KOL-plan", party="hospital"
    )
    client = login(personas["secretary"])
    page = client.get(round_url(world, "rapport/")).content.decode()
    assert round_url(world, "rapport.pdf") in page
    response = client.get(round_url(world, "rapport.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "laeringsrapport-" in response["Content-Disposition"]
    assert login(personas["outsider"]).get(round_url(world, "rapport.pdf")).status_code in (403, 404)
