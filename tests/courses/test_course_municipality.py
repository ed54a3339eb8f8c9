"""Courses carry the citizen's municipality of residence so the municipal worklists use an index; the copy must
always say what the citizen record says, and municipal staff must see exactly their residents' courses."""

from __future__ import annotations

from typing import Any

import pytest

from sektorbro.citizens.access import citizens_visible_to
from sektorbro.citizens.models import move_courses_with
from sektorbro.courses.models import Course
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.organisations.models import Municipality

pytestmark = pytest.mark.django_db


def _via_citizens(user: Any) -> set[int]:
    return set(Course.objects.filter(citizen__in=citizens_visible_to(user)).values_list("pk", flat=True))


def _visible(user: Any) -> set[int]:
    return set(courses_visible_to(user).values_list("pk", flat=True))


def test_a_new_course_takes_the_citizens_municipality(make_citizen: Any, make_course: Any) -> None:
    course = make_course(make_citizen("791"))
    assert course.municipality.code == "791"
    assert Course.objects.get(pk=course.pk).municipality_id == course.citizen.residence_municipality_id


def test_municipal_staff_see_exactly_their_residents_courses(
    personas: dict[str, Any], randers_world: dict[str, Any], make_citizen: Any, make_course: Any
) -> None:
    make_course(make_citizen("730"), hospital_key="auh", department_key=None)
    for name in ("visitator_randers", "visitator_viborg"):
        user = personas[name]
        assert _visible(user) == _via_citizens(user)
        assert _visible(user)


def test_a_citizen_who_moves_takes_the_courses_along(
    personas: dict[str, Any], make_citizen: Any, make_course: Any
) -> None:
    citizen = make_citizen("730")
    first, second = make_course(citizen), make_course(citizen, hospital_key="auh", department_key=None)
    randers, viborg = personas["visitator_randers"], personas["visitator_viborg"]
    assert {first.pk, second.pk} <= _visible(randers)

    citizen.residence_municipality = Municipality.objects.get(code="791")
    citizen.save()

    assert set(Course.objects.filter(citizen=citizen).values_list("municipality__code", flat=True)) == {"791"}
    assert not {first.pk, second.pk} & _visible(randers)
    assert {first.pk, second.pk} <= _visible(viborg)
    assert _visible(viborg) == _via_citizens(viborg)


def test_saving_other_fields_only_does_not_touch_courses(make_citizen: Any, make_course: Any) -> None:
    citizen = make_citizen("730")
    course = make_course(citizen)
    citizen.name = "Nyt Navn"
    citizen.save(update_fields=["name"])
    assert Course.objects.get(pk=course.pk).municipality.code == "730"


def test_a_bulk_update_is_repaired_by_move_courses_with(make_citizen: Any, make_course: Any) -> None:
    citizen = make_citizen("730")
    course = make_course(citizen)
    type(citizen).objects.filter(pk=citizen.pk).update(
        residence_municipality=Municipality.objects.get(code="791")
    )
    citizen.refresh_from_db()
    assert move_courses_with(citizen) == 1
    assert Course.objects.get(pk=course.pk).municipality.code == "791"
    assert move_courses_with(citizen) == 0
