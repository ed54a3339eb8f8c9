"""Accessibility checks with axe-core (installed from npm by scripts/test-all)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def install_axe(page: Any) -> None:
    """Inject axe into every document the page loads (an init script is not subject to the page's CSP)."""
    assert AXE.is_file(), "axe-core is missing: run `npm ci` (scripts/test-all does)"
    page.add_init_script(path=str(AXE))


def serious_violations(page: Any) -> list[dict[str, Any]]:
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
