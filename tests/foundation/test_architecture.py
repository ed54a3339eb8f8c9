"""The apps import one another only in the directions `docs/architecture.md` allows.

The table in the document is the rule: this test parses it and walks every module's imports with ``ast`` (imports
inside functions count too, so a lazy import cannot hide an arrow that points the wrong way)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sektorbro"
DOC = ROOT / "docs" / "architecture.md"
NOT_APPS = {"formats", "locale"}  # Django's date formats and the translations


def allowed_imports(text: str) -> dict[str, set[str]]:
    """The table's rows: app -> the apps it may import."""
    rows: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.fullmatch(r"`\w+`", cells[0]):
            continue
        app = cells[0].strip("`")
        rows[app] = (
            set() if cells[2] in ("—", "-", "") else {a.strip().strip("`") for a in cells[2].split(",")}
        )
    return rows


def imported_apps(module: Path) -> dict[str, int]:
    """The apps of ours a module imports (absolute imports of ``sektorbro.<app>``), with a line number each."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"), filename=str(module))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "sektorbro":
                names = [f"sektorbro.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "sektorbro" and len(parts) > 1:
                found.setdefault(parts[1], getattr(node, "lineno", 0))
    return found


def apps_on_disk() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name not in NOT_APPS}


def violations(rows: dict[str, set[str]]) -> list[str]:
    found = []
    for app in sorted(apps_on_disk()):
        for module in sorted((PACKAGE / app).rglob("*.py")):
            for target, line in imported_apps(module).items():
                if target != app and target in rows and target not in rows.get(app, set()):
                    found.append(f"{module.relative_to(ROOT)}:{line} imports {target} ({app} may not)")
    return found


def test_the_table_names_every_app_and_only_apps() -> None:
    rows = allowed_imports(DOC.read_text(encoding="utf-8"))
    on_disk = apps_on_disk()
    assert set(rows) <= on_disk, f"not apps: {sorted(set(rows) - on_disk)}"
    assert on_disk <= set(rows), f"apps missing from docs/architecture.md: {sorted(on_disk - set(rows))}"
    for app, allowed in rows.items():
        assert allowed <= set(rows), f"{app} may import unknown apps: {sorted(allowed - set(rows))}"
        assert app not in allowed


def test_every_import_points_the_allowed_way() -> None:
    rows = allowed_imports(DOC.read_text(encoding="utf-8"))
    assert violations(rows) == []


def test_no_app_imports_demo_and_the_layers_have_no_loops() -> None:
    rows = allowed_imports(DOC.read_text(encoding="utf-8"))
    assert all("demo" not in allowed for app, allowed in rows.items())

    def reaches(start: str, seen: set[str]) -> set[str]:
        for nxt in rows[start] - seen:
            seen.add(nxt)
            reaches(nxt, seen)
        return seen

    loops = [app for app in rows if app in reaches(app, set())]
    assert loops == []


def test_the_checker_sees_a_wrong_arrow_even_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "views.py"
    module.write_text(
        "from sektorbro.core import audit\n\ndef f():\n    from sektorbro.workspace.views import home\n"
        "    import sektorbro.demo.region\n"
    )
    assert imported_apps(module) == {"core": 1, "workspace": 4, "demo": 5}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("| `core` | the ground floor | — |", {"core": set()}),
        (
            "| `courses` | courses | core, `agreement`, citizens |",
            {"courses": {"core", "agreement", "citizens"}},
        ),
        ("| app | what | may import |", {}),
    ],
)
def test_the_table_is_read_as_written(row: str, expected: dict[str, set[str]]) -> None:
    assert allowed_imports(row) == expected
