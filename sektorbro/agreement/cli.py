"""``sektorbro rules evaluate FILE.json``: the pure part (the Django command wraps it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from sektorbro.agreement.scenario import ScenarioError, evaluate_scenario


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def evaluate_main(path: str, stdout: Writer, stderr: Writer) -> int:
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        stderr.write(f"{path}: filen findes ikke / no such file\n")
        return 2
    except json.JSONDecodeError as exc:
        stderr.write(
            f"{path}: ugyldig JSON / invalid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}\n"
        )
        return 2
    try:
        result = evaluate_scenario(data)
    except ScenarioError as exc:
        stderr.write(f"{path}: {exc}\n")
        return 1
    stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0
