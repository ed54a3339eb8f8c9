"""Words, not codes, on the message pages: a received message's stored summary names facts by Danish labels and
MedCom codes (``carecoordination``, ``new-message``, ``ok``), and its effect by event types. These filters show
them in the user's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sektorbro.courses.labels import EVENT_LABELS
from sektorbro.messaging.medcom.terminology import CC_CATEGORIES

register = template.Library()

# The labels the summary was stored with (Danish, see ``ingest._summary``) → the label in the user's language.
FACT_LABELS = {
    "Kode": _("Code"),
    "Start": _("Start"),
    "Slut": _("End"),
    "Orlov": _("Leave"),
    "Kategori": _("Category"),
    "Aktivitet": _("Activity"),
    "Kvitterer for": _("Acknowledges"),
}
ACTIVITY_LABELS = {
    "new-message": _("New message"),
    "reply-message": _("Reply"),
    "forward-message": _("Forwarded message"),
    "retract-message": _("Retraction"),
    "modified-message": _("Corrected message"),
}
ACKNOWLEDGEMENT_LABELS = {
    "ok": _("Received and accepted"),
    "transient-error": _("Temporary error at the receiver"),
    "fatal-error": _("Rejected"),
}


def _english() -> bool:
    return (get_language() or "da").startswith("en")


def category_label(code: str) -> str:
    names = CC_CATEGORIES.get(code)
    if names is None:
        return code
    return names[1] if _english() else names[0]


@register.filter
def fact_label(label: str) -> str:
    return str(FACT_LABELS.get(label, label))


@register.filter
def fact_value(item: dict[str, Any]) -> str:
    value = str(item.get("value", ""))
    if item.get("label") == "Kategori":
        return category_label(value)
    if item.get("label") == "Aktivitet":
        return str(ACTIVITY_LABELS.get(value, value))
    return value


@register.filter
def event_type_label(event_type: str) -> str:
    return str(EVENT_LABELS.get(event_type, event_type))


@register.filter
def message_title(summary: dict[str, Any] | None) -> str:
    """What the message is about: the notification's event, the letter's topic or category, the answer."""
    if not summary:
        return ""
    label = str(summary.get("event_label") or "")
    if _english() and summary.get("event_label_en"):
        return str(summary["event_label_en"])
    if label in CC_CATEGORIES:
        return category_label(label)
    if label in ACKNOWLEDGEMENT_LABELS:
        return str(ACKNOWLEDGEMENT_LABELS[label])
    return label
