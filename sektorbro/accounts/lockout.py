"""Limits on failed logins beyond django-axes' per (username, address) lock-out.

axes counts failures per username and client address (``AXES_LOCKOUT_PARAMETERS``) and locks that pair after
``AXES_FAILURE_LIMIT``. On top of it, read from axes' own attempt rows within the cool-off time:
- one address that fails ``SEKTORBRO_LOGIN_ADDRESS_LIMIT`` times across usernames is refused for every username
  (password spraying), high enough for a department behind one NAT address;
- one username that fails ``SEKTORBRO_LOGIN_USERNAME_CEILING`` times across addresses is locked everywhere.
The login form asks ``refusal`` before it checks a password and ``remaining`` after a failure, so the user is told
how many attempts are left and for how long a lock lasts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def cool_off_minutes() -> int:
    delta = get_cool_off() or dt.timedelta(0)
    return max(1, round(delta.total_seconds() / 60))


def _failures(**filters: Any) -> int:
    since = timezone.now() - (get_cool_off() or dt.timedelta(0))
    total = AccessAttempt.objects.filter(attempt_time__gte=since, **filters).aggregate(
        n=Sum("failures_since_start")
    )
    return int(total["n"] or 0)


def refusal(request: HttpRequest, username: str) -> str | None:
    """Why a login from this request is refused before its password is checked, or None."""
    address = get_client_ip_address(request)
    minutes = cool_off_minutes()
    if address and _failures(ip_address=address) >= settings.SEKTORBRO_LOGIN_ADDRESS_LIMIT:
        return _(
            "Too many failed logins from your network address. Try again in %(minutes)s minutes, or ask your "
            "administrator."
        ) % {"minutes": minutes}
    if username and _failures(username=username) >= settings.SEKTORBRO_LOGIN_USERNAME_CEILING:
        return _(
            "The account is locked for %(minutes)s minutes after too many failed logins from several places. "
            "Ask your administrator to unlock it sooner."
        ) % {"minutes": minutes}
    return None


def remaining(request: HttpRequest, username: str) -> int:
    """Attempts left for this username from this address before axes locks the pair."""
    address = get_client_ip_address(request)
    used = _failures(username=username, ip_address=address) if address else 0
    return max(0, int(settings.AXES_FAILURE_LIMIT) - used)


def lockout_response(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """axes' lock-out page (429), saying for how long."""
    return render(request, "registration/locked_out.html", {"minutes": cool_off_minutes()}, status=429)
