"""The Django admin for accounts: who sees which page, phones masked, no secret fields, and every save
through the actions (so the rules hold and the audit rows are written)."""

from __future__ import annotations

import pytest

from linli.accounts.models import RoleAssignment, SecurityPolicy, User
from linli.accounts.tests.conftest import enrol_totp
from linli.core.models import AuditEntry
from linli.core.testing.personas import make_user

PHONE = "13612345678"


@pytest.fixture
def sysadmin_client(client, system_admin):
    enrol_totp(system_admin)
    client.force_login(system_admin)
    return client


@pytest.fixture
def secadmin_client(client, security_admin):
    enrol_totp(security_admin)
    client.force_login(security_admin)
    return client


def _inline(rows: list[dict], initial: int = 0) -> dict:
    data = {
        "role_assignments-TOTAL_FORMS": str(len(rows)),
        "role_assignments-INITIAL_FORMS": str(initial),
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"role_assignments-{i}-{key}"] = value
    return data


def test_admin_login_page_sends_staff_to_the_linli_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login?next=/admin/")


def test_non_staff_cannot_enter_the_admin(client, community_staff):
    client.force_login(community_staff)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain and not response.redirect_chain[-1][0].startswith("/admin")
    assert response.request["PATH_INFO"] == "/"


def test_system_admin_sees_users_and_departments_but_not_the_policy(sysadmin_client):
    html = sysadmin_client.get("/admin/").content.decode()
    assert "/admin/accounts/user/" in html and "/admin/accounts/department/" in html
    assert "/admin/accounts/securitypolicy/" not in html
    assert sysadmin_client.get("/admin/accounts/securitypolicy/").status_code == 403


def test_system_admin_sees_no_audit_entries_in_the_admin(sysadmin_client):
    AuditEntry.objects.create(at="2026-01-01T00:00:00Z", action="test.secret_marker", actor_name="x")
    html = sysadmin_client.get("/admin/").content.decode()
    assert "auditentry" not in html
    response = sysadmin_client.get("/admin/core/auditentry/")
    assert response.status_code in (403, 404)
    assert "secret_marker" not in response.content.decode()


def test_user_list_and_page_show_the_phone_masked_and_no_secrets(sysadmin_client, world):
    user = make_user("phoned", "resident", place=world.grid_a, phone=PHONE)
    enrol_totp(user)
    listing = sysadmin_client.get("/admin/accounts/user/").content.decode()
    assert "136****5678" in listing and PHONE not in listing
    page = sysadmin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "136****5678" in page and PHONE not in page
    user.refresh_from_db()
    for secret in (user.totp_secret, user.password):
        assert secret not in page
    for field in ("totp_secret", "password", "id_number", "phone_hash", "is_superuser", "user_permissions"):
        assert f'name="{field}"' not in page


def test_user_search_finds_a_phone_through_the_hash(sysadmin_client, world):
    make_user("phoned", "resident", place=world.grid_a, phone=PHONE)
    listing = sysadmin_client.get("/admin/accounts/user/", {"q": PHONE}).content.decode()
    assert "phoned" in listing and "136****5678" in listing


def test_admin_creates_a_user_through_user_create(sysadmin_client, system_admin):
    data = {"username": "made_in_admin", "display_name": "新用户", "email": "", "phone_number": PHONE,
            "password": "Admin-made-2026", **_inline([])}
    response = sysadmin_client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="made_in_admin")
    assert user.phone == PHONE and user.check_password("Admin-made-2026")
    row = AuditEntry.objects.filter(action="accounts.user_create").latest("id")
    assert row.actor_id == system_admin.pk and row.target_id == str(user.pk)


def test_admin_add_form_enforces_the_password_policy(sysadmin_client):
    data = {"username": "weakling", "display_name": "", "email": "", "phone_number": "", "password": "weak", **_inline([])}
    response = sysadmin_client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 200
    assert not User.objects.filter(username="weakling").exists()


def test_admin_grants_a_role_through_role_assign(sysadmin_client, system_admin, world):
    user = make_user("newcomer")
    data = {"display_name": "newcomer", "email": "", "new_phone": "", "is_active": "on",
            **_inline([{"role": "grid_worker", "place": str(world.grid_a.pk), "department": "", "id": "", "user": str(user.pk)}])}
    response = sysadmin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.role == "grid_worker" and assignment.granted_by == system_admin
    row = AuditEntry.objects.filter(action="accounts.role_assign").latest("id")
    assert row.actor_id == system_admin.pk and row.target_id == str(user.pk)


def test_admin_revokes_a_role_through_role_revoke(sysadmin_client, system_admin, grid_worker_a, world):
    assignment = RoleAssignment.objects.get(user=grid_worker_a)
    data = {"display_name": "worker_a", "email": "", "new_phone": "", "is_active": "on",
            **_inline([{"role": "grid_worker", "place": str(world.grid_a.pk), "department": "",
                        "id": str(assignment.pk), "user": str(grid_worker_a.pk), "DELETE": "on"}], initial=1)}
    response = sysadmin_client.post(f"/admin/accounts/user/{grid_worker_a.pk}/change/", data)
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=grid_worker_a).exists()
    assert AuditEntry.objects.filter(action="accounts.role_revoke", actor=system_admin).exists()


def test_system_admin_cannot_grant_an_admin_role_in_the_admin(sysadmin_client):
    user = make_user("newcomer")
    data = {"display_name": "newcomer", "email": "", "new_phone": "", "is_active": "on",
            **_inline([{"role": "audit_admin", "place": "", "department": "", "id": "", "user": str(user.pk)}])}
    response = sysadmin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 200  # the form comes back with the reason
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_security_admin_grants_an_admin_role_in_the_admin(secadmin_client, security_admin):
    user = make_user("newcomer")
    data = {**_inline([{"role": "audit_admin", "place": "", "department": "", "id": "", "user": str(user.pk)}])}
    response = secadmin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert RoleAssignment.objects.get(user=user).role == "audit_admin"
    assert AuditEntry.objects.filter(action="accounts.role_assign", actor=security_admin).exists()


def test_admin_change_goes_through_user_update(sysadmin_client, system_admin, resident):
    data = {"display_name": "改名", "email": "", "new_phone": PHONE, "is_active": "",
            **_inline([{"role": "resident", "place": str(RoleAssignment.objects.get(user=resident).place_id),
                        "department": "", "id": str(RoleAssignment.objects.get(user=resident).pk),
                        "user": str(resident.pk)}], initial=1)}
    response = sysadmin_client.post(f"/admin/accounts/user/{resident.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    resident.refresh_from_db()
    assert resident.display_name == "改名" and resident.phone == PHONE and resident.is_active is False
    row = AuditEntry.objects.filter(action="accounts.user_update").latest("id")
    assert row.actor_id == system_admin.pk and PHONE not in str(row.detail)


def test_system_admin_cannot_edit_an_admins_account_in_the_admin(sysadmin_client, audit_admin):
    page = sysadmin_client.get(f"/admin/accounts/user/{audit_admin.pk}/change/").content.decode()
    assert 'name="is_active"' not in page


def test_nothing_is_deleted_through_the_admin(sysadmin_client, resident):
    assert sysadmin_client.get(f"/admin/accounts/user/{resident.pk}/delete/").status_code == 403
    assert User.objects.filter(pk=resident.pk).exists()


def test_department_admin_saves_through_the_actions(sysadmin_client, system_admin, world):
    response = sysadmin_client.post("/admin/accounts/department/add/", {"name": "住建办", "code": "D-ZJ", "place": ""})
    assert response.status_code == 302
    row = AuditEntry.objects.filter(action="accounts.department_create").latest("id")
    assert row.actor_id == system_admin.pk
    response = sysadmin_client.post(
        f"/admin/accounts/department/{world.department.pk}/change/", {"name": "城管中队", "code": "D-TEST", "place": ""}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="accounts.department_update", actor=system_admin).exists()


def test_security_admin_edits_the_policy_in_the_admin(secadmin_client, security_admin):
    from linli.accounts.actions import POLICY_FIELDS
    from linli.accounts.selectors import security_policy

    policy = security_policy()
    data = {f: getattr(policy, f) for f in POLICY_FIELDS}
    data["staff_totp_required"] = "on" if policy.staff_totp_required else ""
    data["lockout_threshold"] = 4
    assert secadmin_client.get("/admin/accounts/securitypolicy/").status_code == 200
    response = secadmin_client.post(f"/admin/accounts/securitypolicy/{policy.pk}/change/", data)
    assert response.status_code == 302
    assert SecurityPolicy.objects.get(pk=1).lockout_threshold == 4
    assert security_policy().lockout_threshold == 4
    assert AuditEntry.objects.filter(action="accounts.policy_update", actor=security_admin).exists()


def test_security_admin_cannot_weaken_the_policy_in_the_admin(secadmin_client):
    from linli.accounts.actions import POLICY_FIELDS
    from linli.accounts.selectors import security_policy

    policy = security_policy()
    data = {f: getattr(policy, f) for f in POLICY_FIELDS}
    data["staff_totp_required"] = ""
    data["password_min_length"] = 4
    response = secadmin_client.post(f"/admin/accounts/securitypolicy/{policy.pk}/change/", data)
    assert response.status_code == 200
    assert SecurityPolicy.objects.get(pk=1).password_min_length == 8


def test_security_admin_unlocks_from_the_user_list(secadmin_client, security_admin, resident):
    from django.utils import timezone

    User.objects.filter(pk=resident.pk).update(locked_until=timezone.now() + timezone.timedelta(minutes=30))
    response = secadmin_client.post(
        "/admin/accounts/user/", {"action": "unlock_selected", "_selected_action": [str(resident.pk)]}
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.locked_until is None
    assert AuditEntry.objects.filter(action="accounts.unlock", actor=security_admin).exists()
