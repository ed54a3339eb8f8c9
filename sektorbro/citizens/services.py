"""Every change to citizens goes through these functions (one write path, audit in the same transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.citizens.cpr import InvalidCpr, parse_cpr
from sektorbro.citizens.models import Citizen, Relative
from sektorbro.citizens.signals import citizen_changed
from sektorbro.core import audit
from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.organisations.models import Municipality, OrganisationUnit


def _municipality(code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=str(code).strip()).first()
    if municipality is None:
        raise DomainError(
            _("Unknown municipality code %(code)s.") % {"code": code},
            field="municipality_code",
            code="unknown",
        )
    return municipality


def _gp_clinic(key: str | None) -> OrganisationUnit | None:
    if not key:
        return None
    clinic = OrganisationUnit.objects.filter(key=key, kind="gp_clinic").first()
    if clinic is None:
        raise DomainError(_("Unknown GP clinic %(key)s.") % {"key": key}, field="gp_clinic", code="unknown")
    return clinic


class RegistrationHeld(Exception):
    """The CPR number belongs to a citizen outside the registering user's scope. The registration is held for an
    administrator, who checks the residence against the CPR register; the answer tells the user nothing about
    whom Sektorbro knows (docs/security.md, "Registering a citizen")."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "The registration has been received, but it cannot be completed by you alone. An administrator "
                "checks the citizen's residence and contacts you."
            )
        )
        self.message = str(self.args[0])


def _hold_registration(*, actor: Any, cpr_digits: str, municipality: Municipality) -> None:
    """Write the held registration as a security event that survives the refusal (its own transaction)."""
    from sektorbro.citizens.access import person_key

    with transaction.atomic():
        audit.record(
            actor=actor,
            action="security.citizen_registration_held",
            subject_type="person",
            subject_id=person_key(cpr_digits),
            data={"municipality": municipality.code},
        )


def _existing_visible_to(actor: Any, citizen: Citizen) -> bool:
    from sektorbro.citizens.access import citizens_visible_to

    return citizens_visible_to(actor).filter(pk=citizen.pk).exists()


def may_register_citizens(actor: Any, municipality: Municipality | None = None) -> bool:
    """Administrators anywhere; municipal staff for residents of their own municipality."""
    if getattr(actor, "is_administrator", False):
        return True
    for membership in actor.active_memberships() if hasattr(actor, "active_memberships") else []:
        if sector_of(membership.role) == Sector.MUNICIPALITY and (
            municipality is None or membership.unit.municipality_id == municipality.pk
        ):
            return True
    return False


def register_citizen(
    *,
    actor: Any,
    cpr: str,
    name: str,
    municipality_code: str,
    gp_clinic_key: str | None = None,
    receives_elderly_care: bool = False,
    known_to_municipal_social_area: bool = False,
    known_to_regional_social_area: bool = False,
) -> Citizen:
    try:
        parsed = parse_cpr(cpr)
    except InvalidCpr as exc:
        raise DomainError(str(exc), field="cpr", code=f"cpr_{exc.code}") from exc
    if not name or not name.strip():
        raise DomainError(_("The name must not be empty."), field="name", code="required")
    if any(ord(ch) < 32 for ch in name):
        raise DomainError(_("The name must not contain control characters."), field="name", code="invalid")
    municipality = _municipality(municipality_code)
    if not may_register_citizens(actor, municipality):
        raise NotPermitted(_("You may only register citizens who live in your own municipality."))
    clinic = _gp_clinic(gp_clinic_key)
    existing = Citizen.objects.filter(cpr=parsed.digits).first()
    if existing is not None:
        if not _existing_visible_to(actor, existing):
            _hold_registration(actor=actor, cpr_digits=parsed.digits, municipality=municipality)
            raise RegistrationHeld()
        raise DomainError(
            _("A citizen with this CPR number is already registered."), field="cpr", code="duplicate"
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                citizen = Citizen.objects.create(
                    cpr=parsed.digits,
                    name=name.strip(),
                    birth_date=parsed.birth_date,
                    residence_municipality=municipality,
                    gp_clinic=clinic,
                    receives_elderly_care=receives_elderly_care,
                    known_to_municipal_social_area=known_to_municipal_social_area,
                    known_to_regional_social_area=known_to_regional_social_area,
                )
        except IntegrityError as exc:  # a concurrent registration of the same CPR
            raise DomainError(
                _("A citizen with this CPR number is already registered."), field="cpr", code="duplicate"
            ) from exc
        audit.record(
            actor=actor,
            action="citizen.registered",
            subject_type="citizen",
            subject_id=str(citizen.public_id),
            data={"municipality": municipality.code},
        )
    return citizen


@transaction.atomic
def set_acute_function(
    *,
    actor: Any,
    citizen: Citizen,
    unit: OrganisationUnit | None,
    referred_by: str = "",
    since: dt.datetime | None = None,
) -> Citizen:
    if unit is not None and unit.municipal_service != "acute_function":
        raise DomainError(_("The unit is not a municipal acute function."), field="unit")
    if unit is not None and referred_by not in ("gp", "out_of_hours", "hospital"):
        raise DomainError(_("Say who referred the citizen to the acute function."), field="referred_by")
    citizen.acute_function_unit = unit
    citizen.acute_function_referred_by = referred_by if unit else ""
    citizen.acute_function_since = (since or timezone.now()) if unit else None
    citizen.version += 1
    citizen.save()
    audit.record(
        actor=actor,
        action="citizen.acute_function_set" if unit else "citizen.acute_function_left",
        subject_type="citizen",
        subject_id=str(citizen.public_id),
        data={"unit": unit.key if unit else None, "referred_by": referred_by},
    )
    citizen_changed.send(
        sender=Citizen,
        citizen=citizen,
        fields=frozenset({"acute_function_unit", "acute_function_referred_by", "acute_function_since"}),
    )
    return citizen


def may_name_gp(actor: Any, citizen: Citizen) -> bool:
    """The citizen's own GP clinic names its doctor (aftalen 2.2: "en navngiven læge"); administrators too."""
    if getattr(actor, "is_administrator", False):
        return True
    if citizen.gp_clinic_id is None:
        return False
    return any(
        sector_of(m.role) == Sector.GENERAL_PRACTICE and m.unit_id == citizen.gp_clinic_id
        for m in (actor.active_memberships() if hasattr(actor, "active_memberships") else [])
    )


@transaction.atomic
def set_named_gp(*, actor: Any, citizen: Citizen, name: str, expected_version: int | None = None) -> Citizen:
    """Record (or clear, with an empty name) the named doctor at the citizen's GP clinic."""
    if not may_name_gp(actor, citizen):
        raise NotPermitted(_("Only the citizen's own GP clinic names its doctor."))
    locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("Someone else changed this citizen meanwhile. Reload the page and try again."))
    name = name.strip()
    if len(name) > 200:
        raise DomainError(_("The name is longer than 200 characters."), field="gp_doctor_name")
    if any(ord(ch) < 32 for ch in name):
        raise DomainError(
            _("The name must not contain control characters."), field="gp_doctor_name", code="invalid"
        )
    locked.gp_doctor_name = name
    locked.version += 1
    locked.save(update_fields=["gp_doctor_name", "version"])
    audit.record(
        actor=actor,
        action="citizen.named_gp_set" if name else "citizen.named_gp_cleared",
        subject_type="citizen",
        subject_id=str(locked.public_id),
        data={"clinic": locked.gp_clinic.key if locked.gp_clinic else None},
    )
    citizen_changed.send(sender=Citizen, citizen=locked, fields=frozenset({"gp_doctor_name"}))
    return locked


@transaction.atomic
def save_relative(
    *,
    actor: Any,
    citizen: Citizen,
    relative: Relative | None,
    name: str,
    relation: str,
    phone: str,
    may_be_involved: bool,
    expected_version: int | None = None,
) -> Relative:
    """Add a relative or change one. ``expected_version`` is the citizen's version the user saw."""
    locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _("Someone else changed this citizen's relatives meanwhile. Reload the page and try again.")
        )
    if not name.strip():
        raise DomainError(_("The name must not be empty."), field="name", code="required")
    if not relation.strip():
        raise DomainError(
            _("Say how the relative is related to the citizen."), field="relation", code="required"
        )
    consent_changed = relative is None or relative.may_be_involved != may_be_involved
    if relative is None:
        relative = Relative(citizen=locked)
    elif relative.citizen_id != locked.pk:
        raise DomainError(_("The relative does not belong to this citizen."), field="relative")
    relative.name = name.strip()
    relative.relation = relation.strip()
    relative.phone = phone.strip()
    relative.may_be_involved = may_be_involved
    if consent_changed:
        relative.consent_recorded_at = timezone.now()
        relative.consent_recorded_by = actor if getattr(actor, "pk", None) else None
    relative.save()
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    citizen.version = locked.version
    audit.record(
        actor=actor,
        action="citizen.relative_saved",
        subject_type="citizen",
        subject_id=str(locked.public_id),
        data={"relative": str(relative.public_id), "may_be_involved": may_be_involved},
    )
    return relative
