from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sektorbro.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "actor_label",
        "organisation_label",
        "action",
        "subject_type",
        "subject_id",
        "request_id",
    ]
    list_filter = ["action", "subject_type"]
    search_fields = ["actor_label", "subject_id", "request_id", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False
