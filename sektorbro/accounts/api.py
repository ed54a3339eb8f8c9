from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["users"])


class MembershipOut(Schema):
    role: str
    role_label: str
    unit_key: str
    unit_name: str
    unit_kind: str


class MeOut(Schema):
    username: str
    name: str
    is_administrator: bool
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The current user and their roles")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.get_username(),
        "name": user.display_name(),  # type: ignore[union-attr]
        "is_administrator": user.is_administrator,  # type: ignore[union-attr]
        "memberships": [
            {
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "unit_key": m.unit.key,
                "unit_name": m.unit.name,
                "unit_kind": m.unit.kind,
            }
            for m in user.active_memberships()  # type: ignore[union-attr]
        ],
    }
