"""Synthetic HospitalNotifications for benchmarks and demo data: valid, realistic stays, fictitious citizens."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sektorbro.messaging.medcom import extract, synthetic
from sektorbro.messaging.medcom.identifiers import cpr_birth_date
from sektorbro.messaging.medcom.validate import validate_message
from tests.messaging.examples import MUNICIPALITY, WARD


def test_every_flow_is_valid_and_reads_back_as_its_codes() -> None:
    for name, codes in synthetic.FLOWS.items():
        messages = list(
            synthetic.notifications(len(codes), flows=[name], seed=7, sender=WARD, receiver=MUNICIPALITY)
        )
        facts = [extract.hospital_notification(validate_message(m)) for m in messages]
        assert tuple(f.event_code for f in facts) == codes, name
        assert (
            len({f.episode_of_care_id for f in facts}) == 1
            and len({f.common.patient_cpr for f in facts}) == 1
        )
        assert all(f.common.sender == WARD and f.common.receiver == MUNICIPALITY for f in facts)
        times = [f.common.sent_at for f in facts if f.common.sent_at is not None]
        assert len(times) == len(facts) and times == sorted(times)  # sent in order


def test_many_notifications_are_valid_distinct_and_deterministic() -> None:
    messages = list(synthetic.notifications(1000, seed=42, flows=list(synthetic.FLOWS)))
    assert len(messages) == 1000
    results = [validate_message(m) for m in messages]
    assert all(r.valid for r in results), next([i.line() for i in r.errors] for r in results if not r.valid)
    assert (
        len({r.message_id for r in results}) == 1000
        and len({r.bundle["id"] for r in results if r.bundle}) == 1000
    )
    facts = [extract.hospital_notification(r) for r in results]
    for f in facts:
        born = cpr_birth_date(f.common.patient_cpr or "")
        assert born is not None and dt.date(1925, 1, 1) <= born <= dt.date(2020, 12, 31)
        assert f.start is not None and f.start.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))
    codes = Counter(f.event_code for f in facts)
    assert {"STIN", "STAA", "STOR", "SLOR", "SLHJ", "MORS", "RE_STIN", "AN_STIN", "AN_SLHJ"} <= set(codes)
    again = list(synthetic.notifications(50, seed=42, flows=list(synthetic.FLOWS)))
    same = [extract.hospital_notification(validate_message(m)) for m in again]
    assert [(f.common.patient_cpr, f.event_code, f.start) for f in same] == [
        (f.common.patient_cpr, f.event_code, f.start) for f in facts[:50]
    ]


def test_admission_and_discharge_pairs_for_the_benchmark() -> None:
    messages = list(synthetic.notifications(10, seed=1))
    codes = [extract.hospital_notification(validate_message(m)).event_code for m in messages]
    assert codes == ["STIN", "SLHJ"] * 5
    lean = list(synthetic.notifications(2, seed=1, narratives=False))
    assert all(validate_message(m).valid for m in lean) and len(lean[0]) < len(messages[0])
