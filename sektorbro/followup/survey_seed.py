"""The demo's experience survey: the annex-1 template, region-wide and open, with invented answers from every
cluster in the last three quarters, through the same one-time codes a citizen would use (``issue_system_link``,
``submit_answers``). Most cluster-quarters have 5 answers or more; a few have fewer, so that the results page
shows the suppression ("<5"). Safe to run again: an existing demo survey is left as it is."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from sektorbro.followup import surveys
from sektorbro.followup.models import QuestionKind, Survey
from sektorbro.followup.survey_rules import quarter_of
from sektorbro.organisations.models import Cluster

SEED = 20
COMMENTS_GOOD = [
    "Personalet tog sig god tid til at forklare, hvad der skulle ske.",
    "Hjemmeplejen kom samme dag, som jeg kom hjem.",
    "Jeg fik et telefonnummer, jeg kunne ringe til.",
]
COMMENTS_BETTER = [
    "Vi fik først besked om udskrivelsen samme morgen.",
    "Medicinlisten passede ikke med det, der stod på pakningerne.",
    "Det var uklart, hvem der skulle bestille hjælpemidler.",
]


def _quarters(today: dt.date, count: int = 3) -> list[str]:
    found: list[str] = []
    day = today
    while len(found) < count:
        quarter = quarter_of(day)
        if quarter not in found:
            found.append(quarter)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return sorted(found)


@transaction.atomic
def load_demo() -> Survey:
    existing = Survey.objects.filter(title=surveys.TEMPLATE_TITLE, cluster__isnull=True).first()
    if existing is not None:
        return existing
    survey = surveys.create_survey(actor=None, title="", cluster=None, from_template=True)
    surveys.set_status(actor=None, survey=survey, status="open")
    questions = surveys.questions_of(survey)
    rng = random.Random(SEED)
    for c_index, cluster in enumerate(Cluster.objects.prefetch_related("municipalities").order_by("key")):
        municipalities = list(cluster.municipalities.order_by("code"))
        if not municipalities:
            continue
        for q_index, quarter in enumerate(_quarters(timezone.localdate())):
            # One small cell (cluster 2, the latest quarter) shows the suppression.
            answers = 3 if (c_index, q_index) == (1, 2) else 5 + rng.randrange(9)
            for n in range(answers + rng.randrange(4)):  # some codes are never used
                issued = surveys.issue_system_link(
                    survey=survey, municipality=municipalities[n % len(municipalities)], quarter=quarter
                )
                if n >= answers:
                    continue
                given: dict[int, str] = {}
                for question in questions:
                    if question.kind == QuestionKind.SCALE:
                        given[question.number] = str(rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 7, 6])[0])
                    elif question.kind == QuestionKind.YES_NO:
                        given[question.number] = rng.choices(["yes", "no", "dont_know"], [7, 2, 1])[0]
                    elif rng.random() < 0.4:
                        pool = COMMENTS_GOOD if question.number == 7 else COMMENTS_BETTER
                        given[question.number] = rng.choice(pool)
                surveys.submit_answers(code=issued.code, answers=given)
    return survey
