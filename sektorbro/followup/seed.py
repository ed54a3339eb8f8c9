"""The demo's audit round: Randersklyngen's autumn round as its steering group decided it on 5 May 2021 (minutes,
item 3), with the five themes the spring audit's suggestions were coded into, an audit group from the hospital,
the four municipalities and general practice, a few of the demo region's courses and suggestions for each party.

The themes, the selection and the questions are transcribed from the minutes (two slips of the pen corrected:
the minutes write "Behandlingplan" and "Lives afslutning"; item 4 of the same minutes has "Livets afslutning").
The members and the suggestions are invented, and so are the three earlier stays given to each audited demo
citizen (the demo region has one course per citizen; an audit needs more than three admissions). Safe to run again: an existing round is left as it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from sektorbro.courses import services as course_services
from sektorbro.courses.models import Course
from sektorbro.followup import services
from sektorbro.followup.candidates import Candidate, months_before
from sektorbro.followup.models import Answer, AuditRound, Party
from sektorbro.organisations.models import Cluster, OrganisationUnit

CLUSTER = "randersklyngen"
TITLE = "Tværsektoriel audit på forebyggelige indlæggelser, efterårsrunden"
SELECTION = (
    "Hospitalet finder fem patientforløb pr. kommune med forebyggelige indlæggelsesdiagnoser og mere end 3 "
    "indlæggelser inden for de sidste 3 måneder. Forløbene gennemgås åbent med afsæt i spørgsmålene: Er der "
    "sammenhæng i forløbet? Kan vi gøre noget for at forebygge indlæggelserne i forløbet? Hvilke mønstre tegner "
    "der sig? (Klyngestyregruppen, Randersklyngen, 5. maj 2021, punkt 3.)"
)
THEMES = [
    ("Behandlingsplan til patienter med KOL", ""),
    (
        "Opfølgende hjemmebesøg",
        "Reimplementering af den eksisterende ordning: hospitalet screener borgere ved indlæggelse og henviser "
        "til et opfølgende besøg hos de borgere, der samtykker; besøget aftales mellem kommune og praktiserende "
        "læge.",
    ),
    ("Livets afslutning", ""),
    (
        "Tidlig opsporing og indsats ved alkoholproblemer",
        "Fx information på tværs ved borgere med alkoholmisbrug.",
    ),
    (
        "Kompetenceudvikling og videndeling på tværs",
        "Drøftes i arbejdsgruppen for Sammenhængende Patientforløb, hvor der også planlægges en evt. virtuel "
        "Fælles Skolebænk.",
    ),
]
# (name, job title, party, unit key) - invented people; the first three are demo logins' names.
MEMBERS = [
    ("Camilla Nørgaard", "Sygeplejerske, medicinsk afdeling", Party.HOSPITAL, "rhr-medicin"),
    ("Jens Mikkelsen", "Overlæge, medicinsk afdeling", Party.HOSPITAL, "rhr-medicin"),
    ("Mette Lund", "Visitator", Party.MUNICIPALITY, "visitation-730"),
    ("Birthe Laursen", "Sygeplejerske, hjemmesygeplejen", Party.MUNICIPALITY, "home-nursing-707"),
    ("Kasper Vinther", "Teamleder, visitationen", Party.MUNICIPALITY, "visitation-710"),
    ("Tove Skov", "Akutsygeplejerske", Party.MUNICIPALITY, "acute-function-706"),
    ("Karen Poulsen", "Praktiserende læge og praksiskonsulent", Party.GENERAL_PRACTICE, "laege-730-1"),
]
# (theme number, party, text) for the audited courses in turn.
SUGGESTIONS = [
    (1, Party.HOSPITAL, "Udskrivende afdeling sender en opdateret KOL-behandlingsplan med plan for forværring til "
     "egen læge og hjemmesygeplejen."),
    (1, Party.GENERAL_PRACTICE, "Egen læge gennemgår behandlingsplanen ved årskontrollen og sikrer, at borgeren har "
     "nødbehandling i hjemmet."),
    (2, Party.MUNICIPALITY, "Hjemmesygeplejen aflægger opfølgende hjemmebesøg inden for en uge efter udskrivelsen "
     "hos borgere, der er screenet og har sagt ja."),
    (2, Party.HOSPITAL, "Afdelingen screener ved indlæggelsen og henviser til opfølgende hjemmebesøg, så henvisningen "
     "følger med udskrivningsrapporten."),
    (3, Party.HOSPITAL, "Samtalen om behandlingsniveau og borgerens ønsker dokumenteres og deles med kommunen og egen "
     "læge."),
    (3, Party.GENERAL_PRACTICE, "Egen læge tager forventningssamtalen om livets afslutning, før forløbet bliver "
     "akut."),
    (4, Party.MUNICIPALITY, "Hjemmeplejen spørger ind til alkohol og giver besked til egen læge ved bekymring."),
    (4, Party.HOSPITAL, "Akutafdelingen giver kommunen besked om alkoholproblemer, når borgeren samtykker."),
    (5, Party.MUNICIPALITY, "Fælles Skolebænk for sygeplejersker fra hospital og kommuner om KOL-borgere i eget hjem."),
]  # fmt: skip
REGISTRY_CANDIDATES = ["R-demo-0412", "R-demo-1187"]


def _platform_courses(cluster: Cluster, start: dt.date, among: Iterable[int] | None) -> list[Course]:
    """One acute somatic course per municipality of the cluster (the earliest citizen, of ``among`` when given),
    for the timelines."""
    since = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())
    chosen: dict[int, Course] = {}
    for course in (
        Course.objects.filter(
            municipality__cluster=cluster, area="somatic", track="acute", admitted_at__gte=since
        )
        .filter(**({} if among is None else {"citizen_id__in": list(among)}))
        .select_related("municipality")
        .order_by("citizen_id", "admitted_at")
    ):
        chosen.setdefault(course.municipality_id, course)
    return [chosen[k] for k in sorted(chosen)]


def _earlier_admissions(course: Course) -> None:
    """Three earlier acute stays of the course's citizen, three weeks apart, so the audited course has the "more
    than 3 admissions within the last 3 months" of the selection: admitted, care plan, ready for discharge,
    discharge report, discharged home."""
    for weeks in (9, 6, 3):
        admitted = course.admitted_at - dt.timedelta(weeks=weeks)
        earlier = course_services.open_course(
            actor=None,
            citizen=course.citizen,
            hospital=course.hospital,
            department=course.department,
            area="somatic",
            track="acute",
            admitted_at=admitted,
        )
        for kind, after, data in (
            ("care_plan_sent", dt.timedelta(hours=20), {}),
            ("ready_for_discharge", dt.timedelta(days=2), {}),
            ("discharge_report_sent", dt.timedelta(days=3, hours=1), {}),
            ("discharged", dt.timedelta(days=3, hours=2), {"destination": "own_home"}),
        ):
            course_services.record_event(
                actor=None,
                course=earlier,
                event_type=kind,
                occurred_at=admitted + after,
                data=data or None,
                source="demo",
            )


@transaction.atomic
def load_demo(*, among_citizens: Iterable[int] | None = None) -> AuditRound:
    """The round, once. ``among_citizens``: the citizens whose courses may be audited (and given earlier stays);
    the demo passes its random population, so the scripted stories keep their single course."""
    cluster = Cluster.objects.get(key=CLUSTER)
    existing = AuditRound.objects.filter(cluster=cluster, title=TITLE).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    start = months_before(today + dt.timedelta(days=1), 3)
    audit_round = services.create_round(
        actor=None,
        cluster=cluster,
        title=TITLE,
        period_start=start,
        period_end=today,
        meeting_on=today,
        selection=SELECTION,
    )
    units = {u.key: u for u in OrganisationUnit.objects.filter(key__in=[m[3] for m in MEMBERS])}
    for name, title, party, key in MEMBERS:
        services.add_member(
            actor=None,
            audit_round=audit_round,
            name=name,
            title=title,
            party=party,
            organisation=units.get(key),
        )
    themes = {
        number: services.add_theme(actor=None, audit_round=audit_round, name=name, description=description)
        for number, (name, description) in enumerate(THEMES, start=1)
    }
    chosen = _platform_courses(cluster, start, among_citizens)
    for course in chosen:
        _earlier_admissions(course)
    courses = [
        services.add_platform_course(actor=None, audit_round=audit_round, course_id=c.public_id)
        for c in chosen
    ]
    municipalities = sorted({c.municipality.code for c in courses}) or ["730"]
    imported = services.import_candidates(
        actor=None,
        audit_round=audit_round,
        candidates=[
            Candidate(
                ref,
                municipalities[i % len(municipalities)],
                4 + i,
                3,
                start + dt.timedelta(days=9 + i),
                today - dt.timedelta(days=6 - i),
            )
            for i, ref in enumerate(REGISTRY_CANDIDATES)
        ],
    ).added
    audited = courses + imported
    for index, (theme, party, text) in enumerate(SUGGESTIONS):
        services.add_suggestion(
            actor=None,
            audit_course=audited[index % len(audited)],
            text=text,
            party=party,
            theme=themes[theme],
        )
    for reviewed in audited[:2]:
        services.record_review(
            actor=None,
            audit_course=reviewed,
            expected_version=None,
            coherent=Answer.PARTLY,
            coherent_note="Oplysningerne fulgte ikke med ved den anden udskrivelse.",
            preventable=Answer.YES,
            preventable_note="Et opfølgende hjemmebesøg efter første udskrivelse kunne have fanget forværringen.",
            patterns="Gentagne indlæggelser med KOL-forværring; ingen opdateret behandlingsplan i hjemmet.",
        )
    audit_round.status = "held"
    AuditRound.objects.filter(pk=audit_round.pk).update(status="held")
    return audit_round
