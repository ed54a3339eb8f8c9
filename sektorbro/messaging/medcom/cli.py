"""``sektorbro medcom validate`` and ``sektorbro medcom ack``: the pure parts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Protocol

from sektorbro.messaging.medcom import build
from sektorbro.messaging.medcom.validate import check


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def validate_main(paths: list[str], stdout: Writer) -> int:
    all_valid = True
    for name in paths:
        path = Path(name)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            stdout.write(f"INVALID {name}\n  {name} - [mc-file] cannot be read: {exc.strerror or exc}\n")
            all_valid = False
            continue
        checked = check(raw)
        if checked.valid:
            stdout.write(f"OK {name}\n")
            continue
        all_valid = False
        stdout.write(f"INVALID {name}\n")
        for issue in checked.issues:
            stdout.write(f"  {issue.line()}\n")
    return 0 if all_valid else 1


def ack_main(
    name: str, stdout: Writer, stderr: Writer, *, fmt: str = "json", now: dt.datetime | None = None
) -> int:
    try:
        raw = Path(name).read_bytes()
    except OSError as exc:
        stderr.write(f"{name}: cannot be read: {exc.strerror or exc}\n")
        return 2
    checked = check(raw)
    code = "ok" if checked.valid else "fatal-error"
    try:
        bundle = build.acknowledgement(
            checked, code=code, issues=checked.issues, now=now or dt.datetime.now(dt.UTC)
        )
    except build.CannotAcknowledge as exc:
        stderr.write(f"{name}: no acknowledgement can be made: {exc}\n")
        return 1
    stdout.write((build.to_xml(bundle) if fmt == "xml" else build.to_json(bundle)) + "\n")
    return 0
