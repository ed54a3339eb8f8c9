"""The bulk row writers used by ingestion, state refresh and the access log."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from sektorbro.citizens.models import AccessLogEntry
from sektorbro.core.bulk import insert_rows, update_rows

pytestmark = pytest.mark.django_db
FIELDS = ["at", "user", "username", "organisation", "citizen", "action", "channel", "request_id"]


def test_insert_rows_writes_plain_rows_as_save_would(make_citizen: Any) -> None:
    citizen = make_citizen("730")
    at = timezone.now()
    insert_rows(AccessLogEntry, FIELDS, [(at, None, "system", "", citizen.pk, "test", "web", "r1")] * 3)
    rows = AccessLogEntry.objects.filter(request_id="r1")
    assert rows.count() == 3 and {r.at for r in rows} == {at} and rows[0].citizen == citizen
    insert_rows(AccessLogEntry, FIELDS, [])  # nothing to write is fine


def test_insert_and_update_refuse_what_is_not_a_column(make_citizen: Any) -> None:
    citizen = make_citizen("730")
    with pytest.raises(ValueError, match="is not a column that can be inserted"):
        insert_rows(AccessLogEntry, ["id", "action"], [(1, "x")])
    with pytest.raises(ValueError, match="2 values for 8 fields"):
        insert_rows(AccessLogEntry, FIELDS, [(timezone.now(), None)])
    with pytest.raises(ValueError, match="is not a column that can be updated"):
        update_rows([citizen], ["courses"])
    assert not AccessLogEntry.objects.exists()


def test_update_rows_writes_only_the_named_fields(make_citizen: Any) -> None:
    first, second = make_citizen("730", "Før En"), make_citizen("730", "Før To")
    first.name, second.name, second.receives_elderly_care = "Efter En", "Efter To", True
    update_rows([first, second], ["name"])
    second.refresh_from_db()
    assert second.name == "Efter To" and second.receives_elderly_care is False
