"""The demo's implementation plans, communication package, cluster experiences and follow-up report.

Plans for Randersklyngen and Midtklyngen with tasks in the three tracks (the track questions are annex 1's; the
tasks, owners and deadlines are invented), a communication package of links, a few answers to the clusters'
questionnaire from the demo's logins in three clusters (invented), and Randersklyngen's follow-up report with a
narrative per section and one published version. Safe to run again: what exists is left as it is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sektorbro.followup import experiences, plans
from sektorbro.followup import followup_report as reports
from sektorbro.followup.models import (
    ExperienceResponse,
    FollowupReport,
    ImplementationPlan,
    Material,
    RespondentRole,
    TaskStatus,
    Track,
)
from sektorbro.organisations.models import Cluster

# (cluster key, summary, [(track, title, owner, deadline in days from today, status)])
PLANS: list[tuple[str, str, list[tuple[str, str, str, int, str]]]] = [
    (
        "randersklyngen",
        "Klyngens lokale implementeringsplan for samarbejdsaftalen om den gode indlæggelse og udskrivelse.",
        [
            (Track.COMMUNICATION, "Præsentere aftalen og flowchartet på afdelingsmøder", "Oversygeplejerske, medicinsk afd.", -30, TaskStatus.DONE),
            (Track.COMMUNICATION, "Nyhedsbrev om aftalen til hjemmeplejen i de fire kommuner", "Kommunikationsmedarbejder, Randers Kommune", -10, TaskStatus.IN_PROGRESS),
            (Track.DIALOGUE, "Tværsektorielt dialogmøde i klyngen om fælles forberedelse", "Klyngesekretariatet", 20, TaskStatus.PLANNED),
            (Track.DIALOGUE, "Aftalen på dagsordenen i PLO-Kommunalt og praksiskonsulentordningen", "Praksiskonsulent", 45, TaskStatus.PLANNED),
            (Track.RULES, "Indarbejde aftalens principper i instruksen for udskrivelse", "Kvalitetskoordinator, Regionshospitalet Randers", -5, TaskStatus.PLANNED),
            (Track.RULES, "Opdatere visitationens arbejdsgang for modtagelse af udskrivningsrapport", "Visitationschef, Randers Kommune", 60, TaskStatus.IN_PROGRESS),
        ],
    ),
    (
        "midtklyngen",
        "Implementeringsplan for Midtklyngen.",
        [
            (Track.COMMUNICATION, "Kommunikationspakken lagt på intranettet i kommuner og på hospitalet", "Klyngesekretariatet", -40, TaskStatus.DONE),
            (Track.DIALOGUE, "Temamøde for afdelingsledelser og visitationer", "Chefsygeplejerske, Hospitalsenheden Midt", 30, TaskStatus.PLANNED),
            (Track.RULES, "Gennemgå lokale retningslinjer for varsling og erstatte faste frister", "Arbejdsgruppe i klyngen", -15, TaskStatus.IN_PROGRESS),
        ],
    ),
]  # fmt: skip

MATERIALS = [
    ("Samarbejdsaftalen om den gode indlæggelse og udskrivelse", "Aftalen med de seks principper.", "https://www.sektorovergang.rm.dk/"),
    ("Flowchart for indlæggelse og udskrivelse", "Det brugervenlige flowchart, til print og skærm.", "https://www.sektorovergang.rm.dk/"),
    ("Præsentation til afdelings- og personalemøder", "Dias til at præsentere aftalen.", "https://www.sektorovergang.rm.dk/"),
]  # fmt: skip

# (username, cluster key, role, answers) - invented answers from the demo's logins.
EXPERIENCES: list[tuple[str, str, str, dict[str, str]]] = [
    ("hospital.randers", "randersklyngen", RespondentRole.STAFF, {
        "good_examples": "Borger med KOL, hvor hjemmesygeplejen var med på stuegang via video dagen før udskrivelsen.",
        "shared_preparation": "Fælles forberedelse fungerer, når kommunen inddrages tidligt; uden frister kræver det, at vi ringer sammen.",
        "flowchart": "Flowchartet bruges ved introduktion af nye medarbejdere.",
    }),
    ("kommune.randers", "randersklyngen", RespondentRole.STAFF, {
        "learning_examples": "Udskrivelser fredag eftermiddag uden forudgående dialog giver stadig problemer.",
        "date_coincidence": "Færdigbehandlingsdato og faktisk udskrivelse falder oftest sammen; afvigelserne er i weekender.",
        "adjustment": "Et tydeligere afsnit om weekender og helligdage.",
    }),
    ("sekretaer", "randersklyngen", RespondentRole.STEERING_GROUP, {
        "collaboration_models": "Den tværsektorielle audit med fem forløb pr. kommune har givet konkrete forbedringer.",
        "principles": "Principperne er relevante; princip 5 om læring på tværs er blevet konkret.",
    }),
    ("hospital.viborg", "midtklyngen", RespondentRole.STAFF, {
        "joint_training": "Fælles Skolebænk om sårbare ældre gav et fælles sprog mellem afdeling og hjemmesygepleje.",
        "collaboration": "Samarbejdet med almen praksis er bedre, når egen læge får besked ved indlæggelsen.",
    }),
    ("kommune.aarhus", "aarhusklyngen", RespondentRole.STAFF, {
        "good_examples": "Tidlig opringning fra afdelingen gjorde, at hjælpemidlerne var på plads ved hjemkomst.",
        "flowchart": "Flowchartet er let at bruge, men bør kunne findes direkte fra fagsystemet.",
    }),
]  # fmt: skip

REPORT_TITLE = "Opfølgning på samarbejdsaftalen, Randersklyngen"
NARRATIVES = {
    "summary": "Klyngen har gennemført implementeringsåret. Indikatorerne er stabile, auditten har givet fem "
    "temaer, og de fleste opgaver i implementeringsplanen er i gang.",
    "indicators": "Genindlæggelser og forebyggelige indlæggelser følges kvartalsvis fra det publicerede overblik.",
    "audits": "Efterårsrundens forslag samler sig om opfølgende hjemmebesøg og behandlingsplaner for KOL.",
    "experiences": "Medarbejderne oplever, at fælles forberedelse virker, når parterne taler sammen tidligt.",
    "implementation": "Regelsporet er bagud; klyngestyregruppen følger op på næste møde.",
}


def _plans(today: dt.date) -> list[ImplementationPlan]:
    made = []
    for key, summary, tasks in PLANS:
        cluster = Cluster.objects.get(key=key)
        plan = ImplementationPlan.objects.filter(cluster=cluster).first()
        if plan is not None:
            made.append(plan)
            continue
        plan = plans.create_plan(actor=None, cluster=cluster, summary=summary)
        for track, title, owner, days, status in tasks:
            plans.add_task(
                actor=None,
                plan=plan,
                track=track,
                title=title,
                owner=owner,
                deadline=today + dt.timedelta(days=days),
                status=status,
            )
        made.append(plan)
    return made


def _materials() -> None:
    for title, description, url in MATERIALS:
        if not Material.objects.filter(title=title).exists():
            plans.add_material(actor=None, title=title, description=description, url=url)


def _experiences() -> int:
    users: Any = get_user_model().objects
    count = 0
    for username, key, role, answers in EXPERIENCES:
        user = users.filter(username=username).first()
        cluster = Cluster.objects.get(key=key)
        if user is None or not experiences.may_answer(user, cluster):
            continue
        if not ExperienceResponse.objects.filter(cluster=cluster, respondent=user).exists():
            experiences.save_response(actor=user, cluster=cluster, role=role, answers=answers)
        count += 1
    return count


def _report(today: dt.date) -> FollowupReport:
    existing = FollowupReport.objects.filter(title=REPORT_TITLE).first()
    if existing is not None:
        return existing
    report = reports.create_report(
        actor=None,
        cluster=Cluster.objects.get(key="randersklyngen"),
        title=REPORT_TITLE,
        period_start=dt.date(2025, 1, 1),
        period_end=today,
    )
    report = reports.save_narratives(actor=None, report=report, expected_version=None, narratives=NARRATIVES)
    reports.publish(actor=None, report=report, note="Til Sundhedsstyregruppen")
    return report


@transaction.atomic
def load_demo() -> FollowupReport:
    """Plans, materials, experiences and the published report, once."""
    today = timezone.localdate()
    _plans(today)
    _materials()
    _experiences()
    return _report(today)
