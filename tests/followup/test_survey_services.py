"""The survey write path: building, one-time links (once, expiry, forged and reused refused alike), answers that
can never be joined to a citizen, and suppressed results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.core.models import AuditEvent
from sektorbro.followup import surveys
from sektorbro.followup.models import Survey, SurveyAnswer, SurveyHandout, SurveyLink, SurveyResponse
from sektorbro.organisations.models import Cluster
from tests.followup.survey_world import discharged, open_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(make_citizen: Any, make_course: Any) -> Any:
    return discharged(make_citizen, make_course)


def test_the_template_has_the_annex_questions_in_order(personas: dict[str, Any]) -> None:
    survey = surveys.create_survey(
        actor=personas["secretary"],
        title="",
        cluster=Cluster.objects.get(key="randersklyngen"),
        from_template=True,
    )
    texts = [q.text for q in surveys.questions_of(survey)]
    assert texts[0] == "Oplever borgeren/de pårørende udskrivelsen som tryg og sammenhængende?"
    assert texts[1] == "Føler borgeren og de pårørende sig inddraget?"
    assert {q.kind for q in surveys.questions_of(survey)} == {"scale", "yes_no", "text"}
    assert survey.status == "draft" and survey.title == surveys.TEMPLATE_TITLE


def test_only_the_clusters_main_users_build(personas: dict[str, Any]) -> None:
    randers = Cluster.objects.get(key="randersklyngen")
    other = Cluster.objects.exclude(pk=randers.pk).first()
    with pytest.raises(NotPermitted):
        surveys.create_survey(actor=personas["visitator_randers"], title="X", cluster=randers)
    with pytest.raises(NotPermitted):
        surveys.create_survey(actor=personas["secretary"], title="X", cluster=other)
    with pytest.raises(NotPermitted):  # region-wide: only a region-wide main user
        surveys.create_survey(actor=personas["secretary"], title="X", cluster=None)
    assert surveys.create_survey(actor=personas["analyst"], title="X", cluster=None).cluster is None


def test_questions_are_ordered_and_frozen_once_open(personas: dict[str, Any]) -> None:
    secretary = personas["secretary"]
    survey = surveys.create_survey(
        actor=secretary, title="Egen", cluster=Cluster.objects.get(key="randersklyngen")
    )
    with pytest.raises(DomainError):
        surveys.set_status(actor=secretary, survey=survey, status="open")  # no question yet
    a = surveys.add_question(actor=secretary, survey=survey, text="A?", kind="yes_no")
    b = surveys.add_question(
        actor=secretary, survey=survey, text="B?", kind="scale", low_label="Lidt", high_label="Meget"
    )
    with pytest.raises(DomainError) as raised:
        surveys.add_question(actor=secretary, survey=survey, text="C?", kind="scale")
    assert raised.value.field == "low_label"
    surveys.move_question(actor=secretary, question=b, up=True)
    assert [q.text for q in surveys.questions_of(survey)] == ["B?", "A?"]
    a.refresh_from_db()
    surveys.remove_question(actor=secretary, question=a)
    assert [(q.number, q.text) for q in surveys.questions_of(survey)] == [(1, "B?")]
    surveys.set_status(actor=secretary, survey=survey, status="open")
    with pytest.raises(DomainError):
        surveys.add_question(actor=secretary, survey=survey, text="D?", kind="text")


def test_a_link_works_once_and_a_reused_or_forged_code_is_refused_alike(
    course: Any, personas: dict[str, Any]
) -> None:
    survey = open_survey()
    issued = surveys.issue_link(actor=personas["visitator_randers"], survey=survey, course=course)
    assert surveys.usable_link(issued.code).survey == survey
    surveys.submit_answers(code=issued.code.lower(), answers={1: "4", 3: "yes", 8: "Mere tid"})
    for code in (issued.code, "AAAA-BBBB-CCCC-DDDD-EEEE", "nonsense", ""):
        with pytest.raises(surveys.LinkUnusable):
            surveys.usable_link(code)
        with pytest.raises(surveys.LinkUnusable):
            surveys.submit_answers(code=code, answers={1: "5"})
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.count() == 3


def test_a_link_expires(course: Any, personas: dict[str, Any], settings: Any) -> None:
    settings.SEKTORBRO_SURVEY_LINK_DAYS = 30
    survey = open_survey()
    issued = surveys.issue_link(actor=personas["ward_nurse_randers"], survey=survey, course=course)
    assert issued.expires_at - timezone.now() > dt.timedelta(days=29)
    later = timezone.now() + dt.timedelta(days=31)
    with pytest.raises(surveys.LinkUnusable):
        surveys.usable_link(issued.code, now=later)
    with pytest.raises(surveys.LinkUnusable):
        surveys.submit_answers(code=issued.code, answers={1: "5"}, now=later)
    assert surveys.purge_expired_links(now=later) == 1
    assert SurveyResponse.objects.count() == 0


def test_a_closed_survey_refuses_its_links(course: Any, personas: dict[str, Any]) -> None:
    survey = open_survey()
    issued = surveys.issue_link(actor=personas["visitator_randers"], survey=survey, course=course)
    surveys.set_status(actor=None, survey=survey, status="closed")
    with pytest.raises(surveys.LinkUnusable):
        surveys.submit_answers(code=issued.code, answers={1: "5"})


def test_an_empty_or_invalid_answer_keeps_the_link(course: Any, personas: dict[str, Any]) -> None:
    survey = open_survey()
    issued = surveys.issue_link(actor=personas["visitator_randers"], survey=survey, course=course)
    with pytest.raises(DomainError):
        surveys.submit_answers(code=issued.code, answers={})
    with pytest.raises(DomainError) as raised:
        surveys.submit_answers(code=issued.code, answers={1: "9"})
    assert raised.value.field == "q1"
    assert surveys.usable_link(issued.code)


def test_who_may_hand_out(course: Any, personas: dict[str, Any]) -> None:
    survey = open_survey()
    for name in ("visitator_viborg", "gp_randers", "secretary", "analyst", "ortho_nurse_randers"):
        with pytest.raises(NotPermitted):
            surveys.issue_link(actor=personas[name], survey=survey, course=course)
    with pytest.raises(DomainError) as raised:  # another cluster's survey
        surveys.issue_link(
            actor=personas["visitator_randers"], survey=open_survey("midtklyngen"), course=course
        )
    assert raised.value.field == "survey"
    region_wide = open_survey(None)
    assert surveys.issue_link(actor=personas["ward_nurse_randers"], survey=region_wide, course=course).code


def test_an_open_course_gets_no_link(make_citizen: Any, make_course: Any, personas: dict[str, Any]) -> None:
    course = make_course(make_citizen("730"))
    with pytest.raises(NotPermitted):
        surveys.issue_link(actor=personas["visitator_randers"], survey=open_survey(), course=course)


def test_nothing_stored_joins_an_answer_to_the_citizen(course: Any, personas: dict[str, Any]) -> None:
    survey = open_survey()
    issued = surveys.issue_link(actor=personas["visitator_randers"], survey=survey, course=course)
    link = SurveyLink.objects.get()
    assert issued.code.replace("-", "") not in str(link.__dict__)
    surveys.submit_answers(code=issued.code, answers={1: "2"})
    assert SurveyLink.objects.count() == 0  # deleted when used
    response = SurveyResponse.objects.get()
    assert (response.cluster.key, response.municipality.code, response.quarter) == (
        "randersklyngen",
        "730",
        "2026-Q4",
    )
    # No column anywhere in the survey tables points at a citizen, a course or a user, or holds a time.
    for model in (SurveyLink, SurveyResponse, SurveyAnswer, SurveyHandout, Survey):
        for f in model._meta.concrete_fields:
            target = f.related_model._meta.label_lower if f.related_model else ""
            assert target not in ("citizens.citizen", "courses.course", "accounts.user"), (model, f.name)
            if model is not Survey:
                assert f.get_internal_type() != "DateField"
                assert f.get_internal_type() != "DateTimeField" or model is SurveyLink
    # The audit rows name the survey only, never the course or the citizen.
    rows = AuditEvent.objects.filter(action__startswith="survey.")
    assert {r.action for r in rows} >= {"survey.link_issued", "survey.answered"}
    for r in rows:
        assert r.subject_id == str(survey.public_id)
        assert str(course.public_id) not in str(r.data) and str(course.citizen.public_id) not in str(r.data)
    assert SurveyHandout.objects.get().count == 1


def test_results_suppress_fewer_than_five(
    make_citizen: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    survey = open_survey()
    course = discharged(make_citizen, make_course)
    for value in ("5", "4", "4", "2"):
        code = surveys.issue_link(actor=personas["visitator_randers"], survey=survey, course=course).code
        surveys.submit_answers(code=code, answers={1: value, 8: "Godt"})
    found = surveys.results(survey, with_comments=True)
    ((cluster, cells),) = found.clusters
    assert cluster.key == "randersklyngen"
    (cell,) = cells
    assert cell is not None and cell.answers_shown == "<5" and found.total_shown == "<5"
    assert all(qr.rows == [] for qr in found.questions)  # no distribution at all
    code = surveys.issue_link(actor=personas["visitator_randers"], survey=survey, course=course).code
    surveys.submit_answers(code=code, answers={1: "3", 3: "no"})
    found = surveys.results(survey, with_comments=True)
    now_shown = found.clusters[0][1][0]
    assert now_shown is not None and now_shown.answers_shown == "5"
    first = found.questions[0].rows[0]
    assert first.scale is not None and first.scale.counts == (0, 1, 1, 2, 1)
    assert found.questions[2].rows[0].choice is None  # answered once: suppressed on its own
    comments = found.questions[7].rows[0]
    assert comments.comment_count == 4 and comments.comments == ["Godt"] * 4
    assert surveys.results(survey).questions[7].rows[0].comments == []
