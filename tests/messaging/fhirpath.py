"""The small part of FHIRPath that MedCom's TouchStone TestScripts use, evaluated over FHIR JSON.

Supported: navigation (with choice types: ``event`` finds ``eventCoding``), indexers, ``%resource``, string,
integer and boolean literals, ``= != < > <= >= and or``, parentheses, and the functions ofType, as, where,
select, exists, count, allTrue, not, matches, contains, substring, first. TouchStone's own liberties are accepted:
``x.(condition)`` is read as ``x.where(condition)``, ``not`` may be written without parentheses, a date-time may stand unquoted, and a number compares
equal to the same number written as a string (``count() = '2'``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<datetime>@?\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?)"
    r"|(?P<number>\d+(?:\.\d+)?)|(?P<op><=|>=|!=|[=<>().,\[\]])"
    r"|(?P<var>%[A-Za-z]+)|(?P<name>[A-Za-z_$][A-Za-z0-9_]*))"
)


class FhirPathError(ValueError):
    pass


@dataclass
class Node:
    kind: str
    value: Any = None
    children: tuple[Node, ...] = ()


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:
            raise FhirPathError(f"cannot read {text[pos:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise FhirPathError(f"expected {value!r}, found {token!r}")
        self.i += 1
        return token

    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise FhirPathError(f"unexpected {self.peek()!r}")
        return node

    def expr(self) -> Node:
        node = self.conj()
        while self.peek() == ("name", "or"):
            self.take()
            node = Node("or", children=(node, self.conj()))
        return node

    def conj(self) -> Node:
        node = self.comparison()
        while self.peek() == ("name", "and"):
            self.take()
            node = Node("and", children=(node, self.comparison()))
        return node

    def comparison(self) -> Node:
        node = self.term()
        while (
            (token := self.peek()) is not None
            and token[0] == "op"
            and token[1] in ("=", "!=", "<", ">", "<=", ">=")
        ):
            self.take()
            node = Node("cmp", token[1], (node, self.term()))
        return node

    def term(self) -> Node:
        token = self.take()
        kind, text = token
        if kind == "string":
            node = Node("literal", text[1:-1].replace("\\'", "'"))
        elif kind == "datetime":  # TouchStone substitutes variables unquoted: compare as text
            node = Node("literal", text.lstrip("@"))
        elif kind == "number":
            node = Node("literal", int(text) if text.isdigit() else float(text))
        elif kind == "var":
            node = Node("var", text[1:])
        elif text == "(":
            node = self.expr()
            self.take(")")
        elif kind == "name" and text in ("true", "false"):
            node = Node("literal", text == "true")
        elif kind == "name":
            node = self.invocation(Node("this"), text)
        else:
            raise FhirPathError(f"unexpected {text!r}")
        return self.postfix(node)

    def invocation(self, base: Node, name: str) -> Node:
        if self.peek() == ("op", "("):
            self.take("(")
            args: list[Node] = []
            if self.peek() != ("op", ")"):
                args.append(self.expr())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.expr())
            self.take(")")
            return Node("call", name, (base, *args))
        if name == "not":
            return Node("call", name, (base,))
        return Node("member", name, (base,))

    def postfix(self, node: Node) -> Node:
        while (token := self.peek()) is not None:
            if token == ("op", "."):
                self.take()
                following = self.take()
                if following == ("op", "("):
                    inner = self.expr()
                    self.take(")")
                    node = Node("select", children=(node, inner))
                else:
                    node = self.invocation(node, following[1])
            elif token == ("op", "["):
                self.take()
                index = self.expr()
                self.take("]")
                node = Node("index", children=(node, index))
            else:
                break
        return node


def _children(item: Any, name: str) -> list[Any]:
    if not isinstance(item, dict):
        return []
    if name in item:
        value = item[name]
    else:
        choice = [k for k in item if k.startswith(name) and k[len(name) : len(name) + 1].isupper()]
        if not choice:
            return []
        value = item[choice[0]]
    return value if isinstance(value, list) else [value]


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b or str(a).lower() == str(b).lower()
    if isinstance(a, int | float) != isinstance(b, int | float):
        return str(a) == str(b)
    return bool(a == b)


class Evaluator:
    def __init__(self, resource: dict[str, Any]) -> None:
        self.resource = resource

    def evaluate(self, text: str) -> list[Any]:
        return self.eval(_Parser(text).parse(), [self.resource], root=True)

    def eval(self, node: Node, focus: list[Any], root: bool = False) -> list[Any]:
        kind = node.kind
        if kind == "literal":
            return [node.value]
        if kind == "var":
            if node.value in ("resource", "rootResource", "context"):
                return [self.resource]
            raise FhirPathError(f"unknown variable %{node.value}")
        if kind == "this":
            return focus
        if kind == "member":
            base = self.eval(node.children[0], focus, root)
            if root and node.children[0].kind == "this" and node.value == self.resource.get("resourceType"):
                return base
            return [child for item in base for child in _children(item, str(node.value))]
        if kind == "index":
            base = self.eval(node.children[0], focus, root)
            index = self.eval(node.children[1], focus)
            return [base[index[0]]] if index and isinstance(index[0], int) and index[0] < len(base) else []
        if kind == "select":  # TouchStone's x.(condition): read as x.where(condition), which is what it means
            base = self.eval(node.children[0], focus, root)
            return [item for item in base if self.truth(self.eval(node.children[1], [item]))]
        if kind in ("and", "or"):
            left = self.truth(self.eval(node.children[0], focus, root))
            right = self.truth(self.eval(node.children[1], focus, root))
            return [left and right] if kind == "and" else [left or right]
        if kind == "cmp":
            lhs = self.eval(node.children[0], focus, root)
            rhs = self.eval(node.children[1], focus, root)
            if not lhs or not rhs:
                return []
            op = node.value
            if op in ("=", "!="):
                same = len(lhs) == len(rhs) and all(_equal(a, b) for a, b in zip(lhs, rhs, strict=True))
                return [same if op == "=" else not same]
            a, b = lhs[0], rhs[0]
            return [{"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]]
        if kind == "call":
            return self.call(str(node.value), node.children, focus, root)
        raise FhirPathError(kind)

    @staticmethod
    def truth(values: list[Any]) -> bool:
        return bool(values) and values != [False]

    def call(self, name: str, children: tuple[Node, ...], focus: list[Any], root: bool) -> list[Any]:
        base = self.eval(children[0], focus, root)
        args = children[1:]
        if name in ("ofType", "as"):
            wanted = args[0].value
            return [
                x
                for x in base
                if not isinstance(x, dict) or "resourceType" not in x or x["resourceType"] == wanted
            ]
        if name == "where":
            return [x for x in base if self.truth(self.eval(args[0], [x]))]
        if name == "select":
            return [v for x in base for v in self.eval(args[0], [x])]
        if name == "exists":
            items = [x for x in base if self.truth(self.eval(args[0], [x]))] if args else base
            return [bool(items)]
        if name == "count":
            return [len(base)]
        if name == "allTrue":
            return [all(x is True for x in base)]
        if name == "not":
            return [] if not base else [not self.truth(base)]
        if name == "first":
            return base[:1]
        if name == "matches":
            pattern = self.eval(args[0], focus)[0]
            return [bool(re.search(pattern, x)) for x in base if isinstance(x, str)][:1] or []
        if name == "contains":
            needle = self.eval(args[0], focus)
            if not needle:
                return []
            return [needle[0] in x for x in base if isinstance(x, str)][:1] or []
        if name == "substring":
            start = self.eval(args[0], focus)[0]
            length = self.eval(args[1], focus)[0] if len(args) > 1 else None
            return [
                x[start : start + length] if length is not None else x[start:]
                for x in base
                if isinstance(x, str)
            ][:1]
        raise FhirPathError(f"unsupported function {name}")


def evaluate(resource: dict[str, Any], expression: str) -> list[Any]:
    return Evaluator(resource).evaluate(expression)
