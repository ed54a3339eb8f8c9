"""Open work per party for worklists: open or overdue deadlines, missing documents that no deadline already
asks for, and alerts. Most urgent first.

Once the course has ended (discharge or death), work that belongs before the discharge can no longer be done:
it is *retired* and listed by ``missed`` as history, not as an open (red) task. What still belongs to a
discharge after it happened stays open (see ``BEFORE_DISCHARGE``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sektorbro.agreement.deadlines import alerts, deadlines
from sektorbro.agreement.documents import (
    AT_DISCHARGE,
    DOCUMENT_LABELS,
    DOCUMENT_PARTY,
    required_documents,
)
from sektorbro.agreement.history import discharge_day, fold, is_transfer
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

#: Work that serves the stay or the discharge itself and cannot be done once the course has ended; after the
#: discharge or death an unmet one is retired (shown as missed). Rule ids as in docs/agreement-rules.md:
#: - P04: the manual admission report is there "so the hospital is well informed at the admission" (aftalen 1,
#:   "at kommunen sikrer, at oplysninger om borgerne er opdaterede, så hospitalet er velinformeret ved
#:   indlæggelsen"; flowchart page 2-2). After the discharge nobody can use it, and an admission report may not
#:   be recorded after the discharge (``transitions.PAPERWORK``), so the municipality could never close it.
#: - P05: the assessment and treatment plan is for the stay (flowchart page 2-2).
#: - P09, A02, P14: the phone call (and letter) warn the municipality *before the discharge* (flowchart pages
#:   2-4, 1-40, 2-5).
#: - P10: the care plan comes "at the latest 12:00 on the discharge day" so the municipality can prepare
#:   (flowchart page 2-4/2-5; aftalen 1 "hurtige men realistiske oplysninger ... forud for en udskrivelse"); a
#:   care plan may not be recorded after the discharge (``transitions.PAPERWORK``).
#: - P13: the weekend or holiday agreement must exist before the discharge (flowchart page 2-5).
#: What stays open after the end: the reading rules (P18, P19, A05: a letter still has to be read) and the
#: documents of aftalen note 2 that end the discharge course after the citizen has left (epikrise, FMK,
#: rehabilitation plan, discharge report: ``transitions.AFTER_DISCHARGE``), with the S02 alert.
BEFORE_DISCHARGE = frozenset({"P04", "P05", "P09", "A02", "P10", "P14", "P13"})
#: Documents whose event may not be recorded after the discharge (``transitions.PAPERWORK``) or that only warn
#: before it (the phone call of P09/A02/P14).
BEFORE_DISCHARGE_DOCUMENTS = frozenset(
    {"admission_report", "care_plan", "phone_contact", "discharge_agreement", "coordination_plan"}
)
#: Alerts about planning the discharge: P15 (a discharge before Monday noon is agreed locally) and P12 (the next
#: care plan marks its changes): nothing can be done about them after the end.
BEFORE_DISCHARGE_ALERTS = frozenset({"P15", "P12"})


def tasks(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[Task]:
    """The open work someone can still do, most urgent first."""
    return _work(snapshot, at, settings)[0]


def missed(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[Task]:
    """Work that was due before the discharge and was not done when the course ended (discharge or death): it
    can no longer be done, so it is history, not a task (``BEFORE_DISCHARGE``). Empty while the course runs."""
    return _work(snapshot, at, settings)[1]


def _retired(task: Task, ended: bool) -> bool:
    if not ended:
        return False
    kind, _colon, name = task.code.partition(":")
    if kind == "deadline":
        return name in BEFORE_DISCHARGE
    if kind == "document":
        return name in BEFORE_DISCHARGE_DOCUMENTS
    return name in BEFORE_DISCHARGE_ALERTS


def _work(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> tuple[list[Task], list[Task]]:
    require_aware(at, "at")
    state = fold(snapshot, at, settings)
    if state.status in ("cancelled", "not_admitted"):
        return [], []
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
    ended = state.ended_at is not None
    open_work = [t for t in found if not _retired(t, ended)]
    if ended and state.status == "discharged" and is_transfer(state.destination):
        # A transfer: the receiving hospital's course takes the stay's work over (one regional stay, aftalen
        # 2.2), so what was due before the discharge is neither open here nor missed.
        return open_work, []
    gone = [replace(t, overdue=False) for t in found if _retired(t, ended)]
    return open_work, gone
