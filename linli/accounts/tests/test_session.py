"""Idle session timeout (30 minutes by default, set by the security policy)."""

from __future__ import annotations

import time

from linli.accounts.actions import security_policy_update
from linli.accounts.middleware import LAST_SEEN
from linli.core.models import AuditEntry


def _idle(client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN] = time.time() - minutes * 60
    session.save()


def test_idle_session_is_logged_out_and_sent_to_login(client, resident):
    client.force_login(resident)
    assert client.get("/accounts/profile").status_code == 200
    _idle(client, 31)
    response = client.get("/accounts/profile")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login?next=%2Faccounts%2Fprofile"
    assert "_auth_user_id" not in client.session
    row = AuditEntry.objects.filter(action="accounts.logout").latest("id")
    assert row.actor_id == resident.pk and row.detail["reason"] == "idle"
    # and the next page asks for a login again
    assert client.get("/accounts/profile").status_code == 302


def test_idle_logout_tells_the_user_why(client, resident):
    client.force_login(resident)
    client.get("/")
    _idle(client, 31)
    response = client.get("/accounts/profile", follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 1


def test_session_used_within_the_timeout_stays_logged_in(client, resident):
    client.force_login(resident)
    client.get("/")
    _idle(client, 29)
    assert client.get("/accounts/profile").status_code == 200
    assert not AuditEntry.objects.filter(action="accounts.logout").exists()


def test_idle_timeout_follows_the_security_policy(client, resident, security_admin):
    security_policy_update(actor=security_admin, changes={"idle_timeout_minutes": 10})
    client.force_login(resident)
    client.get("/")
    _idle(client, 11)
    assert client.get("/accounts/profile").status_code == 302
    assert "_auth_user_id" not in client.session


def test_idle_session_is_refused_by_the_api(client, resident):
    client.force_login(resident)
    assert client.get("/api/v1/me").status_code == 200
    _idle(client, 31)
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert AuditEntry.objects.filter(action="accounts.logout", detail__reason="idle").count() == 1


def test_activity_keeps_the_session_alive(client, resident):
    client.force_login(resident)
    client.get("/")
    _idle(client, 20)
    client.get("/accounts/profile")  # activity: last seen is now
    assert time.time() - client.session[LAST_SEEN] < 5
