"""Every message Sektorbro builds, checked against MedCom's published profiles (issue 15).

The StructureDefinitions, value sets and code systems come from the FHIR packages among MedCom's examples
(``<examples>/packages``; skipped without them, a failure under ``CI=true``). Each built message — letters new,
reply and forward, acknowledgements of valid and of invalid messages, a HospitalNotification — is written as
JSON and as XML, read back, and every resource is walked along the snapshot of its profile (``profiles.Check``):
cardinalities, fixed and pattern values, required bindings to MedCom's code systems, extension profiles, and the
elements MedCom wants shown in the narrative. The project's own validator must pass them too, without warnings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sektorbro.messaging.medcom import build
from sektorbro.messaging.medcom.build import (
    Attachment,
    CareCommunicationDraft,
    EncounterRef,
    ForwardDraft,
    HospitalNotificationDraft,
    ReplyDraft,
)
from sektorbro.messaging.medcom.cli import validate_main
from sektorbro.messaging.medcom.validate import ValidationResult, check_thread, validate_message
from tests.corpus import require_examples
from tests.messaging.examples import GP, MUNICIPALITY, NOW, NURSE, PATIENT, WARD, WARD_NURSE, find
from tests.messaging.profiles import Check, Package, Profiles, read_packages

PDF = b"%PDF-1.4\n% Sektorbro conformance\n"
STAY = EncounterRef("4f0e1a5c-9a8e-4a37-b5f6-0c7b8b7d2d11", status="in-progress", class_code="IMP")


@functools.cache
def _packages() -> dict[str, Package]:
    folder = require_examples() / "packages"
    if not any(folder.glob("*/package.tgz")):
        pytest.fail(f"no FHIR packages (*/package.tgz) in {folder}")
    return read_packages(folder)


@pytest.fixture
def packages(medcom_examples: Any) -> dict[str, Package]:
    return _packages()


def profiles_for(bundle: dict[str, Any], packages: dict[str, Package]) -> Profiles:
    """The package that defines the message's Bundle profile (its newest version), with its dependencies."""
    url = bundle["meta"]["profile"][0].split("|")[0]
    owners = [
        p for p in packages.values()
        if any(r["resourceType"] == "StructureDefinition" and r["url"] == url for r in p.resources)
        and not p.name.startswith(("medcom.fhir.dk.core", "medcom.fhir.dk.messaging"))
    ]  # fmt: skip
    assert owners, f"no package defines {url}"
    newest = max(owners, key=lambda p: tuple(int(x) for x in p.version.split(".")))
    return Profiles(packages, newest.key)


# --- the messages -------------------------------------------------------------------------------------------
def new_letter() -> dict[str, Any]:
    draft = CareCommunicationDraft(
        sender=MUNICIPALITY, receiver=WARD, patient=PATIENT, category="regarding-referral", priority="asap",
        text="Vi kan modtage borgeren fredag.\nHjemmeplejen er orienteret.", author=NURSE, sent_at=NOW,
        topic="Vedr. henvisning", encounter=STAY, sender_team="Hjemmeplejen Team Nord", recipient_team="Afsnit M1",
        attachments=(
            Attachment("Plejeplan", "application/pdf", PDF, creation=NOW - dt.timedelta(days=1), with_author=True),
            Attachment("Vejledning", url="https://medcom.dk/", creation=NOW - dt.timedelta(days=2)),
        ),
    )  # fmt: skip
    return build.care_communication_message(draft)


def reply(received: dict[str, Any]) -> dict[str, Any]:
    draft = ReplyDraft(
        WARD, "Tak, vi planlægger udskrivelse fredag.", WARD_NURSE, NOW + dt.timedelta(hours=1)
    )
    return build.reply_message(read(received), draft)


def reply_naming_the_stay() -> dict[str, Any]:
    plain = build.care_communication_message(
        CareCommunicationDraft(MUNICIPALITY, WARD, PATIENT, "nursing", "Hvornår kommer hun hjem?", NURSE, NOW)
    )
    draft = ReplyDraft(WARD, "Fredag.", WARD_NURSE, NOW + dt.timedelta(hours=1), encounter=STAY)
    return build.reply_message(read(plain), draft)


def forward_of_own_reply() -> dict[str, Any]:
    first = new_letter()
    own = reply(first)
    draft = ForwardDraft(WARD, GP, "Til orientering.", WARD_NURSE, NOW + dt.timedelta(hours=2))
    forward = build.forward_message(read(own), draft, thread=[read(first)])
    assert check_thread(read(own), read(forward)) == []
    return forward


def ack_ok() -> dict[str, Any]:
    return build.acknowledgement_message(read(new_letter()), code="ok", now=NOW + dt.timedelta(minutes=1))


def ack_of_invalid() -> dict[str, Any]:
    broken = new_letter()
    communication = next(
        e["resource"] for e in broken["entry"] if e["resource"]["resourceType"] == "Communication"
    )
    del communication["category"]
    received = validate_message(build.to_json(broken))
    assert not received.valid
    return build.acknowledgement_message(
        received, code="fatal-error", issues=received.issues, now=NOW + dt.timedelta(minutes=1)
    )


def ack_of_medcoms_invalid_example() -> dict[str, Any]:
    """MedCom's intentionally invalid test-protocol example (no category code), answered negatively."""
    received = validate_message(find("Bundle-R-Tek-M-dublicate-inv-").read_bytes())
    assert not received.valid
    return build.acknowledgement_message(received, code="fatal-error", issues=received.issues, now=NOW)


def ack_transient() -> dict[str, Any]:
    return build.acknowledgement_message(
        read(new_letter()), code="transient-error", now=NOW, notes=["the database is being restored"]
    )


def ack_of_notification() -> dict[str, Any]:
    return build.acknowledgement_message(read(notification()), code="ok", now=NOW + dt.timedelta(minutes=1))


def notification() -> dict[str, Any]:
    draft = HospitalNotificationDraft(
        event_code="STIN", sender=WARD, receiver=MUNICIPALITY, patient=PATIENT,
        episode_of_care_id="4f0e1a5c-9a8e-4a37-b5f6-0c7b8b7d2d11", start=NOW - dt.timedelta(hours=2), sent_at=NOW,
    )  # fmt: skip
    return build.hospital_notification_message(draft)


def read(bundle: dict[str, Any]) -> ValidationResult:
    result = validate_message(build.to_json(bundle))
    assert result.valid, [i.line() for i in result.issues]
    return result


BUILT: dict[str, Callable[[], dict[str, Any]]] = {
    "new letter": new_letter,
    "reply": lambda: reply(new_letter()),
    "reply naming the stay": reply_naming_the_stay,
    "forward of own reply": forward_of_own_reply,
    "acknowledgement ok": ack_ok,
    "acknowledgement of an invalid message": ack_of_invalid,
    "acknowledgement of MedCom's invalid example": ack_of_medcoms_invalid_example,
    "acknowledgement transient-error": ack_transient,
    "acknowledgement of a HospitalNotification": ack_of_notification,
    "HospitalNotification STIN": notification,
}


def written(bundle: dict[str, Any], form: str) -> ValidationResult:
    """The message as the receiver reads it: written as JSON or XML and read back by the project's validator."""
    text = build.to_json(bundle) if form == "json" else build.to_xml(bundle)
    result = validate_message(text, model_check=True)  # as `sektorbro medcom validate --model-check` does
    assert result.valid, [i.line() for i in result.issues]
    assert not result.warnings, [i.line() for i in result.warnings]
    assert result.bundle is not None
    return result


@pytest.mark.parametrize("form", ["json", "xml"])
@pytest.mark.parametrize("kind", sorted(BUILT))
def test_every_built_message_conforms_to_medcoms_profiles(
    kind: str, form: str, packages: dict[str, Package]
) -> None:
    bundle = written(BUILT[kind](), form).bundle
    assert bundle is not None
    profiles = profiles_for(bundle, packages)
    check = Check(profiles)
    check.resource(bundle)
    for entry in bundle["entry"]:
        check.resource(entry["resource"])
    assert [str(f) for f in check.findings] == []


def test_letters_show_in_the_narrative_what_medcom_asks(packages: dict[str, Package]) -> None:
    bundle = new_letter()
    check = Check(profiles_for(bundle, packages))
    for entry in bundle["entry"]:
        check.resource(entry["resource"])
    assert check.findings == [] and check.narrative_checked > 40  # the obligations were really looked at
    communication = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Communication"
    )
    shown = communication["text"]["div"]
    for expected in ("regarding-referral", "+4589151515", "Plejeplan", "https://medcom.dk/", NOW.isoformat()):
        assert expected in shown


# --- the checker itself finds what is wrong -----------------------------------------------------------------
def _findings(bundle: dict[str, Any], packages: dict[str, Package]) -> list[str]:
    check = Check(profiles_for(bundle, packages))
    for entry in bundle["entry"]:
        check.resource(entry["resource"])
    return [str(f) for f in check.findings]


def _resource(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


@pytest.mark.parametrize(
    ("breakage", "element"),
    [
        (lambda b: _resource(b, "Communication").pop("identifier"), "Communication.identifier"),
        (lambda b: _resource(b, "Communication").update(status="completed"), "Communication.status"),
        (
            lambda b: _resource(b, "Communication")["category"][0]["coding"][0].update(code="gossip"),
            "Communication.category",
        ),
        (
            lambda b: _resource(b, "Communication")["payload"][0]["extension"].pop(),
            "Communication.payload:string",
        ),
        (lambda b: _resource(b, "MessageHeader").pop("definition"), "MessageHeader.definition"),
        (lambda b: _resource(b, "Organization")["identifier"].pop(0), "Organization.identifier:EAN-ID"),
        (lambda b: _resource(b, "Patient")["name"][0].pop("family"), "Patient.name:official.family"),
        (lambda b: _resource(b, "MessageHeader")["eventCoding"].update(code="x"), "MessageHeader.event[x]"),
        (lambda b: _resource(b, "Provenance")["entity"].append({"role": "derivation"}), "Provenance.entity"),
        (
            lambda b: _resource(b, "Communication").update(text={"status": "generated", "div": _EMPTY_DIV}),
            "Communication",
        ),
    ],
)
def test_the_profile_check_finds_what_is_broken(
    breakage: Callable[[dict[str, Any]], Any], element: str, packages: dict[str, Package]
) -> None:
    bundle = new_letter()
    assert _findings(bundle, packages) == []
    breakage(bundle)
    found = _findings(bundle, packages)
    assert any(f" {element}" in f for f in found), found


_EMPTY_DIV = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Brev</p></div>'


def test_an_acknowledgement_with_a_code_outside_medcoms_error_codes_is_found(
    packages: dict[str, Package],
) -> None:
    bundle = ack_of_invalid()
    outcome = _resource(bundle, "OperationOutcome")
    outcome["issue"][0]["details"]["coding"][0] = {
        "system": "http://terminology.hl7.org/CodeSystem/operation-outcome",
        "code": "MSG_BAD_FORMAT",
    }
    assert any("OperationOutcome.issue.details" in f for f in _findings(bundle, packages))


def test_the_new_letter_really_carries_what_the_profiles_are_checked_on() -> None:
    bundle = new_letter()
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Encounter", "CareTeam", "PractitionerRole", "Practitioner"} <= kinds
    assert dataclasses.replace(STAY).episode_of_care_id in build.to_json(bundle)


def test_sektorbro_medcom_validate_passes_every_built_message(tmp_path: Path) -> None:
    """The command line's validation (``sektorbro medcom validate --warnings --model-check``) on the files."""
    for number, make in enumerate(BUILT.values()):
        bundle = make()
        (tmp_path / f"{number}.json").write_text(build.to_json(bundle), encoding="utf-8")
        (tmp_path / f"{number}.xml").write_text(build.to_xml(bundle), encoding="utf-8")
    out = io.StringIO()
    assert validate_main([str(tmp_path)], out, warnings=True, model_check=True) == 0, out.getvalue()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 * len(BUILT) and all(line.startswith("OK ") for line in lines)
