"""Two-factor (TOTP): available to every staff user, required for the three administrators; codes are
single-use; wrong codes count towards the lock; the API token endpoint asks for the code."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.db import connection

from linli.accounts.actions import (
    LoginRefused,
    login_attempt,
    security_policy_update,
    totp_disable,
    totp_required,
    totp_verify,
)
from linli.accounts.models import User
from linli.accounts.tests.conftest import enrol_totp
from linli.core.errors import Refused
from linli.core.models import AuditEntry
from linli.core.testing.personas import PASSWORD


def _wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def _refused_code(**kwargs) -> str:
    with pytest.raises(LoginRefused) as exc:
        login_attempt(**kwargs)
    return exc.value.code


@pytest.mark.parametrize("persona", ["system_admin", "security_admin", "audit_admin"])
def test_admin_roles_require_totp(request, persona):
    user = request.getfixturevalue(persona)
    assert totp_required(user) is True
    assert login_attempt(identifier=user.username, password=PASSWORD).must_enrol_totp is True


@pytest.mark.parametrize("persona", ["grid_worker_a", "community_staff", "street_supervisor", "resident"])
def test_other_roles_do_not_require_totp_by_default(request, persona):
    user = request.getfixturevalue(persona)
    assert totp_required(user) is False
    assert login_attempt(identifier=user.username, password=PASSWORD).must_enrol_totp is False


def test_policy_can_require_totp_for_all_staff(grid_worker_a, resident, security_admin):
    security_policy_update(actor=security_admin, changes={"staff_totp_required": True})
    assert totp_required(User.objects.get(pk=grid_worker_a.pk)) is True
    assert totp_required(User.objects.get(pk=resident.pk)) is False


def test_any_staff_user_may_enrol(grid_worker_a):
    secret = enrol_totp(grid_worker_a)
    assert grid_worker_a.totp_enabled
    assert _refused_code(identifier="worker_a", password=PASSWORD) == "otp_required"
    assert login_attempt(identifier="worker_a", password=PASSWORD, otp_code=pyotp.TOTP(secret).now()).user == grid_worker_a
    assert AuditEntry.objects.filter(action="accounts.totp_enable", target_id=str(grid_worker_a.pk)).exists()


def test_totp_secret_is_encrypted_at_rest(grid_worker_a):
    secret = enrol_totp(grid_worker_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [grid_worker_a.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and stored.startswith("v1$")


def test_admin_without_totp_is_confined_to_the_enrolment_page(client, system_admin):
    response = client.post("/accounts/login", {"username": "sys_admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/totp"
    for path in ("/", "/accounts/users", "/accounts/profile", "/accounts/password", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/totp", path
    assert client.get("/accounts/totp").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_admin_session_opened_elsewhere_is_confined_too(client, audit_admin):
    client.force_login(audit_admin)
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"] == "/accounts/totp"


def test_enrolling_lifts_the_confinement(client, system_admin):
    from linli.accounts.views import TOTP_PENDING

    client.post("/accounts/login", {"username": "sys_admin", "password": PASSWORD})
    client.get("/accounts/totp")
    secret = client.session[TOTP_PENDING]
    response = client.post("/accounts/totp", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get("/accounts/users").status_code == 200
    system_admin.refresh_from_db()
    assert system_admin.totp_enabled


def test_admin_with_totp_needs_a_valid_code(security_admin):
    secret = enrol_totp(security_admin)
    totp = pyotp.TOTP(secret)
    assert _refused_code(identifier="sec_admin", password=PASSWORD) == "otp_required"
    assert _refused_code(identifier="sec_admin", password=PASSWORD, otp_code=_wrong(totp.now())) == "otp_invalid"
    outcome = login_attempt(identifier="sec_admin", password=PASSWORD, otp_code=totp.now())
    assert outcome.user == security_admin and outcome.must_enrol_totp is False


def test_web_login_of_admin_with_totp(client, security_admin):
    secret = enrol_totp(security_admin)
    response = client.post("/accounts/login", {"username": "sec_admin", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login", {"username": "sec_admin", "password": PASSWORD, "otp": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(security_admin.pk)
    assert client.get("/accounts/policy").status_code == 200


def test_a_code_is_accepted_once(security_admin):
    secret = enrol_totp(security_admin)
    code = pyotp.TOTP(secret).now()
    login_attempt(identifier="sec_admin", password=PASSWORD, otp_code=code)
    assert _refused_code(identifier="sec_admin", password=PASSWORD, otp_code=code) == "otp_invalid"


def test_a_code_older_than_the_last_accepted_one_is_refused(grid_worker_a):
    secret = enrol_totp(grid_worker_a)
    totp = pyotp.TOTP(secret)
    now = time.time()
    assert totp_verify(grid_worker_a, totp.at(now)) is True
    assert totp_verify(User.objects.get(pk=grid_worker_a.pk), totp.at(now - 30)) is False


def test_replay_guard_holds_across_user_instances(grid_worker_a):
    """Two servers hold two copies of the user: the step is claimed in the database, not in memory."""
    secret = enrol_totp(grid_worker_a)
    code = pyotp.TOTP(secret).now()
    first, second = User.objects.get(pk=grid_worker_a.pk), User.objects.get(pk=grid_worker_a.pk)
    assert totp_verify(first, code) is True
    assert totp_verify(second, code) is False


def test_wrong_codes_count_towards_the_lock(security_admin):
    secret = enrol_totp(security_admin)
    totp = pyotp.TOTP(secret)
    for _ in range(5):
        assert _refused_code(identifier="sec_admin", password=PASSWORD, otp_code=_wrong(totp.now())) == "otp_invalid"
    assert _refused_code(identifier="sec_admin", password=PASSWORD, otp_code=totp.now()) == "locked"


def test_a_missing_code_does_not_count_towards_the_lock(security_admin):
    secret = enrol_totp(security_admin)
    for _ in range(6):
        assert _refused_code(identifier="sec_admin", password=PASSWORD) == "otp_required"
    assert login_attempt(identifier="sec_admin", password=PASSWORD, otp_code=pyotp.TOTP(secret).now())


def test_admin_cannot_turn_off_their_own_totp(security_admin):
    enrol_totp(security_admin)
    with pytest.raises(Refused):
        totp_disable(user=security_admin, actor=security_admin)


def test_api_token_needs_the_code_of_a_totp_user(client, grid_worker_a):
    secret = enrol_totp(grid_worker_a)
    url = "/api/v1/auth/token"
    response = client.post(url, {"username": "worker_a", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "otp_required"
    response = client.post(url, {"username": "worker_a", "password": PASSWORD, "otp": "000000"}, content_type="application/json")
    assert response.status_code == 401
    response = client.post(
        url, {"username": "worker_a", "password": PASSWORD, "otp": pyotp.TOTP(secret).now()}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["token"].startswith("lnl_")


def test_api_token_refused_for_an_admin_without_totp(client, system_admin):
    response = client.post("/api/v1/auth/token", {"username": "sys_admin", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "otp_enrolment_required"
