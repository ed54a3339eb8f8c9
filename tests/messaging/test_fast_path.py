"""The path every received HospitalNotification takes (validate, then extract) on the inputs the ingestion
benchmark measures: MedCom's discharge example as JSON and XML, and a message from our own builders. How fast
it is, is measured by ``benchmarks/validate.py``, never here."""

from __future__ import annotations

import pytest

from sektorbro.messaging.medcom import extract, synthetic
from sektorbro.messaging.medcom.validate import validate_message
from tests.messaging.examples import HN, example

DISCHARGE = "Bundle-f4aa42a4-86db-4e68-9b38-9dda0dfd5774"


def validate_and_extract(raw: bytes) -> extract.HospitalNotificationFacts:
    result = validate_message(raw)
    assert result.valid, [i.line() for i in result.errors]
    return extract.hospital_notification(result)


@pytest.mark.usefixtures("medcom_examples")
def test_the_discharge_example_reads_the_same_from_json_and_xml() -> None:
    from_json = validate_and_extract(example(HN, f"{DISCHARGE}.json"))
    from_xml = validate_and_extract(example(HN, f"{DISCHARGE}.xml"))
    assert from_json == from_xml


def test_a_built_notification_is_validated_and_extracted() -> None:
    admission, discharge = synthetic.notifications(2, seed=1)
    first, second = validate_and_extract(admission), validate_and_extract(discharge)
    assert (first.event, second.event) == ("admission", "discharge")
    assert first.common.patient_cpr == second.common.patient_cpr and first.episode_ids == second.episode_ids


def test_the_fast_path_accepts_what_the_fhir_resources_model_accepts() -> None:
    from fhir.resources.R4B.bundle import Bundle

    raw = next(synthetic.notifications(1, seed=2))
    Bundle.model_validate_json(raw)
    validate_and_extract(raw)
