"""The course page offers only what fits the course and the role (issue 18 §6)."""

from __future__ import annotations

from typing import Any

import pytest

from sektorbro.workspace.course_forms import EventForm

pytestmark = pytest.mark.django_db


def offered(body: str) -> str:
    start = body.index('name="type"')
    return body[start : body.index("</select>", start)]


def test_a_somatic_course_offers_no_psychiatric_agreements(
    login: Any, make_citizen: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    course = make_course(make_citizen("730", "Somatisk Borger"))
    body = login(personas["ward_nurse_randers"]).get(f"/forloeb/{course.public_id}/").content.decode()
    types = offered(body)
    assert 'value="ready_for_discharge"' in types
    assert 'value="discharge_agreement_made"' not in types and 'value="coordination_plan_made"' not in types


def test_a_psychiatric_course_offers_them(
    login: Any, make_citizen: Any, make_course: Any, make_user: Any
) -> None:
    course = make_course(
        make_citizen("730", "Psykiatrisk Borger"),
        hospital_key="psykiatrien",
        department_key="psykiatrien-randers",
        area="psychiatric",
    )
    nurse = make_user("psyk", "ward_nurse", "psykiatrien-randers")
    types = offered(login(nurse).get(f"/forloeb/{course.public_id}/").content.decode())
    assert 'value="discharge_agreement_made"' in types and 'value="coordination_plan_made"' in types


def test_death_is_not_a_discharge_destination() -> None:
    form = EventForm(event_types=["discharged", "died"])
    assert "dead" not in [value for value, _label in form.fields["destination"].choices]  # type: ignore[attr-defined]
    assert "died" in [value for value, _label in form.fields["type"].choices]  # type: ignore[attr-defined]


def test_the_letter_form_is_offered_only_to_those_who_may_send(
    login: Any, make_citizen: Any, make_course: Any, personas: dict[str, Any]
) -> None:
    course = make_course(make_citizen("730", "Brev Borger", gp_key="laege-730-1"))
    url = f"/forloeb/{course.public_id}/"
    assert 'id="write"' not in login(personas["gp_randers"]).get(url).content.decode()
    assert 'id="write"' in login(personas["ward_nurse_randers"]).get(url).content.decode()
    assert 'id="write"' in login(personas["visitator_randers"]).get(url).content.decode()
