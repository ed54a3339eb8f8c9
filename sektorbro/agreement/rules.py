"""One import for every rule of the agreement (the Django layer imports ``rules``).

The rules live in one module per family: ``history`` (effective events, status, periods), ``transitions``
(``check_transition``), ``ready`` (færdigbehandlet and bed days), ``responsibility`` (72 hours and the
responsible doctor), ``documents``, ``deadlines`` (clock rules and alerts) and ``tasks``. Sources are cited
as ``aftalen <section>``, ``flowchart <rule id>`` or ``bilag 2``; docs/agreement-rules.md lists them."""

from __future__ import annotations

from sektorbro.agreement.deadlines import alerts, deadlines
from sektorbro.agreement.documents import (
    DOCUMENT_EVENTS,
    DOCUMENT_LABELS,
    is_short_stay,
    needs_municipal_services,
    required_documents,
)
from sektorbro.agreement.history import (
    MUNICIPAL_PLACES,
    STATUS_LABELS,
    STEP_LABELS,
    CourseState,
    ReadyPeriod,
    agreed_discharge_date,
    agreements,
    continues_stay,
    current_step,
    discharge_date_status,
    discharge_day,
    discharged_at,
    effective_events,
    flowchart_applies,
    fold,
    is_terminal,
    is_transfer,
    municipality_receives,
    pending_proposal,
    proposed_discharge_date,
    psychiatry_covered,
    ready_periods,
    status,
    stay_hours,
    weekend_agreement,
)
from sektorbro.agreement.model import DEFAULT_SETTINGS, RuleInputError
from sektorbro.agreement.ready import (
    READY_CHECKLIST,
    WAITING_FOR,
    billable_days,
    period_days,
    ready_for_discharge,
    ready_nights,
)
from sektorbro.agreement.responsibility import extended_responsibility, responsible_doctor
from sektorbro.agreement.tasks import missed, tasks
from sektorbro.agreement.transitions import (
    care_plan_to_acknowledge,
    check_transition,
    proposal_in_past,
    ready_cancellation,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "DOCUMENT_EVENTS",
    "DOCUMENT_LABELS",
    "MUNICIPAL_PLACES",
    "READY_CHECKLIST",
    "STATUS_LABELS",
    "STEP_LABELS",
    "WAITING_FOR",
    "CourseState",
    "ReadyPeriod",
    "RuleInputError",
    "agreed_discharge_date",
    "agreements",
    "alerts",
    "billable_days",
    "care_plan_to_acknowledge",
    "check_transition",
    "continues_stay",
    "current_step",
    "deadlines",
    "discharge_date_status",
    "discharge_day",
    "discharged_at",
    "effective_events",
    "extended_responsibility",
    "flowchart_applies",
    "fold",
    "is_short_stay",
    "is_terminal",
    "is_transfer",
    "missed",
    "municipality_receives",
    "needs_municipal_services",
    "pending_proposal",
    "period_days",
    "proposal_in_past",
    "proposed_discharge_date",
    "psychiatry_covered",
    "ready_cancellation",
    "ready_for_discharge",
    "ready_nights",
    "ready_periods",
    "required_documents",
    "responsible_doctor",
    "status",
    "stay_hours",
    "tasks",
    "weekend_agreement",
]
