"""The clusters' experiences (annex 1, "Opfølgning"): a questionnaire for staff and steering groups with the annex's
follow-up questions, answered per cluster, and the learning seminar's page that gathers the answers per question
across the clusters.

Who (docs/followup.md, "The clusters' experiences"):

* **Answer** for a cluster: every signed-in user whose organisation belongs to the cluster (hospital, municipal and
  GP units, the cluster's secretariat). One response per person and cluster, which they may change.
* **The seminar page** (all answers, per question and cluster, without names): the main users and every user who
  belongs to a cluster (the seminar shares the experiences across the clusters).
* **Remove a response**: its author, or the cluster's secretaries and analysts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sektorbro.core.audit import record
from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.followup import access
from sektorbro.followup.models import ExperienceResponse, RespondentRole
from sektorbro.followup.plans import member_cluster_ids
from sektorbro.organisations.models import Cluster

ANSWER_LIMIT = 4000


@dataclass(frozen=True)
class Question:
    key: str
    text: str | Promise
    help: str | Promise = ""


# Annex 1's follow-up questions for the clusters, in the annex's order (the questions for citizens and relatives
# are the surveys'). The first bullet is split into its good and its bad examples.
QUESTIONS: tuple[Question, ...] = (
    Question(
        "good_examples",
        gettext_lazy(
            "Examples where we succeeded with good admission and discharge courses for the citizens"
        ),
        gettext_lazy(
            "Where the relevant parties were involved in good time, relevant information was exchanged …"
        ),
    ),
    Question(
        "learning_examples",
        gettext_lazy("Courses where there is something to learn for improvements"),
    ),
    Question(
        "collaboration_models",
        gettext_lazy("Good models and solutions for successful collaboration on admission and discharge"),
    ),
    Question(
        "collaboration",
        gettext_lazy(
            "How is the collaboration between municipality and hospital, and with general practice, experienced?"
        ),
    ),
    Question(
        "joint_training", gettext_lazy("What are the experiences with joint training (Fælles Skolebænk)?")
    ),
    Question(
        "shared_preparation",
        gettext_lazy(
            "The fixed deadlines (notices) are replaced by a value-based approach and 'shared preparation'. "
            "What does that mean for the collaboration, and does it work in practice?"
        ),
    ),
    Question(
        "date_coincidence",
        gettext_lazy(
            "Do we succeed in making the actual discharge date coincide with the date the patient is registered "
            "as ready for discharge?"
        ),
    ),
    Question("flowchart", gettext_lazy("How user-friendly is the flowchart?")),
    Question("principles", gettext_lazy("Are the principles relevant?")),
    Question("adjustment", gettext_lazy("Is there a need to adjust the cooperation agreement?")),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)


# --- who ---------------------------------------------------------------------------------------------------------


def answerable_clusters(user: Any) -> list[Cluster]:
    ids = member_cluster_ids(user)
    return list(Cluster.objects.filter(pk__in=ids).order_by("name"))


def may_answer(user: Any, cluster: Cluster) -> bool:
    return cluster.pk in member_cluster_ids(user)


def may_read_seminar(user: Any) -> bool:
    return access.is_main_user(user) or bool(member_cluster_ids(user))


def may_remove(user: Any, response: ExperienceResponse) -> bool:
    if response.respondent_id == getattr(user, "pk", None):
        return True
    return access.is_main_user(user) and access.may_manage(user, response.cluster_id)


# --- the write path ----------------------------------------------------------------------------------------------


def clean_answers(answers: dict[str, str]) -> dict[str, str]:
    """Only the questionnaire's keys, trimmed; empty answers left out; each at most ``ANSWER_LIMIT`` characters.
    At least one question must be answered."""
    cleaned: dict[str, str] = {}
    for key in QUESTION_KEYS:
        value = (answers.get(key) or "").strip()
        if len(value) > ANSWER_LIMIT:
            raise DomainError(
                _("At most %(limit)d characters.") % {"limit": ANSWER_LIMIT}, field=key, code="too_long"
            )
        if value:
            cleaned[key] = value
    if not cleaned:
        raise DomainError(_("Answer at least one question."), field=QUESTION_KEYS[0], code="required")
    return cleaned


@transaction.atomic
def save_response(
    *, actor: Any, cluster: Cluster, role: str, answers: dict[str, str], organisation: str = ""
) -> ExperienceResponse:
    """The actor's response for the cluster: created the first time, replaced after that."""
    if not may_answer(actor, cluster):
        raise NotPermitted(_("Only the cluster's own staff and steering group answer for the cluster."))
    if role not in RespondentRole.values:
        raise DomainError(_("Choose one of the listed values."), field="role", code="invalid_choice")
    cleaned = clean_answers(answers)
    org = (organisation or "").strip()[:200]
    response, created = ExperienceResponse.objects.update_or_create(
        cluster=cluster, respondent=actor, defaults={"role": role, "answers": cleaned, "organisation": org}
    )
    record(
        actor=actor,
        action="experience.submitted" if created else "experience.changed",
        subject_type=response._meta.label_lower,
        subject_id=str(response.public_id),
        data={"cluster": cluster.key, "questions": sorted(cleaned)},
    )
    return response


@transaction.atomic
def remove_response(*, actor: Any, response: ExperienceResponse) -> None:
    if actor is not None and not may_remove(actor, response):
        raise NotPermitted(
            _("Only its author or the cluster's secretaries and analysts may remove a response.")
        )
    record(
        actor=actor,
        action="experience.removed",
        subject_type=response._meta.label_lower,
        subject_id=str(response.public_id),
        data={"cluster": response.cluster.key},
    )
    response.delete()


# --- the seminar -------------------------------------------------------------------------------------------------


@dataclass
class ClusterAnswers:
    cluster: Cluster
    answers: list[tuple[str, str]]  # (role label, text)


@dataclass
class QuestionSummary:
    question: Question
    clusters: list[ClusterAnswers]
    count: int


def responses(cluster_ids: set[int] | None = None) -> list[ExperienceResponse]:
    found = ExperienceResponse.objects.select_related("cluster")
    if cluster_ids is not None:
        found = found.filter(cluster_id__in=cluster_ids)
    return list(found.order_by("cluster__name", "submitted_at", "id"))


def gather(found: list[ExperienceResponse]) -> list[QuestionSummary]:
    """Every question with its answers per cluster (clusters by name; no respondent's name)."""
    summaries = []
    for question in QUESTIONS:
        by_cluster: dict[int, ClusterAnswers] = {}
        count = 0
        for response in found:
            text = response.answers.get(question.key)
            if not text:
                continue
            entry = by_cluster.setdefault(response.cluster_id, ClusterAnswers(response.cluster, []))
            entry.answers.append((str(RespondentRole(response.role).label), text))
            count += 1
        summaries.append(QuestionSummary(question, list(by_cluster.values()), count))
    return summaries


def respondents_per_cluster(found: list[ExperienceResponse]) -> list[tuple[str, int, int]]:
    """(cluster name, staff, steering group) counts."""
    rows: dict[str, list[int]] = {}
    for response in found:
        counts = rows.setdefault(response.cluster.name, [0, 0])
        counts[0 if response.role == RespondentRole.STAFF else 1] += 1
    return [(name, c[0], c[1]) for name, c in sorted(rows.items())]
