"""MedCom's official examples: the one place that says where they are and what a test does without them.

The examples (MedCom's IG examples, test-protocol examples, TouchStone scripts and FHIR packages) are read in
place, never copied into this repository. ``MEDCOM_EXAMPLES`` names their folder; unset, it is
``../shared/medcom-examples`` beside the repository. A relative value is read from the repository root.

A test that needs them calls :func:`require_examples` (directly, or through ``tests.messaging.examples``).
When the folder is missing the test is skipped with the path in the reason, so a fresh clone runs everything
else; under ``CI=true`` a missing folder is a failure, so CI never passes by skipping them. The benchmarks
read the examples through :func:`examples_dir` too.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "MEDCOM_EXAMPLES"
REPO = Path(__file__).resolve().parents[1]
DEFAULT = Path("..") / "shared" / "medcom-examples"


def examples_dir() -> Path:
    """The configured folder of MedCom's examples (whether or not it exists)."""
    configured = Path(os.environ.get(ENV) or DEFAULT).expanduser()
    return (REPO / configured).resolve()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing_reason(path: Path) -> str:
    return f"MedCom's official examples not found at {path} (set {ENV} to their folder)"


def require_examples() -> Path:
    """The examples' folder; skips the calling test (or module, at import) when it is missing, fails under CI."""
    import pytest  # here, so that the benchmarks can find the examples without pytest

    path = examples_dir()
    if path.is_dir():
        return path
    if in_ci():
        pytest.fail(f"{missing_reason(path)}; CI=true requires them", pytrace=False)
    pytest.skip(missing_reason(path), allow_module_level=True)
