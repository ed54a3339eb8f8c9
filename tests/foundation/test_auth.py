from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_the_login_page_is_danish_by_default(client: Any) -> None:
    body = client.get("/accounts/login/").content.decode()
    assert 'lang="da"' in body
    assert "Log ind" in body
    assert "Adgangskode" in body


def test_a_wrong_password_gets_a_clear_danish_error(client: Any, make_user: Any) -> None:
    make_user("nurse", "ward_nurse", "rhr-medicin")
    response = client.post("/accounts/login/", {"username": "nurse", "password": "wrong"})
    assert response.status_code == 200
    assert "korrekt brugernavn og adgangskode" in response.content.decode()


def test_login_and_logout(client: Any, make_user: Any) -> None:
    make_user("nurse", "ward_nurse", "rhr-medicin")
    response = client.post("/accounts/login/", {"username": "nurse", "password": "correct horse battery"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_repeated_failed_logins_lock_the_account(client: Any, make_user: Any) -> None:
    make_user("nurse", "ward_nurse", "rhr-medicin")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "nurse", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "nurse", "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "For mange mislykkede" in locked.content.decode()


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    from sektorbro import settings as project_settings

    production_hashers = [h for h in project_settings.PASSWORD_HASHERS if "MD5" not in h]
    assert production_hashers[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=production_hashers):
        assert identify_hasher(make_password("secret password")).algorithm == "argon2"


def test_sessions_expire() -> None:
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_password_change(client: Any, make_user: Any) -> None:
    user = make_user("nurse", "ward_nurse", "rhr-medicin")
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct horse battery",
            "new_password1": "a much longer new passphrase",
            "new_password2": "a much longer new passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a much longer new passphrase")


def test_demo_accounts_only_log_in_in_demo_mode(client: Any, make_user: Any) -> None:
    user = make_user("kommune.randers", "municipal_visitator", "visitation-730")
    user.is_demo_account = True
    user.set_password("demo")
    user.save()
    with override_settings(DEMO_MODE=False):
        refused = client.post("/accounts/login/", {"username": "kommune.randers", "password": "demo"})
        assert refused.status_code == 200 and "_auth_user_id" not in client.session
    with override_settings(DEMO_MODE=True):
        accepted = client.post("/accounts/login/", {"username": "kommune.randers", "password": "demo"})
        assert accepted.status_code == 302


def test_the_admin_is_for_administrators_only(client: Any, make_user: Any) -> None:
    staff_nurse = make_user("staffnurse", "ward_nurse", "rhr-medicin", is_staff=True)
    client.force_login(staff_nurse)
    assert client.get("/admin/").status_code == 302  # staff, but not an administrator
    admin = make_user("boss", "administrator", "region-midtjylland", is_staff=True)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/citizens/accesslogentry/?q=boss").status_code == 200


def test_a_membership_must_match_the_kind_of_unit() -> None:
    from django.core.exceptions import ValidationError

    from sektorbro.accounts.models import Membership, User
    from sektorbro.organisations.models import OrganisationUnit

    user = User.objects.create_user("x", password="y" * 12)
    membership = Membership(user=user, unit=OrganisationUnit.objects.get(key="visitation-730"), role="gp")
    with pytest.raises(ValidationError) as err:
        membership.full_clean()
    assert "unit" in err.value.message_dict
