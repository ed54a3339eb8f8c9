"""All decisions for one course at one moment, as a JSON-ready dictionary: the scenario CLI's output and what
the course page and worklists show. The keys are documented in docs/rules-scenario.md ("Output")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sektorbro.agreement import tasks as tasks_module
from sektorbro.agreement.deadlines import alerts, deadlines
from sektorbro.agreement.documents import required_documents
from sektorbro.agreement.history import (
    STATUS_LABELS,
    STEP_LABELS,
    current_step,
    discharge_date_status,
    fold,
)
from sektorbro.agreement.model import (
    DEFAULT_SETTINGS,
    AgreementSettings,
    CourseSnapshot,
    Decision,
    Tariff,
    require_aware,
)
from sektorbro.agreement.ready import billable_days, ready_for_discharge
from sektorbro.agreement.responsibility import extended_responsibility, responsible_doctor

DEFAULT = DEFAULT_SETTINGS


def _why(decision: Decision[Any]) -> dict[str, Any]:
    return {"reasons": [r.as_dict() for r in decision.reasons], "sources": list(decision.sources)}


def tasks(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT_SETTINGS
) -> list[dict[str, Any]]:
    """The open tasks as dictionaries (see ``sektorbro.agreement.tasks.tasks`` for the objects)."""
    return [t.as_dict() for t in tasks_module.tasks(snapshot, at, settings)]


def evaluate(
    snapshot: CourseSnapshot,
    at: dt.datetime,
    tariffs: Iterable[Tariff] = (),
    settings: AgreementSettings = DEFAULT_SETTINGS,
) -> dict[str, Any]:
    """Every decision for the course at ``at``; JSON-serialisable."""
    require_aware(at, "at")
    table = tuple(tariffs)
    state = fold(snapshot, at, settings)
    ready = ready_for_discharge(snapshot, at, settings)
    billing = billable_days(snapshot, at, table, settings)
    window = extended_responsibility(snapshot, at, settings)
    doctor = responsible_doctor(snapshot, at, settings)
    documents = required_documents(snapshot, at, settings)
    step = current_step(snapshot, at, settings)
    return {
        "at": at.isoformat(),
        "status": state.status,
        "status_label": STATUS_LABELS[state.status].as_dict(),
        "current_step": step,
        "current_step_label": STEP_LABELS[step].as_dict(),
        "ready_for_discharge": {**ready.value, **_why(ready)},
        "billable_days": billing.value["days"],
        "billable_amount_dkk": billing.value["amount_dkk"],
        "billing": {**billing.value, **_why(billing)},
        "extended_responsibility_72h": {**window.value, **_why(window)},
        "responsible_doctor": {**doctor.value, **_why(doctor)},
        "required_documents": documents.value["required"],
        "missing_documents": documents.value["missing"],
        "documents": {**documents.value, **_why(documents)},
        "deadlines": [d.as_dict() for d in deadlines(snapshot, at, settings)],
        "alerts": [a.as_dict() for a in alerts(snapshot, at, settings)],
        "tasks": tasks(snapshot, at, settings),
        # Work due before the discharge that was not done when the course ended (history, not tasks).
        "missed": [t.as_dict() for t in tasks_module.missed(snapshot, at, settings)],
        "discharge_date": discharge_date_status(snapshot, at, settings),
    }
