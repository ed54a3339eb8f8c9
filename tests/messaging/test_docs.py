"""docs/medcom.md documents every validation rule, and names no rule that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from sektorbro.messaging.medcom.issues import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "medcom.md"


def test_every_rule_is_documented_and_every_documented_rule_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`(mc-[a-z0-9-]+)`", text))
    assert set(RULES) <= documented, sorted(set(RULES) - documented)
    assert documented <= set(RULES), sorted(documented - set(RULES))
    for rule in RULES.values():
        assert rule.checks and rule.source and rule.ack_code.startswith("MSG_")
