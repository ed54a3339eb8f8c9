"""The demo region: users for every role, a few hundred synthetic citizens in all 19 municipalities, and
courses at the hospitals. Everything is invented and deterministic for a given seed; running it again updates
what is there instead of duplicating it."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from sektorbro.accounts.models import Membership, Role, User
from sektorbro.citizens.cpr import make_cpr
from sektorbro.citizens.models import Citizen, Relative
from sektorbro.courses import services as course_services
from sektorbro.courses.models import Course
from sektorbro.demo.governance import build_demo_governance
from sektorbro.demo.messages import build_demo_messages
from sektorbro.demo.signers import Signers
from sektorbro.demo.stories import build_scripted_courses
from sektorbro.followup.plan_seed import load_demo as load_plan_demo
from sektorbro.followup.seed import load_demo as load_audit_demo
from sektorbro.followup.survey_seed import load_demo as load_survey_demo
from sektorbro.organisations.models import Municipality, OrganisationUnit

DEMO_PASSWORD = "demo"  # noqa: S105 - only accepted in demo mode (see accounts.backends)
CPH = ZoneInfo("Europe/Copenhagen")

# (username, first name, last name, role, unit key)
DEMO_USERS: list[tuple[str, str, str, str, str]] = [
    ("kommune.randers", "Mette", "Lund", Role.MUNICIPAL_VISITATOR, "visitation-730"),
    ("kommune.viborg", "Lars", "Holm", Role.MUNICIPAL_VISITATOR, "visitation-791"),
    ("kommune.aarhus", "Sofie", "Kjær", Role.MUNICIPAL_VISITATOR, "visitation-751"),
    ("sygepleje.randers", "Hanne", "Bach", Role.HOME_NURSE, "home-nursing-730"),
    ("akut.randers", "Peter", "Dam", Role.ACUTE_FUNCTION_NURSE, "acute-function-730"),
    ("social.randers", "Ida", "Vestergaard", Role.SOCIAL_AREA_WORKER, "social-area-730"),
    ("social.region", "Anders", "Kristensen", Role.SOCIAL_AREA_WORKER, "rso-socialpsykiatri"),
    ("hospital.randers", "Camilla", "Nørgaard", Role.WARD_NURSE, "rhr-medicin"),
    ("koordinator.randers", "Rasmus", "Friis", Role.DISCHARGE_COORDINATOR, "rhr"),
    ("overlaege.randers", "Jens", "Mikkelsen", Role.HOSPITAL_DOCTOR, "rhr-medicin"),
    ("hospital.viborg", "Louise", "Toft", Role.WARD_NURSE, "hem-viborg-medicin"),
    ("hospital.aarhus", "Anna", "Schmidt", Role.WARD_NURSE, "auh-geriatri"),
    ("psykiatri.randers", "Morten", "Bruun", Role.WARD_NURSE, "psykiatrien-randers"),
    ("laege.randers", "Karen", "Poulsen", Role.GP, "laege-730-1"),
    ("laege.viborg", "Niels", "Iversen", Role.GP, "laege-791-1"),
    ("laege.aarhus", "Birgitte", "Møller", Role.GP, "laege-751-1"),
    ("analytiker", "Emil", "Thomsen", Role.DATA_ANALYST, "region-sekretariat"),
    ("sekretaer", "Signe", "Jakobsen", Role.COMMITTEE_SECRETARY, "sekretariat-randersklyngen"),
    ("admin", "Admin", "Istrator", Role.ADMINISTRATOR, "region-midtjylland"),
]

FIRST_F = [
    "Anna",
    "Karen",
    "Inge",
    "Kirsten",
    "Hanne",
    "Lene",
    "Marianne",
    "Ellen",
    "Birthe",
    "Susanne",
    "Grethe",
    "Ruth",
    "Else",
    "Jytte",
    "Bente",
    "Maria",
    "Emma",
    "Ida",
    "Sofie",
    "Freja",
]
FIRST_M = [
    "Jens",
    "Niels",
    "Peter",
    "Hans",
    "Søren",
    "Poul",
    "Jørgen",
    "Henrik",
    "Ole",
    "Erik",
    "Knud",
    "Bent",
    "Arne",
    "Finn",
    "Mogens",
    "Lars",
    "Anders",
    "Mikkel",
    "Emil",
    "Oliver",
]
LAST = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Østergaard",
    "Kjærgaard",
    "Bækgaard",
    "Dalsgaard",
]
RELATIONS = ["datter", "søn", "ægtefælle", "samlever", "nabo", "barnebarn", "bror", "søster"]

# Approximate population weights (indicators.md section 6, unverified), to spread the citizens.
POPULATION = {
    "751": 367,
    "741": 4,
    "615": 98,
    "766": 48,
    "746": 65,
    "727": 24,
    "730": 99,
    "710": 50,
    "707": 37,
    "706": 44,
    "791": 98,
    "740": 101,
    "779": 46,
    "657": 90,
    "661": 59,
    "756": 42,
    "760": 56,
    "665": 20,
    "671": 21,
}
CLUSTER_HOSPITAL = {
    "aarhusklyngen": "auh",
    "horsensklyngen": "rhh",
    "randersklyngen": "rhr",
    "midtklyngen": "hem",
    "goedstrupklyngen": "goedstrup",
}


@dataclass
class DemoResult:
    users: int = 0
    citizens: int = 0
    courses: int = 0
    inbox: int = 0
    quarantine: int = 0
    outbox: int = 0
    governance: str = ""
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _units() -> dict[str, OrganisationUnit]:
    return {u.key: u for u in OrganisationUnit.objects.select_related("municipality")}


def _ensure_users(units: dict[str, OrganisationUnit], result: DemoResult) -> None:
    for username, first, last, role, unit_key in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@demo.invalid"
        user.is_demo_account = True
        user.is_active = True
        user.is_staff = role == Role.ADMINISTRATOR
        user.is_superuser = role == Role.ADMINISTRATOR
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.update_or_create(
            user=user, unit=units[unit_key], role=role, defaults={"active": True}
        )
        result.users += 1
        result.logins.append((username, str(Role(role).label), units[unit_key].name))


def _spread(total: int, rng: random.Random) -> list[str]:
    """At least one citizen per municipality, the rest by population."""
    codes = sorted(POPULATION)
    picks = list(codes)
    picks += rng.choices(codes, weights=[POPULATION[c] for c in codes], k=max(0, total - len(codes)))
    return picks


def _birth_date(rng: random.Random) -> dt.date:
    age = rng.choices(
        [rng.randint(1, 17), rng.randint(18, 64), rng.randint(65, 79), rng.randint(80, 99)],
        weights=[8, 37, 30, 25],
    )[0]
    born = dt.date(2026, 1, 1) - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 364))
    return max(born, dt.date(1927, 1, 1))


@transaction.atomic
def build_demo(*, citizens: int = 400, seed: int = 2023) -> DemoResult:
    units = _units()
    result = DemoResult()
    _ensure_users(units, result)
    municipalities = {m.code: m for m in Municipality.objects.select_related("cluster")}
    gp_by_muni: dict[str, list[OrganisationUnit]] = {}
    for unit in units.values():
        if unit.kind == "gp_clinic" and unit.municipality is not None:
            gp_by_muni.setdefault(unit.municipality.code, []).append(unit)
    now = timezone.now()
    signers = Signers()  # each event is signed by the demo person of the party that acts
    population: list[int] = []
    for index, code in enumerate(_spread(citizens, random.Random(seed))):
        rng = random.Random(f"{seed}-{index}")  # one stream per citizen: re-runs make the same choices
        female = rng.random() < 0.52
        born = _birth_date(rng)
        cpr = make_cpr(born, index, female)
        name = f"{rng.choice(FIRST_F if female else FIRST_M)} {rng.choice(LAST)}"
        age = (dt.date(2026, 11, 1) - born).days // 365
        municipality = municipalities[code]
        citizen, _created = Citizen.objects.update_or_create(
            cpr=cpr,
            defaults={
                "name": name,
                "birth_date": born,
                "residence_municipality": municipality,
                "gp_clinic": gp_by_muni[code][index % len(gp_by_muni[code])],
                "receives_elderly_care": age >= 67 and rng.random() < 0.55,
                "known_to_municipal_social_area": 18 <= age < 67 and rng.random() < 0.12,
                "known_to_regional_social_area": 18 <= age < 67 and rng.random() < 0.05,
            },
        )
        result.citizens += 1
        population.append(citizen.pk)
        in_acute_function = age >= 70 and rng.random() < 0.05
        wants_relative = age >= 60 and rng.random() < 0.5
        wants_course = rng.random() < (0.45 if age >= 65 else 0.15)
        rng = random.Random(f"{seed}-{index}-details")
        if citizen.known_to_municipal_social_area:
            citizen.social_units.add(units[f"social-area-{code}"])
        if citizen.known_to_regional_social_area:
            citizen.social_units.add(units["rso-socialpsykiatri"])
        if in_acute_function and citizen.acute_function_unit_id is None:
            citizen.acute_function_unit = units[f"acute-function-{code}"]
            citizen.acute_function_referred_by = rng.choice(["gp", "out_of_hours", "hospital"])
            citizen.acute_function_since = now - dt.timedelta(
                days=rng.randint(0, 6), hours=rng.randint(0, 20)
            )
            citizen.save()
        if wants_relative and not citizen.relatives.exists():
            Relative.objects.create(
                citizen=citizen,
                name=f"{rng.choice(FIRST_F + FIRST_M)} {citizen.name.split()[-1]}",
                relation=rng.choice(RELATIONS),
                phone=f"+45 2{rng.randint(0, 9999999):07d}",
                may_be_involved=rng.random() < 0.8,
                consent_recorded_at=now - dt.timedelta(days=rng.randint(1, 400)),
            )
        if wants_course and not Course.objects.filter(citizen=citizen).exists():
            _demo_course(citizen, municipality, units, rng, now, signers)
    build_scripted_courses(now, signers)
    messages = build_demo_messages(now)
    result.inbox, result.quarantine, result.outbox = messages.inbox, messages.quarantine, messages.outbox
    result.governance = build_demo_governance().summary()
    load_audit_demo(among_citizens=population)  # the audit round, on courses of the random population
    load_survey_demo()  # the experience survey with anonymous answers from every cluster
    load_plan_demo()  # implementation plans, the clusters' experiences, the published follow-up report
    result.courses = Course.objects.count()
    return result


def _demo_course(
    citizen: Citizen,
    municipality: Municipality,
    units: dict[str, OrganisationUnit],
    rng: random.Random,
    now: dt.datetime,
    signers: Signers,
) -> int:
    psychiatric = rng.random() < 0.12
    if psychiatric:
        hospital = units["psykiatrien"]
        wards = [u for u in units.values() if u.parent_id == hospital.pk and u.department_type == "ward"]
    else:
        hospital = units[CLUSTER_HOSPITAL[municipality.cluster.key]]
        wards = [u for u in units.values() if u.parent_id == hospital.pk and u.department_type == "ward"]
    department = rng.choice(wards)
    admitted = (
        (now - dt.timedelta(hours=rng.randint(3, 24 * 12))).astimezone(CPH).replace(second=0, microsecond=0)
    )
    course = course_services.open_course(
        actor=signers.hospital_of(hospital, department)[0],
        citizen=citizen,
        hospital=hospital,
        department=department,
        area="psychiatric" if psychiatric else "somatic",
        track="acute" if rng.random() < 0.7 else "planned",
        admitted_at=admitted,
    )
    _demo_history(course, rng, now, signers)
    return 1


def _demo_history(course: Course, rng: random.Random, now: dt.datetime, signers: Signers) -> None:
    """A believable history so far: documents, færdigmelding, agreed dates, discharges in the last days."""

    def add(kind: str, at: dt.datetime, **data: object) -> None:
        if at < now:
            actor, organisation = signers.for_event(course, kind, data)
            course_services.record_event(
                actor=actor,
                course=course,
                event_type=kind,
                occurred_at=at,
                data=dict(data),
                organisation=organisation,
                source="demo",
            )

    start = course.admitted_at
    age = now - start
    elderly = course.citizen.receives_elderly_care
    if elderly and rng.random() < 0.8:
        add("admission_report_sent", start + dt.timedelta(hours=rng.choice([3, 8, 30])))
    if age > dt.timedelta(days=1) and rng.random() < 0.6:
        add("care_plan_sent", start + dt.timedelta(hours=rng.randint(20, 40)))
    if age < dt.timedelta(days=3):
        return
    ready = start + dt.timedelta(days=rng.randint(2, 4), hours=rng.randint(0, 6))
    if ready >= now or rng.random() < 0.35:
        return
    add("ready_for_discharge", ready)
    # Aftalen 2.1: the hospital proposes, the municipality accepts. A proposal is never for a day already past
    # when it is made or answered, and only one that is still to come is left waiting for its answer.
    proposed_at, accepted_at = ready + dt.timedelta(hours=3), ready + dt.timedelta(hours=5)
    agreed = (ready + dt.timedelta(days=rng.choice([0, 1, 2, 3]))).astimezone(CPH).date()
    agreed = max(agreed, accepted_at.astimezone(CPH).date())
    add("discharge_date_proposed", proposed_at, date=agreed.isoformat(), by="hospital")
    if rng.random() >= 0.8 and agreed >= now.astimezone(CPH).date():
        return
    add("discharge_date_accepted", accepted_at, by="municipality")
    if accepted_at >= now:
        return
    discharge_at = dt.datetime.combine(agreed, dt.time(11, rng.choice([0, 15, 30])), tzinfo=CPH)
    if discharge_at < now and agreed.weekday() < 5 and rng.random() < 0.7:
        if course.area == "somatic":
            Course.objects.filter(pk=course.pk).update(municipal_nursing_after_discharge=elderly)
            course.refresh_from_db()
        add("fmk_updated", discharge_at - dt.timedelta(hours=1))
        add(
            "discharged",
            discharge_at,
            destination=rng.choice(["own_home", "own_home", "nursing_home", "temporary_bed"]),
            municipal_nursing=elderly,
        )
        if rng.random() < 0.6:
            add("discharge_summary_sent", discharge_at + dt.timedelta(hours=5))
