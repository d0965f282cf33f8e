"""Password policy (等保 level 3): length, three of four classes, not the username, not one of the last 5;
staff passwords expire after 90 days; a password set by an administrator must be changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.accounts.actions import login_attempt, password_is_expired, password_set, user_create
from linli.accounts.models import PasswordHistory, User
from linli.accounts.passwords import character_classes
from linli.accounts.tests.conftest import enrol_totp
from linli.core.errors import Invalid, PermissionDenied
from linli.core.models import AuditEntry
from linli.core.testing.personas import PASSWORD


@pytest.mark.parametrize(
    "password, code",
    [
        ("Ab1!", "password_too_short"),
        ("Abc1!xy", "password_too_short"),
        ("abcdefgh1", "password_too_simple"),
        ("ABCDEFGH!", "password_too_simple"),
        ("abcdefgh", "password_too_simple"),
        ("Xnewuser9!", "password_is_username"),
        ("NEWUSER-2026", "password_is_username"),
    ],
)
def test_user_create_refuses_a_weak_password(db, password, code):
    with pytest.raises(Invalid) as exc:
        user_create(username="newuser", password=password, actor=None)
    assert exc.value.fields["password"]
    assert not User.objects.filter(username="newuser").exists()


@pytest.mark.parametrize("password", ["Abcdefg1", "abcdefg1!", "ABCDEFG1!", "Abcdefg!", "长城Abcd12"])
def test_user_create_accepts_eight_characters_of_three_classes(db, password):
    assert user_create(username="newuser", password=password, actor=None).check_password(password)


def test_character_classes_counts_the_four_classes():
    assert character_classes("abc") == 1
    assert character_classes("aB") == 2
    assert character_classes("aB1") == 3
    assert character_classes("aB1-") == 4


def test_password_change_needs_the_current_password(resident):
    with pytest.raises(Invalid) as exc:
        password_set(user=resident, new_password="Fresh-pass-1", old_password="Not-it-2026", actor=resident)
    assert "old_password" in exc.value.fields
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_none_of_the_last_five_passwords_may_come_back(resident):
    current = PASSWORD
    used = [PASSWORD]
    for i in range(1, 6):
        new = f"Cycle-pass-{i}"
        password_set(user=resident, new_password=new, old_password=current, actor=resident)
        current = new
        used.append(new)
    # the current one and the previous five are remembered
    for old in used[-5:]:
        with pytest.raises(Invalid):
            password_set(user=resident, new_password=old, old_password=current, actor=resident)
    assert PasswordHistory.objects.filter(user=resident).count() == 5
    # the oldest (the sixth back) has fallen out of the history
    password_set(user=resident, new_password=used[0], old_password=current, actor=resident)
    resident.refresh_from_db()
    assert resident.check_password(used[0])


def test_password_history_stores_hashes_only(resident):
    password_set(user=resident, new_password="Fresh-pass-1", old_password=PASSWORD, actor=resident)
    stored = PasswordHistory.objects.get(user=resident).password
    assert PASSWORD not in stored and stored.startswith(("md5$", "pbkdf2", "argon2", "scrypt"))


def test_password_change_is_audited_without_the_password(resident):
    password_set(user=resident, new_password="Fresh-pass-1", old_password=PASSWORD, actor=resident)
    row = AuditEntry.objects.filter(action="accounts.password_set").latest("id")
    assert row.actor_id == resident.pk and row.detail["by"] == "self"
    assert "Fresh-pass-1" not in str(row.detail) and PASSWORD not in str(row.detail)


def test_staff_password_expires_after_90_days(grid_worker_a):
    User.objects.filter(pk=grid_worker_a.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    assert password_is_expired(User.objects.get(pk=grid_worker_a.pk)) is False
    User.objects.filter(pk=grid_worker_a.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    assert password_is_expired(User.objects.get(pk=grid_worker_a.pk)) is True
    assert login_attempt(identifier="worker_a", password=PASSWORD).password_expired is True


def test_resident_password_does_not_expire(resident):
    User.objects.filter(pk=resident.pk).update(password_changed_at=timezone.now() - timedelta(days=400))
    assert password_is_expired(User.objects.get(pk=resident.pk)) is False


def test_password_set_by_the_system_admin_must_be_changed_at_next_login(resident, system_admin):
    password_set(user=resident, new_password="Temp-pass-2026", actor=system_admin)
    resident.refresh_from_db()
    assert resident.password_must_change and password_is_expired(resident)
    assert login_attempt(identifier="resident_a", password="Temp-pass-2026").password_expired is True
    password_set(user=resident, new_password="Mine-pass-2026", old_password="Temp-pass-2026", actor=resident)
    resident.refresh_from_db()
    assert not password_is_expired(resident)


def test_audit_admin_cannot_set_another_users_password(resident, audit_admin):
    with pytest.raises(PermissionDenied):
        password_set(user=resident, new_password="Temp-pass-2026", actor=audit_admin)


def test_system_admin_cannot_set_an_administrators_password(system_admin, audit_admin, security_admin):
    with pytest.raises(PermissionDenied):
        password_set(user=audit_admin, new_password="Temp-pass-2026", actor=system_admin)
    # the security administrator can (and the owner must change it at the next login)
    password_set(user=audit_admin, new_password="Temp-pass-2026", actor=security_admin)
    audit_admin.refresh_from_db()
    assert audit_admin.password_must_change


def test_expired_password_confines_the_session_to_the_password_page(client, grid_worker_a):
    User.objects.filter(pk=grid_worker_a.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(grid_worker_a)
    response = client.get("/accounts/profile")
    assert response.status_code == 302 and response["Location"] == "/accounts/password"
    assert client.get("/accounts/password").status_code == 200


def test_web_login_with_an_expired_password_goes_to_the_password_page(client, grid_worker_a):
    User.objects.filter(pk=grid_worker_a.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = client.post("/accounts/login", {"username": "worker_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/password"
    assert client.get("/").status_code == 302


def test_changing_the_expired_password_lifts_the_confinement(client, grid_worker_a):
    User.objects.filter(pk=grid_worker_a.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.post("/accounts/login", {"username": "worker_a", "password": PASSWORD})
    response = client.post(
        "/accounts/password",
        {"old_password": PASSWORD, "new_password": "Brand-new-2026", "new_password2": "Brand-new-2026"},
    )
    assert response.status_code == 302
    assert client.get("/accounts/profile").status_code == 200


def test_api_token_refused_while_the_password_is_expired(client, grid_worker_a):
    User.objects.filter(pk=grid_worker_a.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = client.post("/api/v1/auth/token", {"username": "worker_a", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "password_expired"


def test_session_api_refused_while_a_password_change_is_owed(client, grid_worker_a):
    User.objects.filter(pk=grid_worker_a.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(grid_worker_a)
    client.get("/")  # the first request works out what the session owes
    assert client.get("/api/v1/me").status_code == 401


def test_admin_with_totp_and_expired_password_is_sent_to_the_password_page(client, security_admin):
    enrol_totp(security_admin)
    User.objects.filter(pk=security_admin.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(security_admin)
    assert client.get("/accounts/policy")["Location"] == "/accounts/password"
