"""The API: topics and votes end to end, the error shape, paging, list budgets, scope (404)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from linli.accounts.tests.conftest import bearer, issue_token


def test_topic_raise_support_and_page(client, world, make_voter, django_assert_max_num_queries):
    """A resident raises three topics (they see their own before the grid hears them) and supports one."""
    voter = make_voter()
    h = bearer(issue_token(voter))
    for i in range(3):
        r = client.post("/api/v1/topics", {"title": f"议题{i}", "place_id": world.grid_a.pk}, content_type="application/json", **h)
        assert r.status_code == 201, r.content
    first = r.json()
    assert first["status"] == "raised" and first["source"] == "resident"
    from linli.deliberation.actions import topic_transition

    topic_transition(topic=first["id"], name="hear", actor=None)
    r = client.post(f"/api/v1/topics/{first['id']}/support", **h)
    assert r.status_code == 200 and r.json()["support_count"] == 1
    again = client.post(f"/api/v1/topics/{first['id']}/support", **h)
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/topics?size=2", **h).json()
    assert len(page["items"]) == 2 and page["next_after"] is not None
    rest = client.get(f"/api/v1/topics?size=2&after={page['next_after']}", **h).json()
    assert len(rest["items"]) == 1 and rest["next_after"] is None


def test_topic_errors_have_one_shape(client, world, make_voter, community_staff, outsider):
    h = bearer(issue_token(make_voter()))
    bad = client.post("/api/v1/topics", {"title": " ", "place_id": world.grid_a.pk}, content_type="application/json", **h)
    assert bad.status_code == 422 and set(bad.json()) == {"code", "message", "fields"} and "title" in bad.json()["fields"]
    staff = bearer(issue_token(community_staff))
    t = client.post("/api/v1/topics", {"title": "加装电梯", "place_id": world.community.pk}, content_type="application/json", **staff).json()
    refused = client.post(f"/api/v1/topics/{t['id']}/close", {}, content_type="application/json", **staff)
    assert refused.status_code == 409 and refused.json()["code"] == "refused_transition"
    hidden = client.get(f"/api/v1/topics/{t['id']}", **bearer(issue_token(outsider)))
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    done = client.post(f"/api/v1/topics/{t['id']}/schedule", {}, content_type="application/json", **staff)
    assert done.status_code == 200 and done.json()["status"] == "agenda"


def test_vote_end_to_end(client, world, community_staff, make_voter, django_assert_max_num_queries):
    voters = [make_voter() for _ in range(3)]
    staff = bearer(issue_token(community_staff))
    closes = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    created = client.post(
        "/api/v1/votes",
        {"title": "是否建设口袋公园", "place_id": world.community.pk, "electorate": "households", "rule": "residents", "closes_at": closes},
        content_type="application/json",
        **staff,
    )
    assert created.status_code == 201, created.content
    vid = created.json()["id"]
    assert created.json()["quorum"] == ">1/2"
    opened = client.post(f"/api/v1/votes/{vid}/open", {}, content_type="application/json", **staff).json()
    assert opened["status"] == "open" and opened["roll_heads"] == 3
    for voter, choice in zip(voters[:2], ["agree", "agree"], strict=True):
        r = client.post(f"/api/v1/votes/{vid}/ballot", {"choice": choice}, content_type="application/json", **bearer(issue_token(voter)))
        assert r.status_code == 200 and r.json()["choice"] == choice
    mine = client.get(f"/api/v1/votes/{vid}", **bearer(issue_token(voters[0]))).json()
    assert mine["my_choice"] == "agree" and mine["result"] is None
    client.post(f"/api/v1/votes/{vid}/close", {}, content_type="application/json", **staff)
    not_yet = client.get(f"/api/v1/votes/{vid}", **bearer(issue_token(voters[2]))).json()
    assert not_yet["result"] is None  # residents see the result once published
    client.post(f"/api/v1/votes/{vid}/publish", {}, content_type="application/json", **staff)
    shown = client.get(f"/api/v1/votes/{vid}", **bearer(issue_token(voters[2]))).json()
    assert shown["passed"] is True and shown["result"]["part_heads"] == 2 and shown["result"]["turnout_heads_pct"] == "66.67"
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/votes", **staff).json()["items"]) == 1


def test_vote_invalid_and_forbidden(client, world, community_staff, make_voter):
    staff = bearer(issue_token(community_staff))
    bad = client.post(
        "/api/v1/votes",
        {"title": "x", "place_id": world.community.pk, "electorate": "households", "rule": "owners_special",
         "closes_at": (timezone.now() - datetime.timedelta(days=1)).isoformat()},
        content_type="application/json",
        **staff,
    )
    assert bad.status_code == 422 and {"rule", "closes_at"} <= set(bad.json()["fields"])
    resident = bearer(issue_token(make_voter()))
    denied = client.post(
        "/api/v1/votes",
        {"title": "x", "place_id": world.community.pk, "electorate": "households", "rule": "residents",
         "closes_at": (timezone.now() + datetime.timedelta(days=1)).isoformat()},
        content_type="application/json",
        **resident,
    )
    assert denied.status_code == 403
