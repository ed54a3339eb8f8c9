"""The one write path for cross-sector audits: rounds, their audit group and themes, the audited courses (chosen
from the platform's courses or imported from a candidates file), the three questions and the improvement
suggestions.

Every function is keyword-only and atomic, checks who may act (``followup.access``), validates, saves and writes
its audit row in the same transaction. ``actor=None`` is the system (the demo, commands), which may do anything.
Nothing here stores or logs a name or CPR number: a course is known by its number in the round, its
municipality and the opaque person id of the candidate list."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sektorbro.core.audit import record
from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.courses.models import Course
from sektorbro.courses.selectors import courses_visible_to
from sektorbro.followup import access
from sektorbro.followup.candidates import Candidate
from sektorbro.followup.models import (
    Answer,
    AuditCourse,
    AuditGroupMember,
    AuditRound,
    Party,
    RoundStatus,
    Suggestion,
    Theme,
)
from sektorbro.organisations.models import Cluster, Municipality, OrganisationUnit

# Something that looks like a CPR number (ddmmyy-xxxx or ten digits) is never accepted as a person id.
CPR_LIKE = re.compile(r"^\s*\d{6}-?\d{4}\s*$")
TEXT_LIMIT = 4000


def _require_manager(actor: Any, audit_round_or_cluster: AuditRound | Cluster) -> None:
    if actor is None:
        return
    cluster = (
        audit_round_or_cluster.cluster_id
        if isinstance(audit_round_or_cluster, AuditRound)
        else audit_round_or_cluster.pk
    )
    if not access.may_manage(actor, int(cluster)):
        raise NotPermitted(_("Only the cluster's secretaries and analysts may change its audit rounds."))


def _text(value: str, field: str, *, required: bool = True, limit: int = TEXT_LIMIT) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DomainError(_("This field is required."), field=field, code="required")
    if len(cleaned) > limit:
        raise DomainError(_("At most %(limit)d characters.") % {"limit": limit}, field=field, code="too_long")
    return cleaned


def _choice(value: str, choices: Any, field: str, *, blank: bool = False) -> str:
    if blank and value == "":
        return ""
    if value not in choices.values:
        raise DomainError(_("Choose one of the listed values."), field=field, code="invalid_choice")
    return str(value)


def _audit(actor: Any, action: str, subject: Any, data: dict[str, Any] | None = None) -> None:
    record(
        actor=actor,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(getattr(subject, "public_id", subject.pk)),
        data=data,
    )


def _bump(obj: AuditRound | AuditCourse, expected_version: int | None) -> None:
    """Optimistic locking: refuse when someone saved the object since the user loaded it."""
    model = type(obj)
    query = model.objects.filter(pk=obj.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    if query.update(version=F("version") + 1) != 1:
        raise ConflictError(_("Someone else changed this since you opened it. Reload and try again."))
    obj.version = model.objects.values_list("version", flat=True).get(pk=obj.pk)


# --- the round -------------------------------------------------------------------------------------------------


def _check_period(period_start: dt.date, period_end: dt.date) -> None:
    if period_end < period_start:
        raise DomainError(
            _("The period must end on or after its first day."), field="period_end", code="period_order"
        )


@transaction.atomic
def create_round(
    *,
    actor: Any,
    cluster: Cluster,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    meeting_on: dt.date | None = None,
    selection: str = "",
) -> AuditRound:
    _require_manager(actor, cluster)
    title = _text(title, "title", limit=200)
    _check_period(period_start, period_end)
    if AuditRound.objects.filter(cluster=cluster, title=title).exists():
        raise DomainError(
            _("The cluster already has an audit round with this title."), field="title", code="duplicate"
        )
    audit_round = AuditRound.objects.create(
        cluster=cluster,
        title=title,
        period_start=period_start,
        period_end=period_end,
        meeting_on=meeting_on,
        selection=_text(selection, "selection", required=False),
    )
    _audit(actor, "audit_round.created", audit_round, {"cluster": cluster.key, "title": title})
    return audit_round


@transaction.atomic
def update_round(
    *,
    actor: Any,
    audit_round: AuditRound,
    expected_version: int | None,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    meeting_on: dt.date | None,
    selection: str,
    status: str,
) -> AuditRound:
    _require_manager(actor, audit_round)
    title = _text(title, "title", limit=200)
    _check_period(period_start, period_end)
    status = _choice(status, RoundStatus, "status")
    if (
        AuditRound.objects.filter(cluster_id=audit_round.cluster_id, title=title)
        .exclude(pk=audit_round.pk)
        .exists()
    ):
        raise DomainError(
            _("The cluster already has an audit round with this title."), field="title", code="duplicate"
        )
    _bump(audit_round, expected_version)
    changes = {
        "title": title,
        "period_start": period_start,
        "period_end": period_end,
        "meeting_on": meeting_on,
        "selection": _text(selection, "selection", required=False),
        "status": status,
    }
    AuditRound.objects.filter(pk=audit_round.pk).update(**changes)
    for key, value in changes.items():
        setattr(audit_round, key, value)
    _audit(actor, "audit_round.updated", audit_round, {"status": status})
    return audit_round


# --- the audit group --------------------------------------------------------------------------------------------


@transaction.atomic
def add_member(
    *,
    actor: Any,
    audit_round: AuditRound,
    name: str,
    party: str,
    title: str = "",
    organisation: OrganisationUnit | None = None,
    user: Any = None,
) -> AuditGroupMember:
    _require_manager(actor, audit_round)
    member = AuditGroupMember.objects.create(
        round=audit_round,
        name=_text(name, "name", limit=200),
        title=_text(title, "title", required=False, limit=200),
        party=_choice(party, Party, "party"),
        organisation=organisation,
        user=user,
    )
    _audit(actor, "audit_round.member_added", audit_round, {"member": member.pk, "party": party})
    return member


@transaction.atomic
def remove_member(*, actor: Any, member: AuditGroupMember) -> None:
    _require_manager(actor, member.round)
    data = {"member": member.pk}
    member.delete()
    _audit(actor, "audit_round.member_removed", member.round, data)


# --- themes -----------------------------------------------------------------------------------------------------


@transaction.atomic
def add_theme(
    *, actor: Any, audit_round: AuditRound, name: str, description: str = "", number: int | None = None
) -> Theme:
    _require_manager(actor, audit_round)
    name = _text(name, "name", limit=200)
    if audit_round.themes.filter(name=name).exists():
        raise DomainError(_("The round already has a theme with this name."), field="name", code="duplicate")
    if number is None:
        number = (audit_round.themes.aggregate(m=Max("number"))["m"] or 0) + 1
    elif number < 1:
        raise DomainError(_("The number must be 1 or more."), field="number")
    elif audit_round.themes.filter(number=number).exists():
        raise DomainError(_("Another theme has this number."), field="number", code="duplicate")
    theme = Theme.objects.create(
        round=audit_round,
        number=number,
        name=name,
        description=_text(description, "description", required=False),
    )
    _audit(actor, "audit_round.theme_added", audit_round, {"theme": theme.pk, "name": name})
    return theme


@transaction.atomic
def update_theme(*, actor: Any, theme: Theme, name: str, description: str = "") -> Theme:
    _require_manager(actor, theme.round)
    name = _text(name, "name", limit=200)
    if Theme.objects.filter(round_id=theme.round_id, name=name).exclude(pk=theme.pk).exists():
        raise DomainError(_("The round already has a theme with this name."), field="name", code="duplicate")
    theme.name = name
    theme.description = _text(description, "description", required=False)
    theme.save(update_fields=["name", "description"])
    _audit(actor, "audit_round.theme_changed", theme.round, {"theme": theme.pk, "name": name})
    return theme


@transaction.atomic
def remove_theme(*, actor: Any, theme: Theme) -> None:
    """Remove a theme; its suggestions stay, uncoded."""
    _require_manager(actor, theme.round)
    data = {"theme": theme.pk, "name": theme.name}
    theme.delete()
    _audit(actor, "audit_round.theme_removed", theme.round, data)


# --- the audited courses ----------------------------------------------------------------------------------------


def _next_number(audit_round: AuditRound) -> int:
    """The next course number; the round's row is locked first, so two people adding courses at once get
    different numbers (PostgreSQL; SQLite writes one at a time anyway)."""
    AuditRound.objects.select_for_update().filter(pk=audit_round.pk).values_list("pk", flat=True).get()
    return int((audit_round.courses.aggregate(m=Max("number"))["m"] or 0) + 1)


def _in_cluster(audit_round: AuditRound, municipality: Municipality, field: str) -> None:
    if municipality.cluster_id != audit_round.cluster_id:
        raise DomainError(
            _("%(municipality)s is not in the round's cluster.") % {"municipality": municipality.name},
            field=field,
            code="other_cluster",
        )


def _admission_summary(audit_round: AuditRound, citizen_id: int) -> dict[str, Any]:
    """The citizen's acute somatic admissions that start in the round's period (the platform's courses)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(audit_round.period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(audit_round.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    admitted = sorted(
        Course.objects.filter(
            citizen_id=citizen_id, area="somatic", track="acute", admitted_at__gte=start, admitted_at__lt=end
        ).values_list("admitted_at", flat=True)
    )
    days = [timezone.localtime(at).date() for at in admitted]
    return {
        "admissions": len(days),
        "first_admission": days[0] if days else None,
        "last_admission": days[-1] if days else None,
    }


@transaction.atomic
def add_platform_course(*, actor: Any, audit_round: AuditRound, course_id: uuid.UUID | str) -> AuditCourse:
    """Add the citizen of one of the platform's courses to the round. The actor must be able to see the course
    (``courses_visible_to``); a course they cannot see is answered as unknown, never as forbidden."""
    if actor is not None and not access.may_select_courses(actor, audit_round):
        raise NotPermitted(_("Only the round's managers and audit group may add courses."))
    try:
        key = uuid.UUID(str(course_id).strip())
    except ValueError as exc:
        raise DomainError(_("Enter a course id."), field="course_id") from exc
    courses = Course.objects.all() if actor is None else courses_visible_to(actor)
    course = courses.select_related("citizen", "municipality").filter(public_id=key).first()
    if course is None:
        raise DomainError(_("No course with this id is visible to you."), field="course_id", code="unknown")
    citizen = course.citizen
    _in_cluster(audit_round, course.municipality, "course_id")
    person_ref = str(citizen.public_id)
    number = _next_number(audit_round)  # locks the round before the duplicate check
    if audit_round.courses.filter(person_ref=person_ref).exists():
        raise DomainError(
            _("This citizen's course is already in the round."), field="course_id", code="duplicate"
        )
    summary = _admission_summary(audit_round, citizen.pk)
    if summary["admissions"] == 0:  # the chosen course itself, outside the period or not acute somatic
        day = timezone.localtime(course.admitted_at).date()
        summary = {"admissions": 1, "first_admission": day, "last_admission": day}
    audit_course = AuditCourse.objects.create(
        round=audit_round,
        number=number,
        municipality=course.municipality,
        person_ref=person_ref,
        citizen=citizen,
        **summary,
    )
    _audit(
        actor,
        "audit_course.added",
        audit_course,
        {"round": str(audit_round.public_id), "source": "platform", "number": audit_course.number},
    )
    return audit_course


@dataclass(frozen=True)
class ImportResult:
    added: list[AuditCourse]
    already_in_round: int


@transaction.atomic
def import_candidates(
    *, actor: Any, audit_round: AuditRound, candidates: Iterable[Candidate]
) -> ImportResult:
    """Add the courses of a candidates file (``sektorbro audits candidates``). All or nothing: a row from
    another cluster, an unknown municipality or a person id that looks like a CPR number refuses the file.
    A person id that is a citizen's opaque id (``--from-platform``) links the course to the citizen, so the
    meeting sees its timeline; a registry person id stays an id."""
    _require_manager(actor, audit_round)
    rows = list(candidates)
    if not rows:
        raise DomainError(_("The file holds no candidates."), field="file", code="empty")
    municipalities = {m.code: m for m in Municipality.objects.all()}
    number = _next_number(audit_round)  # locks the round before reading who is in it
    known = set(audit_round.courses.exclude(person_ref="").values_list("person_ref", flat=True))
    ids: dict[str, int] = {}
    refs = [r.person_id for r in rows]
    uuids = []
    for ref in refs:
        try:
            uuids.append(uuid.UUID(ref))
        except ValueError:
            continue
    if uuids:
        from sektorbro.citizens.models import Citizen

        ids = {
            str(pid): pk
            for pk, pid in Citizen.objects.filter(public_id__in=uuids).values_list("pk", "public_id")
        }
    added: list[AuditCourse] = []
    skipped = 0
    for line, row in enumerate(rows, start=2):
        where = {"line": line}
        if not row.person_id or len(row.person_id) > 64:
            raise DomainError(_("Line %(line)d: the person id is missing or too long.") % where, field="file")
        if CPR_LIKE.match(row.person_id):
            raise DomainError(
                _("Line %(line)d: the person id looks like a CPR number; the file must hold opaque ids only.")
                % where,
                field="file",
                code="cpr",
            )
        municipality = municipalities.get(row.municipality_code)
        if municipality is None:
            raise DomainError(
                _("Line %(line)d: unknown municipality code %(code)s.")
                % {**where, "code": row.municipality_code},
                field="file",
            )
        if municipality.cluster_id != audit_round.cluster_id:
            raise DomainError(
                _("Line %(line)d: %(municipality)s is not in the round's cluster.")
                % {**where, "municipality": municipality.name},
                field="file",
                code="other_cluster",
            )
        if row.person_id in known:
            skipped += 1
            continue
        known.add(row.person_id)
        added.append(
            AuditCourse.objects.create(
                round=audit_round,
                number=number,
                municipality=municipality,
                person_ref=row.person_id,
                citizen_id=ids.get(row.person_id),
                admissions=row.admissions,
                preventable_admissions=row.preventable_admissions,
                first_admission=row.first_admission,
                last_admission=row.last_admission,
            )
        )
        number += 1
    _audit(
        actor,
        "audit_round.candidates_imported",
        audit_round,
        {"added": len(added), "already_in_round": skipped, "linked": sum(1 for c in added if c.citizen_id)},
    )
    return ImportResult(added, skipped)


@transaction.atomic
def remove_course(*, actor: Any, audit_course: AuditCourse) -> None:
    _require_manager(actor, audit_course.round)
    data = {"number": audit_course.number}
    audit_round = audit_course.round
    audit_course.delete()
    _audit(actor, "audit_course.removed", audit_round, data)


@transaction.atomic
def record_review(
    *,
    actor: Any,
    audit_course: AuditCourse,
    expected_version: int | None,
    coherent: str,
    preventable: str,
    patterns: str,
    coherent_note: str = "",
    preventable_note: str = "",
    summary: str | None = None,
) -> AuditCourse:
    """The audit group's answers to the three questions for one course."""
    _require_manager(actor, audit_course.round)
    changes: dict[str, Any] = {
        "coherent": _choice(coherent, Answer, "coherent", blank=True),
        "coherent_note": _text(coherent_note, "coherent_note", required=False),
        "preventable": _choice(preventable, Answer, "preventable", blank=True),
        "preventable_note": _text(preventable_note, "preventable_note", required=False),
        "patterns": _text(patterns, "patterns", required=False),
    }
    if summary is not None:
        changes["summary"] = _text(summary, "summary", required=False)
    if not (changes["coherent"] or changes["preventable"] or changes["patterns"]):
        raise DomainError(_("Answer at least one of the three questions."), field="coherent", code="required")
    _bump(audit_course, expected_version)
    changes["reviewed_at"] = timezone.now()
    AuditCourse.objects.filter(pk=audit_course.pk).update(**changes)
    for key, value in changes.items():
        setattr(audit_course, key, value)
    _audit(
        actor,
        "audit_course.reviewed",
        audit_course,
        {"coherent": changes["coherent"], "preventable": changes["preventable"]},
    )
    return audit_course


# --- suggestions ------------------------------------------------------------------------------------------------


def _theme_of(audit_round_id: int, theme: Theme | None) -> Theme | None:
    if theme is not None and theme.round_id != audit_round_id:
        raise DomainError(_("Choose one of the round's themes."), field="theme", code="other_round")
    return theme


@transaction.atomic
def add_suggestion(
    *, actor: Any, audit_course: AuditCourse, text: str, party: str, theme: Theme | None = None
) -> Suggestion:
    _require_manager(actor, audit_course.round)
    suggestion = Suggestion.objects.create(
        course=audit_course,
        text=_text(text, "text"),
        party=_choice(party, Party, "party"),
        theme=_theme_of(audit_course.round_id, theme),
    )
    _audit(
        actor,
        "audit_suggestion.added",
        suggestion,
        {"course": audit_course.number, "party": party, "theme": theme.number if theme else None},
    )
    return suggestion


@transaction.atomic
def update_suggestion(
    *, actor: Any, suggestion: Suggestion, text: str, party: str, theme: Theme | None
) -> Suggestion:
    """Change a suggestion, or code it into a theme after the meeting."""
    audit_round = suggestion.course.round
    _require_manager(actor, audit_round)
    suggestion.text = _text(text, "text")
    suggestion.party = _choice(party, Party, "party")
    suggestion.theme = _theme_of(audit_round.pk, theme)
    suggestion.save(update_fields=["text", "party", "theme"])
    _audit(
        actor,
        "audit_suggestion.changed",
        suggestion,
        {"party": party, "theme": theme.number if theme else None},
    )
    return suggestion


@transaction.atomic
def remove_suggestion(*, actor: Any, suggestion: Suggestion) -> None:
    _require_manager(actor, suggestion.course.round)
    _audit(actor, "audit_suggestion.removed", suggestion, {"course": suggestion.course.number})
    suggestion.delete()


__all__ = [
    "ImportResult",
    "add_member",
    "add_platform_course",
    "add_suggestion",
    "add_theme",
    "create_round",
    "import_candidates",
    "record_review",
    "remove_course",
    "remove_member",
    "remove_suggestion",
    "remove_theme",
    "update_round",
    "update_suggestion",
    "update_theme",
]
