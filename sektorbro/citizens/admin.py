from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sektorbro.citizens.models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogAdmin(admin.ModelAdmin):
    """Administrators search the access log: who read which citizen (by opaque id), when, in which request."""

    list_display = ["at", "username", "organisation", "action", "channel", "citizen_ref", "request_id"]
    list_filter = ["action", "channel", "at"]
    search_fields = [
        "username",
        "organisation",
        "request_id",
        "client_request_id",
        "=citizen__public_id",
        "=subject_message",
        "=person_key",
        "action",
    ]
    date_hierarchy = "at"
    list_select_related = ["citizen"]

    @admin.display(description="citizen id")
    def citizen_ref(self, obj: AccessLogEntry) -> str:
        """The citizen's opaque id, or the message a not-yet-known person was read from."""
        if obj.citizen is not None:
            return str(obj.citizen.public_id)
        return f"message {obj.subject_message}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False
