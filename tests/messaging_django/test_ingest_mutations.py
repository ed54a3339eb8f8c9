"""Mutated messages through the real ingestion path: each is rejected cleanly, kept, and writes no course."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sektorbro.citizens.models import Citizen
from sektorbro.courses.models import Course, CourseEvent
from sektorbro.messaging import ingest
from sektorbro.messaging.models import InboxMessage, InboxStatus
from sektorbro.organisations.models import OrganisationUnit
from tests.corpus import examples_dir

STIN = "hospitalnotification/ig-examples/Bundle-a5e5b880-c087-4055-b9ec-99108695f81d.json"


def mutate(kind: str, cut: int) -> bytes:
    data = json.loads((examples_dir() / STIN).read_text())
    resources = {e["resource"]["resourceType"]: e["resource"] for e in data["entry"]}
    match kind:
        case "drop-encounter-start":
            resources["Encounter"]["period"].pop("start")
        case "break-reference":
            resources["Encounter"]["subject"]["reference"] = "Patient/unknown"
        case "wrong-class":
            resources["Encounter"]["class"]["code"] = "HH"
        case "bad-cpr":
            resources["Patient"]["identifier"][0]["value"] = "3102401234"
        case "no-provenance":
            data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != "Provenance"]
        case "truncated":
            return json.dumps(data).encode()[: max(1, cut)]
    return json.dumps(data).encode()


KINDS = ["drop-encounter-start", "break-reference", "wrong-class", "bad-cpr", "no-provenance", "truncated"]


@pytest.mark.django_db
@pytest.mark.usefixtures("medcom_examples")
def test_mutated_notifications_are_rejected_and_nothing_is_written() -> None:
    OrganisationUnit.objects.filter(key="visitation-730").update(
        location_number="5790001348120", sor_code="953741000016009"
    )
    OrganisationUnit.objects.filter(key="rhr-medicin").update(
        location_number="5790000209354", sor_code="265161000016000"
    )
    ingest.clear_unit_cache()

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(KINDS), st.integers(min_value=1, max_value=4000))
    def check_one(kind: str, cut: int) -> None:
        before = (Course.objects.count(), CourseEvent.objects.count(), Citizen.objects.count())
        raw = mutate(kind, cut)
        message = ingest.ingest(raw, transport="test")
        if message.status == InboxStatus.DUPLICATE:  # same MessageHeader.id as an earlier mutation
            assert message.duplicate_of is not None and message.duplicate_of.status == InboxStatus.REJECTED
        else:
            assert message.status == InboxStatus.REJECTED, (kind, message.reason)
            assert message.errors and all(e["rule"] for e in message.errors)
        assert bytes(InboxMessage.objects.get(pk=message.pk).raw) == raw
        assert (Course.objects.count(), CourseEvent.objects.count(), Citizen.objects.count()) == before

    check_one()
