"""The folder-drop transport: every file put in a folder is ingested and moved to done/ or failed/."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sektorbro.messaging import ingest
from sektorbro.messaging.models import InboxMessage, InboxStatus

SUFFIXES = (".json", ".xml")


@dataclass
class Summary:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    queued: int = 0
    unapplicable: int = 0
    rejected_files: list[str] = field(default_factory=list)
    quarantined_files: list[str] = field(default_factory=list)

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
                and not any(part in ("done", "failed") for part in p.relative_to(path).parts[:-1])
            )
        else:
            found.append(path)
    return found


CHUNK = 100


def _ingest_chunks(files: list[tuple[Path, bytes]], transport: str) -> list[tuple[Path, InboxMessage]]:
    """Store each chunk of files durably in one transaction, then process it as one batch."""
    outcomes: list[tuple[Path, InboxMessage]] = []
    for start in range(0, len(files), CHUNK):
        chunk = files[start : start + CHUNK]
        stored = ingest.receive_many([(raw, path.name) for path, raw in chunk], transport=transport)
        ingest.process_batch([m.pk for m in stored])
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


def ingest_paths(paths: list[Path], *, transport: str = "cli") -> tuple[Summary, dict[str, str]]:
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
    for file, message in _ingest_chunks(readable, transport):
        summary.count(message.status, str(file))
        if message.status in (InboxStatus.REJECTED, InboxStatus.UNAPPLICABLE):
            reasons[str(file)] = _reason(message)
    return summary, reasons


def drain_folder(folder: Path) -> Summary:
    """Process every file in ``folder`` once, moving each to done/ (accepted, duplicate, queued) or failed/."""
    summary = Summary()
    done, failed = folder / "done", folder / "failed"
    done.mkdir(parents=True, exist_ok=True)
    failed.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    for file, message in _ingest_chunks([(f, f.read_bytes()) for f in files], "folder"):
        summary.count(message.status, file.name)
        target = failed if message.status in (InboxStatus.REJECTED, InboxStatus.UNAPPLICABLE) else done
        file.replace(target / f"{message.public_id}-{file.name}")
    return summary
