from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class SektorbroModelBackend(ModelBackend):
    """Django's username/password backend, except that demo accounts are refused outside demo mode."""

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo_account", False) and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        """Administrators (by role) manage everything the admin offers; others follow Django's permissions."""
        if user_obj.is_active and getattr(user_obj, "is_administrator", False):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if user_obj.is_active and getattr(user_obj, "is_administrator", False):
            return True
        return super().has_module_perms(user_obj, app_label)
