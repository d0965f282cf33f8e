"""The disputes API: register, the ledger with filters and keyset paging, one endpoint per transition,
errors in the one shape."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(client, mediator_user):
    client.force_login(mediator_user)
    return client


def _post(c, url, body):
    return c.post(url, body, content_type="application/json")


def test_register_and_walk_a_dispute_through_the_api(api, world, mediator, make_person):
    person = make_person("张三")
    r = _post(api, "/api/v1/disputes", {
        "kind": "property", "facts": "物业费争议", "place_id": world.grid_a.pk, "amount": "1200.50",
        "parties": [{"role": "applicant", "person_id": person.pk},
                    {"role": "respondent", "organisation": "某某物业公司"}]})
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["status"] == "registered" and d["amount"] == "1200.50"
    assert [p["name"] for p in d["parties"]] == ["张*", "某某物业公司"]
    assert "accept" in d["actions"]
    r = _post(api, f"/api/v1/disputes/{d['id']}/accept", {"lead": mediator.pk})
    assert r.status_code == 200 and r.json()["due_on"]
    r = _post(api, f"/api/v1/disputes/{d['id']}/settle", {"form": "written", "terms": "x"})
    assert r.status_code == 409 and r.json()["code"] == "refused_transition"
    r = _post(api, f"/api/v1/disputes/{d['id']}/triage", {"method": "nonsense"})
    assert r.status_code == 422 and "method" in r.json()["fields"]
    r = _post(api, f"/api/v1/disputes/{d['id']}/triage", {"method": "session"})
    assert r.json()["status"] == "mediating"
    r = _post(api, f"/api/v1/disputes/{d['id']}/session", {"notes": "第一次调解", "held_on": "2000-01-01"})
    assert r.status_code == 422 and "held_on" in r.json()["fields"]


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "nonsense"}, "kind"),
    ({"facts": "  "}, "facts"),
    ({"parties": []}, "parties"),
    ({"parties": [{"role": "applicant", "name": "王五", "phone": "12345"}]}, "parties.0.phone"),
    ({"amount": "-5"}, "amount"),
])
def test_bad_input_is_422_and_files_nothing(api, world, body, field):
    from linli.mediation.models import Dispute

    payload = {"kind": "neighbour", "facts": "噪音", "place_id": world.grid_a.pk,
               "parties": [{"role": "applicant", "name": "王五"}], **body}
    r = _post(api, "/api/v1/disputes", payload)
    assert r.status_code == 422
    assert field in r.json()["fields"]
    assert Dispute.objects.count() == 0


def test_the_ledger_pages_by_keyset_and_filters(api, file_dispute, dispute_in_state):
    for _ in range(3):
        file_dispute()
    file_dispute(kind="family")
    r = api.get("/api/v1/disputes?size=2&status=").json()
    assert len(r["items"]) == 2 and r["next_after"]
    r2 = api.get(f"/api/v1/disputes?size=2&status=&after={r['next_after']}").json()
    assert len(r2["items"]) == 2 and r2["next_after"] is None
    assert {i["id"] for i in r["items"]}.isdisjoint({i["id"] for i in r2["items"]})
    fam = api.get("/api/v1/disputes?kind=family").json()["items"]
    assert [i["kind"] for i in fam] == ["family"]


def test_a_grid_worker_files_in_their_grid_only(client, world, grid_worker_a):
    client.force_login(grid_worker_a)
    body = {"kind": "neighbour", "facts": "噪音", "parties": [{"role": "applicant", "name": "王五"}]}
    assert _post(client, "/api/v1/disputes", {**body, "place_id": world.grid_a.pk}).status_code == 201
    assert _post(client, "/api/v1/disputes", {**body, "place_id": world.grid_b.pk}).status_code == 404
