from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from sektorbro.accounts.api_auth import TokenAuth
from sektorbro.messaging import ingest
from sektorbro.messaging.models import InboxStatus

router = Router(tags=["MedCom"], auth=TokenAuth())


def _operation_outcome(errors: list[dict[str, Any]], fallback: str) -> dict[str, Any]:
    issues = [
        {
            "severity": "error",
            "code": "invalid",
            "diagnostics": f"[{e['rule']}] {e['message']}",
            "expression": [e["path"]],
        }
        for e in errors
    ] or [{"severity": "error", "code": "invalid", "diagnostics": fallback}]
    return {"resourceType": "OperationOutcome", "issue": issues}


@router.post(
    "/messages",
    summary="Deliver a MedCom FHIR message (JSON or XML). 202 when stored and accepted for processing, "
    "400 with an OperationOutcome when rejected.",
    openapi_extra={"requestBody": {"content": {"application/fhir+json": {}, "application/fhir+xml": {}}}},
)
def deliver(request: HttpRequest) -> HttpResponse:
    raw = request.body
    if not raw.strip():
        return JsonResponse(_operation_outcome([], "the request body is empty"), status=400)
    message = ingest.ingest(raw, transport="http", sender_label=f"api:{request.user.get_username()}")
    if message.status == InboxStatus.REJECTED:
        return JsonResponse(_operation_outcome(message.errors, message.reason), status=400)
    return JsonResponse(
        {"id": str(message.public_id), "message_id": message.message_id, "status": message.status}, status=202
    )
