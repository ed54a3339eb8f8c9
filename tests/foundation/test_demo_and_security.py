from __future__ import annotations

import logging
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from sektorbro.accounts.models import User
from sektorbro.citizens.models import AccessLogEntry, Citizen
from sektorbro.courses.models import Course

pytestmark = pytest.mark.django_db


def test_demo_refuses_outside_demo_mode() -> None:
    with override_settings(DEMO_MODE=False), pytest.raises(CommandError, match="SEKTORBRO_DEMO=1"):
        call_command("demo")


def test_demo_creates_the_region_and_is_safe_to_run_twice() -> None:
    out = StringIO()
    with override_settings(DEMO_MODE=True):
        call_command("demo", "--citizens", "120", stdout=out)
        counts = (User.objects.count(), Citizen.objects.count(), Course.objects.count())
        call_command("demo", "--citizens", "120", stdout=StringIO())
    assert (User.objects.count(), Citizen.objects.count(), Course.objects.count()) == counts
    assert Citizen.objects.values("residence_municipality").distinct().count() == 19
    for username in ("kommune.randers", "kommune.viborg", "hospital.randers", "laege.randers", "analytiker",
                     "sekretaer", "admin"):  # fmt: skip
        assert username in out.getvalue()
        assert User.objects.get(username=username).check_password("demo")
    assert Course.objects.filter(area="psychiatric").exists()


def test_security_headers_and_strict_csp(client: Any) -> None:
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()


def test_no_cpr_reaches_the_log_or_urls(
    client: Any, login: Any, personas: dict[str, Any], randers_world: dict[str, Any], caplog: Any
) -> None:
    citizen = randers_world["randers_admitted"]
    caplog.set_level(logging.DEBUG)
    handler_stream = StringIO()
    handler = logging.StreamHandler(handler_stream)
    from sektorbro.core.logging import RequestIdFilter

    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)
    try:
        logging.getLogger("sektorbro.test").warning("looked up %s", citizen.cpr_formatted)
        c = login(personas["visitator_randers"])
        body = c.get("/borgere/").content.decode()
    finally:
        logging.getLogger().removeHandler(handler)
    assert citizen.cpr_formatted not in handler_stream.getvalue()
    assert citizen.cpr_masked in handler_stream.getvalue()
    assert f"/borgere/{citizen.public_id}/" in body
    for entry in AccessLogEntry.objects.all():
        assert citizen.cpr not in str(entry)
