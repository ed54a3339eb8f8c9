"""The translatable strings of the flowchart app, found the way xgettext would see them."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "sektorbro" / "flowchart"

_TRANSLATE = re.compile(r"""\{%\s*translate\s+(?P<q>["'])(?P<text>.*?)(?P=q)(?:\s+[^%]*)?%\}""")
_BLOCK = re.compile(r"\{%\s*blocktranslate(?P<args>[^%]*)%\}(?P<text>.*?)\{%\s*endblocktranslate\s*%\}", re.S)
_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_PYTHON = re.compile(r"""\b(?:_|gettext|gettext_lazy|pgettext)\(\s*(?P<q>["'])(?P<text>.*?)(?P=q)\s*\)""")


def template_msgids(source: str) -> set[str]:
    found = {m.group("text") for m in _TRANSLATE.finditer(source)}
    for match in _BLOCK.finditer(source):
        assert "count" not in match.group("args").split(), "plural forms are not handled here"
        found.add(_VARIABLE.sub(lambda v: f"%({v.group(1)})s", match.group("text")))
    return found


def app_msgids() -> set[str]:
    found: set[str] = set()
    for path in sorted(APP.rglob("*.html")):
        found |= template_msgids(path.read_text(encoding="utf-8"))
    for path in sorted(APP.rglob("*.py")):
        found |= {m.group("text") for m in _PYTHON.finditer(path.read_text(encoding="utf-8"))}
    return found
