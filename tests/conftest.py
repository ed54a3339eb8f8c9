"""Shared fixtures: the personas every permission test uses, and citizens around them; ``medcom_examples`` for
the tests that read MedCom's official examples (see ``tests/corpus.py``).

The reference data (municipalities, clusters, units) is loaded by a data migration, so it is present in every
test database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.corpus import require_examples

CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def medcom_examples() -> Path:
    """The folder of MedCom's official examples (``MEDCOM_EXAMPLES``): skips the test when it is missing, fails
    under ``CI=true``. Whole modules use it with ``pytestmark = pytest.mark.usefixtures("medcom_examples")``."""
    return require_examples()


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from sektorbro.accounts.models import Membership, User
    from sektorbro.organisations.models import OrganisationUnit

    def make(username: str, role: str | None = None, unit_key: str | None = None, **extra: Any) -> Any:
        user = User.objects.create_user(username=username, password="correct horse battery", **extra)
        if role and unit_key:
            Membership.objects.create(user=user, unit=OrganisationUnit.objects.get(key=unit_key), role=role)
        return user

    return make


@pytest.fixture
def personas(make_user: Callable[..., Any]) -> dict[str, Any]:
    return {
        "ward_nurse_randers": make_user("ward.randers", "ward_nurse", "rhr-medicin", first_name="Camilla"),
        "ortho_nurse_randers": make_user("ortopaedi.randers", "ward_nurse", "rhr-ortopaedi"),
        "visitator_randers": make_user("visitator.randers", "municipal_visitator", "visitation-730"),
        "visitator_viborg": make_user("visitator.viborg", "municipal_visitator", "visitation-791"),
        "gp_randers": make_user("gp.randers", "gp", "laege-730-1"),
        "social_randers": make_user("social.randers", "social_area_worker", "social-area-730"),
        "analyst": make_user("analyst", "data_analyst", "region-sekretariat"),
        "secretary": make_user("secretary", "committee_secretary", "sekretariat-randersklyngen"),
        "administrator": make_user(
            "administrator", "administrator", "region-midtjylland", is_staff=True, is_superuser=False
        ),
        "outsider": make_user("outsider"),
    }


@pytest.fixture
def make_citizen(db: Any) -> Callable[..., Any]:
    from sektorbro.citizens.cpr import make_cpr
    from sektorbro.citizens.models import Citizen
    from sektorbro.organisations.models import Municipality, OrganisationUnit

    # A counter per test: the synthetic birth dates (1940 + 37 days per citizen) stay in the past however many
    # tests ran before (a shared counter gave citizens born after 2026 late in a long run, whom the indicator
    # engine rightly left out, and beyond 2057 make_cpr refuses).
    serial = itertools.count(1)

    def make(
        municipality_code: str = "730", name: str | None = None, gp_key: str | None = None, **extra: Any
    ) -> Any:
        n = next(serial)
        born = extra.pop("birth_date", dt.date(1940, 1, 1) + dt.timedelta(days=37 * n))
        return Citizen.objects.create(
            cpr=make_cpr(born, n, female=n % 2 == 0),
            name=name or f"Borger {n}",
            birth_date=born,
            residence_municipality=Municipality.objects.get(code=municipality_code),
            gp_clinic=OrganisationUnit.objects.get(key=gp_key) if gp_key else None,
            **extra,
        )

    return make


@pytest.fixture
def make_course(db: Any) -> Callable[..., Any]:
    from sektorbro.courses import services
    from sektorbro.organisations.models import OrganisationUnit

    def make(
        citizen: Any,
        hospital_key: str = "rhr",
        department_key: str | None = "rhr-medicin",
        admitted_at: dt.datetime | None = None,
        area: str = "somatic",
        track: str = "acute",
    ) -> Any:
        return services.open_course(
            actor=None,
            citizen=citizen,
            hospital=OrganisationUnit.objects.get(key=hospital_key),
            department=OrganisationUnit.objects.get(key=department_key) if department_key else None,
            area=area,
            track=track,
            admitted_at=admitted_at or dt.datetime(2026, 11, 20, 9, 30, tzinfo=CPH),
        )

    return make


@pytest.fixture
def randers_world(make_citizen: Callable[..., Any], make_course: Callable[..., Any]) -> dict[str, Any]:
    """A small, fixed set of citizens around the Randers personas."""
    randers_admitted = make_citizen(
        "730", "Randers Indlagt", gp_key="laege-730-1", receives_elderly_care=True
    )
    make_course(randers_admitted)
    randers_home = make_citizen("730", "Randers Hjemme", gp_key="laege-730-2")
    viborg = make_citizen("791", "Viborg Borger", gp_key="laege-791-1")
    viborg_at_randers = make_citizen("791", "Viborg Indlagt i Randers", gp_key="laege-791-1")
    make_course(viborg_at_randers)
    social = make_citizen("730", "Randers Social", known_to_municipal_social_area=True)
    from sektorbro.organisations.models import OrganisationUnit

    social.social_units.add(OrganisationUnit.objects.get(key="social-area-730"))
    relative = randers_home.relatives.create(name="Ulla Hjemme", relation="datter", may_be_involved=False)
    from sektorbro.messaging.models import InboxMessage, OutboxMessage

    visitation = OrganisationUnit.objects.get(key="visitation-730")
    inbox = InboxMessage.objects.create(
        raw=b"{}", sha256="0" * 64, transport="test", citizen=randers_admitted, receiver_unit=visitation,
        kind="hospital_notification", status="accepted", message_id="m-1",
    )  # fmt: skip
    quarantined = InboxMessage.objects.create(
        raw=b"not a message", sha256="1" * 64, transport="test", receiver_unit=visitation, status="unapplicable",
        reason="Ukendt afsender",
    )  # fmt: skip
    outbox = OutboxMessage.objects.create(
        message_id="o-1",
        kind="acknowledgement",
        content="{}",
        citizen=randers_admitted,
        sender_unit=visitation,
    )
    return {
        "inbox": inbox,
        "quarantined": quarantined,
        "outbox": outbox,
        "relative": relative,
        "randers_admitted": randers_admitted,
        "randers_home": randers_home,
        "viborg": viborg,
        "viborg_at_randers": viborg_at_randers,
        "social": social,
    }


@pytest.fixture
def login(client: Any) -> Callable[[Any], Any]:
    def do(user: Any) -> Any:
        client.force_login(user, backend="sektorbro.accounts.backends.SektorbroModelBackend")
        return client

    return do


@pytest.fixture(autouse=True)
def _fresh_unit_cache() -> None:
    """Ingestion caches organisation look-ups for a minute; tests change organisations, so start clean."""
    from django.conf import settings

    if not settings.configured:  # pure tests run without Django
        return
    from sektorbro.messaging.ingest import clear_unit_cache

    clear_unit_cache()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test database, plus a check before it is dropped: on PostgreSQL, a connection that a test,
    a thread or a fixture left open makes ``DROP DATABASE`` fail with "is being accessed by other users". Name the
    open sessions (their last statement) here, so that the leak is reported with its cause. (PostgreSQL's own
    autovacuum workers are not ours: ``start_postgres`` turns autovacuum off for the throw-away test cluster.)"""
    yield
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        connections.close_all()
        name = connection.settings_dict["NAME"]
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT pid, application_name, state, left(query, 200) FROM pg_stat_activity "
                "WHERE datname = %s AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                [name],
            )
            left_open = cursor.fetchall()
    threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    assert not left_open, f"connections left open to {name}: {left_open}; threads alive: {threads}"
