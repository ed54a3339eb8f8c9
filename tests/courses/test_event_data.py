"""What a person may put in an event (#16): a schema per event type with sizes, no party but one's own, and no
letter recorded as a bare event. Plus bounded page numbers on the API lists."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sektorbro.agreement.model import EVENT_TYPES
from sektorbro.courses.event_data import EventDataProblem, check_event_data
from sektorbro.courses.models import CourseEvent


def post(client: Any, course: Any, body: dict[str, Any]) -> Any:
    body = {"expected_version": type(course).objects.get(pk=course.pk).version, **body}
    return client.post(
        f"/api/v1/courses/{course.public_id}/events/", json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def admitted(randers_world: dict[str, Any]) -> Any:
    return randers_world["randers_admitted"].courses.get()


@pytest.mark.django_db
def test_a_municipality_cannot_record_a_letter_from_the_hospital(
    login: Any, personas: dict[str, Any], admitted: Any
) -> None:
    client = login(personas["visitator_randers"])
    before = CourseEvent.objects.filter(course=admitted).count()
    response = post(
        client,
        admitted,
        {"type": "correspondence_sent", "data": {"from": "Regionshospitalet Randers", "to": "municipality"}},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "type" and response.json()["code"] == "event_data_not_allowed"
    assert CourseEvent.objects.filter(course=admitted).count() == before


@pytest.mark.django_db
def test_only_the_hospital_records_that_it_sent_a_care_plan(
    login: Any, personas: dict[str, Any], admitted: Any
) -> None:
    before = CourseEvent.objects.filter(course=admitted).count()
    forged = post(login(personas["visitator_randers"]), admitted, {"type": "care_plan_sent"})
    assert forged.status_code == 403
    assert CourseEvent.objects.filter(course=admitted).count() == before
    own = post(login(personas["ward_nurse_randers"]), admitted, {"type": "care_plan_sent"})
    assert own.status_code == 201


@pytest.mark.django_db
def test_a_municipality_cannot_propose_a_date_in_the_hospital_s_name(
    login: Any, personas: dict[str, Any], admitted: Any
) -> None:
    client = login(personas["visitator_randers"])
    forged = post(
        client,
        admitted,
        {"type": "discharge_date_proposed", "date": "2030-01-10", "data": {"by": "hospital"}},
    )
    assert forged.status_code == 400 and forged.json()["field"] == "data.by"
    own = post(client, admitted, {"type": "discharge_date_proposed", "date": "2030-01-10"})
    assert own.status_code == 201 and own.json()["data"]["by"] == "municipality"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"note": "x" * 2_000_000}, "data"),
        ({"note": "x" * 1001}, "data.note"),
        ({"note": 5}, "data.note"),
        ({"colour": "red"}, "data.colour"),
        ({"date": "10.01.2030"}, "data.date"),
        ({"note": "bad \x00 byte"}, "data.note"),
    ],
)
def test_event_data_outside_the_schema_is_refused_naming_the_field(
    login: Any, personas: dict[str, Any], admitted: Any, data: dict[str, Any], field: str
) -> None:
    client = login(personas["ward_nurse_randers"])
    before = CourseEvent.objects.filter(course=admitted).count()
    response = post(client, admitted, {"type": "ready_for_discharge", "data": data})
    assert response.status_code == 400, response.content[:200]
    assert response.json()["field"] == field
    assert CourseEvent.objects.filter(course=admitted).count() == before


@pytest.mark.django_db
def test_a_note_within_the_schema_is_kept(login: Any, personas: dict[str, Any], admitted: Any) -> None:
    response = post(
        login(personas["ward_nurse_randers"]),
        admitted,
        {"type": "ready_for_discharge", "data": {"note": "Klar"}},
    )
    assert response.status_code == 201 and response.json()["data"] == {"note": "Klar"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/courses/", "/api/v1/citizens/"])
@pytest.mark.parametrize(
    ("query", "field"),
    [("page=2561576047829432320", "page"), ("page=0", "page"), ("page_size=100000", "page_size")],
)
def test_page_numbers_and_sizes_out_of_bounds_are_a_400(
    login: Any, personas: dict[str, Any], randers_world: Any, path: str, query: str, field: str
) -> None:
    response = login(personas["visitator_randers"]).get(f"{path}?{query}")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.django_db
def test_the_last_page_within_bounds_is_empty_not_an_error(
    login: Any, personas: dict[str, Any], randers_world: Any
) -> None:
    response = login(personas["visitator_randers"]).get("/api/v1/courses/?page=100000&page_size=200")
    assert response.status_code == 200 and response.json()["items"] == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    event_type=st.sampled_from(EVENT_TYPES),
    data=st.dictionaries(
        st.sampled_from(["note", "date", "by", "destination", "changes", "ref_seq", "with", "from"])
        | st.text(max_size=6),
        json_values,
        max_size=4,
    ),
)
def test_the_schema_check_answers_every_input_with_cleaned_data_or_a_named_problem(
    event_type: str, data: dict[str, Any]
) -> None:
    try:
        cleaned = check_event_data(event_type, data)
    except EventDataProblem as problem:
        assert problem.field and problem.code
    else:
        assert set(cleaned) == set(data)
        json.dumps(cleaned)  # storable
