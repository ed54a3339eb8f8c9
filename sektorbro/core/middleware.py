from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse

from sektorbro.core.logging import request_id_var

_VALID_INCOMING = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request the server's own id, and keeps a client's ``X-Request-ID`` apart.

    ``request.request_id`` is always made here (a client cannot choose the id that ties audit and access-log rows
    together); a well-formed ``X-Request-ID`` sent by the client or a proxy is kept as
    ``request.client_request_id`` and written beside it in the access log. The server's id goes to the log and
    back in the ``X-Request-ID`` response header, so a user can quote it to support.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        request.client_request_id = incoming if _VALID_INCOMING.match(incoming) else ""  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except that a request marked as automatic (``request.automatic = True``,
    e.g. the worklist's minute refresh) does not renew the session. Sessions are renewed on every request
    (``SESSION_SAVE_EVERY_REQUEST``) so the idle timeout counts from the user's last action; a page that
    refreshes itself must not keep an unattended screen logged in forever."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "automatic", False) and not request.session.modified:
            return response
        return super().process_response(request, response)


class RefuseNulCharactersMiddleware:
    """A NUL character in the address (``%00`` in the path or the query) can never be stored or looked up
    (PostgreSQL refuses it in text), so the request is refused with a 400 naming the problem before any view
    queries the database with it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query.lower() or "\x00" in query:
            return JsonResponse(
                {
                    "code": "invalid",
                    "field": "address",
                    "message": "The address contains a NUL character (%00).",
                    "errors": [
                        {"field": "address", "message": "The address contains a NUL character (%00)."}
                    ],
                },
                status=400,
            )
        return self.get_response(request)
