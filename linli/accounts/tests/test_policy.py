"""The security policy: set by the security administrator only, read through a cache that an update
clears, and obeyed by the login rules."""

from __future__ import annotations

import pytest

from linli.accounts.actions import LoginRefused, login_attempt, security_policy_update
from linli.accounts.models import SecurityPolicy
from linli.accounts.selectors import security_policy
from linli.accounts.tests.conftest import enrol_totp
from linli.core.errors import Invalid, PermissionDenied
from linli.core.models import AuditEntry
from linli.core.testing.personas import PASSWORD


def test_defaults_are_the_level_3_baseline(db):
    policy = security_policy()
    assert (policy.password_min_length, policy.password_history, policy.password_max_age_days) == (8, 5, 90)
    assert (policy.lockout_threshold, policy.lockout_minutes, policy.idle_timeout_minutes) == (5, 30, 30)
    assert policy.spray_usernames == 10


@pytest.mark.parametrize("persona", ["system_admin", "audit_admin", "community_staff", "street_supervisor"])
def test_only_the_security_admin_sets_the_policy(request, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        security_policy_update(actor=actor, changes={"lockout_threshold": 3})
    assert security_policy().lockout_threshold == 5


def test_policy_update_is_audited_with_before_and_after(security_admin):
    security_policy_update(actor=security_admin, changes={"lockout_threshold": 3, "idle_timeout_minutes": 15})
    row = AuditEntry.objects.filter(action="accounts.policy_update").latest("id")
    assert row.actor_id == security_admin.pk
    assert row.detail["changed"] == {"lockout_threshold": [5, 3], "idle_timeout_minutes": [30, 15]}


def test_policy_is_read_from_the_cache_until_an_update_clears_it(security_admin, django_assert_num_queries):
    security_policy()
    with django_assert_num_queries(0):
        assert security_policy().lockout_threshold == 5
    security_policy_update(actor=security_admin, changes={"lockout_threshold": 3})
    assert security_policy().lockout_threshold == 3


@pytest.mark.parametrize(
    "changes",
    [
        {"password_min_length": 6},
        {"password_history": 2},
        {"password_max_age_days": 365},
        {"idle_timeout_minutes": 120},
        {"lockout_threshold": 0},
        {"lockout_minutes": "soon"},
        {"no_such_setting": 1},
    ],
)
def test_policy_refuses_values_outside_the_rules(security_admin, changes):
    with pytest.raises(Invalid) as exc:
        security_policy_update(actor=security_admin, changes=changes)
    assert set(exc.value.fields) == set(changes)
    assert SecurityPolicy.objects.get(pk=1).lockout_threshold == 5


def test_a_stricter_lockout_threshold_takes_effect(security_admin, resident):
    security_policy_update(actor=security_admin, changes={"lockout_threshold": 3})
    for _ in range(3):
        with pytest.raises(LoginRefused):
            login_attempt(identifier="resident_a", password="Wrong-pass-2026")
    with pytest.raises(LoginRefused) as exc:
        login_attempt(identifier="resident_a", password=PASSWORD)
    assert exc.value.code == "locked"


def test_a_longer_minimum_length_takes_effect(security_admin, resident):
    from linli.accounts.actions import password_set

    security_policy_update(actor=security_admin, changes={"password_min_length": 12})
    with pytest.raises(Invalid):
        password_set(user=resident, new_password="Short-2026", old_password=PASSWORD, actor=resident)


def test_policy_page_is_the_security_admins(client, security_admin, system_admin):
    enrol_totp(system_admin)
    client.force_login(system_admin)
    assert client.get("/accounts/policy").status_code == 403
    client.logout()
    enrol_totp(security_admin)
    client.force_login(security_admin)
    assert client.get("/accounts/policy").status_code == 200
