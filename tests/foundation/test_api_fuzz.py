"""A schema-driven fuzzer (schemathesis) against the API's own OpenAPI description (#16): every operation, as an
authenticated municipal user and with generated parameters and bodies, answers without a server error, and
what it answers is documented. Bounded: a few dozen examples per operation, no timing."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """The WSGI handler closes the database connection when a request ends; Django's own test client switches
    that off, and so does this test (otherwise PostgreSQL's test transaction is closed under it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(personas: dict[str, Any], randers_world: Any) -> str:
    from sektorbro.accounts.models import ApiToken

    return ApiToken.issue(user=personas["visitator_randers"], name="fuzzer")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(case: Any, token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
