"""/api/v1/projects: propose, transitions, money in fen (409 beyond the balance), milestones with base64
photos, the ledger without counterparties for residents, paging within a query budget."""

from __future__ import annotations

import base64

import pytest

from linli.accounts.tests.conftest import bearer, issue_token
from linli.deliberation.tests.conftest import jpeg_bytes


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(client, url, body, h):
    return client.post(url, body, content_type="application/json", **h)


def test_project_through_the_api(client, world, community_staff, make_voter, django_assert_max_num_queries):
    voter = make_voter()
    hv, hs = bearer(issue_token(voter)), bearer(issue_token(community_staff))
    r = _post(client, "/api/v1/projects", {"title": "楼道微改造", "kind": "micro_renewal", "place_id": world.grid_a.pk,
                                           "budget_fen": 50000}, hv)
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["status"] == "proposed" and r.json()["actions"] == []
    bad = _post(client, "/api/v1/projects", {"title": "x", "kind": "castle", "place_id": world.grid_a.pk}, hv)
    assert bad.status_code == 422 and bad.json()["code"] and "kind" in bad.json()["fields"]
    assert _post(client, f"/api/v1/projects/{pid}/deliberate", {}, hv).status_code == 403
    r = _post(client, f"/api/v1/projects/{pid}/deliberate", {"note": "列入议事"}, hs)
    assert r.status_code == 200 and r.json()["status"] == "deliberating" and r.json()["public"] is True
    assert _post(client, f"/api/v1/projects/{pid}/start", {}, hs).status_code == 409
    from linli.deliberation.models import Project

    Project.objects.filter(pk=pid).update(status="funding")
    r = _post(client, f"/api/v1/projects/{pid}/ledger", {"kind": "donation", "amount_fen": 50000, "counterparty": "李女士"}, hs)
    assert r.status_code == 201 and r.json()["balance_after_fen"] == 50000
    r = _post(client, f"/api/v1/projects/{pid}/ledger", {"kind": "payment", "amount_fen": 50001, "counterparty": "施工队"}, hs)
    assert r.status_code == 409 and r.json()["code"] == "insufficient_funds"
    assert _post(client, f"/api/v1/projects/{pid}/ledger", {"kind": "donation", "amount_fen": 0}, hs).status_code == 422
    assert _post(client, f"/api/v1/projects/{pid}/start", {}, hs).json()["status"] == "in_progress"
    photo = base64.b64encode(jpeg_bytes()).decode()
    r = _post(client, f"/api/v1/projects/{pid}/milestones", {"title": "开工", "done_on": "2026-05-02", "photos": [photo]}, hs)
    assert r.status_code == 201 and len(r.json()["photos"]) == 1
    mine = client.get(f"/api/v1/projects/{pid}/ledger", **hv).json()
    assert mine["reconciled"] and mine["balance_fen"] == 50000 and mine["entries"]["items"][0]["counterparty"] is None
    staff = client.get(f"/api/v1/projects/{pid}/ledger", **hs).json()
    assert staff["entries"]["items"][0]["counterparty"] == "李女士"
    for i in range(3):
        _post(client, "/api/v1/projects", {"title": f"项目{i}", "kind": "other", "place_id": world.grid_a.pk}, hs)
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/projects?size=2", **hs).json()
    assert len(page["items"]) == 2 and page["next_after"] is not None
    with django_assert_max_num_queries(8):  # the same budget for a page of 30
        page = client.get("/api/v1/projects?size=30", **hs).json()
    assert len(page["items"]) == 4 and page["next_after"] is None
    assert {p["raised_fen"] for p in page["items"]} == {0, 50000}
