"""MedCom messages for the demo: six invented Randers citizens whose stays the hospital reports by
HospitalNotification and CareCommunication, so the visitator's inbox, quarantine and outbox are not empty.

Every message is built with the project's own MedCom builders and goes through the real ingestion path: stored
raw in the inbox first, then processed (validated, applied to the course, acknowledged). The municipality's
letters are written with the same service the course page uses, so they wait in the outbox. One admission comes
from a hospital Sektorbro does not know, and ends in the quarantine with its reason.

The stories (times relative to when the demo is built):

1. Gudrun Holm – acute admission (STAA) to the emergency department six hours ago.
2. Svend Aagaard – planned admission (STIN) for a hip operation; the ward writes about the home care after
   discharge, and the visitation answers (the answer waits in the outbox).
3. Ruth Krogh – admitted four days ago, on leave overnight (STOR) and back this morning (SLOR).
4. Aksel Brandt – admitted five days ago and discharged home yesterday (SLHJ).
5. Birthe Vind – admitted yesterday; the visitation asks about her assistive devices (outbox) and the ward
   answers in the same thread (inbox).
6. Kaj Mølgaard – an admission notification from a hospital outside the region, whose sender Sektorbro does not
   know: quarantined with the reason "the sending hospital is unknown".

Running it again changes nothing: the messages are made once (recognised by their transport, ``demo``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from sektorbro.citizens.cpr import make_cpr
from sektorbro.citizens.models import Citizen
from sektorbro.messaging import ingest
from sektorbro.messaging.medcom import build, synthetic
from sektorbro.messaging.medcom.validate import check
from sektorbro.messaging.models import QUARANTINE_STATUSES, InboxMessage, OutboxMessage
from sektorbro.messaging.services import send_correspondence
from sektorbro.organisations.models import Municipality, OrganisationUnit

CPH = ZoneInfo("Europe/Copenhagen")
TRANSPORT = "demo"
SENDER_LABEL = "Demo: Regionshospitalet Randers"
NAMESPACE = uuid.UUID("6f1d3c2e-8a4b-4b7e-9d55-2c0a7e5f1b10")
MUNICIPAL_USER = "kommune.randers"


@dataclass(frozen=True)
class Story:
    key: str
    name: str
    born: dt.date
    female: bool
    serial: int


STORIES = [
    Story("acute", "Gudrun Holm", dt.date(1938, 4, 12), True, 951),
    Story("planned", "Svend Aagaard", dt.date(1947, 9, 3), False, 952),
    Story("leave", "Ruth Krogh", dt.date(1941, 1, 27), True, 953),
    Story("discharge", "Aksel Brandt", dt.date(1936, 6, 30), False, 954),
    Story("letters", "Birthe Vind", dt.date(1944, 11, 8), True, 955),
    Story("quarantine", "Kaj Mølgaard", dt.date(1950, 2, 14), False, 956),
]


@dataclass
class MessageCounts:
    inbox: int = 0
    quarantine: int = 0
    outbox: int = 0


def counts() -> MessageCounts:
    demo = InboxMessage.objects.filter(transport=TRANSPORT)
    return MessageCounts(
        inbox=demo.count(),
        quarantine=demo.filter(status__in=QUARANTINE_STATUSES).count(),
        outbox=OutboxMessage.objects.filter(
            Q(in_reply_to__transport=TRANSPORT) | Q(citizen__cpr__in=[cpr(s) for s in STORIES])
        )
        .distinct()
        .count(),
    )


def cpr(story: Story) -> str:
    return make_cpr(story.born, story.serial, story.female)


def _org(unit: OrganisationUnit) -> build.Organisation:
    return build.Organisation(unit.name, unit.sor_code, unit.location_number)


def _episode(story: Story) -> str:
    return str(uuid.uuid5(NAMESPACE, story.key))


def _at(now: dt.datetime, hours_ago: float) -> dt.datetime:
    return (now - dt.timedelta(hours=hours_ago)).astimezone(CPH).replace(second=0, microsecond=0)


def _notification(
    story: Story,
    code: str,
    *,
    sender: build.Organisation,
    receiver: build.Organisation,
    start: dt.datetime,
    sent_at: dt.datetime,
    previous: dict[str, Any] | None = None,
    end: dt.datetime | None = None,
    leave_start: dt.datetime | None = None,
    leave_end: dt.datetime | None = None,
) -> dict[str, Any]:
    return build.hospital_notification_message(
        build.HospitalNotificationDraft(
            event_code=code,
            sender=sender,
            receiver=receiver,
            patient=build.Patient.from_name(cpr(story), story.name),
            episode_of_care_id=_episode(story),
            start=start,
            end=end,
            leave_start=leave_start,
            leave_end=leave_end,
            sent_at=sent_at,
            encounter_class="EMER" if code == "STAA" else "IMP",
            previous=previous,
        )
    )


def _receive(bundles: list[dict[str, Any]]) -> list[InboxMessage]:
    """The real ingestion path: store every message raw first, then process them in arrival order."""
    stored = ingest.receive_many(
        [(build.to_json(b, indent=None).encode("utf-8"), SENDER_LABEL) for b in bundles], transport=TRANSPORT
    )
    ingest.process_batch([m.pk for m in stored], worker="demo")
    return list(InboxMessage.objects.filter(pk__in=[m.pk for m in stored]).order_by("id"))


def _ensure_citizens() -> dict[str, Citizen]:
    randers = Municipality.objects.get(code="730")
    gp = OrganisationUnit.objects.get(key="laege-730-1")
    citizens = {}
    for story in STORIES:
        citizen, _created = Citizen.objects.update_or_create(
            cpr=cpr(story),
            defaults={
                "name": story.name,
                "birth_date": story.born,
                "residence_municipality": randers,
                "gp_clinic": gp,
                "receives_elderly_care": story.key != "quarantine",
            },
        )
        citizens[story.key] = citizen
    return citizens


def build_demo_messages(now: dt.datetime) -> MessageCounts:
    """The demo's MedCom traffic (see the module's docstring). Does nothing when it is there already."""
    from sektorbro.accounts.models import User

    if InboxMessage.objects.filter(transport=TRANSPORT).exists():
        return counts()
    units = {u.key: u for u in OrganisationUnit.objects.filter(key__startswith="rhr") | OrganisationUnit.objects.filter(key="visitation-730")}  # fmt: skip
    visitation = _org(units["visitation-730"])
    acute_ward, medicine = _org(units["rhr-akut"]), _org(units["rhr-medicin"])
    orthopaedics, surgery = _org(units["rhr-ortopaedi"]), _org(units["rhr-kirurgi"])
    by_key = {s.key: s for s in STORIES}
    _ensure_citizens()

    def hn(key: str, code: str, sender: build.Organisation, **kwargs: Any) -> dict[str, Any]:
        return _notification(by_key[key], code, sender=sender, receiver=visitation, **kwargs)

    # 1-5: the hospital's notifications, in the order it sent them.
    acute_start = _at(now, 6)
    planned_start = _at(now, 50)
    leave_start_adm, leave_out, leave_back = _at(now, 98), _at(now, 30), _at(now, 5)
    discharge_adm, discharge_end = _at(now, 122), _at(now, 22)
    letters_start = _at(now, 26)
    leave_stin = hn("leave", "STIN", medicine, start=leave_start_adm, sent_at=leave_start_adm + dt.timedelta(minutes=4))  # fmt: skip
    leave_stor = hn("leave", "STOR", medicine, start=leave_start_adm, leave_start=leave_out, sent_at=leave_out + dt.timedelta(minutes=3), previous=leave_stin)  # fmt: skip
    leave_slor = hn("leave", "SLOR", medicine, start=leave_start_adm, leave_start=leave_out, leave_end=leave_back, sent_at=leave_back + dt.timedelta(minutes=2), previous=leave_stor)  # fmt: skip
    discharge_stin = hn("discharge", "STIN", medicine, start=discharge_adm, sent_at=discharge_adm + dt.timedelta(minutes=5))  # fmt: skip
    discharge_slhj = hn("discharge", "SLHJ", medicine, start=discharge_adm, end=discharge_end, sent_at=discharge_end + dt.timedelta(minutes=6), previous=discharge_stin)  # fmt: skip
    planned = hn("planned", "STIN", orthopaedics, start=planned_start, sent_at=planned_start + dt.timedelta(minutes=2))  # fmt: skip
    letters = hn("letters", "STIN", surgery, start=letters_start, sent_at=letters_start + dt.timedelta(minutes=3))  # fmt: skip
    acute = hn("acute", "STAA", acute_ward, start=acute_start, sent_at=acute_start + dt.timedelta(minutes=1))  # fmt: skip
    # The ward writes to the visitation about Svend Aagaard's home care after the operation.
    planned_story = by_key["planned"]
    care_letter = build.care_communication(
        sender=orthopaedics, receiver=visitation, patient_cpr=cpr(planned_story), patient_name=planned_story.name,
        category="carecoordination", topic="Hjemmepleje efter hofteoperation",
        text=(
            "Svend Aagaard er opereret med ny hofte i går og mobiliseres med rollator. Vi forventer udskrivelse "
            "om 2-3 dage og vurderer, at han har brug for hjælp til personlig pleje morgen og aften de første "
            "uger. Kan I nå at besøge ham inden udskrivelsen?"
        ),
        author=build.Author(given="Camilla", family="Nørgaard", phone="+4578420000", role_text="Sygeplejerske"),
        now=planned_start + dt.timedelta(hours=26),
    )  # fmt: skip
    # 6: an admission from a hospital outside the region that Sektorbro does not know (MedCom's test ward).
    quarantined_story = by_key["quarantine"]
    stranger = _notification(
        quarantined_story, "STIN", sender=synthetic.HOSPITAL_WARD, receiver=visitation,
        start=_at(now, 14), sent_at=_at(now, 14) + dt.timedelta(minutes=7),
    )  # fmt: skip
    inbox = _receive(
        [
            leave_stin, discharge_stin, planned, leave_stor, letters, care_letter, discharge_slhj, stranger,
            acute, leave_slor,
        ]
    )  # fmt: skip

    # The visitation answers the ward's letter and writes about Birthe Vind: both wait in the outbox.
    user = User.objects.get(username=MUNICIPAL_USER)
    received_letter = next(m for m in inbox if m.kind == "care_communication")
    assert received_letter.course is not None, received_letter.reason
    send_correspondence(
        actor=user, course=received_letter.course, reply_to=received_letter, category="carecoordination",
        topic="Hjemmepleje efter hofteoperation", phone="+4589151515",
        text=(
            "Tak for besked. Vi har bevilget hjælp til personlig pleje morgen og aften fra udskrivelsesdagen, og "
            "en visitator besøger ham på afdelingen i morgen formiddag. Giv gerne besked, når udskrivelsesdatoen "
            "er aftalt."
        ),
    )  # fmt: skip
    letters_message = next(
        m for m in inbox if m.citizen is not None and m.citizen.cpr == cpr(by_key["letters"])
    )
    assert letters_message.course is not None, letters_message.reason
    question = send_correspondence(
        actor=user, course=letters_message.course, category="assistive-devices", topic="Hjælpemidler",
        phone="+4589151515",
        text=(
            "Birthe Vind bor alene på 2. sal uden elevator. Har terapeuterne vurderet, om hun får brug for "
            "badetaburet eller toiletforhøjer, så vi kan levere dem, inden hun kommer hjem?"
        ),
    )  # fmt: skip
    # The ward answers in the same thread; the answer arrives in the visitation's inbox.
    answer = build.care_communication(
        sender=surgery, receiver=visitation, patient_cpr=cpr(by_key["letters"]), patient_name="Birthe Vind",
        category="assistive-devices", topic="Hjælpemidler",
        text=(
            "Ergoterapeuten har set hende i dag: hun har brug for badetaburet og toiletforhøjer. Vi forventer "
            "udskrivelse tidligst om tre dage."
        ),
        author=build.Author(given="Louise", family="Dahl", phone="+4578421010", role_text="Ergoterapeut"),
        now=timezone.now().replace(microsecond=0) + dt.timedelta(seconds=1),
        reply_to=check(question.content.encode("utf-8")),
    )  # fmt: skip
    _receive([answer])
    return counts()
