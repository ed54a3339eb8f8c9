"""What the follow-up's views share: running a service for a form, and the clusters a user manages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import Form

from sektorbro.core.errors import DomainError, NotPermitted
from sektorbro.followup import access
from sektorbro.organisations.models import Cluster
from sektorbro.organisations.selectors import clusters as valid_clusters


def apply_service(form: Form, action: Callable[[], Any]) -> Any:
    """Run a service; its error goes onto the field it names (or the form, also for a stale version).
    ``None`` when it refused; a refusal of the user's right is a 403."""
    try:
        return action()
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        form.add_error(
            exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message
        )
        return None


def managed_clusters(user: Any) -> QuerySet[Cluster]:
    """The clusters whose follow-up the user manages (all of them for a region-wide secretary or analyst)."""
    ids = access.managed_cluster_ids(user)
    found = valid_clusters()
    return found if ids is None else found.filter(pk__in=ids)
