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


def _fail(client: Any, username: str, address: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def test_a_failed_login_says_how_many_attempts_remain_and_how_long_a_lock_lasts(
    client: Any, make_user: Any
) -> None:
    make_user("nurse", "ward_nurse", "rhr-medicin")
    body = _fail(client, "nurse", "10.0.0.1").content.decode()
    assert f"{settings.AXES_FAILURE_LIMIT - 1} forsøg tilbage" in body and "15 minutter" in body


def test_someone_else_s_failures_do_not_lock_the_owner_out_from_her_own_device(
    client: Any, make_user: Any
) -> None:
    make_user("nurse", "ward_nurse", "rhr-medicin")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, "nurse", "203.0.113.9")
    assert _fail(client, "nurse", "203.0.113.9").status_code == 429
    own = client.post(
        "/accounts/login/", {"username": "nurse", "password": "correct horse battery"}, REMOTE_ADDR="10.0.0.7"
    )
    assert own.status_code == 302


@override_settings(SEKTORBRO_LOGIN_ADDRESS_LIMIT=8)
def test_spraying_many_usernames_from_one_address_is_refused(client: Any, make_user: Any) -> None:
    make_user("nurse", "ward_nurse", "rhr-medicin")
    for i in range(8):
        _fail(client, f"guess{i}", "198.51.100.4")
    refused = client.post(
        "/accounts/login/",
        {"username": "nurse", "password": "correct horse battery"},
        REMOTE_ADDR="198.51.100.4",
    )
    assert refused.status_code == 200 and "netværksadresse" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    elsewhere = client.post(
        "/accounts/login/", {"username": "nurse", "password": "correct horse battery"}, REMOTE_ADDR="10.0.0.7"
    )
    assert elsewhere.status_code == 302


@override_settings(SEKTORBRO_LOGIN_USERNAME_CEILING=6)
def test_one_username_failing_from_many_addresses_is_locked_everywhere(client: Any, make_user: Any) -> None:
    make_user("nurse", "ward_nurse", "rhr-medicin")
    for i in range(6):
        _fail(client, "nurse", f"192.0.2.{i + 1}")
    refused = client.post(
        "/accounts/login/", {"username": "nurse", "password": "correct horse battery"}, REMOTE_ADDR="10.0.0.7"
    )
    assert refused.status_code == 200 and "låst i 15 minutter" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_demo_account_s_token_is_inert_outside_demo_mode(client: Any, make_user: Any) -> None:
    """#16: as for passwords, so for API tokens (issued in demo mode, used after a restart without it)."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    from sektorbro.accounts.models import ApiToken

    user = make_user("admin.demo", "administrator", "region-midtjylland")
    user.is_demo_account = True
    user.save()
    _token, key = ApiToken.issue(user=user, name="demo gateway")
    with override_settings(DEMO_MODE=True):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    with override_settings(DEMO_MODE=False):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
        with pytest.raises(CommandError, match="demo"):
            call_command("apitoken", "admin.demo", "--name", "x", stdout=StringIO())
    with override_settings(DEMO_MODE=True):
        out = StringIO()
        call_command("apitoken", "admin.demo", "--name", "x", stdout=out)
        assert out.getvalue().strip().startswith("sb_")
