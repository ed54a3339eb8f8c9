from __future__ import annotations

from django.contrib.auth.views import LoginView


class SektorbroLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
