"""The governance write path: permission, optimistic concurrency, the lock after publication, versioned
corrections, attachment checks, attendance, decisions and action items, each with its audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sektorbro.core.errors import ConflictError, DomainError, NotPermitted
from sektorbro.core.models import AuditEvent
from sektorbro.governance import services
from sektorbro.governance.models import ActionItem, AgendaItem, Attachment, MeetingStatus, MinutesVersion
from tests.governance.world import make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(personas: dict[str, Any]) -> dict[str, Any]:
    secretary = personas["secretary"]
    group = make_group(secretary, member_user=personas["visitator_randers"])
    meeting = services.create_meeting(
        actor=secretary, group=group, date=dt.date(2026, 12, 10), title="Klyngestyregruppemøde"
    )
    return {"secretary": secretary, "group": group, "meeting": meeting, **personas}


def _item(s: dict[str, Any], title: str = "Punkt") -> AgendaItem:
    m = s["meeting"]
    return services.add_item(actor=s["secretary"], meeting=m, expected_version=m.version, title=title)


def _publish(s: dict[str, Any]) -> MinutesVersion:
    m = s["meeting"]
    services.mark_held(actor=s["secretary"], meeting=m, expected_version=m.version)
    return services.publish_minutes(actor=s["secretary"], meeting=m, expected_version=m.version)


def test_a_new_meeting_invites_the_active_members(setup: dict[str, Any]) -> None:
    participants = list(setup["meeting"].participants.values_list("name", "organisation", "attendance"))
    assert participants == [
        ("Anne Formand", "Regionshospitalet Randers", "expected"),
        ("Bo Medlem", "Randers Kommune", "expected"),
    ]
    assert AuditEvent.objects.filter(action="governance.meeting_created").count() == 1


def test_only_the_groups_secretary_edits(setup: dict[str, Any], make_user: Any) -> None:
    other_secretary = make_user("other.secretary", "committee_secretary", "sekretariat-randersklyngen")
    for actor in (setup["visitator_randers"], setup["analyst"], other_secretary, None):
        with pytest.raises(NotPermitted):
            services.create_meeting(actor=actor, group=setup["group"], date=dt.date(2027, 1, 1), title="X")
    m = setup["meeting"]
    with pytest.raises(NotPermitted):
        services.add_item(actor=setup["analyst"], meeting=m, expected_version=m.version, title="X")
    # An administrator may edit every group.
    services.add_item(actor=setup["administrator"], meeting=m, expected_version=m.version, title="Ok")


def test_every_write_bumps_the_version_and_a_stale_version_is_refused(setup: dict[str, Any]) -> None:
    m = setup["meeting"]
    seen = m.version
    item = _item(setup)
    assert m.version == seen + 1
    with pytest.raises(ConflictError) as info:
        services.record_decision(
            actor=setup["secretary"], item=item, expected_version=seen, decision="Godkendt"
        )
    assert info.value.field == "version"
    item.refresh_from_db()
    assert item.decision == ""  # never overwritten


def test_meeting_details_are_checked(setup: dict[str, Any]) -> None:
    m = setup["meeting"]
    with pytest.raises(DomainError) as info:
        services.update_meeting(
            actor=setup["secretary"],
            meeting=m,
            expected_version=m.version,
            date=m.date,
            title="  ",
        )
    assert info.value.field == "title"
    with pytest.raises(DomainError) as info:
        services.update_meeting(
            actor=setup["secretary"], meeting=m, expected_version=m.version, date=m.date, title="Møde",
            starts_at=dt.time(15), ends_at=dt.time(13),
        )  # fmt: skip
    assert info.value.field == "ends_at"
    services.update_meeting(
        actor=setup["secretary"], meeting=m, expected_version=m.version, date=dt.date(2026, 12, 11),
        title="Ekstraordinært møde", starts_at=dt.time(13), ends_at=dt.time(15), location="Randers",
    )  # fmt: skip
    m.refresh_from_db()
    assert (m.title, m.date, m.location) == ("Ekstraordinært møde", dt.date(2026, 12, 11), "Randers")


def test_items_are_added_edited_reordered_and_removed(setup: dict[str, Any]) -> None:
    s, m = setup["secretary"], setup["meeting"]
    a, b, c = _item(setup, "A"), _item(setup, "B"), _item(setup, "C")
    assert [a.number, b.number, c.number] == [1, 2, 3]
    services.update_item(
        actor=s, item=b, expected_version=m.version, title="B2", presenters="Anne Formand",
        recommendations=["at godkende", " ", "at drøfte"], case_text="Sagen",
        links=[{"label": "Genindlæggelser", "url": "/overblik/indikator/readmission_30d_somatic/"}],
    )  # fmt: skip
    b.refresh_from_db()
    assert b.recommendations == ["at godkende", "at drøfte"]
    assert b.links == [{"label": "Genindlæggelser", "url": "/overblik/indikator/readmission_30d_somatic/"}]
    m.refresh_from_db()
    services.move_item(actor=s, item=c, expected_version=m.version, direction="up")
    assert list(m.items.values_list("title", flat=True)) == ["A", "C", "B2"]
    services.reorder_items(actor=s, meeting=m, expected_version=m.version, order=[b.pk, a.pk, c.pk])
    assert list(m.items.values_list("title", flat=True)) == ["B2", "A", "C"]
    with pytest.raises(DomainError) as info:
        services.reorder_items(actor=s, meeting=m, expected_version=m.version, order=[a.pk, b.pk])
    assert info.value.field == "order"
    services.remove_item(actor=s, item=AgendaItem.objects.get(pk=a.pk), expected_version=m.version)
    assert list(m.items.values_list("number", "title")) == [(1, "B2"), (2, "C")]
    assert AuditEvent.objects.filter(action="governance.item_removed").count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "//evil.example/overblik/",
        "/admin/",
        "/overblik/../admin/ x",
        "javascript:alert(1)",
    ],
)
def test_links_go_to_the_overview_or_the_flowchart_only(setup: dict[str, Any], url: str) -> None:
    m = setup["meeting"]
    with pytest.raises(DomainError) as info:
        services.add_item(
            actor=setup["secretary"], meeting=m, expected_version=m.version, title="X",
            links=[{"label": "x", "url": url}],
        )  # fmt: skip
    assert info.value.field == "links"


def test_an_item_with_action_items_is_not_removed(setup: dict[str, Any]) -> None:
    m = setup["meeting"]
    item = _item(setup)
    services.raise_action_item(
        actor=setup["secretary"], item=item, expected_version=m.version, text="Gør noget", owner="Kommunerne"
    )
    with pytest.raises(ConflictError) as info:
        services.remove_item(actor=setup["secretary"], item=item, expected_version=m.version)
    assert info.value.field == "item"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Bilag 1.pdf", b"%PDF-1.7\n...", "application/pdf"),
        ("plan.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("foto.JPG", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"),
        ("noter.txt", "Møde kl. 15".encode(), "text/plain; charset=utf-8"),
        ("gammel.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "application/msword"),
    ],
)
def test_allowed_attachments_are_stored_with_their_hash(
    setup: dict[str, Any], name: str, content: bytes, content_type: str
) -> None:
    m = setup["meeting"]
    item = _item(setup)
    attachment = services.add_attachment(
        actor=setup["secretary"],
        item=item,
        expected_version=m.version,
        name=f"C:\\Users\\x\\{name}",
        content=content,
    )
    attachment.refresh_from_db()
    assert attachment.name == name
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.content is not None and bytes(attachment.content) == content


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("program.exe", b"MZ\x90\x00", ".exe"),
        ("bilag.pdf", b"MZ\x90\x00 not a pdf", "bilag.pdf"),
        ("bilag.pdf", _docx(), "Word"),
        ("billede.png", b"%PDF-1.4", "PDF"),
        ("tom.pdf", b"", "empty"),
        ("binær.txt", b"abc\x00def", "unknown"),
        ("uden-endelse", b"%PDF-1.4", ".?"),
    ],
)
def test_attachments_of_the_wrong_type_are_refused_with_the_reason(
    setup: dict[str, Any], name: str, content: bytes, words: str
) -> None:
    m = setup["meeting"]
    item = _item(setup)
    with translation.override("en"), pytest.raises(DomainError) as info:
        services.add_attachment(
            actor=setup["secretary"], item=item, expected_version=m.version, name=name, content=content
        )
    assert info.value.field == "file"
    assert words in info.value.message
    assert not Attachment.objects.exists()


@override_settings(SEKTORBRO_GOVERNANCE_ATTACHMENT_MAX_BYTES=1024 * 1024)
def test_an_attachment_over_the_size_limit_is_refused(setup: dict[str, Any]) -> None:
    m = setup["meeting"]
    item = _item(setup)
    content = b"%PDF-1.4" + b"x" * (1024 * 1024)
    with pytest.raises(DomainError) as info:
        services.add_attachment(
            actor=setup["secretary"], item=item, expected_version=m.version, name="stor.pdf", content=content
        )
    assert info.value.field == "file"
    assert "1 MB" in info.value.message


def test_attendance_is_recorded_per_participant(setup: dict[str, Any]) -> None:
    m = setup["meeting"]
    anne, bo = m.participants.order_by("position")
    services.record_attendance(
        actor=setup["secretary"], meeting=m, expected_version=m.version,
        entries={anne.pk: ("present", "deltager fra kl. 15"), bo.pk: ("apologies", "")},
    )  # fmt: skip
    assert list(m.participants.values_list("attendance", "note")) == [
        ("present", "deltager fra kl. 15"),
        ("apologies", ""),
    ]
    with pytest.raises(DomainError) as info:
        services.record_attendance(
            actor=setup["secretary"],
            meeting=m,
            expected_version=m.version,
            entries={anne.pk: ("sleeping", "")},
        )
    assert info.value.field == "attendance"
    guest = services.add_participant(
        actor=setup["secretary"], meeting=m, expected_version=m.version, name="Gæst Oplægsholder",
        attendance="present",
    )  # fmt: skip
    assert guest.position == 2


def test_action_items_are_raised_and_closed_with_a_note(setup: dict[str, Any]) -> None:
    s, m = setup["secretary"], setup["meeting"]
    item = _item(setup)
    action = services.raise_action_item(
        actor=s, item=item, expected_version=m.version, text="Udpeg terapeuter", owner="Kommunerne",
        deadline=dt.date(2027, 1, 15), owner_user=setup["visitator_randers"],
    )  # fmt: skip
    with pytest.raises(DomainError) as info:
        services.raise_action_item(actor=s, item=item, expected_version=m.version, text="", owner="X")
    assert info.value.field == "text"
    with pytest.raises(DomainError) as info:
        services.close_action_item(actor=s, action=action, status="cancelled", note="")
    assert info.value.field == "note"
    later = services.create_meeting(
        actor=s, group=setup["group"], date=dt.date(2027, 2, 1), title="Næste møde"
    )
    with pytest.raises(NotPermitted):
        services.close_action_item(actor=setup["visitator_randers"], action=action, status="done")
    services.close_action_item(
        actor=s, action=action, status="done", note="Terapeuterne er udpeget", at_meeting=later,
        expected_version=later.version, today=dt.date(2027, 2, 1),
    )  # fmt: skip
    action.refresh_from_db()
    assert (action.status, action.closed_in, action.closed_at) == ("done", later, dt.date(2027, 2, 1))
    with pytest.raises(ConflictError):
        services.close_action_item(actor=s, action=action, status="done")


def test_publishing_freezes_the_minutes_and_locks_the_meeting(setup: dict[str, Any]) -> None:
    s, m = setup["secretary"], setup["meeting"]
    item = _item(setup, "GAIN 2.0")
    services.record_decision(actor=s, item=item, expected_version=m.version, decision="Godkendt")
    with pytest.raises(ConflictError) as info:
        services.publish_minutes(actor=s, meeting=m, expected_version=m.version)
    assert info.value.field == "status"  # not held yet
    first = _publish(setup)
    assert first.number == 1 and first.reason == ""
    assert first.document["items"][0]["decision"] == "Godkendt"
    assert m.status == MeetingStatus.PUBLISHED
    for attempt in (
        lambda: services.record_decision(actor=s, item=item, expected_version=m.version, decision="Afvist"),
        lambda: services.add_item(actor=s, meeting=m, expected_version=m.version, title="Nyt"),
        lambda: services.update_meeting(
            actor=s, meeting=m, expected_version=m.version, date=m.date, title="Ny"
        ),
        lambda: services.add_attachment(
            actor=s, item=item, expected_version=m.version, name="a.pdf", content=b"%PDF-1"
        ),
        lambda: services.raise_action_item(
            actor=s, item=item, expected_version=m.version, text="x", owner="y"
        ),
        lambda: services.publish_minutes(actor=s, meeting=m, expected_version=m.version),
    ):
        with pytest.raises(ConflictError) as info:
            attempt()
        assert info.value.field == "status"
    item.refresh_from_db()
    assert item.decision == "Godkendt"


def test_a_correction_is_a_new_version_with_its_reason(setup: dict[str, Any]) -> None:
    s, m = setup["secretary"], setup["meeting"]
    item = _item(setup, "GAIN 2.0")
    services.record_decision(actor=s, item=item, expected_version=m.version, decision="Godkendt")
    _publish(setup)
    services.open_correction(actor=s, meeting=m, expected_version=m.version)
    services.record_decision(
        actor=s, item=item, expected_version=m.version, decision="Godkendt med ændringer"
    )
    with pytest.raises(DomainError) as info:
        services.publish_minutes(actor=s, meeting=m, expected_version=m.version)
    assert info.value.field == "reason"
    second = services.publish_minutes(
        actor=s, meeting=m, expected_version=m.version, reason="Beslutningen var gengivet forkert"
    )
    assert second.number == 2 and second.reason == "Beslutningen var gengivet forkert"
    versions = {v.number: v.document["items"][0]["decision"] for v in m.minutes_versions.all()}
    assert versions == {1: "Godkendt", 2: "Godkendt med ændringer"}  # the older version stays readable
    assert AuditEvent.objects.filter(action="governance.minutes_published").count() == 2
    with pytest.raises(ConflictError):
        services.open_correction(actor=s, meeting=m, expected_version=m.version - 1)


def test_closing_an_earlier_action_item_does_not_touch_published_minutes(setup: dict[str, Any]) -> None:
    s, m = setup["secretary"], setup["meeting"]
    item = _item(setup)
    action = services.raise_action_item(
        actor=s, item=item, expected_version=m.version, text="Opgave", owner="KSG"
    )
    version = _publish(setup)
    services.close_action_item(actor=s, action=action, status="done", note="Løst")
    assert ActionItem.objects.get(pk=action.pk).status == "done"
    version.refresh_from_db()
    assert version.document["action_items"][0]["status"] == "open"


# The two small parsers of untrusted input: what a file is, and where a link may point.


@given(st.binary(max_size=2048))
def test_sniffing_any_bytes_never_fails(content: bytes) -> None:
    kind = services.sniff(content)
    assert kind is None or kind.extensions


@given(st.binary(max_size=512))
def test_a_zip_that_is_not_office_is_never_taken_for_one(tail: bytes) -> None:
    assert services.sniff(b"PK\x03\x04" + tail) is None


@given(st.text(max_size=80))
def test_a_link_is_accepted_only_as_an_internal_overview_or_flowchart_path(url: str) -> None:
    try:
        links = services.clean_links([{"label": "x", "url": url}])
    except DomainError:
        return
    for link in links:
        assert link["url"].startswith(("/overblik/", "/flowchart/"))
        assert "//" not in link["url"] and not any(c.isspace() for c in link["url"])


def test_a_decision_is_audited_with_what_it_said_before(setup: dict[str, Any]) -> None:
    s, m = setup["secretary"], setup["meeting"]
    item = _item(setup)
    services.record_decision(actor=s, item=item, expected_version=m.version, decision="Udsat")
    services.record_decision(actor=s, item=item, expected_version=m.version, decision="Godkendt")
    last = AuditEvent.objects.filter(action="governance.decision_recorded").order_by("-id").first()
    assert last is not None and last.data["before"] == "Udsat" and last.data["after"] == "Godkendt"
    assert last.actor == s
