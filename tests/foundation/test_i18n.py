from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "sektorbro" / "locale"


@pytest.mark.parametrize("language", ["da", "en"])
def test_translation_catalogues_are_complete(language: str) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext (msgfmt) is needed; scripts/test-all installs it"
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_compiled_catalogues_are_present() -> None:
    for language in ("da", "en"):
        assert (LOCALE / language / "LC_MESSAGES" / "django.mo").is_file()
