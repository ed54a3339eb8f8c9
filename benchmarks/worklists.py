"""Benchmark: the worklists at scale, through the real server.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/sektorbro \\
        .venv/bin/python -m benchmarks.worklists --courses 50000 --users 20 --duration 60

Creates a throw-away database ``<name>_worklist_bench`` next to the one in DATABASE_URL (dropped afterwards
unless --keep-db), migrates it (with the reference data), seeds ``--courses`` open courses (plus a few
percent recently discharged ones and citizens in the municipal acute functions) with bulk inserts and the
pure state function (``sektorbro.courses.state.derive_state`` of the rules core's ``evaluate()``), makes one
logged-in session per user, starts gunicorn (the real WSGI application, production settings: DEBUG off,
persistent connections) and runs ``--users`` concurrent clients (threads with keep-alive connections, one
role each) for ``--duration`` seconds. Each client loops: its start page with the worklist, the HTMX partial
(the minute poll), a course page it may open (one of its ten newest courses) and /healthz, the baseline
measured under the same load, with ``--wait`` seconds of think time (uniform 0.5x to 1.5x) between requests.
Reported per endpoint and per role: requests, errors, p50/p95/p99, and the machine's load. The report is
printed and written as JSON (--out). Target: p95 < 300 ms at 20 users, for the worklist pages and the course
page alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
COURSE_PAGES_PER_USER = 10
ROLES = [
    ("ward_nurse", "department", "?afsnit={unit}"),
    ("discharge_coordinator", "hospital", ""),
    ("hospital_doctor", "department", ""),
    ("municipal_visitator", "visitation", ""),
    ("home_nurse", "home_nursing", ""),
    ("acute_function_nurse", "acute_function", ""),
    ("gp", "gp_clinic", ""),
]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def database_urls(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("DATABASE_URL must be a PostgreSQL URL (postgres://user@host:port/db)")
    name = parts.path.lstrip("/") or "postgres"
    bench = urlunsplit(parts._replace(path=f"/{name}_worklist_bench"))
    return url, bench


def recreate_database(admin_url: str, bench_url: str, *, drop_only: bool = False) -> None:
    import psycopg

    name = urlsplit(bench_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def ensure_database(admin_url: str, bench_url: str) -> None:
    import psycopg

    name = urlsplit(bench_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(courses: int, seed_value: int, user_count: int, *, reuse: bool = False) -> dict[str, Any]:
    """Citizens, courses with their events and stored state, users and sessions; returns the users.
    With ``reuse``, courses already seeded in the database (same count) are kept and only the users and
    sessions are made again."""
    import django

    django.setup()
    from django.core.management import call_command

    from sektorbro.courses.models import Course

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production static files (manifest)
    total = courses + courses // 25
    evaluate_seconds = 0.0
    if not (reuse and Course.objects.count() == total):
        if Course.objects.exists():
            raise SystemExit(
                "the benchmark database holds a different number of courses; run without --reuse-db"
            )
        evaluate_seconds = seed_courses(courses, seed_value)
    seeded = time.monotonic() - started
    return {
        "users": make_users(user_count),
        "seed_seconds": round(seeded, 1),
        "evaluate_seconds": round(evaluate_seconds, 1),
        "open_courses": Course.objects.filter(ended_at__isnull=True).count(),
        "discharged_courses": Course.objects.filter(ended_at__isnull=False).count(),
        "citizens_in_acute_function": citizens_in_acute_function(),
    }


def citizens_in_acute_function() -> int:
    from sektorbro.citizens.models import Citizen

    return Citizen.objects.filter(acute_function_unit__isnull=False).count()


def seed_courses(courses: int, seed_value: int) -> float:
    """Citizens and courses with their events and stored state; returns the seconds spent in evaluate()."""
    from django.db import connection, transaction
    from django.utils import timezone

    from sektorbro.agreement.evaluate import evaluate
    from sektorbro.agreement.model import AcuteFunction, CitizenFacts, CourseSnapshot, Event
    from sektorbro.citizens.cpr import make_cpr
    from sektorbro.citizens.models import Citizen
    from sektorbro.courses.models import Course, CourseEvent
    from sektorbro.courses.snapshot import current_tariffs
    from sektorbro.courses.state import derive_state
    from sektorbro.organisations.models import Municipality, OrganisationUnit

    rng = random.Random(seed_value)
    now = timezone.now()
    tariffs = current_tariffs()
    hospitals = list(OrganisationUnit.objects.filter(kind="hospital").select_related("cluster"))
    departments: dict[int, list[Any]] = {
        h.pk: list(OrganisationUnit.objects.filter(kind="department", parent=h)) for h in hospitals
    }
    hospitals = [h for h in hospitals if departments[h.pk]]
    municipalities = list(Municipality.objects.all())
    clinics: dict[int | None, list[Any]] = {}
    for clinic in OrganisationUnit.objects.filter(kind="gp_clinic"):
        clinics.setdefault(clinic.municipality_id, []).append(clinic)
    acute_units = {
        u.municipality_id: u for u in OrganisationUnit.objects.filter(municipal_service="acute_function")
    }
    discharged_extra = courses // 25
    total = courses + discharged_extra
    batch = 2000
    evaluate_seconds = 0.0
    for start in range(0, total, batch):
        stop = min(start + batch, total)
        citizens: list[Any] = []
        plans: list[dict[str, Any]] = []
        for i in range(start, stop):
            municipality = rng.choice(municipalities)
            acute_referral = rng.choice(["gp", "out_of_hours", "hospital"]) if rng.random() < 0.01 else ""
            acute_since = now - dt.timedelta(hours=rng.randint(1, 72)) if acute_referral else None
            citizen = Citizen(
                cpr=make_cpr(dt.date(1930, 1, 1) + dt.timedelta(days=i % 24989), i, female=i % 2 == 0),
                name=f"Benchmark Borger {i}",
                birth_date=dt.date(1930, 1, 1) + dt.timedelta(days=i % 24989),
                residence_municipality=municipality,
                gp_clinic=rng.choice(clinics[municipality.pk]) if clinics.get(municipality.pk) else None,
                receives_elderly_care=rng.random() < 0.5,
                acute_function_unit=acute_units.get(municipality.pk) if acute_referral else None,
                acute_function_referred_by=acute_referral if acute_units.get(municipality.pk) else "",
                acute_function_since=acute_since if acute_units.get(municipality.pk) else None,
            )
            citizens.append(citizen)
            hospital = rng.choice(hospitals)
            admitted_at = now - dt.timedelta(minutes=rng.randint(30, 14 * 24 * 60))
            events: list[tuple[str, dt.datetime, dict[str, Any]]] = [("admitted", admitted_at, {})]
            if rng.random() < 0.25:
                ready = admitted_at + (now - admitted_at) * rng.uniform(0.3, 0.9)
                events.append(("ready_for_discharge", ready, {}))
            if i >= courses:  # the recently discharged ones
                events.append(("discharged", now - dt.timedelta(hours=rng.randint(1, 70)), {"destination": "own_home"}))  # fmt: skip
            plans.append(
                {"hospital": hospital, "department": rng.choice(departments[hospital.pk]), "events": events}
            )
        with transaction.atomic():
            Citizen.objects.bulk_create(citizens, batch_size=batch)
            rows: list[Any] = []
            for citizen, plan in zip(citizens, plans, strict=True):
                hospital, department, events = plan["hospital"], plan["department"], plan["events"]
                area = "psychiatric" if department.area == "psychiatric" else "somatic"
                acute = (
                    AcuteFunction(citizen.acute_function_referred_by, citizen.acute_function_since)
                    if citizen.acute_function_referred_by and citizen.acute_function_since
                    else None
                )
                snapshot = CourseSnapshot(
                    area=area,
                    track="acute",
                    admitted_at=events[0][1],
                    unit_kind=department.department_type or "ward",
                    cluster=hospital.cluster.key if hospital.cluster else None,
                    events=tuple(Event(t, at, None, n + 1, dict(d)) for n, (t, at, d) in enumerate(events)),
                    citizen=CitizenFacts(elderly_care=citizen.receives_elderly_care, acute_function=acute),
                )
                tick = time.monotonic()
                state = derive_state(evaluate(snapshot, now, tariffs))
                evaluate_seconds += time.monotonic() - tick
                ended = events[-1][1] if events[-1][0] == "discharged" else None
                rows.append(
                    Course(
                        citizen=citizen,
                        municipality_id=citizen.residence_municipality_id,
                        hospital=hospital,
                        department=department,
                        area=area,
                        track="acute",
                        unit_kind=department.department_type or "ward",
                        admitted_at=events[0][1],
                        discharged_at=ended,
                        ended_at=ended,
                        discharge_destination="own_home" if ended else "",
                        **state,
                    )
                )
            Course.objects.bulk_create(rows, batch_size=batch)
            CourseEvent.objects.bulk_create(
                [
                    CourseEvent(
                        course=course,
                        seq=n + 1,
                        type=t,
                        occurred_at=at,
                        actor_label="benchmark",
                        organisation=plan["department"],
                        data=d,
                    )
                    for course, plan in zip(rows, plans, strict=True)
                    for n, (t, at, d) in enumerate(plan["events"])
                ],
                batch_size=batch * 2,
            )
    with connection.cursor() as cursor:  # as autovacuum would have done on a live database
        cursor.execute("VACUUM ANALYZE")
    return evaluate_seconds


def make_users(user_count: int) -> list[dict[str, Any]]:
    """One user per client, cycling through the roles and over the hospitals and municipalities, each with a
    fresh logged-in session (users from an earlier run of a reused database are kept)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from sektorbro.accounts.models import Membership, User
    from sektorbro.courses.selectors import courses_visible_to
    from sektorbro.organisations.models import OrganisationUnit

    hospitals = list(OrganisationUnit.objects.filter(kind="hospital"))
    departments = {
        h.pk: list(OrganisationUnit.objects.filter(kind="department", parent=h)) for h in hospitals
    }
    hospitals = [h for h in hospitals if departments[h.pk]]
    units: dict[str, list[Any]] = {
        "hospital": hospitals,
        "department": [d for h in hospitals for d in departments[h.pk]],
        "gp_clinic": list(OrganisationUnit.objects.filter(kind="gp_clinic").order_by("key")),
    }
    for service in ("visitation", "home_nursing", "acute_function"):
        units[service] = list(OrganisationUnit.objects.filter(municipal_service=service).order_by("key"))
    users: list[dict[str, Any]] = []
    backend = "sektorbro.accounts.backends.SektorbroModelBackend"
    for n in range(user_count):
        role, kind, query = ROLES[n % len(ROLES)]
        pool = units[kind]
        unit = pool[(n // len(ROLES) * 7 + n) % len(pool)]
        user = User.objects.filter(username=f"bench{n}").first()
        if user is None:
            user = User.objects.create_user(username=f"bench{n}", password=secrets.token_urlsafe(16))
            Membership.objects.create(user=user, unit=unit, role=role)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        users.append(
            {
                "username": user.username,
                "role": role,
                "unit": unit.key,
                "query": query.format(unit=unit.key),
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
                # Course pages this user may open (the newest admissions first), for the course-page endpoint.
                "courses": [
                    str(c)
                    for c in courses_visible_to(user)
                    .order_by("-admitted_at")
                    .values_list("public_id", flat=True)[:COURSE_PAGES_PER_USER]
                ],
            }
        )
    return users


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz in time")


def client(
    port: int, user: dict[str, Any], until: float, wait: float, results: dict[str, list[Any]], seed_value: int
) -> None:
    rng = random.Random(seed_value)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    plan = [
        ("page", "/" + user["query"], {}),
        ("partial", "/arbejdsliste/" + user["query"], {"HX-Request": "true", "HX-Trigger": "worklist"}),
        ("healthz", "/healthz", {}),
    ]
    plan += [("course", f"/forloeb/{course}/", {}) for course in user["courses"][:1]]
    step = rng.randrange(len(plan))
    while time.monotonic() < until:
        name, path, extra = plan[step % len(plan)]
        if name == "course":  # a different course each time, from the user's own
            path = f"/forloeb/{user['courses'][step // len(plan) % len(user['courses'])]}/"
        step += 1
        headers = {"Cookie": user["cookie"], "Host": "127.0.0.1", **extra}
        tick = time.perf_counter()
        ok = False
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            marker = {"healthz": b"", "course": b'id="discharge-date"'}.get(name, b'id="worklist"')
            ok = response.status == 200 and marker in body
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        elapsed = (time.perf_counter() - tick) * 1000
        results.setdefault(f"{name}:{user['role']}", []).append((elapsed, ok))
        if wait > 0:
            time.sleep(wait * rng.uniform(0.5, 1.5))
    conn.close()


def summarise(samples: list[tuple[float, bool]]) -> dict[str, Any]:
    times = [t for t, _ in samples]
    return {
        "requests": len(samples),
        "errors": sum(1 for _, ok in samples if not ok),
        "p50_ms": round(percentile(times, 0.50), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "mean_ms": round(statistics.fmean(times), 1) if times else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--courses", type=int, default=50000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--wait", type=float, default=1.0, help="mean think time between requests (s)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", default="var/benchmarks/worklists.json")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="keep the database and reuse the courses a previous --keep-db/--reuse-db run seeded",
    )
    args = parser.parse_args(argv)
    if args.courses < 1 or args.users < 1 or args.duration <= 0 or args.wait < 0:
        parser.error("--courses and --users must be positive, --duration > 0 and --wait >= 0")
    url = os.environ.get("DATABASE_URL", "")
    admin_url, bench_url = database_urls(url)
    if not args.reuse_db:
        recreate_database(admin_url, bench_url)
    else:
        ensure_database(admin_url, bench_url)
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "sektorbro.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "SEKTORBRO_TESTING": "0",
        "SEKTORBRO_DEMO": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SEKTORBRO_VAR_DIR": str(ROOT / "var" / "benchmarks" / "worklists-var"),
    }
    os.environ.update(env)
    server: subprocess.Popen[bytes] | None = None
    try:
        print(f"seeding {args.courses} open courses ...", flush=True)
        seeded = seed(args.courses, args.seed, args.users, reuse=args.reuse_db)
        print(json.dumps({k: v for k, v in seeded.items() if k != "users"}), flush=True)
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [
                str(gunicorn),
                "sektorbro.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread" if args.threads > 1 else "sync",
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for(port)
        # Warm every worker (imports, template compilation, connections) before measuring.
        warm: dict[str, list[Any]] = {}
        warm_until = time.monotonic() + 5
        threads = [
            threading.Thread(target=client, args=(port, u, warm_until, 0.0, warm, n))
            for n, u in enumerate(seeded["users"])
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_before = os.getloadavg()
        results: dict[str, list[Any]] = {}
        until = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=client, args=(port, u, until, args.wait, results, args.seed + n))
            for n, u in enumerate(seeded["users"])
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        by_endpoint: dict[str, list[Any]] = {}
        for key, samples in results.items():
            by_endpoint.setdefault(key.split(":")[0], []).extend(samples)
        report = {
            "benchmark": "worklists",
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": "PostgreSQL " + _server_version(bench_url),
            "courses_requested": args.courses,
            **{k: v for k, v in seeded.items() if k != "users"},
            "users": args.users,
            "roles": sorted({u["role"] for u in seeded["users"]}),
            "duration_s": round(elapsed, 1),
            "think_time_s": args.wait,
            "server": f"gunicorn {args.workers} workers x {args.threads} threads",
            "cpus": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "throughput_rps": round(sum(len(s) for s in results.values()) / elapsed, 1),
            "endpoints": {k: summarise(v) for k, v in sorted(by_endpoint.items())},
            "by_role": {k: summarise(v) for k, v in sorted(results.items())},
        }
        worklist_samples = by_endpoint.get("page", []) + by_endpoint.get("partial", [])
        report["worklist_pages"] = summarise(worklist_samples)
        report["course_pages"] = summarise(by_endpoint.get("course", []))
        report["target_p95_ms"] = 300
        report["target_met"] = all(
            part["p95_ms"] < 300 and not part["errors"]
            for part in (report["worklist_pages"], report["course_pages"])
            if part["requests"]
        )
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
        print(json.dumps(report, indent=2))
        return 0 if report["target_met"] else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        from django.db import connections

        connections.close_all()
        if not (args.keep_db or args.reuse_db):
            recreate_database(admin_url, bench_url, drop_only=True)


def _server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


if __name__ == "__main__":
    raise SystemExit(main())
