"""A small governance world for the service, view and permission tests: Randersklyngen's cluster steering group
with the ``secretary`` persona as its committee secretary, a member with a user account, a planned meeting with
one item and a published one with a decision and an action item."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sektorbro.governance import services
from sektorbro.governance.models import Group, GroupMember, TermsOfReference


def make_group(secretary: Any, member_user: Any = None, key: str = "ksg-randers") -> Group:
    group = Group.objects.create(
        key=key,
        name="Klyngestyregruppen for Randersklyngen",
        short_name="KSG Randers",
        kind="cluster_steering_group",
        secretariat="Klyngesekretariatet",
    )
    group.secretaries.add(secretary)
    GroupMember.objects.create(
        group=group, name="Anne Formand", title="Direktør", organisation="Regionshospitalet Randers",
        organisation_kind="hospital", role="chair", position=0,
    )  # fmt: skip
    GroupMember.objects.create(
        group=group, name="Bo Medlem", title="Chef for Sundhed", organisation="Randers Kommune",
        organisation_kind="municipality", role="member", alternate="Carla Stedfortræder", user=member_user,
        position=1,
    )  # fmt: skip
    GroupMember.objects.create(
        group=group,
        name="Dan Tidligere",
        organisation="Norddjurs Kommune",
        role="member",
        active=False,
        position=2,
    )
    TermsOfReference.objects.create(
        group=group,
        version=1,
        title="Kommissorium 2019",
        background="Gammel baggrund",
        purpose="Gammelt formål",
    )
    TermsOfReference.objects.create(
        group=group, version=2, title="Kommissorium 2021", background="Klyngen følger aftalen op.",
        purpose="At sikre sammenhæng.", tasks=["Følge indikatorer", "Godkende handleplaner"],
        timeline=[{"when": "Maj 2021", "what": "Første møde\nGodkendelse af kommissorium"}],
        other_sections=[{"heading": "Præmisser for arbejdet", "text": "Borgeren oplever et sammenhængende forløb."}],
    )  # fmt: skip
    return group


def governance_world(personas: dict[str, Any]) -> dict[str, Any]:
    secretary = personas["secretary"]
    group = make_group(secretary, member_user=personas.get("visitator_randers"))
    draft = services.create_meeting(
        actor=secretary,
        group=group,
        date=dt.date(2026, 12, 10),
        title="Klyngestyregruppemøde",
        location="Randers",
    )
    draft_item = services.add_item(
        actor=secretary,
        meeting=draft,
        expected_version=draft.version,
        title="Velkomst og godkendelse af dagsorden",
    )
    held = services.create_meeting(
        actor=secretary, group=group, date=dt.date(2026, 11, 5), title="Klyngestyregruppemøde november"
    )
    held_item = services.add_item(
        actor=secretary, meeting=held, expected_version=held.version, title="Status"
    )
    held_attachment = services.add_attachment(
        actor=secretary, item=held_item, expected_version=held.version, name="status.txt", content=b"Status"
    )
    services.mark_held(actor=secretary, meeting=held, expected_version=held.version)
    published = services.create_meeting(
        actor=secretary, group=group, date=dt.date(2021, 5, 5), title="Klyngestyregruppemøde maj"
    )
    item = services.add_item(
        actor=secretary,
        meeting=published,
        expected_version=published.version,
        title="GAIN 2.0",
        recommendations=["at klyngestyregruppen godkender planen for audit"],
        case_text="Kommunerne udpeger terapeuter.",
    )
    attachment = services.add_attachment(
        actor=secretary,
        item=item,
        expected_version=published.version,
        name="plan.pdf",
        content=b"%PDF-1.4 plan",
    )
    services.record_decision(
        actor=secretary,
        item=item,
        expected_version=published.version,
        decision="Godkendt med audit i efteråret.",
    )
    action = services.raise_action_item(
        actor=secretary,
        item=item,
        expected_version=published.version,
        text="Udpeg terapeuter til GAIN",
        owner="Kommunerne",
        deadline=dt.date(2021, 6, 1),
    )
    services.mark_held(actor=secretary, meeting=published, expected_version=published.version)
    services.publish_minutes(actor=secretary, meeting=published, expected_version=published.version)
    return {
        "group": group,
        "draft": draft,
        "draft_item": draft_item,
        "held": held,
        "held_attachment": held_attachment,
        "published": published,
        "item": item,
        "attachment": attachment,
        "action": action,
    }
