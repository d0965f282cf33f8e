"""Who sees a dispute: mediation roles and community staff in scope; a grid worker of another grid, a
resident, a department, staff of another community: 404 on the page and in the API, as for a missing one."""

from __future__ import annotations

import pytest
from django.urls import reverse

ALLOWED = ["grid_worker_a", "community_staff", "mediator_user", "street_supervisor"]
DENIED = ["grid_worker_b", "resident", "department_staff", "outsider"]


def _client(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ALLOWED + DENIED)
def test_dispute_page_and_api_by_persona(request, client, dispute_in_state, persona):
    d = dispute_in_state("mediating")
    user = request.getfixturevalue(persona)
    c = _client(client, user)
    page = c.get(reverse("mediation:dispute_detail", args=[d.pk]))
    api = c.get(f"/api/v1/disputes/{d.pk}")
    expected = 200 if persona in ALLOWED else 404
    assert page.status_code == expected
    assert api.status_code == expected
    if expected == 404:
        assert api.json()["code"] == "not_found"
        assert d.title not in page.content.decode()


@pytest.mark.parametrize("persona", DENIED)
def test_the_ledger_of_an_outsider_is_empty(request, client, dispute_in_state, persona):
    dispute_in_state("registered")
    user = request.getfixturevalue(persona)
    c = _client(client, user)
    assert c.get("/api/v1/disputes").json()["items"] == []
    page = c.get(reverse("mediation:disputes"))
    # no mediation.view: no ledger at all (403); in another scope: an empty ledger
    assert page.status_code == (200 if persona in ("grid_worker_b", "outsider") else 403)
    assert "dispute-row" not in page.content.decode()


def test_an_outsider_cannot_act_on_a_dispute(client, dispute_in_state, outsider):
    d = dispute_in_state("registered")
    client.force_login(outsider)
    r = client.post(reverse("mediation:dispute_act", args=[d.pk, "accept"]))
    assert r.status_code == 404
    r = client.post(f"/api/v1/disputes/{d.pk}/accept", {}, content_type="application/json")
    assert r.status_code == 404
    d.refresh_from_db()
    assert d.status == "registered"


def test_parties_are_masked_and_a_reveal_is_audited(client, dispute_in_state, mediator_user, grid_worker_a):
    from linli.core.audit import AuditEntry

    d = dispute_in_state("registered")
    client.force_login(grid_worker_a)
    body = client.get(reverse("mediation:dispute_detail", args=[d.pk])).content.decode()
    assert "王**" in body and "王建国" not in body
    assert "138****5678" in body and "13812345678" not in body
    party = d.parties.get(role="applicant")
    # a grid worker holds no mediation.unmask: refused, and the refusal is logged
    r = client.post(f"/api/v1/disputes/{d.pk}/parties/{party.pk}/reveal")
    assert r.status_code == 403
    assert AuditEntry.objects.filter(action="pii.unmask", result="denied", target_id=str(party.pk)).count() == 1
    client.force_login(mediator_user)
    r = client.post(f"/api/v1/disputes/{d.pk}/parties/{party.pk}/reveal")
    assert r.status_code == 200
    assert r.json() == {"name": "王建国", "phone": "13812345678"}
    assert AuditEntry.objects.filter(action="pii.unmask", result="ok", target_id=str(party.pk)).count() == 1


def test_outsider_names_and_phones_are_stored_encrypted(dispute_in_state):
    from django.db import connection

    d = dispute_in_state("registered")
    with connection.cursor() as cur:
        cur.execute("SELECT name, phone FROM mediation_disputeparty WHERE dispute_id = %s", [d.pk])
        rows = cur.fetchall()
    assert rows and all("王建国" not in (n or "") and "13812345678" not in (p or "") for n, p in rows)


def test_nothing_on_the_public_board(client, dispute_in_state):
    d = dispute_in_state("settled")
    r = client.get(reverse("mediation:dispute_detail", args=[d.pk]))
    assert r.status_code == 302  # to the login
    assert client.get(f"/api/v1/disputes/{d.pk}").status_code == 401
