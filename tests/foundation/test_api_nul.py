"""A NUL character anywhere in a request is the client's error (PostgreSQL cannot store it): a 400, never a 500."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/citizens/?q=a%00b",
        "/api/v1/citizens/?municipality_code=7%0030",
        "/api/v1/reference/units?kind=a%00",
        "/api/v1/citizens/a%00b/",
        "/api/v1/courses/a%00b/",
        "/api/v1/courses/?include_ended=%00",
    ],
)
def test_a_nul_character_in_the_address_is_not_a_server_error(
    login: Any, personas: dict[str, Any], path: str
) -> None:
    response = login(personas["visitator_randers"]).get(path)
    assert response.status_code < 500


@pytest.mark.django_db
def test_a_nul_character_in_a_body_is_a_400_naming_no_server_error(
    login: Any, personas: dict[str, Any]
) -> None:
    import json

    response = login(personas["visitator_randers"]).post(
        "/api/v1/citizens/",
        json.dumps({"cpr": "0101401234", "name": "Ny\x00Borger", "municipality_code": "730"}),
        content_type="application/json",
    )
    assert response.status_code == 400
