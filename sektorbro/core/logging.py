"""Request ids for log lines and audit rows.

The id is kept in a context variable so that every log line written while a request is handled carries it,
without passing it around by hand. Log lines never contain CPR numbers: code logs opaque citizen ids.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_CPR_LIKE = re.compile(r"(?<!\d)(\d{6})-?(\d{4})(?!\d)")


def mask_cpr_like(text: str) -> str:
    """Replace anything shaped like a CPR number with its masked form (a last line of defence)."""
    return _CPR_LIKE.sub(lambda m: f"{m.group(1)}-xxxx", text)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record and masks CPR-shaped numbers in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        if record.args:
            try:
                record.msg = record.getMessage()
                record.args = None
            except (TypeError, ValueError):
                return True
        if isinstance(record.msg, str):
            record.msg = mask_cpr_like(record.msg)
        return True
