"""FHIR R4 structure without building pydantic models: a compact schema compiled once from the
``fhir.resources.R4B`` model classes, used to

* check the structure of a parsed JSON bundle (``check_structure``): known elements, JSON data types, list
  versus single values, required elements, choice types, primitive formats (id, code, uri, date, dateTime,
  instant, base64Binary, ...), no empty objects, arrays or nulls;
* read FHIR XML into the same JSON form (``xml_to_json``), and
* write the JSON form as FHIR XML in the element order the specification prescribes (``json_to_xml``), keeping
  every primitive value exactly as it is (no re-formatting of dates or decimals).

The checks accept everything the fhir.resources models accept for MedCom messages and are somewhat stricter
where FHIR JSON is (``"true"`` is not a boolean, ``{}`` and ``[]`` are not values). It is about ten times faster
than validating with the models, which is what makes ingestion at hundreds of messages per second possible;
``validate_message(..., model_check=True)`` runs the models as well."""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml import etree

FHIR_NS = "http://hl7.org/fhir"
XHTML_NS = "http://www.w3.org/1999/xhtml"
_F = "{" + FHIR_NS + "}"

# --- primitive formats (FHIR R4 datatypes) ------------------------------------------------------------------
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_CODE = re.compile(r"[^\s]+( [^\s]+)*")
_URI = re.compile(r"\S+")
_OID = re.compile(r"urn:oid:[0-2](\.(0|[1-9][0-9]*))+")
_UUID = re.compile(r"urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATE = re.compile(r"(\d{4})(-(\d{2})(-(\d{2}))?)?")
_DATETIME = re.compile(
    r"(\d{4})(-(\d{2})(-(\d{2})(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?)?)?)?"
)
_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?"
)
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?")
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")
_DECIMAL_TEXT = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_INTEGER_TEXT = re.compile(r"[-+]?(0|[1-9]\d*)")
_INT_RANGES = {
    "integer": (-(2**31), 2**31 - 1),
    "unsignedInt": (0, 2**31 - 1),
    "positiveInt": (1, 2**31 - 1),
    "integer64": (-(2**63), 2**63 - 1),
}
_STRINGISH = frozenset({"string", "markdown", "code", "id", "uri", "url", "canonical", "oid", "uuid"})


class StructureError:
    """Collects structure problems as (resource label, path, message, rule) tuples."""

    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[tuple[str, str, str, str]] = []

    def add(self, label: str, path: str, message: str, rule: str = "mc-fhir-structure") -> None:
        if len(self.problems) < 200:
            self.problems.append((label, path, message, rule))


def _real_date(year: str, month: str | None, day: str | None) -> bool:
    if month is None:
        return True
    if not 1 <= int(month) <= 12:
        return False
    if day is None:
        return True
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


# Dates a MedCom message can mean: anything outside is a typing error, and a year such as 9999 or 1 cannot even be
# moved into another time zone by the programs reading it.
FIRST_YEAR, LAST_YEAR = 1800, 2199


def _plausible_year(year: str) -> tuple[str, str] | None:
    if FIRST_YEAR <= int(year) <= LAST_YEAR:
        return None
    return f"the year {year} is outside {FIRST_YEAR}-{LAST_YEAR}", "mc-timestamp-range"


def primitive_problem(kind: str, value: Any) -> tuple[str, str] | None:
    """Why ``value`` is not a valid FHIR JSON value of primitive type ``kind``: (message, rule) or None."""
    if kind in _STRINGISH or kind in ("date", "dateTime", "instant", "time", "base64Binary", "xhtml"):
        if not isinstance(value, str):
            return f"a {kind} must be a JSON string", "mc-fhir-structure"
        if kind in ("string", "markdown"):
            if not value.strip():
                return "a string must not be empty or only whitespace", "mc-fhir-structure"
            return None
        if kind == "code":
            return None if _CODE.fullmatch(value) else ("not a valid code", "mc-fhir-structure")
        if kind == "id":
            return (
                None
                if _ID.fullmatch(value)
                else ("not a valid id ([A-Za-z0-9-.], 1-64)", "mc-fhir-structure")
            )
        if kind in ("uri", "url", "canonical"):
            return None if _URI.fullmatch(value) else (f"not a valid {kind}", "mc-fhir-structure")
        if kind == "oid":
            return None if _OID.fullmatch(value) else ("not a valid oid", "mc-fhir-structure")
        if kind == "uuid":
            return None if _UUID.fullmatch(value) else ("not a valid uuid", "mc-fhir-structure")
        if kind == "date":
            m = _DATE.fullmatch(value)
            if m is None or not _real_date(m.group(1), m.group(3), m.group(5)):
                return "not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)", "mc-fhir-structure"
            return _plausible_year(m.group(1))
        if kind == "dateTime":
            m = _DATETIME.fullmatch(value)
            if m is None or not _real_date(m.group(1), m.group(3), m.group(5)):
                return "not a valid dateTime", "mc-fhir-structure"
            if m.group(6) and not m.group(10):
                return f"{value!r} has a time but no time zone", "mc-timestamp-zone"
            return _plausible_year(m.group(1))
        if kind == "instant":
            m = _INSTANT.fullmatch(value)
            if m is None or not _real_date(m.group(1), m.group(2), m.group(3)):
                return "not a valid instant (date, time to the second and time zone)", "mc-fhir-structure"
            if not m.group(7):
                return f"{value!r} has no time zone", "mc-timestamp-zone"
            return _plausible_year(m.group(1))
        if kind == "time":
            return None if _TIME.fullmatch(value) else ("not a valid time", "mc-fhir-structure")
        if kind == "base64Binary":
            if not _BASE64.fullmatch(value) or len("".join(value.split())) % 4:
                return "not valid base64", "mc-fhir-structure"
            return None
        if kind == "xhtml":
            if not value.lstrip().startswith("<div"):
                return "the narrative must be an XHTML <div>", "mc-fhir-structure"
            return None
        return None
    if kind == "boolean":
        return (
            None if isinstance(value, bool) else ("a boolean must be JSON true or false", "mc-fhir-structure")
        )
    if kind in _INT_RANGES:
        low, high = _INT_RANGES[kind]
        if isinstance(value, bool) or not isinstance(value, int):
            return f"a {kind} must be a JSON integer", "mc-fhir-structure"
        return None if low <= value <= high else (f"out of range for {kind}", "mc-fhir-structure")
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "a decimal must be a JSON number", "mc-fhir-structure"
        return None
    return None


# --- the compiled schema ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Field:
    name: str  # JSON name
    many: bool
    prim: str | None  # primitive type name, or None
    model: Any  # complex type model class (None for primitives and resources)
    resource: bool  # any resource (typed by resourceType)
    required: bool
    choice: str | None
    xml_attr: bool  # Element.id and Extension.url are XML attributes


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    fields: dict[str, Field]
    order: tuple[str, ...]
    required: tuple[str, ...]
    choices: tuple[tuple[str, tuple[str, ...], bool], ...]
    is_resource: bool


def _visit_name(ann: Any) -> str | None:
    """The primitive type of an annotation (``Annotated[str, Code()]`` -> 'code'), or None for complex types."""
    if ann is bool:
        return "boolean"
    if typing.get_origin(ann) is typing.Annotated:
        base, *meta = typing.get_args(ann)
        for m in meta:
            name = getattr(m, "__visit_name__", None)
            if name:
                return str(name)
        if base is uuid.UUID:
            return "uuid"
        if base is bool:
            return "boolean"
    return None


def _unwrap(ann: Any) -> tuple[bool, Any]:
    """(is a list, the element annotation) with Optional and List removed."""
    many = False
    while True:
        origin = typing.get_origin(ann)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if len(args) != 1:
                return many, ann
            ann = args[0]
        elif origin in (list, typing.List):  # noqa: UP006
            many = True
            ann = typing.get_args(ann)[0]
        else:
            return many, ann


def _model_class(ann: Any) -> type | None:
    getter = getattr(ann, "get_model_klass", None)
    if getter is None or not getattr(ann, "_model_klass", None):
        return None
    klass: type = getter()
    return klass


@cache
def _resource_base() -> type:
    from fhir.resources.R4B.resource import Resource

    return Resource


@cache
def resource_class(resource_type: str) -> type | None:
    from fhir.resources.R4B import get_fhir_model_class

    if not isinstance(resource_type, str) or not re.fullmatch(r"[A-Z][A-Za-z]+", resource_type):
        return None
    try:
        klass = get_fhir_model_class(resource_type)
    except (KeyError, ValueError, ImportError, AttributeError, LookupError):
        return None
    return klass if issubclass(klass, _resource_base()) else None


@cache
def spec_of(model: Any) -> Spec:
    is_resource = issubclass(model, _resource_base())
    fields: dict[str, Field] = {}
    required: list[str] = []
    groups: dict[str, tuple[list[str], bool]] = {}
    is_extension = model.__name__ == "Extension"
    primitive_extension = model.__name__ == "FHIRPrimitiveExtension"  # its fields are not marked as elements
    for py_name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if py_name.endswith("__ext") or py_name == "fhir_comments":
            continue
        if not extra.get("element_property") and not primitive_extension:
            continue
        name = info.alias or py_name
        many, inner = _unwrap(info.annotation)
        prim = _visit_name(inner)
        klass = None if prim else _model_class(inner)
        resource = klass is not None and (klass is _resource_base() or issubclass(klass, _resource_base()))
        choice = extra.get("one_of_many")
        field = Field(
            name=name,
            many=many,
            prim=prim,
            model=None if resource else klass,
            resource=resource,
            required=bool(info.is_required() or extra.get("element_required")),
            choice=str(choice) if choice else None,
            xml_attr=(name == "id" and not is_resource) or (is_extension and name == "url"),
        )
        if field.prim is None and field.model is None and not field.resource:
            raise TypeError(f"cannot read the type of {model.__name__}.{name}: {info.annotation!r}")
        fields[name] = field
        if field.required:
            required.append(name)
        if field.choice:
            names, req = groups.setdefault(field.choice, ([], False))
            names.append(name)
            groups[field.choice] = (names, req or bool(extra.get("one_of_many_required")))
    order = [n for n in model.elements_sequence() if n in fields]
    order += [n for n in fields if n not in order]
    return Spec(
        name=model.__name__,
        fields=fields,
        order=tuple(order),
        required=tuple(required),
        choices=tuple((g, tuple(n), r) for g, (n, r) in groups.items()),
        is_resource=is_resource,
    )


@cache
def _primitive_extension_spec() -> Spec:
    from fhir.resources.R4B.fhirprimitiveextension import FHIRPrimitiveExtension

    return spec_of(FHIRPrimitiveExtension)


# --- JSON structure check -----------------------------------------------------------------------------------
def label_of(resource: Any) -> str:
    if isinstance(resource, dict):
        kind = resource.get("resourceType")
        rid = resource.get("id")
        kind = kind if isinstance(kind, str) else "?"
        return f"{kind}/{rid}" if isinstance(rid, str) and rid else kind
    return "?"


def check_resource(resource: Any, path: str, out: StructureError, label: str | None = None) -> None:
    """Check one resource (a dict with ``resourceType``) and everything in it."""
    if not isinstance(resource, dict):
        out.add(label or "Bundle", path or "resource", "a resource must be a JSON object")
        return
    kind = resource.get("resourceType")
    klass = resource_class(kind) if isinstance(kind, str) else None
    lbl = label or label_of(resource)
    if klass is None:
        out.add(
            lbl, f"{path}.resourceType" if path else f"{kind}.resourceType", f"unknown resource type {kind!r}"
        )
        return
    _check_object(resource, spec_of(klass), str(kind), lbl, out)


def _check_object(obj: dict[str, Any], spec: Spec, path: str, label: str, out: StructureError) -> None:
    if not obj:
        out.add(label, path, "an element must have a value or children (empty object)")
        return
    fields = spec.fields
    for key, value in obj.items():
        if key == "resourceType" and spec.is_resource:
            continue
        if key == "fhir_comments":
            continue
        if key.startswith("_"):
            base = fields.get(key[1:])
            if base is None or base.prim is None:
                out.add(label, f"{path}.{key}", f"unknown element {key!r}")
                continue
            _check_primitive_ext(value, base, f"{path}.{key}", label, out, obj.get(key[1:]))
            continue
        field = fields.get(key)
        if field is None:
            out.add(label, f"{path}.{key}", f"unknown element {key!r} in {spec.name}")
            continue
        child = f"{path}.{key}"
        if value is None:
            out.add(label, child, "null is not a value")
            continue
        if field.many:
            if not isinstance(value, list):
                out.add(label, child, f"{key} must be a JSON array")
                continue
            if not value:
                out.add(label, child, "an array must not be empty")
                continue
            has_ext = f"_{key}" in obj
            for i, item in enumerate(value):
                if item is None and field.prim is not None and has_ext:
                    continue
                _check_value(item, field, f"{child}[{i}]", label, out)
        else:
            if isinstance(value, list):
                out.add(label, child, f"{key} must be a single value, not an array")
                continue
            _check_value(value, field, child, label, out)
    for name in spec.required:
        if name not in obj and f"_{name}" not in obj:
            out.add(label, f"{path}.{name}", f"{name} is required")
    for group, names, required in spec.choices:
        present = [n for n in names if n in obj or f"_{n}" in obj]
        if len(present) > 1:
            out.add(label, f"{path}.{group}[x]", f"only one of {', '.join(present)} may be given")
        elif required and not present:
            out.add(label, f"{path}.{group}[x]", f"{group}[x] is required")


def _check_value(value: Any, field: Field, path: str, label: str, out: StructureError) -> None:
    if field.prim is not None:
        problem = primitive_problem(field.prim, value)
        if problem is not None:
            out.add(label, path, problem[0], problem[1])
    elif field.resource:
        check_resource(value, path, out)
    elif not isinstance(value, dict):
        out.add(label, path, "must be a JSON object")
    else:
        assert field.model is not None
        _check_object(value, spec_of(field.model), path, label, out)


def _check_primitive_ext(
    value: Any, field: Field, path: str, label: str, out: StructureError, values: Any
) -> None:
    spec = _primitive_extension_spec()
    if field.many:
        if not isinstance(value, list) or not value:
            out.add(label, path, "must be a non-empty array matching the values")
            return
        if isinstance(values, list) and len(values) != len(value):
            out.add(label, path, "the extension array must be as long as the value array")
        for i, item in enumerate(value):
            if item is not None:
                if not isinstance(item, dict):
                    out.add(label, f"{path}[{i}]", "must be a JSON object")
                else:
                    _check_object(item, spec, f"{path}[{i}]", label, out)
    elif not isinstance(value, dict):
        out.add(label, path, "must be a JSON object")
    else:
        _check_object(value, spec, path, label, out)


def check_structure(bundle: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Structure problems of a Bundle (and every resource in it) as (resource label, path, message, rule)."""
    out = StructureError()
    if bundle.get("resourceType") != "Bundle":
        out.add("Bundle", "Bundle.resourceType", "the message is not a FHIR Bundle")
        return out.problems
    klass = resource_class("Bundle")
    assert klass is not None
    spec = spec_of(klass)
    entries = bundle.get("entry")
    _check_object({k: v for k, v in bundle.items() if k != "entry"}, spec, "Bundle", "Bundle", out)
    if entries is None:
        return out.problems
    if not isinstance(entries, list) or not entries:
        out.add("Bundle", "Bundle.entry", "entry must be a non-empty JSON array")
        return out.problems
    entry_spec = spec.fields["entry"]
    assert entry_spec.model is not None
    entry_fields = spec_of(entry_spec.model)
    for i, entry in enumerate(entries):
        path = f"Bundle.entry[{i}]"
        if not isinstance(entry, dict):
            out.add("Bundle", path, "an entry must be a JSON object")
            continue
        resource = entry.get("resource")
        others = {k: v for k, v in entry.items() if k != "resource"}
        if others:
            _check_object(others, entry_fields, path, "Bundle", out)
        if resource is None:
            out.add("Bundle", f"{path}.resource", "the entry has no resource")
            continue
        if not isinstance(resource, dict):
            out.add("Bundle", f"{path}.resource", "a resource must be a JSON object")
            continue
        check_resource(resource, "", out)
    return out.problems


# --- FHIR XML -> JSON ---------------------------------------------------------------------------------------
class XmlProblem(ValueError):
    pass


def _local(tag: Any) -> str | None:
    if not isinstance(tag, str):
        return None  # comments and processing instructions
    if not tag.startswith(_F):
        return "#" + tag  # an element outside the FHIR namespace
    return tag[len(_F) :]


def _xml_primitive(kind: str, text: str) -> Any:
    if kind == "boolean":
        if text == "true":
            return True
        if text == "false":
            return False
        return text  # left for the structure check to report
    if kind in _INT_RANGES:
        return int(text) if _INTEGER_TEXT.fullmatch(text) else text
    if kind == "decimal":
        if _DECIMAL_TEXT.fullmatch(text):
            return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        return text
    return text


def xml_to_json(root: Any, out: StructureError) -> dict[str, Any]:
    """The JSON form of a FHIR XML resource element (e.g. the parsed ``<Bundle>``)."""
    kind = _local(root.tag)
    klass = resource_class(kind) if kind and not kind.startswith("#") else None
    if klass is None:
        out.add("Bundle", kind or "?", f"unknown resource element {root.tag!r}")
        return {"resourceType": kind}
    return _xml_object(root, spec_of(klass), kind or "?", out, resource_type=kind)


def _xml_object(
    el: Any, spec: Spec, path: str, out: StructureError, resource_type: str | None = None
) -> dict:
    result: dict[str, Any] = {}
    if resource_type:
        result["resourceType"] = resource_type
    for attr, attr_value in el.attrib.items():
        if attr == "id" and not resource_type:
            result["id"] = attr_value
        elif attr == "url" and "url" in spec.fields and spec.fields["url"].xml_attr:
            result["url"] = attr_value
        else:
            out.add(resource_type or "?", f"{path}/@{attr}", f"unexpected attribute {attr!r}")
    lists: dict[str, list[tuple[Any, Any]]] = {}
    for child in el:
        name = _local(child.tag)
        if name is None:
            continue
        if name in ("div", "#{" + XHTML_NS + "}div") and "div" in spec.fields:
            if name == "div":
                out.add(
                    resource_type or "?", f"{path}.div", "the narrative <div> must be in the XHTML namespace"
                )
            else:
                result["div"] = etree.tostring(child, encoding="unicode", with_tail=False)
            continue
        field = spec.fields.get(name)
        if field is None or field.xml_attr:
            out.add(resource_type or "?", f"{path}.{name}", f"unknown element {name!r} in {spec.name}")
            continue
        child_path = f"{path}.{name}"
        value: Any
        ext: dict[str, Any] | None = None
        if field.prim is not None:
            text = child.get("value")
            value = _xml_primitive(field.prim, text) if text is not None else None
            ext = _xml_primitive_ext(child, child_path, out, resource_type or "?")
            if value is None and ext is None:
                out.add(resource_type or "?", child_path, "an element must have a value or children")
                continue
        elif field.resource:
            inner = [c for c in child if _local(c.tag) is not None]
            if len(inner) != 1:
                out.add(resource_type or "?", child_path, "must hold exactly one resource")
                continue
            value = xml_to_json(inner[0], out)
        else:
            assert field.model is not None
            value = _xml_object(child, spec_of(field.model), child_path, out)
        if field.many:
            lists.setdefault(name, []).append((value, ext))
        else:
            if name in result or f"_{name}" in result:
                out.add(resource_type or "?", child_path, f"{name} may occur only once")
                continue
            if value is not None:
                result[name] = value
            if ext is not None:
                result[f"_{name}"] = ext
    for name, pairs in lists.items():
        values = [v for v, _ in pairs]
        exts = [e for _, e in pairs]
        if any(v is not None for v in values):
            result[name] = values
        if any(e is not None for e in exts):
            result[f"_{name}"] = exts
    return result


def _xml_primitive_ext(el: Any, path: str, out: StructureError, label: str) -> dict[str, Any] | None:
    """The ``_name`` JSON object of a primitive XML element: its id attribute and extensions."""
    ext: dict[str, Any] = {}
    for attr, value in el.attrib.items():
        if attr == "id":
            ext["id"] = value
        elif attr != "value":
            out.add(label, f"{path}/@{attr}", f"unexpected attribute {attr!r}")
    extensions = []
    for sub in el:
        name = _local(sub.tag)
        if name is None:
            continue
        if name != "extension":
            out.add(label, f"{path}.{name}", f"unexpected element {name!r} in a primitive")
            continue
        extensions.append(_xml_object(sub, spec_of(_extension_class()), f"{path}.extension", out))
    if extensions:
        ext["extension"] = extensions
    return ext or None


# --- JSON -> FHIR XML ---------------------------------------------------------------------------------------
def _xml_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


# Characters XML 1.0 cannot carry: control characters other than tab and line breaks, lone surrogates, U+FFFE/F.
NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class UnwritableXml(ValueError):
    """The JSON form holds a value FHIR XML cannot carry. Names the element (``path``) and the rule (``rule``) the
    validator rejects such a message with, so a caller answers it as an invalid message instead of crashing."""

    def __init__(self, path: str, message: str, rule: str = "mc-parse") -> None:
        super().__init__(f"{path}: {message} [{rule}]")
        self.path = path
        self.message = message
        self.rule = rule


def _xml_value(value: Any, path: str) -> str:
    text = _xml_text(value)
    found = NOT_XML_TEXT.search(text)
    if found is not None:
        raise UnwritableXml(
            path, f"holds the character U+{ord(found.group()):04X}, which FHIR text and XML cannot carry"
        )
    return text


def json_to_xml(resource: dict[str, Any]) -> bytes:
    """FHIR XML for a resource in JSON form (element order from the specification; values unchanged). Raises
    ``UnwritableXml`` (a ``ValueError`` with the element path and rule id) for a value XML cannot carry, e.g. a
    control character, or an unknown resource type."""
    kind = resource.get("resourceType")
    klass = resource_class(kind) if isinstance(kind, str) else None
    if klass is None:
        raise UnwritableXml("resourceType", f"unknown resource type {kind!r}", "mc-fhir-structure")
    root = etree.Element(_F + str(kind), nsmap={None: FHIR_NS})
    _emit(root, resource, spec_of(klass), resource=True, path=str(kind))
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return result


def _pairs(obj: dict[str, Any], name: str, many: bool) -> Iterator[tuple[Any, Any]]:
    values, exts = obj.get(name), obj.get(f"_{name}")
    if not many:
        if values is not None or exts is not None:
            yield values, exts
        return
    values = values if isinstance(values, list) else []
    exts = exts if isinstance(exts, list) else []
    for i in range(max(len(values), len(exts))):
        yield (values[i] if i < len(values) else None), (exts[i] if i < len(exts) else None)


def _emit(el: Any, obj: dict[str, Any], spec: Spec, *, resource: bool, path: str) -> None:
    for name in spec.order:
        field = spec.fields[name]
        here = f"{path}.{name}"
        if field.xml_attr:
            value = obj.get(name)
            if value is not None:
                el.set(name, _xml_value(value, here))
            continue
        for value, ext in _pairs(obj, name, field.many):
            if field.prim == "xhtml":
                if isinstance(value, str):
                    if NOT_XML_TEXT.search(value):
                        raise UnwritableXml(here, "the narrative holds a character XML cannot carry")
                    try:
                        el.append(etree.fromstring(value.encode(), parser=_safe_parser()))
                    except etree.XMLSyntaxError as exc:
                        raise UnwritableXml(
                            here, f"the narrative is not well-formed XHTML: {exc}", "mc-fhir-structure"
                        ) from exc
                continue
            child = etree.SubElement(el, _F + name)
            if field.prim is not None:
                if isinstance(ext, dict):
                    if ext.get("id") is not None:
                        child.set("id", _xml_value(ext["id"], f"{here}.id"))
                if value is not None:
                    child.set("value", _xml_value(value, here))
                if isinstance(ext, dict):
                    nested = ext.get("extension")
                    for extension in nested if isinstance(nested, list) else []:
                        sub = etree.SubElement(child, _F + "extension")
                        _emit(
                            sub,
                            extension,
                            spec_of(_extension_class()),
                            resource=False,
                            path=f"{here}.extension",
                        )
            elif field.resource:
                inner_kind = value.get("resourceType") if isinstance(value, dict) else None
                klass = resource_class(inner_kind) if isinstance(inner_kind, str) else None
                if klass is None:
                    raise UnwritableXml(
                        f"{here}.resourceType", f"unknown resource type {inner_kind!r}", "mc-fhir-structure"
                    )
                inner = etree.SubElement(child, _F + str(inner_kind))
                _emit(inner, value, spec_of(klass), resource=True, path=str(inner_kind))
            else:
                assert field.model is not None
                _emit(child, value, spec_of(field.model), resource=False, path=here)


@cache
def _extension_class() -> type:
    from fhir.resources.R4B.extension import Extension

    return Extension


@cache
def _safe_parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
    )


def parse_xml(raw: bytes) -> Any:
    """Parse XML safely (no entities, no network, no DTD): the root element, or raises XmlProblem."""
    if b"<!DOCTYPE" in raw[:2048] or b"<!ENTITY" in raw[:4096]:
        raise XmlProblem("DTDs and entity declarations are not allowed")
    try:
        return etree.fromstring(raw, parser=_safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XmlProblem(str(exc) or "not well-formed XML") from exc


def canonical_div(div: str) -> str:
    """A canonical form of an XHTML narrative, for comparing the JSON and XML forms of a message."""
    try:
        element = etree.fromstring(div.encode(), parser=_safe_parser())
    except (etree.XMLSyntaxError, ValueError):
        return div
    return etree.tostring(element, method="c14n").decode()


def walk_values(value: Any, visit: Callable[[str, Any], None], path: str = "") -> None:
    """Call ``visit(key, value)`` for every primitive value under ``value`` (depth first)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                walk_values(item, visit, key)
            else:
                visit(key, item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                walk_values(item, visit, path)
            else:
                visit(path, item)


MEDCOM_RESOURCE_TYPES = (
    "Bundle", "MessageHeader", "Patient", "Encounter", "Organization", "Provenance", "Communication", "Practitioner",
    "PractitionerRole", "CareTeam", "OperationOutcome",
)  # fmt: skip


def warm_up(resource_types: tuple[str, ...] = MEDCOM_RESOURCE_TYPES) -> int:
    """Compile the structure schema of the resource types MedCom messages use (and every type inside them) now
    instead of on the first message (importing the fhir.resources models takes about a second). Returns the
    number of compiled types."""
    seen: set[Any] = set()
    pending = [k for k in (resource_class(t) for t in resource_types) if k is not None]
    pending.append(_extension_class())
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        pending += [
            f.model for f in spec_of(model).fields.values() if f.model is not None and f.model not in seen
        ]
    _primitive_extension_spec()
    return len(seen)
