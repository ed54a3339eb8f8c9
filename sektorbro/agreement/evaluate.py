"""All decisions for one course at one moment, as a JSON-ready dictionary (the scenario CLI's output and what
the course page shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sektorbro.agreement import rules
from sektorbro.agreement.model import AgreementSettings, CourseSnapshot, Reason, Tariff

DEFAULT = AgreementSettings()


def _reasons(decision: Any) -> list[dict[str, str]]:
    return [r.as_dict() for r in decision.reasons]


def tasks(
    snapshot: CourseSnapshot, at: dt.datetime, settings: AgreementSettings = DEFAULT
) -> list[dict[str, Any]]:
    """Open work for each party, most urgent first: open/overdue deadlines and missing documents."""
    found: list[dict[str, Any]] = []
    for deadline in rules.deadlines(snapshot, at, settings):
        if deadline.status in ("open", "overdue"):
            found.append(
                {
                    "code": f"deadline:{deadline.rule}",
                    "rule": deadline.rule,
                    "party": deadline.party,
                    "due": deadline.due.isoformat() if deadline.due else None,
                    "overdue": deadline.status == "overdue",
                    "text": deadline.text.as_dict(),
                }
            )
    documents = rules.required_documents(snapshot, at, settings).value
    state = rules.status(snapshot, at)
    owner = {
        "admission_report": "municipality",
        "phone_contact": "hospital",
    }
    labels = {
        "admission_report": Reason("Indlæggelsesrapport", "Admission report"),
        "care_plan": Reason("Plejeforløbsplan", "Care plan"),
        "discharge_report": Reason("Udskrivningsrapport", "Discharge report"),
        "rehab_plan": Reason("Genoptræningsplan", "Rehabilitation plan"),
        "correspondence": Reason("Korrespondancebrev", "Correspondence message"),
        "phone_contact": Reason("Telefonisk kontakt", "Phone contact"),
        "discharge_summary": Reason("Epikrise til egen læge", "Discharge summary to the GP"),
        "fmk_update": Reason("FMK opdateret", "Shared medication record updated"),
        "discharge_agreement": Reason("Udskrivningsaftale", "Discharge agreement"),
        "coordination_plan": Reason("Koordinationsplan", "Coordination plan"),
    }
    at_discharge = {"discharge_report", "discharge_summary", "fmk_update"}
    covered = {t["rule"] for t in found}
    for document in documents["missing"]:
        if (document, True) in (("care_plan", "P10" in covered), ("admission_report", "P04" in covered)):
            continue
        if document in at_discharge and state not in ("discharged", "ready_for_discharge"):
            continue
        label = labels[document]
        found.append(
            {
                "code": f"document:{document}",
                "rule": "aftalen 1",
                "party": owner.get(document, "hospital"),
                "due": None,
                "overdue": state == "discharged",
                "text": {"da": f"Mangler: {label.da}", "en": f"Missing: {label.en}"},
            }
        )
    for alert in rules.alerts(snapshot, at, settings):
        found.append(
            {
                "code": f"alert:{alert['rule']}",
                "rule": alert["rule"],
                "party": "hospital+municipality",
                "due": alert["until"],
                "overdue": False,
                "text": alert["text"],
            }
        )
    found.sort(key=lambda t: (not t["overdue"], t["due"] is None, t["due"] or ""))
    return found


def evaluate(
    snapshot: CourseSnapshot,
    at: dt.datetime,
    tariffs: Iterable[Tariff] = (),
    settings: AgreementSettings = DEFAULT,
) -> dict[str, Any]:
    rules.validate_snapshot(snapshot)
    ready = rules.ready_for_discharge(snapshot, at, settings)
    billing = rules.billable_days(snapshot, at, tuple(tariffs), settings)
    window = rules.extended_responsibility(snapshot, at, settings)
    doctor = rules.responsible_doctor(snapshot, at, settings)
    documents = rules.required_documents(snapshot, at, settings)
    state = rules.status(snapshot, at)
    return {
        "at": at.isoformat(),
        "status": state,
        "status_label": rules.STATUS_LABELS[state].as_dict(),
        "current_step": rules.current_step(snapshot, at),
        "ready_for_discharge": {
            "registrable": ready.value["registrable"],
            "registered": ready.value["registered"],
            "date": ready.value["date"],
            "periods": ready.value["periods"],
            "reasons": _reasons(ready),
            "sources": list(ready.sources),
        },
        "billable_days": billing.value["days"],
        "billable_amount_dkk": billing.value["amount_dkk"],
        "billing": {**billing.value, "reasons": _reasons(billing), "sources": list(billing.sources)},
        "extended_responsibility_72h": {
            "applies": window.value["applies"],
            "until": window.value["until"],
            "active": window.value["active"],
            "call": window.value["call"],
            "reasons": _reasons(window),
            "sources": list(window.sources),
        },
        "responsible_doctor": {
            "party": doctor.value["party"],
            "phone_route": doctor.value["phone_route"],
            "reasons": _reasons(doctor),
            "sources": list(doctor.sources),
        },
        "required_documents": documents.value["required"],
        "missing_documents": documents.value["missing"],
        "documents": {"reasons": _reasons(documents), "sources": list(documents.sources)},
        "deadlines": [d.as_dict() for d in rules.deadlines(snapshot, at, settings)],
        "alerts": rules.alerts(snapshot, at, settings),
        "tasks": tasks(snapshot, at, settings),
    }
