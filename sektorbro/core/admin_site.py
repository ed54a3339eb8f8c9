from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class SektorbroAdminSite(admin.AdminSite):
    """The Django admin, open to administrators only (not merely to staff users)."""

    site_header = _("Sektorbro administration")
    site_title = _("Sektorbro administration")
    index_title = _("Administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_administrator", False))


class SektorbroAdminConfig(AdminConfig):
    default_site = "sektorbro.core.admin_site.SektorbroAdminSite"
