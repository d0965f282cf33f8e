"""The three separated administrator roles (等保 level 3 三权分立) and who may grant what."""

from __future__ import annotations

import pytest

from linli.accounts.actions import (
    password_set,
    role_assign,
    role_revoke,
    user_create,
    user_update,
)
from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import ADMIN_ROLES, Role
from linli.accounts.tests.conftest import enrol_totp
from linli.core.errors import Invalid, PermissionDenied, Refused
from linli.core.models import AuditEntry
from linli.core.testing.personas import make_user

ADMIN_ROLE_VALUES = sorted(str(r) for r in ADMIN_ROLES)


@pytest.fixture
def newcomer(db):
    return make_user("newcomer")


def test_the_three_admins_are_staff_but_not_superusers(system_admin, security_admin, audit_admin):
    for user in (system_admin, security_admin, audit_admin):
        user.refresh_from_db()
        assert user.is_staff is True and user.is_superuser is False


def test_a_superuser_cannot_be_given_an_admin_role(db):
    root = User.objects.create_superuser("root", password="Root-pass-2026")
    with pytest.raises(Refused):
        role_assign(user=root, role=Role.AUDIT_ADMIN, actor=None)
    assert not RoleAssignment.objects.filter(user=root).exists()


def test_system_admin_grants_an_ordinary_role_and_it_is_audited(world, system_admin, newcomer):
    assignment = role_assign(user=newcomer, role=Role.GRID_WORKER, place=world.grid_a, actor=system_admin)
    assert assignment.granted_by == system_admin
    row = AuditEntry.objects.filter(action="accounts.role_assign").latest("id")
    assert row.actor_id == system_admin.pk and row.target_id == str(newcomer.pk)
    assert row.detail["role"] == "grid_worker" and row.detail["place"] == world.grid_a.pk


@pytest.mark.parametrize("role", ADMIN_ROLE_VALUES)
def test_system_admin_cannot_grant_an_admin_role_to_anyone(system_admin, newcomer, role):
    with pytest.raises(PermissionDenied):
        role_assign(user=newcomer, role=role, actor=system_admin)
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("role", ADMIN_ROLE_VALUES)
def test_system_admin_cannot_grant_themselves_an_admin_role(system_admin, role):
    with pytest.raises(PermissionDenied):
        role_assign(user=system_admin, role=role, actor=system_admin)
    assert set(RoleAssignment.objects.filter(user=system_admin).values_list("role", flat=True)) == {"system_admin"}


def test_security_admin_grants_admin_roles(security_admin, newcomer):
    role_assign(user=newcomer, role=Role.AUDIT_ADMIN, actor=security_admin)
    newcomer.refresh_from_db()
    assert newcomer.is_staff and not newcomer.is_superuser
    assert AuditEntry.objects.filter(action="accounts.role_assign", actor=security_admin).exists()


@pytest.mark.parametrize("role", ADMIN_ROLE_VALUES)
def test_security_admin_never_grants_to_self(security_admin, role):
    with pytest.raises(PermissionDenied):
        role_assign(user=security_admin, role=role, actor=security_admin)


def test_security_admin_cannot_grant_ordinary_roles(world, security_admin, newcomer):
    with pytest.raises(PermissionDenied):
        role_assign(user=newcomer, role=Role.COMMUNITY_STAFF, place=world.community, actor=security_admin)


def test_one_person_holds_at_most_one_admin_role(security_admin, system_admin):
    with pytest.raises(Refused):
        role_assign(user=system_admin, role=Role.AUDIT_ADMIN, actor=security_admin)


def test_admin_accounts_hold_no_business_roles(world, security_admin, system_admin, grid_worker_a):
    with pytest.raises(Refused):
        role_assign(user=grid_worker_a, role=Role.AUDIT_ADMIN, actor=security_admin)
    with pytest.raises(Refused):
        role_assign(user=security_admin, role=Role.GRID_WORKER, place=world.grid_a, actor=None)


def test_admin_roles_are_not_bound_to_places(world, security_admin, newcomer):
    with pytest.raises(Invalid):
        role_assign(user=newcomer, role=Role.AUDIT_ADMIN, place=world.street, actor=security_admin)


def test_place_roles_need_a_place_and_department_roles_a_department(world, system_admin, newcomer):
    with pytest.raises(Invalid):
        role_assign(user=newcomer, role=Role.GRID_WORKER, actor=system_admin)
    with pytest.raises(Invalid):
        role_assign(user=newcomer, role=Role.DEPARTMENT_STAFF, place=world.street, actor=system_admin)


@pytest.mark.parametrize("persona", ["grid_worker_a", "community_staff", "street_supervisor", "audit_admin"])
def test_other_roles_cannot_grant_any_role(request, world, newcomer, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        role_assign(user=newcomer, role=Role.RESIDENT, place=world.grid_a, actor=actor)


def test_revoking_is_audited_and_checked_like_granting(world, system_admin, security_admin, grid_worker_a, audit_admin):
    assignment = RoleAssignment.objects.get(user=grid_worker_a)
    role_revoke(assignment=assignment, actor=system_admin)
    assert not RoleAssignment.objects.filter(user=grid_worker_a).exists()
    row = AuditEntry.objects.filter(action="accounts.role_revoke").latest("id")
    assert row.actor_id == system_admin.pk and row.detail["role"] == "grid_worker"
    admin_assignment = RoleAssignment.objects.get(user=audit_admin)
    with pytest.raises(PermissionDenied):
        role_revoke(assignment=admin_assignment, actor=system_admin)
    role_revoke(assignment=admin_assignment, actor=security_admin)
    audit_admin.refresh_from_db()
    assert audit_admin.is_staff is False


def test_nobody_revokes_their_own_role(security_admin):
    with pytest.raises(PermissionDenied):
        role_revoke(assignment=RoleAssignment.objects.get(user=security_admin), actor=security_admin)


def test_audit_admin_cannot_change_users(world, audit_admin, resident):
    with pytest.raises(PermissionDenied):
        user_create(username="sneaky", password="Sneaky-pass-2026", actor=audit_admin)
    with pytest.raises(PermissionDenied):
        role_assign(user=resident, role=Role.VOLUNTEER, place=world.grid_a, actor=audit_admin)
    with pytest.raises(PermissionDenied):
        password_set(user=resident, new_password="Other-pass-2026", actor=audit_admin)
    with pytest.raises(PermissionDenied):
        user_update(user=resident, actor=audit_admin, changes={"is_active": False})
    assert not User.objects.filter(username="sneaky").exists()
    resident.refresh_from_db()
    assert resident.is_active


def test_system_admin_cannot_change_an_admins_account(system_admin, audit_admin, security_admin):
    with pytest.raises(PermissionDenied):
        user_update(user=audit_admin, actor=system_admin, changes={"is_active": False})
    user_update(user=audit_admin, actor=security_admin, changes={"display_name": "审计员"})
    assert User.objects.get(pk=audit_admin.pk).display_name == "审计员"


def test_system_admin_updates_a_user_and_the_phone_stays_out_of_the_audit(system_admin, resident):
    user_update(user=resident, actor=system_admin, changes={"phone": "13712345678", "is_active": False})
    resident.refresh_from_db()
    assert resident.phone == "13712345678" and resident.is_active is False
    row = AuditEntry.objects.filter(action="accounts.user_update").latest("id")
    assert row.detail["changed"] == ["is_active", "phone"]
    assert "13712345678" not in str(row.detail) and "13712345678" not in row.target_repr


def test_system_admin_cannot_read_the_audit_log(client, system_admin):
    enrol_totp(system_admin)
    client.force_login(system_admin)
    assert client.get("/audit/").status_code == 403


def test_security_admin_cannot_read_the_audit_log(client, security_admin):
    enrol_totp(security_admin)
    client.force_login(security_admin)
    assert client.get("/audit/").status_code == 403


def test_audit_admin_reads_the_audit_log(client, audit_admin):
    enrol_totp(audit_admin)
    client.force_login(audit_admin)
    assert client.get("/audit/").status_code == 200


def test_no_api_endpoint_shows_the_system_admin_audit_entries(client, system_admin):
    """Any audit endpoint the API has (today none) must refuse the system administrator."""
    import re

    from config.api import api
    from linli.accounts.tests.conftest import bearer, issue_token

    enrol_totp(system_admin)
    headers = bearer(issue_token(system_admin))
    audit_paths = [p for p in api.get_openapi_schema()["paths"] if "audit" in p]
    for path in audit_paths:
        response = client.get(re.sub(r"\{[^}]+\}", "1", path), **headers)
        assert response.status_code in (403, 404), path
