"""Logging in: username or phone, the account lock, the address throttle (password spraying), unlocking,
and the audit rows a login leaves."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from linli.accounts.actions import LoginRefused, login_attempt, user_unlock
from linli.accounts.models import LoginFailure, User
from linli.accounts.tests.conftest import enrol_totp
from linli.core.errors import PermissionDenied
from linli.core.models import AuditEntry, AuditResult
from linli.core.testing.personas import PASSWORD, make_user

PHONE = "13912345678"
WRONG = "Wrong-pass-2026"


def _fail(identifier: str, times: int, password: str = WRONG) -> list[str]:
    codes = []
    for _ in range(times):
        with pytest.raises(LoginRefused) as exc:
            login_attempt(identifier=identifier, password=password)
        codes.append(exc.value.code)
    return codes


def _all_rows_text(model) -> str:
    return json.dumps(list(model.objects.values()), default=str, ensure_ascii=False)


# --- username or phone ---------------------------------------------------------------------------------


def test_login_by_username_succeeds_and_is_audited(resident):
    outcome = login_attempt(identifier="resident_a", password=PASSWORD)
    assert outcome.user == resident
    row = AuditEntry.objects.filter(action="accounts.login").latest("id")
    assert row.result == AuditResult.OK and row.actor_id == resident.pk and row.detail["by"] == "username"


def test_login_by_phone_finds_the_user_through_the_lookup_hash(world):
    user = make_user("phone_user", "resident", place=world.grid_a, phone=PHONE)
    outcome = login_attempt(identifier=PHONE, password=PASSWORD)
    assert outcome.user == user
    assert AuditEntry.objects.filter(action="accounts.login").latest("id").detail["by"] == "phone"


def test_login_audit_rows_hold_neither_the_password_nor_the_raw_phone(world, from_address):
    make_user("phone_user", "resident", place=world.grid_a, phone=PHONE)
    with from_address("198.51.100.7"):
        _fail(PHONE, 2)
        _fail("13800000000", 1)  # a phone nobody has
        login_attempt(identifier=PHONE, password=PASSWORD)
    logins = AuditEntry.objects.filter(action="accounts.login")
    assert logins.filter(result=AuditResult.DENIED).count() == 3
    assert logins.filter(result=AuditResult.OK).count() == 1
    for text in (_all_rows_text(AuditEntry), _all_rows_text(LoginFailure)):
        assert PHONE not in text and "13800000000" not in text
        assert WRONG not in text and PASSWORD not in text


def test_unknown_username_failure_is_audited_as_denied(db):
    _fail("nobody_here", 1)
    row = AuditEntry.objects.filter(action="accounts.login").latest("id")
    assert row.result == AuditResult.DENIED and row.actor_name == "nobody_here" and row.actor_id is None


def test_inactive_user_is_refused_even_with_the_right_password(resident):
    User.objects.filter(pk=resident.pk).update(is_active=False)
    assert _fail("resident_a", 1, password=PASSWORD) == ["bad_credentials"]


# --- the account lock -----------------------------------------------------------------------------------


def test_sixth_attempt_with_the_right_password_is_refused_as_locked(resident):
    codes = _fail("resident_a", 5)
    assert codes == ["bad_credentials"] * 5
    with pytest.raises(LoginRefused) as exc:
        login_attempt(identifier="resident_a", password=PASSWORD)
    assert exc.value.code == "locked"
    resident.refresh_from_db()
    expected = timezone.now() + timedelta(minutes=30)
    assert abs((resident.locked_until - expected).total_seconds()) < 60
    assert AuditEntry.objects.filter(action="accounts.lock", target_id=str(resident.pk)).count() == 1
    assert AuditEntry.objects.filter(action="accounts.login").latest("id").detail["reason"] == "locked"


def test_web_login_sixth_attempt_with_the_right_password_is_refused_as_locked(client, resident):
    for _ in range(5):
        response = client.post("/accounts/login", {"username": "resident_a", "password": WRONG})
        assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login", {"username": "resident_a", "password": PASSWORD})
    assert response.status_code != 302
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.login").latest("id").detail["reason"] == "locked"


def test_api_token_sixth_attempt_with_the_right_password_is_refused_as_locked(client, resident):
    for _ in range(5):
        response = client.post("/api/v1/auth/token", {"username": "resident_a", "password": WRONG}, content_type="application/json")
        assert response.status_code == 401
    response = client.post("/api/v1/auth/token", {"username": "resident_a", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "locked" and set(body) == {"code", "message", "fields"}


def test_a_success_resets_the_consecutive_failure_count(resident):
    _fail("resident_a", 4)
    login_attempt(identifier="resident_a", password=PASSWORD)
    _fail("resident_a", 4)
    assert login_attempt(identifier="resident_a", password=PASSWORD).user == resident


def test_failures_on_the_phone_count_towards_the_same_lock(world):
    user = make_user("phone_user", "resident", place=world.grid_a, phone=PHONE)
    _fail(PHONE, 3)
    _fail("phone_user", 2)
    assert _fail("phone_user", 1, password=PASSWORD) == ["locked"]
    user.refresh_from_db()
    assert user.locked_until is not None


def test_lock_lifts_by_itself_after_the_lock_period(resident):
    _fail("resident_a", 5)
    User.objects.filter(pk=resident.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert login_attempt(identifier="resident_a", password=PASSWORD).user == resident


def test_locked_account_cannot_use_its_api_tokens(client, resident):
    from linli.accounts.tests.conftest import bearer, issue_token

    raw = issue_token(resident)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
    _fail("resident_a", 5)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401


# --- unlocking ------------------------------------------------------------------------------------------


def test_security_admin_unlocks_an_account_on_the_locks_page(client, resident, security_admin):
    _fail("resident_a", 5)
    enrol_totp(security_admin)
    client.force_login(security_admin)
    response = client.post("/accounts/locks", {"user_id": resident.pk})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.locked_until is None
    row = AuditEntry.objects.filter(action="accounts.unlock").latest("id")
    assert row.actor_id == security_admin.pk and row.target_id == str(resident.pk)
    assert login_attempt(identifier="resident_a", password=PASSWORD).user == resident


def test_only_the_security_admin_may_unlock(resident, system_admin, audit_admin):
    _fail("resident_a", 5)
    for actor in (system_admin, audit_admin, resident):
        with pytest.raises(PermissionDenied):
            user_unlock(user=resident, actor=actor)
    resident.refresh_from_db()
    assert resident.locked_until is not None


def test_system_admin_gets_403_on_the_locks_page(client, system_admin):
    enrol_totp(system_admin)
    client.force_login(system_admin)
    assert client.get("/accounts/locks").status_code == 403


def test_unlock_command_unlocks_and_says_so(resident, capsys):
    _fail("resident_a", 5)
    call_command("unlock", "resident_a")
    assert "Unlocked resident_a" in capsys.readouterr().out
    resident.refresh_from_db()
    assert resident.locked_until is None
    row = AuditEntry.objects.filter(action="accounts.unlock").latest("id")
    assert row.actor_name == "console"


def test_unlock_command_fails_for_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("unlock", "nobody_here")


def test_linli_unlock_exits_non_zero_for_an_unknown_user(db, capsys):
    from linli.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["unlock", "nobody_here"])
    assert exc.value.code != 0
    assert "No such user" in capsys.readouterr().err


# --- password spraying ------------------------------------------------------------------------------------


def test_address_failing_across_many_usernames_is_throttled(resident, from_address):
    with from_address("203.0.113.9"):
        for i in range(10):
            _fail(f"guess{i}", 1)
        # Now even the right password of a real user is refused from that address...
        assert _fail("resident_a", 1, password=PASSWORD) == ["throttled"]
    # ...but not from another one.
    with from_address("203.0.113.10"):
        assert login_attempt(identifier="resident_a", password=PASSWORD).user == resident


def test_address_below_the_spray_threshold_is_not_throttled(resident, from_address):
    with from_address("203.0.113.9"):
        for i in range(9):
            _fail(f"guess{i}", 1)
        assert login_attempt(identifier="resident_a", password=PASSWORD).user == resident


def test_one_persons_typos_never_throttle_the_office(grid_worker_a, grid_worker_b, community_staff, from_address):
    office = "192.0.2.50"
    with from_address(office):
        for _ in range(3):
            _fail("worker_a", 4)
            login_attempt(identifier="worker_a", password=PASSWORD)
        codes = _fail("worker_a", 20)  # then locks their own account: that is all
        assert codes[:5] == ["bad_credentials"] * 5 and set(codes[5:]) == {"locked"}
        assert login_attempt(identifier="worker_b", password=PASSWORD).user == grid_worker_b
        assert login_attempt(identifier="staff_c", password=PASSWORD).user == community_staff


def test_failures_older_than_the_spray_window_do_not_count(resident, from_address):
    with from_address("203.0.113.9"):
        for i in range(10):
            _fail(f"guess{i}", 1)
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    with from_address("203.0.113.9"):
        assert login_attempt(identifier="resident_a", password=PASSWORD).user == resident


def test_web_login_is_throttled_by_client_address(client, resident):
    for i in range(10):
        client.post("/accounts/login", {"username": f"guess{i}", "password": WRONG}, REMOTE_ADDR="203.0.113.77")
    client.post("/accounts/login", {"username": "resident_a", "password": PASSWORD}, REMOTE_ADDR="203.0.113.77")
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.login").latest("id").detail["reason"] == "address throttled"
    client.post("/accounts/login", {"username": "resident_a", "password": PASSWORD}, REMOTE_ADDR="203.0.113.78")
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_django_authenticate_goes_through_the_lock(client, resident):
    _fail("resident_a", 5)
    assert client.login(username="resident_a", password=PASSWORD) is False
    assert AuditEntry.objects.filter(action="accounts.login").latest("id").detail["reason"] == "locked"
