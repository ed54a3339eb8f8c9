"""``readmission_30d_somatic`` / ``readmission_30d_psychiatric``: share of index admissions followed by an
acute admission of the same area starting 0-720 hours after the index discharge.

Index admissions end in the period, the patient is alive at discharge, and the stay has no cancer diagnosis
(DC*, DD00-DD09) and no hospice contact. Readmissions for births (DO80-DO84), injuries (DS*, DT*, DX*, DY*)
and cancer do not count. A transfer (a contact within 4 hours) is part of the same stay, never a
readmission."""

from __future__ import annotations

from typing import Any

import ibis

PARAMETERS = {"window_hours": 720}
EXCLUDED_READMISSION = "^(DO8[0-4]|DS|DT|DX|DY|DC|DD0[0-9])"
SCALE = 100.0


def events(stays: Any, area: str, *, window_hours: int = 720) -> Any:
    admissions = stays.filter(stays.admission & (stays.area == area))
    index = admissions.filter(
        (admissions.last_mode != "died") & ~admissions.any_cancer & ~admissions.any_hospice
    )
    candidates = admissions.filter(
        (admissions.priority == "ATA1") & ~admissions.action_diagnosis.re_search(EXCLUDED_READMISSION)
    )
    later = candidates.select(
        r_person=candidates.person_id, r_start=candidates.start, r_stay=candidates.stay_no
    )
    joined = index.left_join(
        later,
        [
            index.person_id == later.r_person,
            later.r_stay != index.stay_no,
            later.r_start >= index["end"],
            later.r_start <= index["end"] + ibis.interval(hours=window_hours),
        ],
    )
    flagged = joined.group_by([c for c in index.columns]).aggregate(readmitted=joined.r_start.notnull().any())
    return flagged.mutate(at=flagged["end"], numerator=flagged.readmitted.cast("int64"), denominator=1)
