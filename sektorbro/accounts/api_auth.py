from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from sektorbro.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for systems. The token belongs to a user with memberships, so the
    same access selector applies to systems as to people."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.find(token)
        if found is None:
            return None
        request.user = found.user
        request.api_channel = "api-token"  # type: ignore[attr-defined]
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class BrowserSessionAuth(SessionAuth):
    """The browser's login session (CSRF checked on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            request.api_channel = "api-session"  # type: ignore[attr-defined]
        return user
