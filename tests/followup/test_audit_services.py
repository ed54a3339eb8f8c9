"""The audit round's write path: who may change a round, the courses from the platform and from a candidates file
(opaque ids, never CPR), the three questions, suggestions with party and theme; the timeline and the learning
report built from them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.core.models import AuditEvent
from sektorbro.followup import selectors, services
from sektorbro.followup.candidates import Candidate, read_csv, write_csv
from sektorbro.followup.models import AuditCourse, Suggestion
from tests.followup import audit_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_citizen: Any, make_course: Any) -> dict[str, Any]:
    return audit_world.build(make_citizen, make_course)


def candidate(person_id: str, code: str = "730", admissions: int = 4) -> Candidate:
    return Candidate(person_id, code, admissions, 2, dt.date(2026, 8, 2), dt.date(2026, 10, 20))


# --- the round --------------------------------------------------------------------------------------------------


def test_the_clusters_secretary_creates_a_round_with_an_audit_row(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    created = services.create_round(
        actor=personas["secretary"],
        cluster=world["cluster"],
        title="Forårsrunden",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        selection="Kommunerne udvælger forløbene.",
    )
    row = AuditEvent.objects.get(action="audit_round.created", subject_id=str(created.public_id))
    assert row.actor == personas["secretary"] and row.data["cluster"] == "randersklyngen"


def test_the_regional_analyst_manages_every_cluster_and_others_do_not(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    from sektorbro.organisations.models import Cluster

    viborg = Cluster.objects.get(key="midtklyngen")
    services.create_round(
        actor=personas["analyst"], cluster=viborg, title="Midt", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 2, 1),
    )  # fmt: skip
    for who in ("secretary", "visitator_randers", "ward_nurse_randers", "outsider"):
        with pytest.raises(NotPermitted):
            services.create_round(
                actor=personas[who], cluster=viborg, title=f"Ikke {who}", period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 2, 1),
            )  # fmt: skip


def test_a_round_refuses_a_reversed_period_and_a_taken_title(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    with pytest.raises(DomainError) as reversed_period:
        services.create_round(
            actor=personas["secretary"], cluster=world["cluster"], title="Ny", period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 2, 1),
        )  # fmt: skip
    assert reversed_period.value.field == "period_end"
    with pytest.raises(DomainError) as taken:
        services.create_round(
            actor=personas["secretary"], cluster=world["cluster"], title="Efterårsrunden",
            period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 2, 1),
        )  # fmt: skip
    assert taken.value.field == "title"


def test_update_round_is_refused_when_someone_saved_first(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    audit_round = world["round"]
    kwargs = {
        "actor": personas["secretary"], "audit_round": audit_round, "title": "Efterårsrunden",
        "period_start": audit_round.period_start, "period_end": audit_round.period_end, "meeting_on": None,
        "selection": "", "status": "held",
    }  # fmt: skip
    services.update_round(expected_version=1, **kwargs)
    assert audit_round.version == 2 and audit_round.status == "held"
    with pytest.raises(ConflictError):
        services.update_round(expected_version=1, **kwargs)


def test_themes_are_numbered_in_order_and_unique_by_name(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    theme = services.add_theme(
        actor=personas["secretary"], audit_round=world["round"], name="Livets afslutning"
    )
    assert theme.number == 3
    with pytest.raises(DomainError) as dup:
        services.add_theme(actor=personas["secretary"], audit_round=world["round"], name="Livets afslutning")
    assert dup.value.field == "name"
    with pytest.raises(NotPermitted):
        services.add_theme(actor=personas["visitator_randers"], audit_round=world["round"], name="Andet")


def test_members_come_from_the_three_parties(personas: dict[str, Any], world: dict[str, Any]) -> None:
    member = services.add_member(
        actor=personas["secretary"], audit_round=world["round"], name="Kim Læge", party="general_practice"
    )
    assert member.get_party_display()
    with pytest.raises(DomainError) as wrong:
        services.add_member(actor=personas["secretary"], audit_round=world["round"], name="X", party="region")
    assert wrong.value.field == "party"


# --- courses from the platform ----------------------------------------------------------------------------------


def test_an_audit_group_member_adds_a_course_they_can_see(
    personas: dict[str, Any], world: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    with pytest.raises(NotPermitted):  # not (yet) in the audit group
        services.add_platform_course(
            actor=nurse, audit_round=world["round"], course_id=world["randers_course"].public_id
        )
    services.add_member(actor=None, audit_round=world["round"], name="Camilla", party="hospital", user=nurse)
    added = services.add_platform_course(
        actor=nurse, audit_round=world["round"], course_id=world["randers_course"].public_id
    )
    assert added.number == 1 and added.citizen == world["randers"]
    assert added.person_ref == str(world["randers"].public_id)  # the opaque id, never the CPR number
    # three acute admissions start in the period; the June one does not
    assert (added.admissions, added.first_admission, added.last_admission) == (
        3, dt.date(2026, 8, 3), dt.date(2026, 10, 2),
    )  # fmt: skip
    with pytest.raises(DomainError) as again:
        services.add_platform_course(
            actor=nurse, audit_round=world["round"], course_id=world["randers_course"].public_id
        )
    assert again.value.field == "course_id"


def test_a_course_the_user_cannot_see_is_unknown(personas: dict[str, Any], world: dict[str, Any]) -> None:
    # the secretary manages the round but sees no named citizen, so no course either
    with pytest.raises(DomainError) as unseen:
        services.add_platform_course(
            actor=personas["secretary"],
            audit_round=world["round"],
            course_id=world["randers_course"].public_id,
        )
    assert unseen.value.field == "course_id" and unseen.value.code == "unknown"


def test_a_course_from_another_cluster_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as other:
        services.add_platform_course(
            actor=None, audit_round=world["round"], course_id=world["viborg_course"].public_id
        )
    assert other.value.code == "other_cluster"


# --- courses from a candidates file -----------------------------------------------------------------------------


def test_a_candidates_file_is_imported_and_links_the_platforms_citizens(
    personas: dict[str, Any], world: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "kandidater.csv"
    write_csv([candidate("R-17"), candidate(str(world["norddjurs"].public_id), "707", 5)], path)
    result = services.import_candidates(
        actor=personas["secretary"], audit_round=world["round"], candidates=read_csv(path)
    )
    assert [(c.number, c.person_ref, c.municipality.code) for c in result.added] == [
        (1, "R-17", "730"), (2, str(world["norddjurs"].public_id), "707"),
    ]  # fmt: skip
    assert result.added[0].citizen is None and result.added[1].citizen == world["norddjurs"]
    again = services.import_candidates(
        actor=personas["secretary"],
        audit_round=world["round"],
        candidates=[*read_csv(path), candidate("R-18")],
    )
    assert len(again.added) == 1 and again.already_in_round == 2
    assert AuditEvent.objects.filter(action="audit_round.candidates_imported").count() == 2


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (candidate("010203-1234"), "cpr"),
        (candidate("0102031234"), "cpr"),
        (candidate("R-1", "791"), "other_cluster"),
        (candidate("R-1", "999"), "invalid"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    personas: dict[str, Any], world: dict[str, Any], row: Candidate, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        services.import_candidates(
            actor=personas["secretary"], audit_round=world["round"], candidates=[candidate("R-ok"), row]
        )
    assert refused.value.field == "file" and refused.value.code == code
    assert "line 3" in refused.value.message.lower() or "linje 3" in refused.value.message.lower()
    assert not AuditCourse.objects.exists()


def test_only_managers_import(personas: dict[str, Any], world: dict[str, Any]) -> None:
    with pytest.raises(NotPermitted):
        services.import_candidates(
            actor=personas["visitator_randers"], audit_round=world["round"], candidates=[candidate("R-1")]
        )


# --- the three questions and the suggestions -------------------------------------------------------------------


@pytest.fixture
def audited(world: dict[str, Any]) -> AuditCourse:
    return services.add_platform_course(
        actor=None, audit_round=world["round"], course_id=world["randers_course"].public_id
    )


def test_the_three_answers_are_recorded_once_per_version(
    personas: dict[str, Any], audited: AuditCourse
) -> None:
    services.record_review(
        actor=personas["secretary"], audit_course=audited, expected_version=1, coherent="partly",
        preventable="yes", patterns="KOL-forværring efter hver udskrivelse", preventable_note="Hjemmebesøg",
    )  # fmt: skip
    audited.refresh_from_db()
    assert (audited.coherent, audited.preventable, audited.version) == ("partly", "yes", 2)
    assert audited.reviewed and audited.patterns.startswith("KOL")
    with pytest.raises(ConflictError):
        services.record_review(
            actor=personas["secretary"], audit_course=audited, expected_version=1, coherent="no", preventable="",
            patterns="",
        )  # fmt: skip
    with pytest.raises(DomainError) as bad:
        services.record_review(
            actor=personas["secretary"], audit_course=audited, expected_version=2, coherent="maybe",
            preventable="", patterns="",
        )  # fmt: skip
    assert bad.value.field == "coherent"
    with pytest.raises(DomainError) as empty:
        services.record_review(
            actor=personas["secretary"], audit_course=audited, expected_version=2, coherent="", preventable="",
            patterns=" ",
        )  # fmt: skip
    assert empty.value.field == "coherent"
    with pytest.raises(NotPermitted):
        services.record_review(
            actor=personas["visitator_randers"], audit_course=audited, expected_version=2, coherent="yes",
            preventable="", patterns="",
        )  # fmt: skip


def test_suggestions_need_a_party_and_a_theme_of_the_same_round(
    personas: dict[str, Any], world: dict[str, Any], audited: AuditCourse
) -> None:
    secretary = personas["secretary"]
    home_visits = world["themes"][1]
    suggestion = services.add_suggestion(
        actor=secretary, audit_course=audited, text="Opfølgende hjemmebesøg inden for en uge", party="municipality",
        theme=home_visits,
    )  # fmt: skip
    assert suggestion.theme == home_visits
    with pytest.raises(DomainError) as party:
        services.add_suggestion(actor=secretary, audit_course=audited, text="x", party="everyone")
    assert party.value.field == "party"
    with pytest.raises(DomainError) as text:
        services.add_suggestion(actor=secretary, audit_course=audited, text="  ", party="hospital")
    assert text.value.field == "text"
    other_round = services.create_round(
        actor=None, cluster=world["cluster"], title="Anden", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
    )  # fmt: skip
    foreign = services.add_theme(actor=None, audit_round=other_round, name="Fremmed")
    with pytest.raises(DomainError) as theme:
        services.add_suggestion(
            actor=secretary, audit_course=audited, text="x", party="hospital", theme=foreign
        )
    assert theme.value.field == "theme"
    uncoded = services.add_suggestion(
        actor=secretary, audit_course=audited, text="KOL-plan", party="hospital"
    )
    services.update_suggestion(
        actor=secretary,
        suggestion=uncoded,
        text="KOL-plan til egen læge",
        party="hospital",
        theme=world["themes"][0],
    )
    assert Suggestion.objects.get(pk=uncoded.pk).theme == world["themes"][0]
    services.remove_theme(actor=secretary, theme=world["themes"][0])
    assert Suggestion.objects.get(pk=uncoded.pk).theme is None  # the suggestion stays, uncoded


# --- the timeline and the report --------------------------------------------------------------------------------


def test_the_timeline_holds_admissions_messages_ready_days_and_discharges_without_text(
    personas: dict[str, Any], audited: AuditCourse
) -> None:
    shown = selectors.timeline(personas["secretary"], audited)
    assert not shown.identified and shown.citizen is None and shown.label.endswith("A")
    kinds = [(e.relative_day, e.kind) for e in shown.entries]
    assert kinds == [
        (0, "admission"), (3, "discharge"), (29, "admission"), (32, "discharge"), (60, "admission"),
        (61, "message"), (63, "ready"), (63, "message"), (66, "discharge"),
    ]  # fmt: skip
    assert shown.ready_days == 3  # 5, 6 and 7 October
    assert not any("Fortroligt" in str(e.label) + e.detail for e in shown.entries)
    nurse_view = selectors.timeline(personas["visitator_randers"], audited)
    assert nurse_view.identified and nurse_view.citizen == audited.citizen


def test_citizen_labels_run_like_spreadsheet_columns() -> None:
    assert [selectors.citizen_label(n) for n in (1, 2, 26, 27, 52, 53)] == ["A", "B", "Z", "AA", "AZ", "BA"]


def test_the_learning_report_groups_by_theme_and_by_party_across_municipalities(
    world: dict[str, Any], audited: AuditCourse
) -> None:
    norddjurs = services.add_platform_course(
        actor=None, audit_round=world["round"], course_id=world["norddjurs_course"].public_id
    )
    kol, visits = world["themes"]
    services.add_suggestion(
        actor=None, audit_course=audited, text="KOL-plan følger med", party="hospital", theme=kol
    )
    services.add_suggestion(actor=None, audit_course=norddjurs, text="Besøg efter udskrivelse", party="municipality",
                            theme=visits)  # fmt: skip
    services.add_suggestion(actor=None, audit_course=norddjurs, text="Lægen deltager", party="general_practice",
                            theme=visits)  # fmt: skip
    services.add_suggestion(actor=None, audit_course=audited, text="Endnu ikke kodet", party="municipality")
    report = selectors.learning_report(world["round"])
    assert report.total == 4 and report.courses == 2
    assert report.municipalities == ["Norddjurs", "Randers"]
    assert [(t.theme.name if t.theme else None, t.count) for t in report.themes] == [
        ("Behandlingsplan til patienter med KOL", 1), ("Opfølgende hjemmebesøg", 2), (None, 1),
    ]  # fmt: skip
    assert [(p.party, p.count) for p in report.parties] == [
        ("hospital", 1), ("municipality", 2), ("general_practice", 1),
    ]  # fmt: skip
    assert [counts for _theme, counts, _total in report.matrix] == [[1, 0, 0], [0, 1, 1], [0, 1, 0]]
    municipality = report.parties[1]
    assert [(t.name if t else None, [i.municipality for i in items]) for t, items in municipality.by_theme] == [
        ("Opfølgende hjemmebesøg", ["Norddjurs"]), (None, ["Randers"]),
    ]  # fmt: skip


def test_the_print_version_is_one_document_without_names(world: dict[str, Any], audited: AuditCourse) -> None:
    from sektorbro.followup.report import learning_report_html

    services.add_suggestion(actor=None, audit_course=audited, text="KOL-plan følger med", party="hospital",
                            theme=world["themes"][0])  # fmt: skip
    html = learning_report_html(world["round"])
    assert html.lstrip().startswith("<!doctype html>") and "KOL-plan følger med" in html
    assert "Ingrid Auditsen" not in html and world["randers"].cpr not in html
