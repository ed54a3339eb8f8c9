"""Which messages a user may see: those about citizens the user may see, and those sent to or from the user's
own organisation (its municipality, its hospital, its clinic or unit). Built on the citizens access selector."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.citizens.access import citizens_visible_to
from sektorbro.messaging.medcom.build import EncounterRef
from sektorbro.messaging.models import (
    QUARANTINE_STATUSES,
    READABLE_KINDS,
    InboxMessage,
    InboxStatus,
    MessageKind,
    MessageRead,
    OutboxMessage,
)
from sektorbro.organisations.models import OrganisationUnit


def own_units(user: Any) -> QuerySet[OrganisationUnit]:
    """The organisation units whose messages the user handles."""
    if user is None or not user.is_authenticated:
        return OrganisationUnit.objects.none()
    condition = Q(pk__in=[])
    for membership in user.active_memberships():
        unit = membership.unit
        match sector_of(membership.role):
            case Sector.HOSPITAL:
                hospital = unit.hospital
                if hospital is not None:
                    condition |= Q(pk=hospital.pk) | Q(parent_id=hospital.pk)
            case Sector.MUNICIPALITY:
                if unit.municipality_id is not None:
                    condition |= Q(municipality_id=unit.municipality_id, kind="municipal_unit")
            case Sector.GENERAL_PRACTICE | Sector.SOCIAL_AREA:
                condition |= Q(pk=unit.pk)
            case _:
                continue
    return OrganisationUnit.objects.filter(condition)


def reading_units(user: Any) -> QuerySet[OrganisationUnit]:
    """The units whose letters the user reads and answers (read/unread is kept per addressed unit): in a
    municipality every unit of the municipality; at a hospital the user's own department (and its sections) and
    the hospital as a whole, not other wards (need to know, issue 16); a GP clinic or a social unit itself."""
    if user is None or not user.is_authenticated:
        return OrganisationUnit.objects.none()
    condition = Q(pk__in=[])
    for membership in user.active_memberships():
        unit = membership.unit
        match sector_of(membership.role):
            case Sector.HOSPITAL:
                condition |= Q(pk=unit.pk) | Q(parent_id=unit.pk)
                if unit.hospital is not None:
                    condition |= Q(pk=unit.hospital.pk)
            case Sector.MUNICIPALITY:
                if unit.municipality_id is not None:
                    condition |= Q(municipality_id=unit.municipality_id, kind="municipal_unit")
            case Sector.GENERAL_PRACTICE | Sector.SOCIAL_AREA:
                condition |= Q(pk=unit.pk)
            case _:
                continue
    return OrganisationUnit.objects.filter(condition)


def _scope(user: Any) -> Q:
    units = own_units(user).values("pk")
    return (
        Q(citizen__in=citizens_visible_to(user).values("pk"))
        | Q(receiver_unit__in=units)
        | Q(sender_unit__in=units)
    )


def resolves_quarantine(user: Any) -> bool:
    """Administrators fix what keeps messages in the quarantine (a missing organisation, a sender's wrong
    identifier) for every organisation: they see every quarantined message, each read logged."""
    if user is None or not user.is_authenticated:
        return False
    return any(sector_of(m.role) == Sector.ADMINISTRATION for m in user.active_memberships())


def inbox_visible_to(user: Any) -> QuerySet[InboxMessage]:
    if user is None or not user.is_authenticated:
        return InboxMessage.objects.none()
    scope = _scope(user)
    if resolves_quarantine(user):
        scope |= Q(status__in=QUARANTINE_STATUSES)
    return (
        InboxMessage.objects.filter(scope)
        .select_related("citizen", "course", "sender_unit", "receiver_unit")
        .defer("raw")
    )


def _read_by_addressee() -> Exists:
    return Exists(
        MessageRead.objects.filter(message_id=OuterRef("pk"), organisation_id=OuterRef("receiver_unit_id"))
    )


def addressed_to(user: Any) -> Q:
    """The received letters addressed to one of the user's own organisation units (those it may read)."""
    return Q(
        kind__in=READABLE_KINDS,
        status=InboxStatus.ACCEPTED,
        receiver_unit__in=reading_units(user).values("pk"),
    )


def addressed_to_user(user: Any, message: InboxMessage) -> bool:
    """Is ``message`` a received letter addressed to one of the user's organisation units?"""
    if user is None or not user.is_authenticated or message.receiver_unit_id is None:
        return False
    return (
        message.kind in READABLE_KINDS
        and message.status == InboxStatus.ACCEPTED
        and reading_units(user).filter(pk=message.receiver_unit_id).exists()
    )


def is_read(message: InboxMessage) -> MessageRead | None:
    """The addressee's read of ``message`` (who of the organisation opened it first, and when), if any."""
    return (
        MessageRead.objects.filter(message=message, organisation_id=message.receiver_unit_id)
        .select_related("read_by", "organisation")
        .first()
    )


def unread_for(user: Any) -> QuerySet[InboxMessage]:
    """Letters addressed to the user's organisation that nobody of it has opened yet."""
    if user is None or not user.is_authenticated:
        return InboxMessage.objects.none()
    return InboxMessage.objects.filter(addressed_to(user)).exclude(_read_by_addressee())


def unread_count(user: Any) -> int:
    """One COUNT query (and the user's memberships, cached on the user): for the main menu and the tab."""
    return unread_for(user).count() if user is not None and user.is_authenticated else 0


def unread_condition(user: Any) -> Q:
    """The condition for "a letter to the user's organisation that nobody of it has opened"."""
    return addressed_to(user) & ~Q(_read_by_addressee())


def with_unread(queryset: QuerySet[InboxMessage], user: Any) -> QuerySet[InboxMessage]:
    """Each row marked ``unread`` (a letter to the user's organisation that nobody of it has opened)."""
    return queryset.annotate(
        unread=Case(
            When(unread_condition(user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def quarantine_visible_to(user: Any) -> QuerySet[InboxMessage]:
    return inbox_visible_to(user).filter(status__in=QUARANTINE_STATUSES)


def outbox_visible_to(user: Any) -> QuerySet[OutboxMessage]:
    if user is None or not user.is_authenticated:
        return OutboxMessage.objects.none()
    return OutboxMessage.objects.filter(_scope(user)).select_related(
        "citizen", "course", "sender_unit", "receiver_unit"
    )


def patient_cpr_of(message: InboxMessage) -> str:
    """The patient's CPR number as the stored message gives it ("" when it gives none or cannot be read): for the
    access log of a message whose patient is not (yet) a citizen of Sektorbro. Never shown or logged as such."""
    from sektorbro.messaging.ingest import Facts
    from sektorbro.messaging.medcom.validate import check

    try:
        checked = check(bytes(message.raw))
        if checked.bundle is None or checked.header() is None:
            return ""
        return Facts.of(checked).common.patient_cpr or ""
    except Exception:
        return ""


def stay_of(course: Any) -> EncounterRef | None:
    """The stay of a course as the hospital named it: the episode-of-care identifiers, class and status of the
    newest accepted HospitalNotification of the course (a cancelled one is passed over). Letters about the course
    carry it back in ``Communication.encounter``, as MedCom's governance asks. None when no notification came."""
    from sektorbro.messaging.medcom import extract
    from sektorbro.messaging.medcom.validate import check

    notifications = InboxMessage.objects.filter(
        course=course, kind=MessageKind.HOSPITAL_NOTIFICATION, status=InboxStatus.ACCEPTED
    ).order_by("-received_at", "-id")
    for message in notifications:
        checked = check(bytes(message.raw))
        if not checked.valid:
            continue
        facts = extract.hospital_notification(checked)
        if facts.encounter_status == "entered-in-error":
            continue
        stay = EncounterRef.of_episodes(
            facts.episodes, status=facts.encounter_status, class_code=facts.encounter_class
        )
        if stay is not None:
            return stay
    return None
