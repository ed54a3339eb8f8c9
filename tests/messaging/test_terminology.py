"""The code tables in ``terminology`` agree with MedCom's published packages (read in place from the shared
folder's package.tgz files)."""

from __future__ import annotations

import json
import tarfile
from functools import cache
from typing import Any

import pytest

from sektorbro.messaging.medcom import terminology as t
from tests.messaging.examples import EXAMPLES

PACKAGES = EXAMPLES / "packages"
pytestmark = pytest.mark.usefixtures("medcom_examples")


@cache
def resource(package: str, name: str) -> dict[str, Any]:
    path = PACKAGES / package / "package.tgz"
    if not path.is_file():
        pytest.fail(f"package {path} not found")
    with tarfile.open(path) as archive:
        member = archive.extractfile(f"package/{name}.json")
        assert member is not None
        data: dict[str, Any] = json.load(member)
        return data


def concepts(package: str, name: str) -> list[str]:
    data = resource(package, name)
    if data["resourceType"] == "CodeSystem":
        return [c["code"] for c in data["concept"]]
    return [c["code"] for include in data["compose"]["include"] for c in include.get("concept", [])]


TERMINOLOGY = "medcom.fhir.dk.terminology-2.0.1"


def test_event_codes() -> None:
    assert set(concepts(TERMINOLOGY, "CodeSystem-medcom-messaging-eventCodes")) == t.EVENT_CODES


def test_activity_codes() -> None:
    for package in ("medcom.fhir.dk.terminology-1.1.1", "medcom.fhir.dk.terminology-1.4.0", TERMINOLOGY):
        assert set(concepts(package, "CodeSystem-medcom-messaging-activityCodes")) == t.MESSAGING_ACTIVITIES
    assert set(concepts(TERMINOLOGY, "ValueSet-medcom-hospitalNotification-messageActivities")) == set(
        t.HN_ACTIVITIES
    )
    assert (
        set(concepts(TERMINOLOGY, "ValueSet-medcom-careCommunication-messagingActivities")) == t.CC_ACTIVITIES
    )


def test_care_communication_categories_with_danish_names() -> None:
    data = resource(TERMINOLOGY, "CodeSystem-medcom-careCommunication-categoryCodes")
    assert {
        c["code"]: (c["designation"][0]["value"], c["display"]) for c in data["concept"]
    } == t.CC_CATEGORIES
    assert set(concepts(TERMINOLOGY, "ValueSet-medcom-core-attachmentMimeTypes")) == t.ATTACHMENT_MIME_TYPES
    assert set(concepts(TERMINOLOGY, "ValueSet-medcom-careCommunication-requestPriority")) == t.CC_PRIORITIES


def test_hospital_notification_bindings() -> None:
    assert (
        set(concepts(TERMINOLOGY, "ValueSet-medcom-hospitalNotification-encounterStatus"))
        == t.HN_ENCOUNTER_STATUSES
    )
    assert (
        set(concepts(TERMINOLOGY, "ValueSet-medcom-hospitalNotification-encounterClass"))
        == t.HN_ENCOUNTER_CLASSES
    )


def test_acknowledgement_issue_details() -> None:
    assert (
        set(concepts(TERMINOLOGY, "CodeSystem-medcom-acknowledgement-error-codes"))
        == t.ACK_MEDCOM_ERROR_CODES
    )
    data = resource(TERMINOLOGY, "ValueSet-medcom-acknowledgement-issue-details")
    for include in data["compose"]["include"]:
        assert {c["code"] for c in include["concept"]} <= t.ACK_ISSUE_DETAIL_CODES[include["system"]]
    old = resource("medcom.fhir.dk.terminology-1.1.1", "ValueSet-medcom-acknowledgement-issue-details")
    assert {c["code"] for c in old["compose"]["include"][0]["concept"]} == t.ACK_TEMPORARY_CODES


def test_profile_canonicals_exist_in_the_packages() -> None:
    found = {}
    for folder in PACKAGES.iterdir():
        with tarfile.open(folder / "package.tgz") as archive:
            for member in archive.getmembers():
                if member.name.startswith("package/StructureDefinition-"):
                    data = json.load(archive.extractfile(member))  # type: ignore[arg-type]
                    found[data["url"]] = data
    canonicals = [v for k, v in vars(t.Profiles).items() if k.isupper()]
    assert set(canonicals) <= set(found)
    for url in (t.LEAVE_PERIOD_URL, t.REPORT_OF_ADMISSION_URL, t.REPORT_OF_ADMISSION_RECIPIENT_URL, t.DESTINATION_USE_URL,
                t.SENDER_EXTENSION_URL, t.DATETIME_EXTENSION_URL, t.IDENTIFIER_EXTENSION_URL, t.AUTHOR_EXTENSION_URL, t.CONTACT_EXTENSION_URL):  # fmt: skip
        assert url in found


def test_the_prohibited_encounter_elements_are_those_of_the_profile() -> None:
    data = resource(
        "medcom.fhir.dk.hospitalnotification-3.0.2",
        "StructureDefinition-medcom-hospitalNotification-encounter",
    )
    prohibited = {
        e["path"].split(".")[1]
        for e in data["differential"]["element"]
        if e.get("max") == "0" and e["path"].count(".") == 1
    }
    core = resource("medcom.fhir.dk.core-2.0.0", "StructureDefinition-medcom-core-encounter")
    prohibited |= {
        e["path"].split(".")[1]
        for e in core["differential"]["element"]
        if e.get("max") == "0" and e["path"].count(".") == 1
    }
    assert prohibited == set(t.HN_PROHIBITED_ENCOUNTER_ELEMENTS)
