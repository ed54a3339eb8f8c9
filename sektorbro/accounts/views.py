from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.utils.translation import ngettext

from sektorbro.accounts import lockout


class SektorbroAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing logins the lock-out rules stop, and saying how many attempts remain."""

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        if self.request is not None:
            refused = lockout.refusal(self.request, username)
            if refused:
                raise forms.ValidationError(refused, code="locked")
        try:
            return super().clean()
        except forms.ValidationError as error:
            if self.request is None or not username or error.code != "invalid_login":
                raise
            left = lockout.remaining(self.request, username)
            if left <= 0:
                raise
            note = ngettext(
                "%(count)s attempt left before logins as this user from here are locked for %(minutes)s minutes.",
                "%(count)s attempts left before logins as this user from here are locked for %(minutes)s minutes.",
                left,
            ) % {"count": left, "minutes": lockout.cool_off_minutes()}
            raise forms.ValidationError([error, forms.ValidationError(note, code="attempts_left")]) from error


class SektorbroLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = SektorbroAuthenticationForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["lockout_minutes"] = lockout.cool_off_minutes()
        return context
