"""The folder-drop transport: every file put in a folder is ingested and moved to done/ or failed/.

A drop folder belongs to named sender organisations (``sektorbro medcom watch FOLDER --sender UNIT``): a file
whose message speaks for another organisation is not stored; it is moved to refused/ with a ``.reason.txt``
beside it and logged as a security event."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sektorbro.messaging import ingest, senders
from sektorbro.messaging.models import InboxMessage, InboxStatus
from sektorbro.organisations.models import OrganisationUnit

SUFFIXES = (".json", ".xml")


@dataclass
class Summary:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    queued: int = 0
    unapplicable: int = 0
    refused: int = 0
    rejected_files: list[str] = field(default_factory=list)
    quarantined_files: list[str] = field(default_factory=list)
    refused_files: list[str] = field(default_factory=list)

    def count(self, status: str, name: str) -> None:
        match status:
            case InboxStatus.ACCEPTED:
                self.accepted += 1
            case InboxStatus.DUPLICATE:
                self.duplicate += 1
            case InboxStatus.QUEUED:
                self.queued += 1
            case InboxStatus.UNAPPLICABLE:
                self.unapplicable += 1
                self.quarantined_files.append(name)
            case _:
                self.rejected += 1
                self.rejected_files.append(name)

    def as_dict(self) -> dict[str, int]:
        return {
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "queued": self.queued,
            "unapplicable": self.unapplicable,
            "refused": self.refused,
        }


def files_in(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not any(part in KEPT for part in p.relative_to(path).parts[:-1])
            )
        else:
            found.append(path)
    return found


CHUNK = 100
KEPT = ("done", "failed", "refused")


def _sort_out(
    files: list[tuple[Path, bytes]], allowed: Sequence[OrganisationUnit] | None, transport: str, where: str
) -> tuple[list[tuple[Path, bytes]], list[tuple[Path, senders.Refusal]]]:
    """Split files into those the drop may deliver and those refused for their sender (logged as security
    events). ``allowed`` None: no sender binding (the operator's own import)."""
    if allowed is None:
        return files, []
    accepted: list[tuple[Path, bytes]] = []
    refused: list[tuple[Path, senders.Refusal]] = []
    for path, raw in files:
        refusal = senders.refusal(raw, allowed)
        if refusal is None:
            accepted.append((path, raw))
            continue
        senders.log_refusal(
            refusal, transport=transport, delivered_by=f"{transport}:{where}/{path.name}"[:300],
            sha256=hashlib.sha256(raw).hexdigest(),
        )  # fmt: skip
        refused.append((path, refusal))
    return accepted, refused


def _ingest_chunks(files: list[tuple[Path, bytes]], transport: str) -> list[tuple[Path, InboxMessage]]:
    """Store each chunk of files durably in one transaction, then process it as one batch."""
    outcomes: list[tuple[Path, InboxMessage]] = []
    for start in range(0, len(files), CHUNK):
        chunk = files[start : start + CHUNK]
        stored = ingest.receive_many([(raw, path.name) for path, raw in chunk], transport=transport)
        ingest.process_isolating_failures([m.pk for m in stored], worker=transport)
        fresh = InboxMessage.objects.in_bulk([m.pk for m in stored])
        outcomes += [(path, fresh[m.pk]) for (path, _raw), m in zip(chunk, stored, strict=True)]
    return outcomes


def _reason(message: InboxMessage) -> str:
    first = message.errors[0] if message.errors else None
    return f"{message.status}: " + (
        f"{first['resource']} {first['path']} [{first['rule']}] {first['message']}"
        if first
        else message.reason
    )


def ingest_paths(
    paths: list[Path], *, transport: str = "cli", allowed: Sequence[OrganisationUnit] | None = None
) -> tuple[Summary, dict[str, str]]:
    """Ingest files and folders; with ``allowed``, only messages from those senders (others are refused and
    left where they are)."""
    summary = Summary()
    reasons: dict[str, str] = {}
    readable: list[tuple[Path, bytes]] = []
    for file in files_in(paths):
        try:
            readable.append((file, file.read_bytes()))
        except OSError as exc:
            summary.rejected += 1
            summary.rejected_files.append(str(file))
            reasons[str(file)] = f"cannot be read: {exc.strerror or exc}"
    readable, refused = _sort_out(readable, allowed, transport, "files")
    for file, refusal in refused:
        summary.refused += 1
        summary.refused_files.append(str(file))
        reasons[str(file)] = f"refused: {refusal.reason}"
    for file, message in _ingest_chunks(readable, transport):
        summary.count(message.status, str(file))
        if message.status in (InboxStatus.REJECTED, InboxStatus.UNAPPLICABLE):
            reasons[str(file)] = _reason(message)
    return summary, reasons


def drain_folder(folder: Path, *, allowed: Sequence[OrganisationUnit]) -> Summary:
    """Process every file in ``folder`` once, moving each to done/ (accepted, duplicate, queued) or failed/; a
    file whose sender is not among ``allowed`` (the folder's sender organisations) is not stored but moved to
    refused/ with the reason in ``NAME.reason.txt``."""
    summary = Summary()
    done, failed, refused_dir = folder / "done", folder / "failed", folder / "refused"
    done.mkdir(parents=True, exist_ok=True)
    failed.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    readable, refused = _sort_out([(f, f.read_bytes()) for f in files], allowed, "folder", folder.name)
    for file, refusal in refused:
        refused_dir.mkdir(parents=True, exist_ok=True)
        summary.refused += 1
        summary.refused_files.append(file.name)
        (refused_dir / f"{file.name}.reason.txt").write_text(refusal.reason + "\n", encoding="utf-8")
        file.replace(refused_dir / file.name)
    for file, message in _ingest_chunks(readable, "folder"):
        summary.count(message.status, file.name)
        target = failed if message.status in (InboxStatus.REJECTED, InboxStatus.UNAPPLICABLE) else done
        file.replace(target / f"{message.public_id}-{file.name}")
    return summary
