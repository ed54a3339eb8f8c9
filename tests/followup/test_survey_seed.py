"""The demo survey: answers across clusters and quarters, one suppressed cell, and idempotent."""

from __future__ import annotations

import pytest

from sektorbro.followup import surveys
from sektorbro.followup.models import Survey, SurveyLink, SurveyResponse
from sektorbro.followup.survey_seed import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_survey_has_answers_across_clusters_and_quarters() -> None:
    survey = load_demo()
    assert survey.status == "open" and survey.cluster is None
    found = surveys.results(survey)
    assert len(found.quarters) == 3 and len(found.clusters) >= 2
    shown = [c.answers_shown for _cluster, cells in found.clusters for c in cells if c is not None]
    assert "<5" in shown and any(s != "<5" for s in shown)
    # The latest quarter has a suppressed cluster: its region total would give it away, so it is not shown.
    assert len(found.region) == 3 and found.region[2][0] == "–" and found.region[0][0].isdigit()
    assert found.total_shown == ""
    assert found.questions[0].rows and found.questions[0].rows[0].scale is not None
    count = SurveyResponse.objects.count()
    assert load_demo() == survey
    assert Survey.objects.count() == 1 and SurveyResponse.objects.count() == count
    assert SurveyLink.objects.exists()  # some codes handed out were never used
