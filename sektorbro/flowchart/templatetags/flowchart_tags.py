"""Template helpers for the flowchart: pick the current language from a two-language text."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from sektorbro.flowchart.content import Text

register = template.Library()


@register.filter
def local(value: Text | None) -> str:
    """``{{ step.title|local }}``: the Danish or English text, following the active UI language."""
    if value is None:
        return ""
    return value.get(get_language())
