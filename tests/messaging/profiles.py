"""MedCom's profiles, read from the published FHIR packages (``packages/<name>-<version>/package.tgz`` among
MedCom's examples), and a small checker that walks a profile's snapshot over a resource in JSON form.

The checker knows just enough of FHIR profiling for MedCom's messages:

* which JSON values an element of the snapshot stands for, including choice types (``value[x]``) and slices
  told apart by value (``url``, ``system``, ``role``, ``extension('…').value.code``) or by type (``$this``,
  ``$this.content``);
* cardinalities (``min``/``max``) per parent value, ``fixed[x]`` and ``pattern[x]`` values, closed slicing;
* required bindings to value sets whose code systems are in the packages (others are left to the validator);
* extension profiles, checked against their own StructureDefinition;
* MedCom's ``SHALL:in-narrative`` obligations: the value of such an element is in the resource's narrative.

A profile is resolved among the package a message belongs to and its dependencies (as its ``package.json``
names them), the way a validator run on the package's own dependencies would resolve it.
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

OBLIGATION = "http://hl7.org/fhir/StructureDefinition/obligation"
# Identifier profiles of HL7 Denmark's dk-core (not among MedCom's packages) that MedCom's profiles slice
# identifiers by: the identifier system each of them fixes, as dk-core and MedCom's examples give it.
DK_CORE_IDENTIFIER_SYSTEMS = {
    "http://hl7.dk/fhir/core/StructureDefinition/dk-core-gln-identifier": "https://www.gs1.org/gln",
    "http://hl7.dk/fhir/core/StructureDefinition/dk-core-sor-identifier": "urn:oid:1.2.208.176.1.1",
    "http://hl7.dk/fhir/core/StructureDefinition/dk-core-cpr-identifier": "urn:oid:1.2.208.176.1.2",
    "http://medcomfhir.dk/ig/core/StructureDefinition/lpr3-Identifier": (
        "https://www.esundhed.dk/Registre/Landspatientregisteret"
    ),
}
_CHOICE_TYPE = re.compile(r"[A-Z]")


# --- packages -----------------------------------------------------------------------------------------------
@dataclass
class Package:
    name: str
    version: str
    dependencies: dict[str, str]
    resources: list[dict[str, Any]]

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"


def read_package(path: Path) -> Package:
    """The conformance resources (StructureDefinition, ValueSet, CodeSystem) of one ``package.tgz``."""
    resources: list[dict[str, Any]] = []
    manifest: dict[str, Any] = {}
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            name = member.name.removeprefix("package/")
            if "/" in name or not name.endswith(".json"):
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            data = json.loads(handle.read())
            if name == "package.json":
                manifest = data
            elif data.get("resourceType") in ("StructureDefinition", "ValueSet", "CodeSystem"):
                resources.append(data)
    return Package(manifest["name"], manifest["version"], manifest.get("dependencies", {}), resources)


def read_packages(folder: Path) -> dict[str, Package]:
    packages = [read_package(p) for p in sorted(folder.glob("*/package.tgz"))]
    return {p.key: p for p in packages}


class Profiles:
    """The conformance resources of one package and the dependencies it names that are in the folder."""

    def __init__(self, packages: dict[str, Package], main: str) -> None:
        chosen: list[Package] = []
        todo = [main]
        while todo:
            key = todo.pop(0)
            if key in packages and packages[key] not in chosen:
                chosen.append(packages[key])
                todo += [f"{n}-{v}" for n, v in packages[key].dependencies.items()]
        if not chosen:
            raise LookupError(f"package {main} is not among the packages")
        self.packages = chosen

    def _find(self, kind: str, canonical: str) -> dict[str, Any] | None:
        url, _, version = canonical.partition("|")
        found = [
            r for p in self.packages for r in p.resources if r["resourceType"] == kind and r["url"] == url
        ]
        exact = [r for r in found if r.get("version") == version]
        chosen = exact or found
        return chosen[0] if chosen else None

    def structure(self, canonical: str) -> dict[str, Any] | None:
        return self._find("StructureDefinition", canonical)

    def codes(self, value_set: str) -> set[tuple[str, str]] | None:
        """The (system, code) pairs of a value set; None when it (or one of its code systems) is not here."""
        vs = self._find("ValueSet", value_set)
        if vs is None:
            return None
        found: set[tuple[str, str]] = set()
        for include in vs.get("compose", {}).get("include", []):
            if include.get("filter"):
                return None
            for nested in include.get("valueSet", []):
                more = self.codes(nested)
                if more is None:
                    return None
                found |= more
            system = include.get("system")
            if system is None:
                continue
            if include.get("concept"):
                found |= {(system, c["code"]) for c in include["concept"]}
                continue
            cs = self._find("CodeSystem", system + (f"|{include['version']}" if "version" in include else ""))
            if cs is None:
                return None
            found |= {(system, code) for code in _concepts(cs.get("concept", []))}
        for exclude in vs.get("compose", {}).get("exclude", []):
            found -= {(exclude.get("system"), c["code"]) for c in exclude.get("concept", [])}
        return found


def _concepts(concepts: list[dict[str, Any]]) -> Iterator[str]:
    for concept in concepts:
        yield concept["code"]
        yield from _concepts(concept.get("concept", []))


# --- the walker ---------------------------------------------------------------------------------------------
def _constraint_values(element: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in element.items():
        if key.startswith(("fixed", "pattern")):
            yield key, value


def matches(pattern: Any, value: Any, *, exact: bool = False) -> bool:
    """FHIR's fixed (``exact``) and pattern matching of a JSON value."""
    if exact or not isinstance(pattern, dict | list):
        return bool(pattern == value)
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            k in value and matches(v, value[k]) for k, v in pattern.items()
        )
    return isinstance(value, list) and all(any(matches(p, v) for v in value) for p in pattern)


def _flatten(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _step(values: Iterable[Any], name: str, url: str | None = None, *, fhirpath: bool = False) -> list[Any]:
    """One step down: ``name[x]`` (or, in a FHIRPath discriminator, a plain ``value``) stands for each of its typed
    JSON names (``valueCoding``, ``occurredDateTime``); ``url`` keeps the extensions with that url."""
    found: list[Any] = []
    stem = name.removesuffix("[x]")
    choice = name.endswith("[x]")
    for value in values:
        if not isinstance(value, dict):
            continue
        keys = [
            k for k in value
            if (k == stem and not choice)
            or ((choice or fhirpath) and k.startswith(stem) and _CHOICE_TYPE.match(k[len(stem) :] or "a"))
        ]  # fmt: skip
        for key in keys:
            found += _flatten(value[key])
    if url is not None:
        found = [v for v in found if isinstance(v, dict) and v.get("url") == url]
    return found


_PATH_PART = re.compile(r"(\w+(?:\[x\])?)(?:\('([^']*)'\))?")


def _parts(path: str) -> list[tuple[str, str | None]]:
    """A discriminator path as steps: ``extension('U').value.code`` → [(extension, U), (value, None), (code, None)]."""
    path = path.removeprefix("$this").lstrip(".")
    return [(m.group(1), m.group(2)) for m in _PATH_PART.finditer(path)] if path else []


def _plain(relative: str) -> list[str]:
    """The element names of an id relative to a slice, without slice names."""
    return [part.split(":")[0] for part in relative.split(".") if part]


@dataclass
class Finding:
    resource: str
    element: str
    problem: str

    def __str__(self) -> str:
        return f"{self.resource} {self.element}: {self.problem}"


@dataclass
class Check:
    """Checks JSON values against profiles; ``findings`` collects the problems, ``unchecked`` what it could not
    judge (a value set or extension profile that is not in the packages)."""

    profiles: Profiles
    findings: list[Finding] = field(default_factory=list)
    unchecked: set[str] = field(default_factory=set)
    narrative_checked: int = 0

    def resource(self, resource: dict[str, Any], profile: str | None = None) -> None:
        label = f"{resource.get('resourceType')}/{resource.get('id')}"
        canonical = profile or next(iter(resource.get("meta", {}).get("profile", [])), None)
        sd = self.profiles.structure(canonical) if canonical else None
        if sd is None:
            self.findings.append(
                Finding(label, "meta.profile", f"profile {canonical!r} is not in the packages")
            )
            return
        _Walk(self, sd, resource, label, narrative_text(resource)).run()


def narrative_text(resource: dict[str, Any]) -> str:
    """The readable text of a resource's narrative, whitespace collapsed (a line break counts as a space)."""
    div = resource.get("text", {}).get("div")
    if not isinstance(div, str):
        return ""
    element = etree.fromstring(div.encode())
    for br in element.iter("{http://www.w3.org/1999/xhtml}br"):
        br.tail = " " + (br.tail or "")
    return " ".join("".join(element.itertext()).split())


def shown_values(value: Any) -> list[str]:
    """The texts by which a value is shown in a narrative: a reference by its reference, a coding by its code, an
    identifier or contact point by its value, a name by its parts, an extension by its value."""
    if not isinstance(value, dict):
        return [str(value).lower() if isinstance(value, bool) else str(value)]
    if "reference" in value:
        return [value["reference"]]
    if "url" in value:
        return [t for k, v in value.items() if k.startswith("value") for t in shown_values(v)]
    if "coding" in value or "text" in value:
        return [t for c in value.get("coding", []) for t in shown_values(c)] + (
            [value["text"]] if "text" in value else []
        )
    if "code" in value:
        return [value["code"]]
    if "value" in value:
        return [str(value["value"])]
    if "family" in value or "given" in value:
        return [*value.get("given", []), *([value["family"]] if "family" in value else [])]
    return [
        str(v)
        for k, v in value.items()
        if k not in ("system", "use", "extension") and not isinstance(v, dict | list)
    ]


class _Walk:
    def __init__(self, check: Check, sd: dict[str, Any], root: Any, label: str, narrative: str) -> None:
        self.check, self.sd, self.root, self.label, self.narrative = check, sd, root, label, narrative
        self.elements: dict[str, dict[str, Any]] = {e["id"]: e for e in sd["snapshot"]["element"]}
        self.root_id: str = sd["snapshot"]["element"][0]["id"]
        self._selected: dict[str, list[Any]] = {self.root_id: [root]}

    def add(self, element: str, problem: str) -> None:
        self.check.findings.append(Finding(self.label, element, f"{problem} ({self.sd['url']})"))

    # which values an element stands for
    @staticmethod
    def _split(element_id: str) -> tuple[str, str, str | None]:
        """(parent id, element name, slice name) of an element id."""
        parent, _, last = element_id.rpartition(".")
        name, _, slice_name = last.partition(":")
        return parent, name, slice_name or None

    def children(self, parent_value: Any, element_id: str) -> list[Any]:
        """The values of ``element_id`` inside one value of its parent."""
        _, name, slice_name = self._split(element_id)
        values = _step([parent_value], name)
        if slice_name is None:
            return values
        base_id = element_id.rpartition(":")[0]
        return [v for v in values if self.in_slice(v, parent_value, base_id, element_id)]

    def select(self, element_id: str) -> list[Any]:
        if element_id not in self._selected:
            parent, _, _ = self._split(element_id)
            self._selected[element_id] = [
                value for p in self.select(parent) for value in self.children(p, element_id)
            ]
        return self._selected[element_id]

    def in_slice(self, value: Any, parent_value: Any, base_id: str, slice_id: str) -> bool:
        slicing = self.elements.get(base_id, {}).get("slicing", {})
        slice_element = self.elements[slice_id]
        for discriminator in slicing.get("discriminator", []):
            kind, path = discriminator["type"], discriminator["path"]
            if kind in ("value", "pattern") and path == "url":
                fixed = self.elements.get(f"{slice_id}.url", {}).get("fixedUri")
                profiles = [p for t in slice_element.get("type", []) for p in t.get("profile", [])]
                expected = fixed or (profiles[0].split("|")[0] if profiles else None)
                if not isinstance(value, dict) or value.get("url") != expected:
                    return False
            elif kind in ("value", "pattern"):
                if not self._value_discriminator(value, slice_id, _parts(path)):
                    return False
            elif kind == "type" and path == "$this":
                slice_name = self._split(slice_id)[2]
                keys = [
                    k for k, v in parent_value.items() if v is value or (isinstance(v, list) and value in v)
                ]
                if slice_name not in keys:
                    return False
            elif kind == "type":
                step = _parts(path)[0][0]
                typed = self.elements.get(f"{slice_id}.{step}[x]") or self.elements.get(
                    f"{slice_id}.{step}", {}
                )
                typed_keys = {step + t["code"][0].upper() + t["code"][1:] for t in typed.get("type", [])}
                if not isinstance(value, dict) or not typed_keys & value.keys():
                    return False
            else:
                self.check.unchecked.add(f"{kind} discriminator {path} in {self.sd['url']}")
        return True

    def _value_discriminator(self, value: Any, slice_id: str, parts: list[tuple[str, str | None]]) -> bool:
        """A value slice: every fixed or pattern value the slice puts on (or below) the discriminator path holds."""
        names = [name.removesuffix("[x]") for name, _ in parts]
        tested = False
        for element_id, element in self.elements.items():
            if not element_id.startswith(slice_id + "."):
                continue
            relative = _plain(element_id[len(slice_id) + 1 :])
            if [r.removesuffix("[x]") for r in relative[: len(names)]] != names:
                continue
            for key, expected in _constraint_values(element):
                found = [value]
                for name, url in parts:
                    found = _step(found, name, url, fhirpath=True)
                for name in relative[len(names) :]:
                    found = _step(found, name)
                tested = True
                if not any(matches(expected, f, exact=key.startswith("fixed")) for f in found):
                    return False
        system = None if tested else self._known_system(slice_id, parts)
        if system is not None:
            found = [value]
            for name, url in parts:
                found = _step(found, name, url, fhirpath=True)
            return system in found
        return tested

    def decidable(self, element_id: str) -> bool:
        """Whether every slice on the way to the element can be told apart here: a slice of a value discriminator
        whose value lies in a profile outside the packages (the dk-core identifier profiles, say) cannot."""
        parts = element_id.split(".")
        for i, part in enumerate(parts):
            if ":" not in part:
                continue
            slice_id = ".".join(parts[: i + 1])
            base_id = slice_id.rpartition(":")[0]
            for discriminator in self.elements.get(base_id, {}).get("slicing", {}).get("discriminator", []):
                if discriminator["type"] in ("value", "pattern") and discriminator["path"] != "url":
                    if not self._discriminating_values(slice_id, _parts(discriminator["path"])):
                        return False
        return True

    def _known_system(self, slice_id: str, parts: list[tuple[str, str | None]]) -> str | None:
        """For a slice of identifiers told apart by ``system`` (or ``identifier.system``) and typed by a dk-core
        identifier profile: the system that profile fixes."""
        names = [name for name, _ in parts]
        typed = {("system",): slice_id, ("identifier", "system"): f"{slice_id}.identifier"}.get(tuple(names))
        if typed is None:
            return None
        profiles = [
            p.split("|")[0]
            for t in self.elements.get(typed, {}).get("type", [])
            for p in t.get("profile", [])
        ]
        return next(
            (DK_CORE_IDENTIFIER_SYSTEMS[p] for p in profiles if p in DK_CORE_IDENTIFIER_SYSTEMS), None
        )

    def _discriminating_values(self, slice_id: str, parts: list[tuple[str, str | None]]) -> bool:
        names = [name.removesuffix("[x]") for name, _ in parts]
        if self._known_system(slice_id, parts) is not None:
            return True
        return any(
            [r.removesuffix("[x]") for r in _plain(element_id[len(slice_id) + 1 :])[: len(names)]] == names
            and any(True for _ in _constraint_values(element))
            for element_id, element in self.elements.items()
            if element_id.startswith(slice_id + ".")
        )

    # the checks
    def run(self) -> None:
        for element_id, element in self.elements.items():
            if element_id == self.root_id:
                self.constraints(element_id, element, [self.root])
                continue
            if not self.decidable(element_id):
                self.check.unchecked.add(f"{element_id} (slice told apart by a profile outside the packages)")
                continue
            parent = self._split(element_id)[0]
            low, high = element.get("min", 0), element.get("max", "*")
            for parent_value in self.select(parent):
                count = len(self.children(parent_value, element_id))
                if count < low or (high != "*" and count > int(high)):
                    self.add(element_id, f"{count} values, the profile allows {low}..{high}")
            if element.get("slicing", {}).get("rules") == "closed":
                self.closed(element_id)
            self.constraints(element_id, element, self.select(element_id))

    def closed(self, element_id: str) -> None:
        slices = [
            i for i in self.elements if i.startswith(element_id + ":") and "." not in i[len(element_id) :]
        ]
        if not all(self.decidable(s) for s in slices):
            self.check.unchecked.add(f"closed slicing {element_id}")
            return
        parent, _, _ = self._split(element_id)
        for parent_value in self.select(parent):
            for value in self.children(parent_value, element_id):
                if not any(self.in_slice(value, parent_value, element_id, s) for s in slices):
                    self.add(
                        element_id, f"{json.dumps(value)[:80]} is in none of the slices of a closed slicing"
                    )

    def constraints(self, element_id: str, element: dict[str, Any], values: list[Any]) -> None:
        for value in values:
            for key, expected in _constraint_values(element):
                if not matches(expected, value, exact=key.startswith("fixed")):
                    self.add(
                        element_id,
                        f"{json.dumps(value)[:80]} does not match {key} {json.dumps(expected)[:80]}",
                    )
            self.binding(element_id, element, value)
            self.extension_profile(element, value)
            self.in_narrative(element_id, element, value)

    def binding(self, element_id: str, element: dict[str, Any], value: Any) -> None:
        binding = element.get("binding", {})
        if binding.get("strength") != "required" or "valueSet" not in binding:
            return
        codes = self.check.profiles.codes(binding["valueSet"])
        if codes is None:
            self.check.unchecked.add(f"value set {binding['valueSet']}")
            return
        if isinstance(value, str):
            ok = value in {code for _, code in codes}
        elif isinstance(value, dict) and "coding" in value:
            ok = any((c.get("system"), c.get("code")) in codes for c in value["coding"])
        elif isinstance(value, dict) and "code" in value:
            ok = (value.get("system"), value.get("code")) in codes
        else:
            return
        if not ok:
            self.add(
                element_id, f"{json.dumps(value)[:80]} is not in the required value set {binding['valueSet']}"
            )

    def extension_profile(self, element: dict[str, Any], value: Any) -> None:
        profiles = [
            p for t in element.get("type", []) if t.get("code") == "Extension" for p in t.get("profile", [])
        ]
        if not profiles or not isinstance(value, dict):
            return
        sd = self.check.profiles.structure(profiles[0])
        if sd is None:
            self.check.unchecked.add(f"extension profile {profiles[0]}")
            return
        _Walk(self.check, sd, value, f"{self.label} extension", self.narrative).run()

    def in_narrative(self, element_id: str, element: dict[str, Any], value: Any) -> None:
        for extension in element.get("extension", []):
            if extension.get("url") != OBLIGATION:
                continue
            codes = [x.get("valueCode") for x in extension.get("extension", []) if x.get("url") == "code"]
            if "SHALL:in-narrative" not in codes:
                continue
            self.check.narrative_checked += 1
            for shown in shown_values(value):
                if " ".join(shown.split()) not in self.narrative:
                    self.add(element_id, f"{shown[:60]!r} is not shown in the narrative (SHALL:in-narrative)")
