"""The versioned JSON API, ``/api/v1/``. Each app contributes a router; errors are JSON that name the field."""

from __future__ import annotations

from typing import Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from sektorbro.accounts.api import router as accounts_router
from sektorbro.accounts.api_auth import BrowserSessionAuth, TokenAuth
from sektorbro.citizens.api import router as citizens_router
from sektorbro.core.errors import DomainError
from sektorbro.courses.api import router as courses_router
from sektorbro.governance.api import router as governance_router
from sektorbro.messaging.api import router as medcom_router
from sektorbro.organisations.api import router as reference_router

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "Every refusal: a code, the field it concerns (when there is one) and a readable message.",
    "properties": {
        "code": {"type": "string", "examples": ["invalid", "not_found", "transition_refused", "conflict"]},
        "field": {"type": ["string", "null"]},
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["code"],
}
OPERATION_OUTCOME_SCHEMA: dict[str, Any] = {
    "title": "OperationOutcome",
    "type": "object",
    "description": "A FHIR R4 OperationOutcome naming each problem (MedCom's rules, the sender, the size).",
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "severity": {"type": "string"},
                    "code": {"type": "string"},
                    "diagnostics": {"type": "string"},
                    "details": {"type": "object"},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
    "required": ["resourceType", "issue"],
}
MEDCOM_ACCEPTED_SCHEMA: dict[str, Any] = {
    "title": "DeliveryReceipt",
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "message_id": {"type": "string"},
        "status": {"type": "string"},
    },
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input or a request the rules refuse; the body names the field.",
    "401": "No valid session or token.",
    "403": "The caller's role or organisation may not do this.",
    "404": "Not found, or not visible to the caller.",
    "409": "Someone else changed the course since `expected_version`; nothing was written.",
    "413": "The body is larger than the limit.",
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def document_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the answers the handlers give besides the success (400/401/403/404/409, and the MedCom endpoint's
    202/400/403/413 with OperationOutcome), each with its body schema, so clients can be generated from it."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    components["OperationOutcome"] = OPERATION_OUTCOME_SCHEMA
    components["DeliveryReceipt"] = MEDCOM_ACCEPTED_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = {str(code): answer for code, answer in operation.get("responses", {}).items()}
            operation["responses"] = responses
            if path.endswith("/medcom/messages"):
                responses.pop("200", None)
                responses["202"] = {
                    "description": "Stored and processed; the acknowledgement goes to the sender.",
                    "content": {"application/json": {"schema": _ref("DeliveryReceipt")}},
                }
                codes = ["400", "401", "403", "413"]
                body = _ref("OperationOutcome")
                media = "application/fhir+json"
            else:
                codes = ["400", "401"]
                if "{" in path:
                    codes.append("404")
                if method == "post":
                    codes.append("403")
                if method == "post" and path.endswith("/events/"):
                    codes.append("409")
                body, media = _ref("Error"), "application/json"
            for code in codes:
                responses.setdefault(
                    code, {"description": ERROR_DESCRIPTIONS[code], "content": {media: {"schema": body}}}
                )
    return schema


class SektorbroAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_responses(schema)
        return schema


api = SektorbroAPI(
    title="Sektorbro API",
    version="1",
    description="Sektorbro's JSON API. Session authentication for the browser, bearer tokens for systems.",
    auth=[TokenAuth(), BrowserSessionAuth()],
    urls_namespace="api-v1",
    docs_url="/docs",
)


def _field_of(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"field": _field_of(list(e.get("loc", []))), "message": e.get("msg", "")} for e in exc.errors]
    return api.create_response(request, {"code": "invalid", "errors": errors}, status=400)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body = exc.as_dict()
    body["errors"] = [{"field": exc.field or "body", "message": exc.message}]  # type: ignore[assignment]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(DataError)
def on_unstorable_value(request: HttpRequest, exc: DataError) -> HttpResponse:
    """A value the database cannot hold (a NUL character in a text, a number out of range): the client's
    input, so a 400, never a server error."""
    message = "A value cannot be stored: it contains a NUL character or is out of range."
    return api.create_response(
        request,
        {
            "code": "invalid",
            "field": None,
            "message": message,
            "errors": [{"field": "body", "message": message}],
        },
        status=400,
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"code": "not_found", "message": "Not found"}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "message": "Log in or send a token"}, status=401
    )


api.add_router("/", accounts_router)
api.add_router("/citizens/", citizens_router)
api.add_router("/reference/", reference_router)
api.add_router("/courses/", courses_router)
api.add_router("/medcom/", medcom_router)
api.add_router("/governance/", governance_router)
