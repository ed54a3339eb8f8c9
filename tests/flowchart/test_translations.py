"""Every UI string of the flowchart app has a Danish translation waiting in ``translations_da.json`` (the lead
merges it into the catalogue), and the file has no stale entries."""

from __future__ import annotations

import json
from pathlib import Path

from tests.flowchart.msgids import APP, app_msgids, template_msgids


def _catalogue() -> dict[str, str]:
    return json.loads((APP / "translations_da.json").read_text(encoding="utf-8"))


def test_every_msgid_has_a_danish_translation() -> None:
    catalogue = _catalogue()
    missing = sorted(app_msgids() - set(catalogue))
    assert missing == [], f"add these to sektorbro/flowchart/translations_da.json: {missing}"


def test_no_stale_or_empty_entries() -> None:
    catalogue = _catalogue()
    assert sorted(set(catalogue) - app_msgids()) == []
    for msgid, danish in catalogue.items():
        assert danish.strip(), msgid
        for placeholder in ("%(total)s", "%(recovered)s"):
            assert (placeholder in msgid) == (placeholder in danish), msgid


def test_the_extractor_sees_blocktranslate_as_xgettext_does() -> None:
    source = '{% blocktranslate with n=x|length %}{{ n }} steps{% endblocktranslate %}{% translate "Close" %}'
    assert template_msgids(source) == {"%(n)s steps", "Close"}


def test_templates_hold_no_step_content() -> None:
    """The step texts live in the data files, never in templates."""
    for path in Path(APP, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for word in ("plejeforløbsplan", "færdigbehandl", "korrespondance", "P04", "A02"):
            assert word.lower() not in text.lower(), (path.name, word)
