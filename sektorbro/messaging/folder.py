"""The folder-drop transport: every file put in a folder is ingested and moved to done/ or failed/."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sektorbro.messaging import ingest
from sektorbro.messaging.models import InboxStatus

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


def ingest_paths(paths: list[Path], *, transport: str = "cli") -> tuple[Summary, dict[str, str]]:
    summary = Summary()
    reasons: dict[str, str] = {}
    for file in files_in(paths):
        try:
            raw = file.read_bytes()
        except OSError as exc:
            summary.rejected += 1
            summary.rejected_files.append(str(file))
            reasons[str(file)] = f"cannot be read: {exc.strerror or exc}"
            continue
        message = ingest.ingest(raw, transport=transport, sender_label=file.name)
        summary.count(message.status, str(file))
        if message.status in (InboxStatus.REJECTED, InboxStatus.UNAPPLICABLE):
            first = message.errors[0] if message.errors else None
            reasons[str(file)] = f"{message.status}: " + (
                f"{first['resource']} {first['path']} [{first['rule']}] {first['message']}"
                if first
                else message.reason
            )
    return summary, reasons


def drain_folder(folder: Path) -> Summary:
    """Process every file in ``folder`` once, moving each to done/ (accepted, duplicate, queued) or failed/."""
    summary = Summary()
    done, failed = folder / "done", folder / "failed"
    done.mkdir(parents=True, exist_ok=True)
    failed.mkdir(parents=True, exist_ok=True)
    for file in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES):
        message = ingest.ingest(file.read_bytes(), transport="folder", sender_label=file.name)
        summary.count(message.status, file.name)
        target = failed if message.status in (InboxStatus.REJECTED, InboxStatus.UNAPPLICABLE) else done
        file.replace(target / f"{message.public_id}-{file.name}")
    return summary
