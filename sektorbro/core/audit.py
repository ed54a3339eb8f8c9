"""Writing audit rows. Services call :func:`record`; never signals."""

from __future__ import annotations

from typing import Any

from sektorbro.core.logging import request_id_var
from sektorbro.core.models import AuditEvent


def row(
    *,
    actor: Any,
    action: str,
    subject_type: str,
    subject_id: str,
    data: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """One audit row, not yet saved (services that write many rows at once save them together)."""
    user = actor if getattr(actor, "pk", None) is not None else None
    label = actor_label or (user.get_username() if user is not None else "system")
    organisation = ""
    if user is not None and hasattr(user, "organisation_label"):
        organisation = user.organisation_label()
    return AuditEvent(
        actor=user,
        actor_label=label,
        organisation_label=organisation,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        request_id=request_id_var.get() if request_id_var.get() != "-" else "",
        data=data or {},
    )


def record(
    *,
    actor: Any,
    action: str,
    subject_type: str,
    subject_id: str,
    data: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Write one audit row. Call inside the service's transaction."""
    event = row(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data,
        actor_label=actor_label,
    )
    event.save()
    return event
