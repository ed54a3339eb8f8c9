"""Validating and extracting one HospitalNotification must stay well under 2 ms (ingestion needs >= 300
messages/s on two cores, with the database work on top), and clearly faster than building the fhir.resources
model alone."""

from __future__ import annotations

import time
from collections.abc import Callable

from sektorbro.messaging.medcom import extract, synthetic
from sektorbro.messaging.medcom.validate import validate_message
from tests.messaging.examples import HN, example


def best_per_call(action: Callable[[], object], repeat: int = 5, number: int = 100) -> float:
    """Seconds per call, the best of ``repeat`` rounds (the least disturbed by other work on the machine)."""
    action()
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            action()
        rounds.append((time.perf_counter() - start) / number)
    return min(rounds)


def validate_and_extract(raw: bytes) -> Callable[[], object]:
    def run() -> object:
        result = validate_message(raw)
        assert result.valid
        return extract.hospital_notification(result)

    return run


def test_a_hospital_notification_is_validated_and_extracted_in_well_under_two_milliseconds() -> None:
    discharge = example(HN, "Bundle-f4aa42a4-86db-4e68-9b38-9dda0dfd5774.json")
    built = next(synthetic.notifications(2, seed=1))
    for raw in (discharge, built):
        assert best_per_call(validate_and_extract(raw)) < 0.002


def test_the_fast_path_beats_the_fhir_resources_models() -> None:
    from fhir.resources.R4B.bundle import Bundle

    raw = example(HN, "Bundle-f4aa42a4-86db-4e68-9b38-9dda0dfd5774.json")
    ours = best_per_call(validate_and_extract(raw))
    model_only = best_per_call(lambda: Bundle.model_validate_json(raw))
    assert ours < model_only


def test_xml_is_read_in_a_few_milliseconds() -> None:
    raw = example(HN, "Bundle-f4aa42a4-86db-4e68-9b38-9dda0dfd5774.xml")
    assert best_per_call(validate_and_extract(raw), number=50) < 0.005
