"""Implementation plans (annex 1: the three tracks): a local plan per cluster with tasks in the communication, dialogue
and rules tracks, the communication package as a library of materials, and progress across the clusters.

Who (docs/followup.md, "Implementation plans"):

* **Change a plan and its tasks**: the audit managers of its cluster (``access.may_manage``: the cluster's
  committee secretaries and data analysts, region-wide ones for every cluster).
* **Read a plan** and the progress table: the main users (every cluster) and the staff of the organisations in the
  plan's cluster (from whom its steering group is drawn).
* **The communication package**: every signed-in member reads it and downloads its files; the main users add and
  remove materials.

The write path for all three: keyword-only, atomic, permission check, validation, audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.core.audit import record
from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.core.files import check_upload
from sektorbro.followup import access
from sektorbro.followup.access import _active, _unit_cluster_id
from sektorbro.followup.models import ImplementationPlan, Material, PlanTask, TaskStatus, Track
from sektorbro.organisations.models import Cluster

TEXT_LIMIT = 4000
DEFAULT_MATERIAL_MAX_BYTES = 20 * 1024 * 1024


def material_max_bytes() -> int:
    return int(getattr(settings, "SEKTORBRO_FOLLOWUP_MATERIAL_MAX_BYTES", DEFAULT_MATERIAL_MAX_BYTES))


# --- who ---------------------------------------------------------------------------------------------------------


def member_cluster_ids(user: Any) -> set[int]:
    """The clusters the user's organisations belong to (hospital, municipal and GP units, and a cluster's own
    secretariat)."""
    if not _active(user):
        return set()
    found: set[int] = set()
    for membership in user.active_memberships():
        cluster_id = _unit_cluster_id(membership.unit)
        if cluster_id is not None:
            found.add(cluster_id)
    return found


def staff_cluster_ids(user: Any) -> set[int]:
    """The clusters whose staff the user is (hospital, municipality, general practice), as in ``access``."""
    if not _active(user):
        return set()
    found: set[int] = set()
    for membership in user.active_memberships():
        if sector_of(membership.role) in (Sector.HOSPITAL, Sector.MUNICIPALITY, Sector.GENERAL_PRACTICE):
            cluster_id = _unit_cluster_id(membership.unit)
            if cluster_id is not None:
                found.add(cluster_id)
    return found


def readable_cluster_ids(user: Any) -> set[int] | None:
    """The clusters whose plans (and published reports) the user reads; ``None`` for all."""
    if not _active(user):
        return set()
    if access.is_main_user(user):
        return None
    return staff_cluster_ids(user) | member_cluster_ids(user)


def plans_visible_to(user: Any) -> QuerySet[ImplementationPlan]:
    ids = readable_cluster_ids(user)
    found = ImplementationPlan.objects.select_related("cluster")
    return found if ids is None else found.filter(cluster_id__in=ids)


def may_manage_plan(user: Any, plan: ImplementationPlan) -> bool:
    return access.is_main_user(user) and access.may_manage(user, plan.cluster_id)


def may_read_materials(user: Any) -> bool:
    return _active(user) and bool(user.active_memberships())


def may_manage_materials(user: Any) -> bool:
    return access.is_main_user(user)


# --- helpers -----------------------------------------------------------------------------------------------------


def _audit(actor: Any, action: str, subject: Any, data: dict[str, Any] | None = None) -> None:
    record(
        actor=actor,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(getattr(subject, "public_id", subject.pk)),
        data=data,
    )


def _text(value: str | None, name: str, *, required: bool = True, limit: int = TEXT_LIMIT) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DomainError(_("This field is required."), field=name, code="required")
    if len(cleaned) > limit:
        raise DomainError(_("At most %(limit)d characters.") % {"limit": limit}, field=name, code="too_long")
    return cleaned


def _choice(value: str, choices: Any, name: str) -> str:
    if value not in choices.values:
        raise DomainError(_("Choose one of the listed values."), field=name, code="invalid_choice")
    return str(value)


def _require_plan_manager(actor: Any, cluster_id: int) -> None:
    if actor is None:
        return
    if not (access.is_main_user(actor) and access.may_manage(actor, cluster_id)):
        raise NotPermitted(
            _("Only the cluster's secretaries and analysts may change its implementation plan.")
        )


def _bump(obj: ImplementationPlan | PlanTask, expected_version: int | None) -> None:
    model = type(obj)
    query = model.objects.filter(pk=obj.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    if query.update(version=F("version") + 1) != 1:
        raise ConflictError(_("Someone else changed this since you opened it. Reload and try again."))
    obj.version = model.objects.values_list("version", flat=True).get(pk=obj.pk)


# --- plans and tasks ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(*, actor: Any, cluster: Cluster, summary: str = "") -> ImplementationPlan:
    _require_plan_manager(actor, cluster.pk)
    if ImplementationPlan.objects.filter(cluster=cluster).exists():
        raise DomainError(
            _("The cluster already has an implementation plan."), field="cluster", code="duplicate"
        )
    plan = ImplementationPlan.objects.create(
        cluster=cluster, summary=_text(summary, "summary", required=False)
    )
    _audit(actor, "implementation_plan.created", plan, {"cluster": cluster.key})
    return plan


@transaction.atomic
def update_plan(
    *, actor: Any, plan: ImplementationPlan, expected_version: int | None, summary: str
) -> ImplementationPlan:
    _require_plan_manager(actor, plan.cluster_id)
    cleaned = _text(summary, "summary", required=False)
    _bump(plan, expected_version)
    ImplementationPlan.objects.filter(pk=plan.pk).update(summary=cleaned)
    plan.summary = cleaned
    _audit(actor, "implementation_plan.changed", plan)
    return plan


def _task_fields(track: str, title: str, owner: str, description: str, status: str) -> dict[str, Any]:
    return {
        "track": _choice(track, Track, "track"),
        "title": _text(title, "title", limit=300),
        "owner": _text(owner, "owner", limit=200),
        "description": _text(description, "description", required=False),
        "status": _choice(status, TaskStatus, "status"),
    }


@transaction.atomic
def add_task(
    *,
    actor: Any,
    plan: ImplementationPlan,
    track: str,
    title: str,
    owner: str,
    deadline: dt.date | None = None,
    description: str = "",
    status: str = TaskStatus.PLANNED,
) -> PlanTask:
    _require_plan_manager(actor, plan.cluster_id)
    values = _task_fields(track, title, owner, description, status)
    task = PlanTask.objects.create(
        plan=plan,
        deadline=deadline,
        done_on=timezone.localdate() if values["status"] == TaskStatus.DONE else None,
        **values,
    )
    _audit(actor, "plan_task.added", task, {"plan": str(plan.public_id), "track": task.track})
    return task


@transaction.atomic
def update_task(
    *,
    actor: Any,
    task: PlanTask,
    expected_version: int | None,
    track: str,
    title: str,
    owner: str,
    deadline: dt.date | None,
    status: str,
    description: str = "",
) -> PlanTask:
    _require_plan_manager(actor, task.plan.cluster_id)
    values = _task_fields(track, title, owner, description, status)
    before = task.status
    _bump(task, expected_version)
    values["deadline"] = deadline
    if values["status"] == TaskStatus.DONE:
        values["done_on"] = task.done_on or timezone.localdate()
    else:
        values["done_on"] = None
    PlanTask.objects.filter(pk=task.pk).update(**values)
    for key, value in values.items():
        setattr(task, key, value)
    _audit(actor, "plan_task.changed", task, {"status_before": before, "status": task.status})
    return task


@transaction.atomic
def set_task_status(*, actor: Any, task: PlanTask, expected_version: int | None, status: str) -> PlanTask:
    """Only the status (the quick change in the plan's table)."""
    return update_task(
        actor=actor,
        task=task,
        expected_version=expected_version,
        track=task.track,
        title=task.title,
        owner=task.owner,
        deadline=task.deadline,
        status=status,
        description=task.description,
    )


@transaction.atomic
def remove_task(*, actor: Any, task: PlanTask) -> None:
    _require_plan_manager(actor, task.plan.cluster_id)
    _audit(actor, "plan_task.removed", task, {"plan": str(task.plan.public_id), "title": task.title})
    task.delete()


# --- progress ----------------------------------------------------------------------------------------------------


def is_overdue(task: PlanTask, today: dt.date) -> bool:
    return task.status != TaskStatus.DONE and task.deadline is not None and task.deadline < today


@dataclass
class Counts:
    done: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.done + self.open

    def add(self, task: PlanTask, today: dt.date) -> None:
        if task.status == TaskStatus.DONE:
            self.done += 1
        else:
            self.open += 1
            if is_overdue(task, today):
                self.overdue += 1


@dataclass
class PlanProgress:
    plan: ImplementationPlan
    tracks: list[tuple[str, str, Counts]] = field(default_factory=list)  # (track, label, counts)
    total: Counts = field(default_factory=Counts)


def progress(
    plans: list[ImplementationPlan] | QuerySet[ImplementationPlan], today: dt.date
) -> list[PlanProgress]:
    """Done, open (not done) and overdue (open and past the deadline) tasks per plan and track. An open task
    without a deadline is never overdue."""
    rows = []
    for plan in plans:
        by_track = {t.value: Counts() for t in Track}
        total = Counts()
        for task in plan.tasks.all():
            by_track[task.track].add(task, today)
            total.add(task, today)
        rows.append(PlanProgress(plan, [(t.value, str(t.label), by_track[t.value]) for t in Track], total))
    return rows


def tasks_by_track(plan: ImplementationPlan) -> list[tuple[str, str, list[PlanTask]]]:
    tasks = list(plan.tasks.all())
    return [(t.value, str(t.label), [x for x in tasks if x.track == t.value]) for t in Track]


# --- the communication package -----------------------------------------------------------------------------------


@transaction.atomic
def add_material(
    *,
    actor: Any,
    title: str,
    description: str = "",
    url: str = "",
    file_name: str = "",
    content: bytes | None = None,
) -> Material:
    """A link or a file (or both). The file passes ``core.files.check_upload``: size within the limit, an allowed
    type, and content that is what its name says."""
    if actor is not None and not may_manage_materials(actor):
        raise NotPermitted(_("Only secretaries and analysts may change the communication package."))
    link = _text(url, "url", required=False, limit=500)
    if link and not link.startswith(("https://", "http://")):
        raise DomainError(_("Enter a web address starting with https://."), field="url", code="invalid_url")
    values: dict[str, Any] = {
        "title": _text(title, "title", limit=200),
        "description": _text(description, "description", required=False),
        "url": link,
    }
    if content is not None:
        checked = check_upload(name=file_name, content=content, max_bytes=material_max_bytes())
        values.update(
            file_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )
    if not link and content is None:
        raise DomainError(_("Give a link or a file."), field="url", code="required")
    material = Material.objects.create(added_by=actor, **values)
    _audit(actor, "material.added", material, {"size": material.size, "sha256": material.sha256})
    return material


@transaction.atomic
def remove_material(*, actor: Any, material: Material) -> None:
    if actor is not None and not may_manage_materials(actor):
        raise NotPermitted(_("Only secretaries and analysts may change the communication package."))
    _audit(actor, "material.removed", material, {"title": material.title})
    material.delete()
