from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from sektorbro.messaging.models import MessageKind, OutboxMessage, OutboxStatus
from sektorbro.messaging.outbox import (
    MAX_ATTEMPTS,
    DeliveryError,
    FolderTransport,
    backoff,
    claim_next,
    release_stale_claims,
    run_outbox,
)

pytestmark = pytest.mark.django_db


def outbound(n: int = 1, content: str = '{"resourceType": "Bundle"}') -> list[OutboxMessage]:
    return [
        OutboxMessage.objects.create(
            message_id=f"00000000-0000-4000-8000-{i:012d}", kind=MessageKind.ACKNOWLEDGEMENT, content=content
        )
        for i in range(n)
    ]


class Flaky:
    name = "flaky"

    def __init__(self, retryable: bool) -> None:
        self.retryable = retryable
        self.calls = 0

    def deliver(self, message: OutboxMessage) -> None:
        self.calls += 1
        raise DeliveryError("gateway down", retryable=self.retryable)


def test_the_folder_transport_writes_whole_files(tmp_path: Path) -> None:
    outbound(3)
    run = run_outbox(FolderTransport(tmp_path))
    assert run.sent == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"00000000-0000-4000-8000-{i:012d}.json" for i in range(3)
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_a_claimed_row_cannot_be_claimed_twice() -> None:
    outbound(1)
    first = claim_next("worker-a")
    assert first is not None
    assert claim_next("worker-b") is None
    assert OutboxMessage.objects.get().claimed_by == "worker-a"


def test_retryable_errors_back_off_and_permanent_errors_stop() -> None:
    (message,) = outbound(1)
    run = run_outbox(Flaky(retryable=True))
    message.refresh_from_db()
    assert run.retrying == 1 and message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at is not None and message.next_attempt_at > timezone.now()
    assert run_outbox(Flaky(retryable=True)).retrying == 0  # not due yet
    other = OutboxMessage.objects.create(message_id="p", kind=MessageKind.ACKNOWLEDGEMENT, content="{}")
    run = run_outbox(Flaky(retryable=False))
    other.refresh_from_db()
    assert run.failed == 1 and other.status == OutboxStatus.FAILED and other.last_error == "gateway down"


def test_after_the_last_attempt_a_retryable_error_becomes_permanent() -> None:
    (message,) = outbound(1)
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)
    run_outbox(Flaky(retryable=True))
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED


def test_back_off_grows_and_is_capped() -> None:
    assert backoff(1) == dt.timedelta(seconds=30)
    assert backoff(2) == dt.timedelta(seconds=60)
    assert backoff(30) == dt.timedelta(hours=6)


def test_an_empty_message_fails_permanently(tmp_path: Path) -> None:
    outbound(1, content="  ")
    assert run_outbox(FolderTransport(tmp_path)).failed == 1


def test_an_unwritable_folder_is_retryable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    outbound(1)
    run = run_outbox(FolderTransport(blocker / "sub"))
    assert run.retrying == 1


def test_stale_claims_are_released(monkeypatch: Any) -> None:
    (message,) = outbound(1)
    claim_next("dead-worker", now=timezone.now() - dt.timedelta(hours=1))
    assert release_stale_claims() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
