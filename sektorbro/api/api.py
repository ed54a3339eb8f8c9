"""The versioned JSON API, ``/api/v1/``. Each app contributes a router; errors are JSON that name the field."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from sektorbro.accounts.api import router as accounts_router
from sektorbro.accounts.api_auth import BrowserSessionAuth, TokenAuth
from sektorbro.citizens.api import router as citizens_router
from sektorbro.core.errors import DomainError
from sektorbro.courses.api import router as courses_router
from sektorbro.messaging.api import router as medcom_router
from sektorbro.organisations.api import router as reference_router

api = NinjaAPI(
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
