from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from sektorbro.citizens import services
from sektorbro.citizens.access import care_relation_ids, citizens_visible_to, get_visible_citizen, log_access
from sektorbro.citizens.models import Citizen
from sektorbro.core.pagination import BoundedPageNumberPagination

router = Router(tags=["citizens"])


class CitizenOut(Schema):
    id: uuid.UUID
    name: str
    cpr: str = Field(description="Full CPR with a care relation; otherwise masked DDMMYY-xxxx")
    cpr_masked: bool
    birth_date: str
    municipality_code: str
    municipality: str
    gp_clinic: str | None
    receives_elderly_care: bool
    known_to_municipal_social_area: bool
    known_to_regional_social_area: bool


class RelativeOut(Schema):
    name: str
    relation: str
    phone: str
    may_be_involved: bool


class CitizenDetailOut(CitizenOut):
    relatives: list[RelativeOut]
    acute_function: str | None
    acute_function_referred_by: str | None


class CitizenIn(Schema):
    cpr: str
    name: str
    municipality_code: str
    gp_clinic: str | None = None
    receives_elderly_care: bool = False
    known_to_municipal_social_area: bool = False
    known_to_regional_social_area: bool = False


def _channel(request: HttpRequest) -> str:
    return getattr(request, "api_channel", "api")


def citizen_to_dict(citizen: Citizen, care: bool) -> dict[str, Any]:
    return {
        "id": citizen.public_id,
        "name": citizen.name,
        "cpr": citizen.cpr_formatted if care else citizen.cpr_masked,
        "cpr_masked": not care,
        "birth_date": citizen.birth_date.isoformat(),
        "municipality_code": citizen.residence_municipality.code,
        "municipality": citizen.residence_municipality.name,
        "gp_clinic": citizen.gp_clinic.name if citizen.gp_clinic else None,
        "receives_elderly_care": citizen.receives_elderly_care,
        "known_to_municipal_social_area": citizen.known_to_municipal_social_area,
        "known_to_regional_social_area": citizen.known_to_regional_social_area,
    }


class LoggedPagination(BoundedPageNumberPagination):
    """Page through citizens and write the access log for exactly the page that is returned."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        page = list(result["items"])
        care = care_relation_ids(request.user, page)
        log_access(request, request.user, page, "citizen.list", channel=_channel(request))
        result["items"] = [citizen_to_dict(c, c.pk in care) for c in page]
        return result


@router.get("/", response=list[CitizenOut], summary="Citizens the caller may see")
@paginate(LoggedPagination, page_size=50)
def list_citizens(request: HttpRequest, q: str | None = None, municipality_code: str | None = None) -> Any:
    qs = citizens_visible_to(request.user).order_by("name", "id")
    if q:
        qs = qs.filter(name__icontains=q)
    if municipality_code:
        qs = qs.filter(residence_municipality__code=municipality_code)
    return qs


@router.get("/{citizen_id}/", response=CitizenDetailOut, summary="One citizen, by opaque id")
def citizen_detail(request: HttpRequest, citizen_id: str) -> dict[str, Any]:
    citizen = get_visible_citizen(request.user, citizen_id)
    care = care_relation_ids(request.user, [citizen])
    log_access(request, request.user, citizen, "citizen.detail", channel=_channel(request))
    data = citizen_to_dict(citizen, citizen.pk in care)
    data["relatives"] = [
        {"name": r.name, "relation": r.relation, "phone": r.phone, "may_be_involved": r.may_be_involved}
        for r in citizen.relatives.all()
    ]
    data["acute_function"] = citizen.acute_function_unit.name if citizen.acute_function_unit else None
    data["acute_function_referred_by"] = citizen.acute_function_referred_by or None
    return data


class RegistrationHeldOut(Schema):
    code: str = Field(description='Always "held".')
    message: str


@router.post(
    "/",
    response={201: CitizenOut, 202: RegistrationHeldOut},
    summary="Register a citizen",
    description=(
        "201 with the citizen when registered. 202 when the registration is held for an administrator's "
        "check of the residence; the answer says nothing about whom Sektorbro knows."
    ),
)
def create_citizen(request: HttpRequest, payload: CitizenIn) -> Status:
    try:
        citizen = services.register_citizen(
            actor=request.user,
            cpr=payload.cpr,
            name=payload.name,
            municipality_code=payload.municipality_code,
            gp_clinic_key=payload.gp_clinic,
            receives_elderly_care=payload.receives_elderly_care,
            known_to_municipal_social_area=payload.known_to_municipal_social_area,
            known_to_regional_social_area=payload.known_to_regional_social_area,
        )
    except services.RegistrationHeld as held:
        return Status(202, {"code": "held", "message": held.message})
    care = care_relation_ids(request.user, [citizen])
    log_access(request, request.user, citizen, "citizen.registered", channel=_channel(request))
    return Status(201, citizen_to_dict(citizen, citizen.pk in care))
