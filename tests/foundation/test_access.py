"""The access selector: who sees which citizen, who sees the full CPR, and the access log."""

from __future__ import annotations

from typing import Any

import pytest

from sektorbro.citizens.access import care_relation_ids, citizens_visible_to, get_visible_citizen
from sektorbro.citizens.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def names(user: Any) -> set[str]:
    return set(citizens_visible_to(user).values_list("name", flat=True))


def test_each_persona_sees_exactly_their_scope(
    personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    assert names(personas["ward_nurse_randers"]) == {"Randers Indlagt", "Viborg Indlagt i Randers"}
    assert names(personas["visitator_randers"]) == {"Randers Indlagt", "Randers Hjemme", "Randers Social"}
    assert names(personas["visitator_viborg"]) == {"Viborg Borger", "Viborg Indlagt i Randers"}
    assert names(personas["gp_randers"]) == {"Randers Indlagt"}
    assert names(personas["social_randers"]) == {"Randers Social"}
    for nobody in ("analyst", "secretary", "administrator", "outsider"):
        assert names(personas[nobody]) == set(), nobody


def test_inactive_memberships_and_users_see_nothing(
    personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    nurse = personas["ward_nurse_randers"]
    nurse.memberships.update(active=False)
    nurse._membership_cache = None
    assert names(nurse) == set()
    visitator = personas["visitator_randers"]
    visitator.is_active = False
    visitator.save()
    assert names(visitator) == set()


def test_a_citizen_outside_the_scope_is_not_found(
    personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    from django.http import Http404

    viborg = randers_world["viborg"]
    with pytest.raises(Http404):
        get_visible_citizen(personas["visitator_randers"], viborg.public_id)
    with pytest.raises(Http404):
        get_visible_citizen(personas["visitator_randers"], "not-a-uuid")
    assert get_visible_citizen(personas["visitator_viborg"], viborg.public_id) == viborg


def test_care_relation_unmasks_only_known_or_admitted_citizens(
    personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    w = randers_world
    visitator = personas["visitator_randers"]
    care = care_relation_ids(visitator, [w["randers_admitted"], w["randers_home"], w["social"]])
    # admitted (open course) and the social-area citizen: care relation; a plain resident: masked
    assert care == {w["randers_admitted"].pk, w["social"].pk}
    assert care_relation_ids(personas["gp_randers"], [w["randers_admitted"]]) == {w["randers_admitted"].pk}
    nurse = personas["ward_nurse_randers"]
    assert care_relation_ids(nurse, [w["viborg_at_randers"]]) == {w["viborg_at_randers"].pk}


def test_a_hospital_loses_the_care_relation_30_days_after_the_course_ended(
    personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    import datetime as dt

    from django.utils import timezone

    citizen = randers_world["viborg_at_randers"]
    course = citizen.courses.get()
    course.ended_at = timezone.now() - dt.timedelta(days=31)
    course.save()
    nurse = personas["ward_nurse_randers"]
    assert citizen.name in names(nurse)  # still visible: the hospital had a course
    assert care_relation_ids(nurse, [citizen]) == set()  # but the CPR is masked now


def test_reading_a_citizen_page_writes_an_access_log_row(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    citizen = randers_world["randers_home"]
    client = login(personas["visitator_randers"])
    response = client.get(f"/borgere/{citizen.public_id}/", HTTP_X_REQUEST_ID="req-test-0001")
    assert response.status_code == 200
    row = AccessLogEntry.objects.get(citizen=citizen, action="citizen.detail")
    assert row.username == "visitator.randers"
    assert row.organisation == "Visitationen, Randers Kommune"
    # The client's X-Request-ID is kept apart; the id that ties the rows together is the server's own (#16).
    assert row.client_request_id == "req-test-0001"
    assert row.request_id == response["X-Request-ID"] != "req-test-0001"
    assert len(row.request_id) == 32


def test_a_client_cannot_choose_the_request_id_of_another_request(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    client = login(personas["visitator_randers"])
    first = client.get("/borgere/", HTTP_X_REQUEST_ID="same-id-0001")
    second = client.get("/borgere/", HTTP_X_REQUEST_ID="same-id-0001")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert not AccessLogEntry.objects.filter(request_id="same-id-0001").exists()
    assert AccessLogEntry.objects.filter(client_request_id="same-id-0001").count() >= 2


def test_a_list_page_logs_each_citizen_shown_and_nothing_more(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    client = login(personas["visitator_randers"])
    client.get("/borgere/")
    logged = set(AccessLogEntry.objects.filter(action="citizen.list").values_list("citizen__name", flat=True))
    assert logged == {"Randers Indlagt", "Randers Hjemme", "Randers Social"}


def test_a_refused_read_writes_no_access_row(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    client = login(personas["visitator_randers"])
    assert client.get(f"/borgere/{randers_world['viborg'].public_id}/").status_code == 404
    assert not AccessLogEntry.objects.filter(citizen=randers_world["viborg"]).exists()


def test_hospital_staff_see_their_own_department_unless_their_membership_is_on_the_hospital(
    make_user: Any, make_citizen: Any, make_course: Any
) -> None:
    """#16: a ward nurse at Regionspsykiatrien Randers does not see the region's psychiatric patients in other
    towns; a discharge coordinator whose membership is on the hospital sees them all (docs/users.md)."""
    from sektorbro.courses.selectors import courses_visible_to

    nurse = make_user("psyk.randers", "ward_nurse", "psykiatrien-randers")
    coordinator = make_user("psyk.koordinator", "discharge_coordinator", "psykiatrien")
    in_randers = make_citizen("730", "Psyk Randers")
    make_course(
        in_randers, hospital_key="psykiatrien", department_key="psykiatrien-randers", area="psychiatric"
    )
    in_aarhus = make_citizen("751", "Psyk Aarhus")
    make_course(
        in_aarhus, hospital_key="psykiatrien", department_key="psykiatrien-auh-psykose", area="psychiatric"
    )
    assert set(names(nurse)) == {"Psyk Randers"}
    assert {c.citizen.name for c in courses_visible_to(nurse)} == {"Psyk Randers"}
    assert {"Psyk Randers", "Psyk Aarhus"} <= set(names(coordinator))
    assert {c.citizen.name for c in courses_visible_to(coordinator)} == {"Psyk Randers", "Psyk Aarhus"}
    assert care_relation_ids(nurse, [in_aarhus]) == set()


def test_a_course_not_placed_at_a_department_is_seen_by_the_whole_hospital(
    make_user: Any, make_citizen: Any, make_course: Any
) -> None:
    from sektorbro.courses.selectors import courses_visible_to

    nurse = make_user("ortho.randers", "ward_nurse", "rhr-ortopaedi")
    make_course(make_citizen("730", "Uden Afdeling"), department_key=None)
    make_course(make_citizen("730", "Paa Medicin"))
    assert {c.citizen.name for c in courses_visible_to(nurse)} == {"Uden Afdeling"}
