"""Running the request-side asserts of MedCom's TouchStone TestScripts against messages Sektorbro builds.

A send script names fixtures (``create-STIN-01``) and, per test, the fixture the system under test sends; the
asserts check that message. Here the messages come from Sektorbro's builders instead of a live system; variables
(``${messageHeaderid-STIN}``) are evaluated on them as TouchStone would. HTTP response asserts do not apply."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from sektorbro.messaging.medcom import build
from sektorbro.messaging.medcom.validate import validate_message
from tests.messaging.fhirpath import evaluate

NS = "{http://hl7.org/fhir}"
PROFILE_STANDARD = {
    "hospitalnotification": "HospitalNotification",
    "carecommunication": "CareCommunication",
    "acknowledgement": "Acknowledgement",
}


def _value(element: Any, tag: str) -> str | None:
    found = element.find(NS + tag)
    return found.get("value") if found is not None else None


@dataclass
class Assert:
    description: str
    fields: dict[str, str]

    def get(self, key: str) -> str | None:
        return self.fields.get(key)


@dataclass
class Test:
    id: str
    operation: str | None
    source_id: str | None
    response_id: str | None
    asserts: list[Assert] = field(default_factory=list)


@dataclass
class Script:
    path: Path
    title: str
    fixtures: list[str]
    variables: list[tuple[str, str, str]]  # name, expression, source id
    tests: list[Test]

    @property
    def sent(self) -> list[Test]:
        """The tests in which the system under test sends a message (create/update with a fixture)."""
        return [t for t in self.tests if t.operation in ("create", "update", "updateCreate") and t.source_id]


def load(path: Path) -> Script:
    root = etree.parse(str(path)).getroot()
    fixtures = [f.get("id") for f in root.findall(NS + "fixture")]
    variables = [
        (_value(v, "name") or "", _value(v, "expression") or "", _value(v, "sourceId") or "")
        for v in root.findall(NS + "variable")
    ]
    tests = []
    for test in root.findall(NS + "test"):
        operation = test.find(f"{NS}action/{NS}operation")
        code = _value(operation.find(NS + "type"), "code") if operation is not None else None
        item = Test(
            id=test.get("id") or "",
            operation=code,
            source_id=_value(operation, "sourceId") if operation is not None else None,
            response_id=_value(operation, "responseId") if operation is not None else None,
        )
        for element in test.iter(NS + "assert"):
            values = {c.tag[len(NS) :]: c.get("value") for c in element if c.get("value") is not None}
            item.asserts.append(Assert(values.get("description", ""), values))
        tests.append(item)
    return Script(path, _value(root, "title") or path.name, [f for f in fixtures if f], variables, tests)


def _first(values: list[Any]) -> str:
    if not values:
        return ""
    value = values[0]
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@dataclass
class Failure:
    test: str
    description: str
    detail: str


def run(script: Script, messages: dict[str, dict[str, Any]]) -> list[Failure]:
    """Evaluate every request assert of the script's send tests. ``messages`` maps fixture ids (and response ids)
    to the JSON bundles sent for them. Returns the failing asserts (warning-only asserts included, marked)."""
    for test in script.sent:
        if test.response_id and test.source_id in messages:
            messages.setdefault(test.response_id, messages[test.source_id])
    variables = {}
    for name, expression, source in script.variables:
        if source in messages:
            variables[name] = _first(evaluate(messages[source], expression))

    def substitute(text: str) -> str:
        return re.sub(r"\$\{([^}]+)\}", lambda m: variables.get(m.group(1), "${" + m.group(1) + "}"), text)

    failures: list[Failure] = []
    for test in script.sent:
        message = messages[str(test.source_id)]
        for item in test.asserts:
            if item.get("direction") == "response" or item.get("responseCode"):
                continue  # HTTP
            problem = _check(item, message, messages, substitute)
            if problem:
                warning = " (warning only)" if item.get("warningOnly") == "true" else ""
                failures.append(Failure(test.id, item.description + warning, problem))
    return failures


def _check(
    item: Assert, message: dict[str, Any], messages: dict[str, dict[str, Any]], substitute: Any
) -> str | None:
    if item.get("resource"):
        return (
            None
            if message.get("resourceType") == item.get("resource")
            else "not a " + str(item.get("resource"))
        )
    if item.get("validateProfileId"):
        result = validate_message(build.to_json(message))
        expected = PROFILE_STANDARD.get(str(item.get("validateProfileId")))
        if not result.valid:
            return "invalid: " + "; ".join(i.line() for i in result.errors)
        return None if result.standard == expected else f"a {result.standard}, not a {expected}"
    expression = item.get("expression")
    if expression is None:
        return None
    expression = substitute(expression)
    target = messages[item.get("sourceId") or ""] if item.get("sourceId") in messages else message
    values = evaluate(target, expression)
    operator = item.get("operator")
    if item.get("compareToSourceId"):
        other = evaluate(
            messages[str(item.get("compareToSourceId"))],
            substitute(str(item.get("compareToSourceExpression"))),
        )
        same = _first(values) == _first(other)
        ok = same if operator in (None, "equals") else not same
        return None if ok else f"{expression}: {_first(values)!r} vs {_first(other)!r} ({operator})"
    if operator is None:
        ok = bool(values) and values != [False]
        return None if ok else f"{expression} gave {values!r}"
    expected = substitute(item.get("value") or "")
    shown = ["true" if v is True else "false" if v is False else str(v) for v in values]
    if operator == "equals":
        return None if expected in shown else f"{expression} = {shown!r}, expected {expected!r}"
    if operator == "notEquals":
        return None if expected not in shown else f"{expression} = {shown!r}, expected not {expected!r}"
    if operator == "in":
        return (
            None if set(shown) & set(expected.split(",")) else f"{expression} = {shown!r} not in {expected!r}"
        )
    raise AssertionError(f"operator {operator} is not handled")
