from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from sektorbro.accounts.api_auth import TokenAuth
from sektorbro.messaging import ingest, senders
from sektorbro.messaging.medcom.message import MAX_BYTES
from sektorbro.messaging.models import InboxStatus

router = Router(tags=["MedCom"], auth=TokenAuth())


MAX_ISSUES = 50  # an answer names the first errors, never megabytes of the input


def _refused(diagnostics: str, sender: str) -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": "error", "code": "forbidden", "diagnostics": diagnostics[:600]}
    if sender:
        issue["expression"] = ["MessageHeader.sender"]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def _operation_outcome(errors: list[dict[str, Any]], fallback: str, code: str = "invalid") -> dict[str, Any]:
    issues = [
        {
            "severity": "error",
            "code": code,
            "diagnostics": f"[{e['rule']}] {e['message']}"[:600],
            "expression": [e["path"][:300]],
        }
        for e in errors
        if e.get("severity", "error") == "error"
    ][:MAX_ISSUES] or [{"severity": "error", "code": code, "diagnostics": fallback}]
    return {"resourceType": "OperationOutcome", "issue": issues}


def _too_large() -> HttpResponse:
    return JsonResponse(
        _operation_outcome(
            [], f"[mc-size] the message is larger than {MAX_BYTES} bytes (the VANS limit)", code="too-long"
        ),
        status=413,
    )


def _body(request: HttpRequest) -> bytes | None:
    """The request body up to the MedCom size limit (``mc-size``), read from the stream: Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, kept for every form) would refuse a letter with a PDF. None if larger."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES:
        return None
    raw = request.read(MAX_BYTES + 1)
    return None if len(raw) > MAX_BYTES else raw


@router.post(
    "/messages",
    summary="Deliver a MedCom FHIR message (JSON or XML, up to 100 MiB). 202 when stored and accepted for "
    "processing, 400 with an OperationOutcome when rejected (a resend gets its first copy's answer), 403 with an "
    "OperationOutcome when the token may not deliver for the message's sender, 413 when too large.",
    openapi_extra={"requestBody": {"content": {"application/fhir+json": {}, "application/fhir+xml": {}}}},
)
def deliver(request: HttpRequest) -> HttpResponse:
    raw = _body(request)
    if raw is None:
        return _too_large()
    if not raw.strip():
        return JsonResponse(_operation_outcome([], "the request body is empty"), status=400)
    delivered_by = f"api:{request.user.get_username()}"
    token = getattr(request, "api_token", None)
    allowed = list(token.senders.all()) if token is not None else []
    refused = senders.refusal(raw, allowed)
    if refused is not None:  # refused before anything is stored
        senders.log_refusal(
            refused,
            transport="http",
            delivered_by=f"{delivered_by} (token {token.prefix if token else '-'}…)",
            actor=request.user,
            sha256=hashlib.sha256(raw).hexdigest(),
        )
        if not allowed:
            text = (
                "This token does not deliver MedCom messages (it belongs to a person, not to an integration)."
            )
        else:
            text = f"The token may not deliver messages from the sender {refused.sender}."
        return JsonResponse(_refused(text, refused.sender), status=403)
    message = ingest.ingest(raw, transport="http", sender_label=delivered_by)
    first = (
        message.duplicate_of if message.status == InboxStatus.DUPLICATE and message.duplicate_of else message
    )
    if first.status == InboxStatus.REJECTED:  # a resend of a rejected message gets the same answer
        return JsonResponse(_operation_outcome(first.errors, first.reason), status=400)
    return JsonResponse(
        {"id": str(message.public_id), "message_id": message.message_id, "status": message.status}, status=202
    )
