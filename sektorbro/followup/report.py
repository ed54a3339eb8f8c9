"""The learning report as a document: the HTML that ``sektorbro.core.pdf.html_to_pdf`` turns into the PDF for
the cluster's steering group (the web page shows the same body)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from sektorbro.followup.models import AuditRound
from sektorbro.followup.selectors import learning_report


def learning_report_html(audit_round: AuditRound) -> str:
    """The round's learning report as one standalone HTML document (styles inline, no links to follow)."""
    return render_to_string(
        "followup/learning_report_print.html",
        {"report": learning_report(audit_round), "generated_at": timezone.localtime()},
    )
