from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from sektorbro.organisations import selectors

router = Router(tags=["reference data"])


class MunicipalityOut(Schema):
    code: str
    name: str
    cluster: str


class ClusterOut(Schema):
    key: str
    name: str
    aliases: list[str]
    municipalities: list[str]


class UnitOut(Schema):
    key: str
    kind: str
    name: str
    parent: str | None
    cluster: str | None
    municipality_code: str | None
    department_type: str
    area: str
    municipal_service: str
    sor_code: str
    location_number: str
    identifiers_are_demo: bool


@router.get("/municipalities", response=list[MunicipalityOut], summary="The region's municipalities")
def municipalities(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": m.code, "name": m.name, "cluster": m.cluster.name} for m in selectors.municipalities()]


@router.get("/clusters", response=list[ClusterOut], summary="The clusters with their municipalities")
def clusters(request: HttpRequest) -> list[dict[str, object]]:
    return [
        {
            "key": c.key,
            "name": c.name,
            "aliases": [a.name for a in c.aliases.all()],
            "municipalities": [m.code for m in c.municipalities.order_by("code")],
        }
        for c in selectors.clusters().prefetch_related("aliases", "municipalities")
    ]


@router.get("/units", response=list[UnitOut], summary="Organisation units (filter by kind)")
def units(request: HttpRequest, kind: str | None = None) -> list[dict[str, object]]:
    qs = selectors.units()
    if kind:
        qs = qs.filter(kind=kind)
    return [
        {
            "key": u.key,
            "kind": u.kind,
            "name": u.name,
            "parent": u.parent.key if u.parent else None,
            "cluster": u.cluster.name if u.cluster else None,
            "municipality_code": u.municipality.code if u.municipality else None,
            "department_type": u.department_type,
            "area": u.area,
            "municipal_service": u.municipal_service,
            "sor_code": u.sor_code,
            "location_number": u.location_number,
            "identifiers_are_demo": u.identifiers_are_demo,
        }
        for u in qs
    ]
