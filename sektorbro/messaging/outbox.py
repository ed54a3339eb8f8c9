"""The outbox: outbound messages are rows; a worker claims one with a conditional update, hands it to a
transport and records the outcome. Transport errors are either permanent (the message can never be delivered
as it is) or retryable (try again later, with back-off)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sektorbro.messaging.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 10
STALE_CLAIM = dt.timedelta(minutes=10)


class DeliveryError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Transport(Protocol):
    name: str

    def deliver(self, message: OutboxMessage) -> None: ...


class FolderTransport:
    """Writes each message as a file into a folder that a MedCom gateway (VANS client) picks up. The file is
    written under a temporary name and renamed, so the gateway never sees half a message."""

    name = "folder"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(self, message: OutboxMessage) -> None:
        if not message.content.strip():
            raise DeliveryError("the message is empty", retryable=False)
        suffix = ".xml" if message.content_type == "xml" else ".json"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"{message.message_id}{suffix}"
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.folder, prefix=".sending-", delete=False
            ) as handle:
                handle.write(message.content)
                temp = Path(handle.name)
            temp.replace(target)
        except OSError as exc:
            raise DeliveryError(
                f"could not write to {self.folder}: {exc.strerror or exc}", retryable=True
            ) from exc


def default_transport() -> Transport:
    folder = getattr(settings, "SEKTORBRO_MEDCOM_OUTBOX_DIR", None) or (
        settings.VAR_DIR / "medcom" / "outgoing"
    )
    return FolderTransport(Path(folder))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … capped at 6 hours."""
    return min(dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), dt.timedelta(hours=6))


def release_stale_claims(now: dt.datetime | None = None) -> int:
    """A worker that died while sending leaves a claimed row; after a while it goes back to the queue."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=OutboxStatus.PENDING, claimed_by=""
    )


def claim_next(worker: str, now: dt.datetime | None = None) -> OutboxMessage | None:
    now = now or timezone.now()
    candidates = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("id")
        .values_list("pk", flat=True)[:20]
    )
    for pk in candidates:
        won = OutboxMessage.objects.filter(pk=pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now
        )
        if won == 1:
            return OutboxMessage.objects.get(pk=pk)
    return None


def deliver(message: OutboxMessage, transport: Transport, now: dt.datetime | None = None) -> str:
    """Hand one claimed message to the transport and record the outcome. Returns the new status."""
    now = now or timezone.now()
    attempts = message.attempts + 1
    try:
        transport.deliver(message)
    except DeliveryError as exc:
        if exc.retryable and attempts < MAX_ATTEMPTS:
            status, next_at = OutboxStatus.PENDING, now + backoff(attempts)
        else:
            status, next_at = OutboxStatus.FAILED, None
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=status, attempts=attempts, last_error=str(exc), next_attempt_at=next_at, claimed_by=""
        )
        return status
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT, attempts=attempts, sent_at=now, last_error="", claimed_by=""
    )
    return OutboxStatus.SENT


@dataclass
class OutboxRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)


def run_outbox(
    transport: Transport | None = None, *, limit: int = 1000, worker: str | None = None
) -> OutboxRun:
    transport = transport or default_transport()
    worker = worker or worker_name()
    run = OutboxRun()
    release_stale_claims()
    for _ in range(limit):
        message = claim_next(worker)
        if message is None:
            break
        status = deliver(message, transport)
        if status == OutboxStatus.SENT:
            run.sent += 1
        elif status == OutboxStatus.PENDING:
            run.retrying += 1
        else:
            run.failed += 1
        run.details.append({"message_id": message.message_id, "status": str(status)})
    return run


@transaction.atomic
def retry_failed(message: OutboxMessage) -> None:
    """Staff put a permanently failed message back in the queue after fixing the cause."""
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, next_attempt_at=None, attempts=0
    )
