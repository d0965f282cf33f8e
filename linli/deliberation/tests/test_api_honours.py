"""The honours and think-tank API: a round from nominations to published winners, a topic's experts and
opinions; masked names; 404 out of scope, 409 refused, 422 invalid."""

from __future__ import annotations

import datetime

from django.utils import timezone

from linli.accounts.tests.conftest import bearer, issue_token
from linli.deliberation.models import HonourContest, HonourNomination


def _auth(user):
    return bearer(issue_token(user))


def test_a_round_through_the_api(client, world, community_staff, make_voter, make_person, outsider):
    staff = _auth(community_staff)
    r = client.post("/api/v1/honours", {"community_id": world.community.pk, "year": 2026},
                    content_type="application/json", **staff)
    assert r.status_code == 201, r.content
    body = r.json()
    rid = body["id"]
    assert [c["name"] for c in body["categories"]] == ["好婆婆", "好媳妇", "最美家庭"]
    granny = body["categories"][0]["id"]
    assert client.post("/api/v1/honours", {"community_id": world.community.pk, "year": 2026},
                       content_type="application/json", **staff).status_code == 409
    make_person("王秀英")
    make_person("李桂兰")
    voters = [make_voter(), make_voter()]
    for voter, name in zip(voters, ["王秀英", "李桂兰"], strict=True):
        r = client.post(f"/api/v1/honours/{rid}/nominations", {"category_id": granny, "name": name, "reason": "孝老爱亲"},
                        content_type="application/json", **_auth(voter))
        assert r.status_code == 201 and r.json()["label"] in ("王**", "李**")
    r = client.post(f"/api/v1/honours/{rid}/nominations", {"category_id": granny, "name": "查无此人", "reason": "x"},
                    content_type="application/json", **_auth(voters[0]))
    assert r.status_code in (409, 422)
    assert client.get(f"/api/v1/honours/{rid}", **_auth(outsider)).status_code == 404
    closes = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    r = client.post(f"/api/v1/honours/{rid}/open_vote", {"closes_at": closes}, content_type="application/json", **staff)
    assert r.status_code == 200 and r.json()["status"] == "voting"
    [contest] = r.json()["contests"]
    li = HonourNomination.objects.get(label="李**")
    for voter in voters:
        r = client.post(f"/api/v1/votes/{contest['vote_id']}/ballot", {"choice": li.option_key},
                        content_type="application/json", **_auth(voter))
        assert r.status_code in (200, 201), r.content
    assert client.post(f"/api/v1/honours/{rid}/count", {}, content_type="application/json", **staff).status_code == 200
    resident_view = client.get(f"/api/v1/honours/{rid}", **_auth(voters[0])).json()
    assert all(n["votes"] is None for n in resident_view["nominations"])  # counted, not published
    r = client.post(f"/api/v1/honours/{rid}/publish", {}, content_type="application/json", **staff)
    assert r.json()["status"] == "published"
    won = {n["label"]: n["won"] for n in client.get(f"/api/v1/honours/{rid}", **_auth(voters[0])).json()["nominations"]}
    assert won == {"李**": True, "王**": False}
    assert HonourContest.objects.get(round_id=rid).vote.status == "published"


def test_the_think_tank_through_the_api(client, world, community_staff, topic, make_voter):
    staff = _auth(community_staff)
    r = client.post("/api/v1/experts", {"community_id": world.community.pk, "name": "陈建国", "kind": "lawyer",
                                        "specialties": "物业合同，业主大会"}, content_type="application/json", **staff)
    assert r.status_code == 201 and r.json()["name"] == "陈**" and r.json()["specialties"] == ["物业合同", "业主大会"]
    eid = r.json()["id"]
    r = client.post("/api/v1/experts", {"community_id": world.community.pk, "name": "", "kind": "x", "specialties": ""},
                    content_type="application/json", **staff)
    assert r.status_code == 422
    client.post(f"/api/v1/topics/{topic.pk}/hear", {}, content_type="application/json", **staff)
    r = client.post(f"/api/v1/topics/{topic.pk}/experts", {"expert_id": eid}, content_type="application/json", **staff)
    assert r.status_code == 201, r.content
    assert client.post(f"/api/v1/topics/{topic.pk}/experts", {"expert_id": eid}, content_type="application/json",
                       **staff).status_code == 409
    r = client.post(f"/api/v1/topics/{topic.pk}/opinions", {"expert_id": eid, "text": "须经业主大会表决"},
                    content_type="application/json", **staff)
    assert r.status_code == 201
    resident = _auth(make_voter())
    opinions = client.get(f"/api/v1/topics/{topic.pk}/opinions", **resident).json()["items"]
    assert opinions[0]["text"] == "须经业主大会表决" and opinions[0]["expert"]["name"] == "陈**"
    assert client.get("/api/v1/experts", **resident).json()["items"][0]["id"] == eid
    r = client.patch(f"/api/v1/experts/{eid}", {"active": False}, content_type="application/json", **staff)
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["name"] == "陈**"
