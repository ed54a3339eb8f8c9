"""What the indicator definitions' ``status`` notes mean, in the reader's words.

The definitions carry short English notes for those who maintain them ("PROXY for …", "code list UNVERIFIED",
"verified (18+)"). The indicator page shows what they mean for a reader instead: which kind of indicator it is
and whether its definition was checked against the official source."""

from __future__ import annotations

from django.utils.translation import gettext as _


def indicator_kind(status: str) -> str:
    """The kind of indicator a definition's status note describes ("" when it names none)."""
    note = status.lower()
    if note.startswith("proxy"):
        return _("An approximation of the national indicator")
    if note.startswith("national"):
        return _("National indicator")
    if note.startswith("health-agreement"):
        return _("Follow-up indicator of the health agreement")
    if note.startswith("local follow-up"):
        return _("Local follow-up of the cooperation agreement")
    if note.startswith("sektorbro count"):
        return _("Counted by Sektorbro on the national stay and admission rules")
    if note.startswith("amount"):
        return _("An amount from the tariff table the results were computed with")
    return ""


def checked(status: str) -> str:
    """Whether the definition, parameter or code list was checked against its official source."""
    note = status.lower()
    if "unverified" in note:
        return _("Not yet checked against the official source")
    if "partly verified" in note:
        return _("Partly checked against the official source")
    if "verified" in note:
        return _("Checked against the official source")
    return ""


def indicator_status(status: str) -> str:
    """One line for the indicator page: its kind and how far it was checked, and an example-data warning."""
    parts = [indicator_kind(status), checked(status)]
    if "example values" in status.lower():
        parts.append(_("the bundled tariff table holds example values only"))
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]
