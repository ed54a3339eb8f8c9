"""The cooperation agreement on the good admission and discharge (Region Midtjylland), as plain-Python rules.

No Django here. Course snapshots in (``CourseSnapshot``), decisions out (``Decision``: a value, reasons in
Danish and English, and the sources it rests on). ``evaluate`` gives every decision at once;
``check_transition`` says whether an event may be added; ``rules`` has every rule by name.
docs/agreement-rules.md describes each rule, its source and the settings."""

from sektorbro.agreement.evaluate import evaluate
from sektorbro.agreement.model import (
    DEFAULT_SETTINGS,
    AcuteFunction,
    AgreementSettings,
    Alert,
    CitizenFacts,
    CourseSnapshot,
    Deadline,
    Decision,
    Event,
    Reason,
    RuleInputError,
    Tariff,
    Task,
)
from sektorbro.agreement.transitions import check_transition

__all__ = [
    "DEFAULT_SETTINGS",
    "AcuteFunction",
    "AgreementSettings",
    "Alert",
    "CitizenFacts",
    "CourseSnapshot",
    "Deadline",
    "Decision",
    "Event",
    "Reason",
    "RuleInputError",
    "Tariff",
    "Task",
    "check_transition",
    "evaluate",
]
