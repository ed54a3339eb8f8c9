"""The governance API: groups, meetings and a meeting's minutes, only as far as the caller may read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sektorbro.governance.models import ActionItem, Group, GroupMember, Meeting, MeetingStatus
from sektorbro.governance.seed import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def gov(db: Any, personas: dict[str, Any]) -> dict[str, Any]:
    load_demo()
    cluster = Group.objects.get(key="randersklyngen-klyngestyregruppe")
    cluster.secretaries.add(personas["secretary"])
    published = Meeting.objects.get(group=cluster, date=dt.date(2021, 5, 5))
    draft = Meeting.objects.create(
        group=cluster,
        date=dt.date(2021, 6, 16),
        title="Klyngestyregruppemøde RRA",
        status=MeetingStatus.PLANNED,
    )
    return {"cluster": cluster, "published": published, "draft": draft}


def test_groups_list_with_kind_and_parent(login: Any, personas: dict[str, Any], gov: dict[str, Any]) -> None:
    body = login(personas["analyst"]).get("/api/v1/governance/groups/").json()
    by_name = {g["name"]: g for g in body}
    cluster = by_name["Randersklyngens klyngestyregruppe"]
    assert cluster == {
        "id": gov["cluster"].pk,
        "name": "Randersklyngens klyngestyregruppe",
        "kind": "cluster_steering_group",
        "parent": by_name["Sundhedsstyregruppen"]["id"],
    }
    assert by_name["Sundhedskoordinationsudvalget"]["parent"] is None


def test_someone_outside_every_organisation_sees_nothing(
    login: Any, personas: dict[str, Any], gov: dict[str, Any]
) -> None:
    client = login(personas["outsider"])
    assert client.get("/api/v1/governance/groups/").json() == []
    assert client.get("/api/v1/governance/meetings/").json() == []
    assert client.get(f"/api/v1/governance/meetings/{gov['published'].pk}/").status_code == 404


def test_anonymous_gets_401(client: Any, gov: dict[str, Any]) -> None:
    assert client.get("/api/v1/governance/meetings/").status_code == 401


def test_others_see_published_minutes_only(login: Any, personas: dict[str, Any], gov: dict[str, Any]) -> None:
    client = login(personas["analyst"])
    rows = client.get(f"/api/v1/governance/meetings/?group={gov['cluster'].pk}").json()
    assert rows == [
        {
            "id": gov["published"].pk,
            "group": gov["cluster"].pk,
            "date": "2021-05-05",
            "title": "Klyngestyregruppemøde RRA",
            "status": "published",
        }
    ]
    assert client.get(f"/api/v1/governance/meetings/{gov['draft'].pk}/").status_code == 404


def test_the_secretary_and_members_read_drafts(
    login: Any, personas: dict[str, Any], gov: dict[str, Any]
) -> None:
    rows = login(personas["secretary"]).get("/api/v1/governance/meetings/").json()
    assert [r["date"] for r in rows] == ["2021-06-16", "2021-05-05"]
    GroupMember.objects.filter(group=gov["cluster"], name="Solveig Gram").update(
        user=personas["ward_nurse_randers"]
    )
    member = login(personas["ward_nurse_randers"])
    assert member.get(f"/api/v1/governance/meetings/{gov['draft'].pk}/").status_code == 200


def test_the_group_filter_narrows_the_list(login: Any, personas: dict[str, Any], gov: dict[str, Any]) -> None:
    other = Group.objects.get(key="sundhedsstyregruppen")
    client = login(personas["secretary"])
    assert client.get(f"/api/v1/governance/meetings/?group={other.pk}").json() == []
    assert client.get("/api/v1/governance/meetings/?group=abc").status_code == 400
    assert client.get(f"/api/v1/governance/meetings/?group={2**64}").status_code == 400
    assert client.get(f"/api/v1/governance/meetings/{2**64}/").status_code == 404


def test_a_meeting_with_participants_items_and_action_items(
    login: Any, personas: dict[str, Any], gov: dict[str, Any]
) -> None:
    body = login(personas["analyst"]).get(f"/api/v1/governance/meetings/{gov['published'].pk}/").json()
    assert (
        body["id"] == gov["published"].pk and body["date"] == "2021-05-05" and body["status"] == "published"
    )
    helene = next(p for p in body["participants"] if p["name"] == "Helene Bækmark")
    assert helene == {
        "name": "Helene Bækmark",
        "title": "direktør Social og Arbejdsmarked",
        "organisation": "Randers Kommune",
        "apologies": True,
        "note": "",
    }
    marianne = next(p for p in body["participants"] if p["name"] == "Marianne Jensen")
    assert marianne["apologies"] is False and marianne["note"] == "deltager fra kl. 15"
    assert [i["number"] for i in body["items"]] == list(range(1, 10))
    gain = body["items"][1]
    assert gain["title"] == "Projekt GAIN 2.0" and len(gain["recommendations"]) == 2
    assert gain["attachments"] == [{"name": "GAIN 2.0 - om projektet"}]
    assert set(gain) == {"number", "title", "recommendations", "case", "decision", "attachments"}
    deadlines = [x["deadline"] for x in body["action_items"]]
    assert deadlines[:3] == ["2021-06-01", "2021-06-01", "2021-08-15"]
    assert None in deadlines
    assert {x["status"] for x in body["action_items"]} == {"open"}


def test_published_minutes_are_served_as_published_and_action_items_live(
    login: Any, personas: dict[str, Any], gov: dict[str, Any]
) -> None:
    """A change to the live rows after publication does not rewrite the minutes; action items move on."""
    meeting = gov["published"]
    meeting.items.filter(number=2).update(decision="Ændret efter offentliggørelse")
    ActionItem.objects.filter(meeting=meeting, deadline=dt.date(2021, 8, 15)).update(status="done")
    body = login(personas["analyst"]).get(f"/api/v1/governance/meetings/{meeting.pk}/").json()
    assert body["items"][1]["decision"].startswith("Christina er medformand")
    assert next(x for x in body["action_items"] if x["deadline"] == "2021-08-15")["status"] == "done"


def test_the_schema_documents_the_errors() -> None:
    from sektorbro.api.api import api

    schema = api.get_openapi_schema()
    detail = schema["paths"]["/api/v1/governance/meetings/{meeting_id}/"]["get"]["responses"]
    assert {"200", "400", "401", "404"} <= set(detail)


def test_during_a_correction_the_secretary_reads_the_draft_and_others_the_published(
    personas: dict[str, Any], gov: dict[str, Any]
) -> None:
    from sektorbro.governance.api import meeting_content

    meeting = gov["published"]
    meeting.status = MeetingStatus.HELD  # a correction was opened
    meeting.save()
    meeting.items.filter(number=2).update(decision="Rettet beslutning.")
    assert meeting_content(meeting, personas["secretary"])["items"][1]["decision"] == "Rettet beslutning."
    assert meeting_content(meeting, personas["analyst"])["items"][1]["decision"].startswith("Christina")
