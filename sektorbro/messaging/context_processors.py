"""The number of unread letters for the main menu's "Messages" link and the inbox tab: counted (one COUNT query)
only when a page shows it, and at most once per request."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from sektorbro.messaging.selectors import unread_count


class UnreadLetters:
    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self.user)


def unread(request: HttpRequest) -> dict[str, Any]:
    return {"inbox_unread": UnreadLetters(getattr(request, "user", None))}
