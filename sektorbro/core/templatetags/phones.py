"""``{{ unit|phone_link }}``: a unit's phone number as a ``tel:`` link a phone or softphone can dial, marked when
the number is an example (the demo's reference data). Duck-typed on ``phone`` and ``phone_is_example`` so the
core imports no app."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


def dialable(number: str) -> str:
    """``+45 78 42 00 00`` → ``+4578420000`` (digits and a leading plus only)."""
    number = number.strip()
    digits = "".join(ch for ch in number if ch.isdigit())
    return ("+" if number.startswith("+") else "") + digits


@register.filter
def phone_link(unit: Any) -> SafeString | str:
    number = str(getattr(unit, "phone", "") or "").strip() if unit is not None else ""
    if not dialable(number).lstrip("+"):
        return ""
    link = format_html('<a class="phone" href="tel:{}">{}</a>', dialable(number), number)
    if getattr(unit, "phone_is_example", False):
        return format_html('{} <span class="hint">({})</span>', link, _("example number"))
    return link
