"""Who may do what with the follow-up (docs/followup.md).

* **Manage** an audit round (create it, record the audit, code the themes): committee secretaries and cluster
  data analysts whose unit is the cluster's secretariat, or a region-wide unit (no cluster: every cluster).
* **Add the platform's courses** to a round: its managers and the audit group's members with a login, each
  only courses they may see (``courses.selectors.courses_visible_to``).
* **Read** a round, its de-identified courses, themes and learning report: everyone who may manage it;
  secretaries and analysts of other clusters (learning across clusters); members of the round's audit group
  who have a login; and the staff of the organisations in the round's cluster (hospital, municipalities, GP
  clinics), from whom the cluster's steering group is drawn.

A citizen's name and CPR number are never shown through these rules: the audit timeline shows them only when the
citizens access selector lets the user see that citizen (``citizens.access``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sektorbro.accounts.roles import Sector, sector_of
from sektorbro.followup.models import AuditRound
from sektorbro.organisations.models import Cluster

MAIN_ROLES = frozenset({"committee_secretary", "data_analyst"})


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _unit_cluster_id(unit: Any) -> int | None:
    """The cluster an organisation unit belongs to: its own, its hospital's or its municipality's."""
    if unit.cluster_id is not None:
        return int(unit.cluster_id)
    parent = unit.parent
    if parent is not None and parent.cluster_id is not None:
        return int(parent.cluster_id)
    if unit.municipality_id is not None:
        return int(unit.municipality.cluster_id)
    return None


def managed_cluster_ids(user: Any) -> set[int] | None:
    """The clusters whose rounds the user manages; ``None`` for all of them; an empty set for none."""
    if not _active(user):
        return set()
    ids: set[int] = set()
    for membership in user.active_memberships():
        if membership.role not in MAIN_ROLES:
            continue
        if membership.unit.cluster_id is None:
            return None
        ids.add(int(membership.unit.cluster_id))
    return ids


def may_manage(user: Any, cluster: Cluster | int) -> bool:
    ids = managed_cluster_ids(user)
    cluster_id = cluster if isinstance(cluster, int) else cluster.pk
    return ids is None or cluster_id in ids


def is_main_user(user: Any) -> bool:
    return _active(user) and any(m.role in MAIN_ROLES for m in user.active_memberships())


def _reader_condition(user: Any) -> Q:
    if not _active(user):
        return Q(pk__in=[])
    if is_main_user(user):
        return Q()
    clusters = set()
    for membership in user.active_memberships():
        if sector_of(membership.role) in (Sector.HOSPITAL, Sector.MUNICIPALITY, Sector.GENERAL_PRACTICE):
            found = _unit_cluster_id(membership.unit)
            if found is not None:
                clusters.add(found)
    return Q(cluster_id__in=clusters) | Q(members__user=user)


def rounds_visible_to(user: Any) -> QuerySet[AuditRound]:
    return AuditRound.objects.filter(_reader_condition(user)).distinct().select_related("cluster")


def may_read(user: Any, audit_round: AuditRound) -> bool:
    return rounds_visible_to(user).filter(pk=audit_round.pk).exists()


def may_select_courses(user: Any, audit_round: AuditRound) -> bool:
    """Who may add the platform's courses to a round: its managers and the audit group's members with a login
    (the hospital or the municipalities find the courses). Each may add only courses they can see."""
    if may_manage(user, audit_round.cluster_id):
        return True
    return bool(_active(user) and audit_round.members.filter(user_id=user.pk).exists())
