"""Open work per party for worklists: open or overdue deadlines, missing documents that no deadline already
asks for, and alerts. Most urgent first."""

from __future__ import annotations

import datetime as dt

from sektorbro.agreement.deadlines import alerts, deadlines
from sektorbro.agreement.documents import (
    AT_DISCHARGE,
    DOCUMENT_LABELS,
    DOCUMENT_PARTY,
    required_documents,
)
from sektorbro.agreement.history import discharge_day, fold
from sektorbro.agreement.model import (
    DEFAULT_SETTINGS,
    AgreementSettings,
    CourseSnapshot,
    Reason,
    Task,
    local_date,
    require_aware,
)

DOCUMENT_SOURCE = {
    "discharge_agreement": "bilag 2",
    "coordination_plan": "bilag 2",
    "fmk_update": "aftalen 2.1",
    "discharge_summary": "aftalen 1 (princip 6)",
}
#: Documents that must exist by the discharge itself; the epikrise follows its own standard.
DUE_AT_DISCHARGE = frozenset({"discharge_report", "rehab_plan", "fmk_update"})


def tasks(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[Task]:
    require_aware(at, "at")
    state = fold(snapshot, at, settings)
    if state.status in ("cancelled", "not_admitted"):
        return []
    found: list[Task] = []
    covered: set[str] = set()
    for deadline in deadlines(snapshot, at, settings):
        covered.update(deadline.covers)
        if deadline.status in ("open", "overdue"):
            found.append(
                Task(
                    code=f"deadline:{deadline.rule}",
                    rule=deadline.rule,
                    source=deadline.source,
                    party=deadline.party,
                    due=deadline.due,
                    overdue=deadline.status == "overdue",
                    text=deadline.text,
                )
            )
    day = discharge_day(snapshot, at, settings)
    discharge_near = (
        state.ended_at is not None
        or state.ready_since is not None
        or (day is not None and day <= local_date(at))
    )
    for document in required_documents(snapshot, at, settings).value["missing"]:
        if document in covered:
            continue
        if document in AT_DISCHARGE and not discharge_near:
            continue
        due = state.ended_at if document in DUE_AT_DISCHARGE or document not in AT_DISCHARGE else None
        label = DOCUMENT_LABELS[document]
        found.append(
            Task(
                code=f"document:{document}",
                rule=document,
                source=DOCUMENT_SOURCE.get(document, "aftalen 1 fodnote 4"),
                party=DOCUMENT_PARTY[document],
                due=due,
                overdue=due is not None and at > due,
                text=Reason(f"Mangler: {label.da}", f"Missing: {label.en}"),
            )
        )
    for alert in alerts(snapshot, at, settings):
        found.append(
            Task(
                code=f"alert:{alert.rule}",
                rule=alert.rule,
                source=alert.source,
                party=alert.party,
                due=alert.until,
                overdue=False,
                text=alert.text,
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    found.sort(key=lambda t: (not t.overdue, t.due is None, t.due or far))
    return found
