"""The demo's governance: the seed groups, kommissorier and Randersklyngens klyngestyregruppe's meeting of 5 May
2021 (published), with the demo's committee secretary as the group's secretary and a few demo users as members of
the working group that implements the admission and discharge agreement. Safe to run again."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from sektorbro.accounts.models import User
from sektorbro.governance.models import Group, GroupMember
from sektorbro.governance.seed import CLUSTER_STEERING_GROUP, SeedResult, load_demo

SECRETARY = "sekretaer"
WORKING_GROUP = "randersklyngen-sammenhaengende-patientforloeb"

# (username, group key, title, organisation, organisation kind, role): demo people, not the seed's real names.
DEMO_MEMBERS: list[tuple[str, str, str, str, str, str]] = [
    (SECRETARY, CLUSTER_STEERING_GROUP, "klyngesekretær (demo)", "Sekretariatet for Randersklyngen", "region",
     "secretariat"),
    ("kommune.randers", WORKING_GROUP, "visitator (demo)", "Randers Kommune", "municipality", "member"),
    ("koordinator.randers", WORKING_GROUP, "udskrivningskoordinator (demo)", "Regionshospitalet Randers",
     "hospital", "member"),
]  # fmt: skip


@dataclass
class DemoGovernance:
    seed: SeedResult
    secretary: str
    members: int

    def summary(self) -> str:
        return f"{self.seed.summary()}; secretary: {self.secretary}; demo members: {self.members}"


@transaction.atomic
def build_demo_governance() -> DemoGovernance:
    users = {u.username: u for u in User.objects.filter(username__in=[m[0] for m in DEMO_MEMBERS])}
    secretary = users.get(SECRETARY)
    # The meetings and minutes are the committee secretary's work, signed by her (not the administrator).
    seed = load_demo(actor=secretary or User.objects.filter(username=SECRETARY).first())
    if secretary is not None:
        Group.objects.get(key=CLUSTER_STEERING_GROUP).secretaries.add(secretary)
    members = 0
    for username, key, title, organisation, kind, role in DEMO_MEMBERS:
        user = users.get(username)
        if user is None:
            continue
        group = Group.objects.get(key=key)
        GroupMember.objects.update_or_create(
            group=group,
            user=user,
            defaults={
                "name": user.get_full_name() or username,
                "title": title,
                "organisation": organisation,
                "organisation_kind": kind,
                "role": role,
                "position": 1000 + members,
            },
        )
        members += 1
    return DemoGovernance(seed=seed, secretary=secretary.username if secretary else "", members=members)
