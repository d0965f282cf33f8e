"""API bearer tokens: issued by POST /api/v1/auth/token, stored hashed, expiring, revocable, carrying
the user's scope. And the users API of the system administrator."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from linli.accounts.models import ApiToken
from linli.accounts.tests.conftest import bearer, enrol_totp, issue_token
from linli.core.models import AuditEntry
from linli.core.testing.personas import PASSWORD, make_user

PHONE = "13512345678"


def _post_token(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/api/v1/auth/token", {"username": username, "password": password, **extra}, content_type="application/json")


def test_token_is_issued_for_username_and_password(client, grid_worker_a):
    response = _post_token(client, "worker_a")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["token"].startswith("lnl_")
    me = client.get("/api/v1/me", **bearer(body["token"]))
    assert me.status_code == 200 and me.json()["username"] == "worker_a"
    assert AuditEntry.objects.filter(action="accounts.token_issue", actor=grid_worker_a).exists()
    assert AuditEntry.objects.filter(action="accounts.login", actor=grid_worker_a, detail__channel="api").exists()


def test_token_is_issued_for_phone_and_password(client, world):
    make_user("phoned", "resident", place=world.grid_a, phone=PHONE)
    assert _post_token(client, PHONE).status_code == 200


def test_wrong_password_gets_no_token(client, grid_worker_a):
    response = _post_token(client, "worker_a", "Wrong-pass-2026")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"
    assert not ApiToken.objects.exists()


def test_token_is_stored_hashed(client, grid_worker_a):
    raw = _post_token(client, "worker_a").json()["token"]
    rows = json.dumps(list(ApiToken.objects.values()), default=str)
    assert raw not in rows
    assert raw[8:] not in rows  # not even the part after the displayed prefix
    audit = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert raw not in audit


def test_expired_token_gets_401_with_the_error_shape(client, grid_worker_a):
    raw = issue_token(grid_worker_a)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me", **bearer(raw))
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": response.json()["message"], "fields": {}}


def test_token_expires_after_the_configured_days(grid_worker_a, settings):
    settings.LINLI_API_TOKEN_DAYS = 7
    issue_token(grid_worker_a)
    token = ApiToken.objects.get()
    assert abs((token.expires_at - timezone.now() - timedelta(days=7)).total_seconds()) < 60


def test_revoked_token_gets_401(client, grid_worker_a):
    raw = issue_token(grid_worker_a)
    token = ApiToken.objects.get()
    response = client.post(f"/api/v1/auth/tokens/{token.pk}/revoke", **bearer(raw))
    assert response.status_code == 200 and response.json()["revoked_at"]
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401
    assert AuditEntry.objects.filter(action="accounts.token_revoke", actor=grid_worker_a).exists()


def test_another_users_token_cannot_be_revoked_and_looks_missing(client, grid_worker_a, grid_worker_b):
    issue_token(grid_worker_a)
    victim = ApiToken.objects.get(user=grid_worker_a)
    raw_b = issue_token(grid_worker_b)
    response = client.post(f"/api/v1/auth/tokens/{victim.pk}/revoke", **bearer(raw_b))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    victim.refresh_from_db()
    assert victim.revoked_at is None


def test_token_list_shows_only_my_tokens_without_keys(client, grid_worker_a, grid_worker_b):
    raw = issue_token(grid_worker_a)
    issue_token(grid_worker_b)
    body = client.get("/api/v1/auth/tokens", **bearer(raw)).json()
    assert body["next_after"] is None
    body = body["items"]
    assert len(body) == 1 and "token" not in body[0] and "key_hash" not in body[0]


def test_deactivated_user_token_stops_working(client, grid_worker_a):
    from linli.accounts.models import User

    raw = issue_token(grid_worker_a)
    User.objects.filter(pk=grid_worker_a.pk).update(is_active=False)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401


def test_token_carries_the_users_scope(client, world, grid_worker_a):
    raw = issue_token(grid_worker_a)
    ids = {p["id"] for p in client.get("/api/v1/places", **bearer(raw)).json()["items"]}
    # their grid and its ancestors; not the sibling grid nor the other community
    assert ids == {world.street.pk, world.community.pk, world.grid_a.pk}
    assert client.get(f"/api/v1/places/{world.grid_b.pk}", **bearer(raw)).status_code == 404


def test_token_scope_follows_role_changes(client, world, grid_worker_a):
    from linli.accounts.actions import role_assign

    raw = issue_token(grid_worker_a)
    role_assign(user=grid_worker_a, role="grid_worker", place=world.grid_b, actor=None)
    ids = {p["id"] for p in client.get("/api/v1/places", **bearer(raw)).json()["items"]}
    assert world.grid_b.pk in ids


def test_me_lists_roles_and_places(client, world, grid_worker_a):
    body = client.get("/api/v1/me", **bearer(issue_token(grid_worker_a))).json()
    assert body["roles"] == ["grid_worker"] and body["places"] == [world.grid_a.path]


# --- users API ---------------------------------------------------------------------------------------------


def _sysadmin_token(system_admin) -> dict:
    enrol_totp(system_admin)
    return bearer(issue_token(system_admin))


def test_system_admin_lists_users_with_masked_phones(client, world, system_admin):
    make_user("phoned", "resident", place=world.grid_a, phone=PHONE)
    response = client.get("/api/v1/users", **_sysadmin_token(system_admin))
    assert response.status_code == 200
    rows = {u["username"]: u for u in response.json()["items"]}
    assert rows["phoned"]["phone"] == "135****5678"
    assert PHONE not in response.content.decode()


def test_users_list_pages_by_id(client, world, system_admin):
    for i in range(5):
        make_user(f"paged{i}")
    headers = _sysadmin_token(system_admin)
    first = client.get("/api/v1/users?size=3", **headers).json()
    second = client.get(f"/api/v1/users?size=3&after={first['next_after']}", **headers).json()
    ids = [u["id"] for u in first["items"] + second["items"]]
    assert len(first["items"]) == 3 and first["next_after"] == first["items"][-1]["id"]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and len(ids) == 6


def test_users_list_is_forbidden_to_others(client, community_staff):
    response = client.get("/api/v1/users", **bearer(issue_token(community_staff)))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_system_admin_reads_a_user_with_masked_phone(client, world, system_admin):
    user = make_user("phoned", "resident", place=world.grid_a, phone=PHONE)
    response = client.get(f"/api/v1/users/{user.pk}", **_sysadmin_token(system_admin))
    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "135****5678" and body["roles"][0]["role"] == "resident"


def test_another_user_is_not_found_for_non_admins(client, world, community_staff, grid_worker_a):
    response = client.get(f"/api/v1/users/{grid_worker_a.pk}", **bearer(issue_token(community_staff)))
    assert response.status_code == 404


def test_full_phone_is_revealed_with_an_audit_row(client, world, system_admin):
    user = make_user("phoned", "resident", place=world.grid_a, phone=PHONE)
    response = client.get(f"/api/v1/users/{user.pk}/phone", {"reason": "回访核实"}, **_sysadmin_token(system_admin))
    assert response.status_code == 200 and response.json() == {"phone": PHONE}
    row = AuditEntry.objects.filter(action="pii.unmask").latest("id")
    assert row.actor_id == system_admin.pk and row.target_id == str(user.pk)
    assert PHONE not in json.dumps(row.detail, ensure_ascii=False) and PHONE not in row.target_repr


def test_phone_reveal_needs_a_reason(client, world, system_admin):
    user = make_user("phoned", "resident", place=world.grid_a, phone=PHONE)
    response = client.get(f"/api/v1/users/{user.pk}/phone", **_sysadmin_token(system_admin))
    assert response.status_code == 422 and "reason" in response.json()["fields"]
    assert not AuditEntry.objects.filter(action="pii.unmask").exists()


def test_phone_reveal_is_not_found_for_others(client, world, community_staff):
    user = make_user("phoned", "resident", place=world.grid_a, phone=PHONE)
    response = client.get(f"/api/v1/users/{user.pk}/phone", {"reason": "想看看"}, **bearer(issue_token(community_staff)))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="pii.unmask", result="ok").exists()


def test_password_change_revokes_the_bearer_tokens(client, grid_worker_a):
    from linli.accounts.actions import password_set

    raw = issue_token(grid_worker_a)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
    password_set(user=grid_worker_a, new_password="Another-pass-2026!", actor=grid_worker_a, old_password=PASSWORD)
    response = client.get("/api/v1/me", **bearer(raw))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    entry = AuditEntry.objects.filter(action="accounts.password_set").latest("id")
    assert entry.detail["tokens_revoked"] == 1
