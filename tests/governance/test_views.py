"""The meeting pages: who reads and edits what, the secretary's forms, the minutes page and its versions, the
action items page with its filters and the carried-forward follow-up, search, links, and no citizen data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sektorbro.core.models import AuditEvent
from sektorbro.governance import services
from sektorbro.governance.models import ActionItem, AgendaItem, Meeting
from tests.governance.world import governance_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    return {**personas, **governance_world(personas)}


def _get(login: Any, user: Any, path: str) -> Any:
    return login(user).get(path)


def test_anonymous_users_are_sent_to_the_login(client: Any, world: dict[str, Any]) -> None:
    for path in (
        "/moeder/",
        f"/moeder/{world['published'].pk}/",
        "/moeder/opgaver/",
        "/moeder/soeg/?q=audit",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_secretary_sees_the_edit_forms(login: Any, world: dict[str, Any]) -> None:
    body = _get(login, world["secretary"], f"/moeder/{world['draft'].pk}/").content.decode()
    assert "Velkomst og godkendelse af dagsorden" in body
    assert f'action="/moeder/{world["draft"].pk}/punkter/"' in body
    assert f'action="/moeder/{world["draft"].pk}/afholdt/"' in body


def test_a_member_reads_drafts_but_has_no_forms(login: Any, world: dict[str, Any]) -> None:
    client = login(world["visitator_randers"])  # a GroupMember with this user account
    response = client.get(f"/moeder/{world['draft'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Velkomst og godkendelse af dagsorden" in body
    assert '<form method="post" action="/moeder/' not in body
    assert (
        client.post(f"/moeder/{world['draft'].pk}/punkter/", {"title": "X", "version": "9"}).status_code
        == 403
    )


def test_other_users_see_published_minutes_only(login: Any, world: dict[str, Any]) -> None:
    client = login(world["analyst"])
    assert client.get(f"/moeder/{world['draft'].pk}/").status_code == 404
    assert client.get(f"/moeder/{world['published'].pk}/").status_code == 200
    assert client.get(f"/moeder/{world['published'].pk}/referat/").status_code == 200
    index = client.get("/moeder/").content.decode()
    assert "Klyngestyregruppemøde maj" in index
    assert world["draft"].date.strftime("%d.%m.%Y") not in index
    group = client.get("/moeder/gruppe/ksg-randers/").content.decode()
    assert "Anne Formand" in group and "Kommissorium 2021" in group
    # A user without any organisation sees nothing.
    outsider = login(world["outsider"])
    assert outsider.get("/moeder/").status_code == 403
    assert outsider.get(f"/moeder/{world['published'].pk}/referat/").status_code == 403


def test_a_correction_in_progress_keeps_the_published_version_for_readers(
    login: Any, world: dict[str, Any]
) -> None:
    secretary, meeting = world["secretary"], world["published"]
    services.open_correction(actor=secretary, meeting=meeting, expected_version=meeting.version)
    services.record_decision(
        actor=secretary, item=world["item"], expected_version=meeting.version, decision="Udkast til rettelse"
    )
    client = login(world["analyst"])
    response = client.get(f"/moeder/{meeting.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/moeder/{meeting.pk}/referat/"
    body = client.get(f"/moeder/{meeting.pk}/referat/").content.decode()
    assert "Godkendt med audit i efteråret." in body
    assert "Udkast til rettelse" not in body


def test_the_secretary_prepares_holds_and_publishes(login: Any, world: dict[str, Any]) -> None:
    client = login(world["secretary"])
    meeting = world["draft"]
    url = f"/moeder/{meeting.pk}/"
    response = client.post(
        f"{url}punkter/",
        {
            "title": "Audit på udskrivelser",
            "presenters": "Anne Formand",
            "recommendations": "at styregruppen godkender audit\nat resultatet forelægges i juni",
            "case_text": "Klyngen gennemfører audit.",
            "links": "Genindlæggelser | /overblik/indikator/readmission_30d_somatic/",
            "version": meeting.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{url}#dagsorden"
    meeting.refresh_from_db()
    item = meeting.items.get(title="Audit på udskrivelser")
    assert item.recommendations == ["at styregruppen godkender audit", "at resultatet forelægges i juni"]
    page = client.get(url).content.decode()
    assert 'href="/overblik/indikator/readmission_30d_somatic/"' in page

    upload = SimpleUploadedFile("auditplan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    response = client.post(f"{url}punkter/{item.pk}/bilag/", {"file": upload, "version": meeting.version})
    assert response.status_code == 302
    meeting.refresh_from_db()
    attachment = item.attachments.get()
    download = client.get(f"{url}bilag/{attachment.pk}/")
    assert download.content == b"%PDF-1.4 plan"
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]

    response = client.post(f"{url}bilag/{attachment.pk}/slet/", {"version": meeting.version})
    assert response.status_code == 302 and not item.attachments.exists()
    meeting.refresh_from_db()
    upload = SimpleUploadedFile("auditplan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    client.post(f"{url}punkter/{item.pk}/bilag/", {"file": upload, "version": meeting.version})
    meeting.refresh_from_db()

    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(f"{url}punkter/{item.pk}/bilag/", {"file": bad, "version": meeting.version})
    assert response.status_code == 400
    assert "virus" not in [a.name for a in item.attachments.all()]
    assert ".exe" in response.content.decode()

    assert client.post(f"{url}afholdt/", {"version": meeting.version}).status_code == 302
    meeting.refresh_from_db()
    anne, bo = meeting.participants.order_by("position")
    response = client.post(
        f"{url}fremmoede/",
        {
            f"attendance_{anne.pk}": "present",
            f"note_{anne.pk}": "deltager fra kl. 15",
            f"attendance_{bo.pk}": "apologies",
            f"note_{bo.pk}": "",
            "version": meeting.version,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (
        client.post(
            f"{url}punkter/{item.pk}/beslutning/", {"decision": "Godkendt.", "version": meeting.version}
        ).status_code
        == 302
    )
    meeting.refresh_from_db()
    response = client.post(
        f"{url}punkter/{item.pk}/opgaver/",
        {
            "text": "Gennemfør audit",
            "owner": "Kommunerne",
            "deadline": "2027-01-15",
            "version": meeting.version,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    response = client.post(f"{url}udgiv/", {"version": meeting.version, "reason": ""})
    assert response.status_code == 302 and response["Location"] == f"{url}referat/"
    minutes = client.get(f"{url}referat/").content.decode()
    assert 'href="/overblik/indikator/readmission_30d_somatic/"' in minutes
    assert "deltager fra kl. 15" in minutes and "Godkendt." in minutes and "Gennemfør audit" in minutes
    assert f'href="/moeder/{meeting.pk}/referat.pdf"' in minutes
    actions = client.get("/moeder/opgaver/").content.decode()
    assert "Gennemfør audit" in actions


def test_a_stale_form_is_refused_and_shown_again(login: Any, world: dict[str, Any]) -> None:
    client = login(world["secretary"])
    meeting, item = world["draft"], world["draft_item"]
    stale = meeting.version
    services.record_decision(actor=world["secretary"], item=item, expected_version=stale, decision="Først")
    response = client.post(
        f"/moeder/{meeting.pk}/punkter/{item.pk}/beslutning/", {"decision": "Anden", "version": stale}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Anden" in body  # the user's entry is kept
    item.refresh_from_db()
    assert item.decision == "Først"


def test_a_published_meeting_is_locked_in_the_pages(login: Any, world: dict[str, Any]) -> None:
    client = login(world["secretary"])
    meeting, item = world["published"], world["item"]
    page = client.get(f"/moeder/{meeting.pk}/").content.decode()
    assert f'action="/moeder/{meeting.pk}/ret/"' in page
    assert f'action="/moeder/{meeting.pk}/punkter/{item.pk}/beslutning/"' not in page
    response = client.post(
        f"/moeder/{meeting.pk}/punkter/{item.pk}/beslutning/",
        {"decision": "Ændret", "version": meeting.version},
    )
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.decision == "Godkendt med audit i efteråret."


def test_a_correction_is_published_with_its_reason_and_versions_stay_readable(
    login: Any, world: dict[str, Any]
) -> None:
    client = login(world["secretary"])
    meeting, item = world["published"], world["item"]
    url = f"/moeder/{meeting.pk}/"
    assert client.post(f"{url}ret/", {"version": meeting.version}).status_code == 302
    meeting.refresh_from_db()
    client.post(
        f"{url}punkter/{item.pk}/beslutning/", {"decision": "Rettet beslutning", "version": meeting.version}
    )
    meeting.refresh_from_db()
    response = client.post(f"{url}udgiv/", {"version": meeting.version, "reason": ""})
    assert response.status_code == 400
    response = client.post(f"{url}udgiv/", {"version": meeting.version, "reason": "Forkert gengivet"})
    assert response.status_code == 302
    current = client.get(f"{url}referat/").content.decode()
    assert "Rettet beslutning" in current and "Forkert gengivet" in current
    first = client.get(f"{url}referat/?version=1").content.decode()
    assert "Godkendt med audit i efteråret." in first and "Rettet beslutning" not in first
    assert client.get(f"{url}referat/?version=9").status_code == 404


def test_action_items_page_filters_and_marks_overdue(login: Any, world: dict[str, Any]) -> None:
    client = login(world["secretary"])
    open_page = client.get("/moeder/opgaver/").content.decode()
    assert "Udpeg terapeuter til GAIN" in open_page and "status-failed" in open_page  # deadline 01.06.2021
    assert "Udpeg terapeuter til GAIN" in client.get("/moeder/opgaver/?status=overdue").content.decode()
    assert "Udpeg terapeuter til GAIN" not in client.get("/moeder/opgaver/?status=done").content.decode()
    partial = client.get("/moeder/opgaver/?status=open", headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="action-results"')
    # The overview lists the secretary's open and overdue items.
    assert "Udpeg terapeuter til GAIN" in client.get("/moeder/").content.decode()


def test_open_action_items_are_carried_to_the_next_meeting_and_closed_there(
    login: Any, world: dict[str, Any]
) -> None:
    client = login(world["secretary"])
    meeting, action = world["draft"], world["action"]
    page = client.get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Opfølgning" in page or "Follow-up" in page
    assert "Udpeg terapeuter til GAIN" in page
    response = client.post(
        f"/moeder/opgaver/{action.pk}/luk/",
        {"status": "done", "note": "Udpeget", "meeting": meeting.pk, "version": meeting.version,
         "next": f"/moeder/{meeting.pk}/#opfoelgning"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/moeder/{meeting.pk}/#opfoelgning"
    action.refresh_from_db()
    assert action.status == "done" and action.closed_in_id == meeting.pk
    # Someone who only reads may not close it.
    other = ActionItem.objects.create(meeting=world["published"], text="Anden opgave", owner="KSG")
    member = login(world["visitator_randers"])
    assert member.post(f"/moeder/opgaver/{other.pk}/luk/", {"status": "done"}).status_code == 403


def test_closing_refuses_an_outside_next_address(login: Any, world: dict[str, Any]) -> None:
    client = login(world["secretary"])
    response = client.post(
        f"/moeder/opgaver/{world['action'].pk}/luk/", {"status": "done", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/moeder/opgaver/"


def test_search_finds_decisions_and_action_items_the_user_may_read(login: Any, world: dict[str, Any]) -> None:
    services.add_item(
        actor=world["secretary"], meeting=world["draft"], expected_version=world["draft"].version,
        title="Hemmeligt udkast", case_text="Audit af udkast",
    )  # fmt: skip
    client = login(world["analyst"])
    body = client.get("/moeder/soeg/?q=audit").content.decode()
    assert "GAIN 2.0" in body  # the decision "Godkendt med audit i efteråret."
    assert "Hemmeligt udkast" not in body  # a draft the analyst may not read
    assert "Udpeg terapeuter" in client.get("/moeder/soeg/?q=terapeuter").content.decode()
    secretary = login(world["secretary"])
    assert "Hemmeligt udkast" in secretary.get("/moeder/soeg/?q=AUDIT").content.decode()
    assert "GAIN 2.0" in secretary.get("/moeder/soeg/?q=efterår").content.decode()


def test_the_group_page_shows_terms_by_version(login: Any, world: dict[str, Any]) -> None:
    client = login(world["visitator_randers"])
    current = client.get("/moeder/gruppe/ksg-randers/").content.decode()
    assert "Godkende handleplaner" in current and "Carla Stedfortræder" in current
    assert "<td>Maj 2021</td><td>Første møde<br>Godkendelse af kommissorium</td>" in current
    assert "Præmisser for arbejdet" in current and "Borgeren oplever et sammenhængende forløb." in current
    assert "Dan Tidligere" not in current  # no longer active
    older = client.get("/moeder/gruppe/ksg-randers/?version=1").content.decode()
    assert "Gammel baggrund" in older
    assert client.get("/moeder/gruppe/ksg-randers/?version=7").status_code == 404
    assert client.get("/moeder/gruppe/findes-ikke/").status_code == 404


def test_the_secretary_creates_a_meeting_from_the_group_page(login: Any, world: dict[str, Any]) -> None:
    client = login(world["secretary"])
    response = client.post(
        "/moeder/gruppe/ksg-randers/nyt-moede/",
        {"title": "Januarmøde", "date": "2027-01-20", "starts_at": "13:00", "ends_at": "15:00", "location": "",
         "case_number": ""},
    )  # fmt: skip
    meeting = Meeting.objects.get(title="Januarmøde")
    assert response["Location"] == f"/moeder/{meeting.pk}/"
    assert meeting.participants.count() == 2
    assert (
        login(world["analyst"])
        .post("/moeder/gruppe/ksg-randers/nyt-moede/", {"title": "X", "date": "2027-01-20"})
        .status_code
        == 403
    )


def test_items_are_moved_and_removed_from_the_page(login: Any, world: dict[str, Any]) -> None:
    client = login(world["secretary"])
    meeting = world["draft"]
    second = services.add_item(
        actor=world["secretary"], meeting=meeting, expected_version=meeting.version, title="Eventuelt"
    )
    client.post(
        f"/moeder/{meeting.pk}/punkter/{second.pk}/flyt/", {"direction": "up", "version": meeting.version}
    )
    assert list(meeting.items.values_list("title", flat=True)) == [
        "Eventuelt",
        "Velkomst og godkendelse af dagsorden",
    ]
    meeting.refresh_from_db()
    client.post(f"/moeder/{meeting.pk}/punkter/{second.pk}/slet/", {"version": meeting.version})
    assert not AgendaItem.objects.filter(pk=second.pk).exists()
    assert AuditEvent.objects.filter(action="governance.item_removed").exists()


def test_no_citizen_data_on_the_governance_pages(
    login: Any, world: dict[str, Any], randers_world: dict[str, Any]
) -> None:
    client = login(world["secretary"])
    names = [c.name for c in randers_world.values() if hasattr(c, "cpr")]
    cprs = [c.cpr for c in randers_world.values() if hasattr(c, "cpr")]
    for path in (
        "/moeder/",
        "/moeder/gruppe/ksg-randers/",
        f"/moeder/{world['published'].pk}/",
        f"/moeder/{world['published'].pk}/referat/",
        "/moeder/opgaver/?status=all",
        "/moeder/soeg/?q=Randers",
    ):
        body = client.get(path).content.decode()
        assert not any(n in body for n in names), path
        assert not any(c in body for c in cprs), path


def test_the_start_page_links_the_secretary_to_the_meetings(login: Any, world: dict[str, Any]) -> None:
    body = login(world["secretary"]).get("/").content.decode()
    assert 'href="/moeder/"' in body


def test_dates_are_shown_the_danish_way(login: Any, world: dict[str, Any]) -> None:
    body = login(world["secretary"]).get(f"/moeder/{world['published'].pk}/referat/").content.decode()
    assert "05.05.2021" in body
    assert dt.date(2021, 6, 1).strftime("%d.%m.%Y") in body


def test_the_owner_of_an_action_item_sees_it_on_the_overview(login: Any, world: dict[str, Any]) -> None:
    action = world["action"]
    owner = world["gp_randers"]  # neither member nor secretary: the item is in published minutes
    assert "Udpeg terapeuter til GAIN" not in login(owner).get("/moeder/").content.decode()
    ActionItem.objects.filter(pk=action.pk).update(owner_user=owner)
    body = login(owner).get("/moeder/").content.decode()
    assert "Udpeg terapeuter til GAIN" in body and "row-overdue" in body


def test_an_oversized_upload_is_refused_before_it_is_read(
    login: Any, world: dict[str, Any], settings: Any
) -> None:
    settings.SEKTORBRO_GOVERNANCE_ATTACHMENT_MAX_BYTES = 1024
    meeting, item = world["draft"], world["draft_item"]
    upload = SimpleUploadedFile("stor.pdf", b"%PDF-1.4" + b"x" * 4096, content_type="application/pdf")
    response = login(world["secretary"]).post(
        f"/moeder/{meeting.pk}/punkter/{item.pk}/bilag/", {"file": upload, "version": meeting.version}
    )
    assert response.status_code == 400
    assert "stor.pdf" in response.content.decode() and "MB" in response.content.decode()
    assert not item.attachments.exists()


def test_search_answers_htmx_with_the_results_only(login: Any, world: dict[str, Any]) -> None:
    client = login(world["analyst"])
    partial = client.get("/moeder/soeg/?q=audit", headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="search-results"') and "GAIN 2.0" in partial
    assert "<html" not in partial
    empty = client.get("/moeder/soeg/?q=").content.decode()
    assert "GAIN 2.0" not in empty


def test_the_group_filter_on_the_action_items_page(
    login: Any, world: dict[str, Any], personas: dict[str, Any]
) -> None:
    from tests.governance.world import make_group

    other = make_group(personas["secretary"], key="ksg-viborg")
    meeting = services.create_meeting(
        actor=personas["secretary"], group=other, date=dt.date(2026, 1, 5), title="Viborg"
    )
    item = services.add_item(
        actor=personas["secretary"], meeting=meeting, expected_version=meeting.version, title="X"
    )
    services.raise_action_item(
        actor=personas["secretary"],
        item=item,
        expected_version=meeting.version,
        text="Viborgs opgave",
        owner="Viborg",
    )
    client = login(world["secretary"])
    both = client.get("/moeder/opgaver/?status=all").content.decode()
    assert "Viborgs opgave" in both and "Udpeg terapeuter til GAIN" in both
    randers = client.get("/moeder/opgaver/?status=all&gruppe=ksg-randers").content.decode()
    assert "Viborgs opgave" not in randers and "Udpeg terapeuter til GAIN" in randers
