"""*Behandl igen* says what is still missing when a quarantined message still cannot be applied (#18 item 10)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_processing_again_names_what_is_still_missing(
    login: Any, personas: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    message = randers_world["quarantined"]
    client = login(personas["visitator_randers"])
    response = client.post(f"/beskeder/modtaget/{message.public_id}/genbehandl/", follow=True)
    page = response.content.decode()
    message.refresh_from_db()
    assert message.status in ("unapplicable", "rejected", "queued")
    assert message.reason
    assert "Mangler stadig:" in page
