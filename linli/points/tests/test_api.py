"""The points API: me, the ledger, rules, the shop, redemptions, rankings, selections; query budgets."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.accounts.tests.conftest import bearer, issue_token
from linli.points import selectors
from linli.points.models import PointsRule

BASE = "/api/v1/points"


def auth(user):
    return bearer(issue_token(user))


def post(client, url, user, body, method="post"):
    return getattr(client, method)(BASE + url, data=body, content_type="application/json", **auth(user))


def get(client, url, user, **params):
    return client.get(BASE + url, params, **auth(user))


def test_me_shows_balance_entries_and_redemptions(client, member, person, award, item):
    award(person, 8)
    r = post(client, "/redemptions", member, {"item_id": item.pk})
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    body = get(client, "/me", member).json()
    assert body["balance"] == 3 and body["person_id"] == person.pk
    assert [e["amount"] for e in body["entries"]] == [-5, 8]
    assert body["redemptions"][0]["code"] == code and body["redemptions"][0]["actions"] == ["cancel"]


def test_me_without_registry_person(client, resident):
    assert get(client, "/me", resident).json() == {
        "person_id": None,
        "balance": 0,
        "entries": [],
        "hours": [],
        "redemptions": [],
    }


def test_redeem_without_points_is_409_with_error_shape(client, member, person, item):
    r = post(client, "/redemptions", member, {"item_id": item.pk})
    assert r.status_code == 409
    assert set(r.json()) >= {"code", "message", "fields"}


def test_fulfil_by_code_and_refund(client, member, person, award, goods, community_staff):
    award(person, 10)
    red = post(client, "/redemptions", member, {"item_id": goods.pk}).json()
    r = post(client, "/redemptions/fulfil", community_staff, {"code": red["code"]})
    assert r.status_code == 200 and r.json()["status"] == "fulfilled"
    r = post(client, f"/redemptions/{red['id']}/refund", community_staff, {"note": "质量问题"})
    assert r.json()["status"] == "refunded"
    assert selectors.balance_of(person.pk) == 10
    assert post(client, "/redemptions/fulfil", community_staff, {"code": "NOPE1234"}).status_code == 404


def test_resident_cannot_fulfil_or_refund(client, member, person, award, goods):
    award(person, 10)
    red = post(client, "/redemptions", member, {"item_id": goods.pk}).json()
    assert post(client, "/redemptions/fulfil", member, {"code": red["code"]}).status_code == 403
    assert post(client, f"/redemptions/{red['id']}/refund", member, {"note": "x"}).status_code == 403


def test_rule_editing_needs_manage(client, community_staff, resident, grid_worker_a):
    body = {"points": 3}
    assert post(client, "/rules/service", resident, body, "patch").status_code == 403
    assert post(client, "/rules/service", grid_worker_a, body, "patch").status_code == 403
    assert PointsRule.objects.get(code="service").points == 1
    before = PointsRule.objects.get(code="service")
    r = post(client, "/rules/service", community_staff, body, "patch")
    assert r.status_code == 200 and r.json()["points"] == 3
    assert r.json()["name"] == before.name and r.json()["active"] is before.active  # what was not sent stays
    bad = post(client, "/rules/service", community_staff, {"points": -1, "area": "nope"}, "patch")
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"points", "area"}
    assert post(client, "/rules/nope", community_staff, body, "patch").status_code == 404


def test_entries_list_scoped_filtered_and_paged(
    client, community_staff, outsider, person, other_person, award
):
    for _ in range(3):
        award(person, 1)
    award(other_person, 1)
    page = get(client, "/entries", community_staff, size=2).json()
    assert len(page["items"]) == 2 and page["next_after"]
    rest = get(client, "/entries", community_staff, size=2, after=page["next_after"]).json()
    assert len(rest["items"]) == 1 and rest["next_after"] is None
    assert {e["person_id"] for e in page["items"] + rest["items"]} == {person.pk}
    assert page["items"][0]["person"] != "积分测试"  # masked
    assert get(client, "/entries", outsider).json()["items"][0]["person_id"] == other_person.pk


def test_entries_list_query_budget(client, community_staff, person, award):
    for _ in range(30):
        award(person, 1)
    get(client, "/entries", community_staff)  # warm up (token, sessions)
    with CaptureQueriesContext(connection) as ctx:
        r = get(client, "/entries", community_staff)
    assert r.status_code == 200 and len(r.json()["items"]) == 30
    assert len(ctx.captured_queries) <= 8, [q["sql"] for q in ctx.captured_queries]


def test_reverse_via_api(client, community_staff, person, award):
    e = award(person, 2)
    assert post(client, f"/entries/{e.pk}/reverse", community_staff, {"note": ""}).status_code == 422
    r = post(client, f"/entries/{e.pk}/reverse", community_staff, {"note": "重复录入"})
    assert r.status_code == 201 and r.json()["amount"] == -2
    assert post(client, f"/entries/{e.pk}/reverse", community_staff, {"note": "again"}).status_code == 409


def test_correct_via_api(client, community_staff, person):
    r = post(
        client, "/entries/correct", community_staff, {"person_id": person.pk, "amount": 4, "note": "补录"}
    )
    assert r.status_code == 201 and selectors.balance_of(person.pk) == 4


def test_items_for_resident_and_staff(client, member, item, community_staff, outsider):
    assert [i["id"] for i in get(client, "/items", member).json()["items"]] == [item.pk]
    assert [i["id"] for i in get(client, "/items", community_staff).json()["items"]] == [item.pk]
    assert get(client, "/items", outsider).json() == {"items": [], "next_after": None}


def test_item_create_validation(client, community_staff, world):
    r = post(client, "/items", community_staff, {"community_id": world.community.pk, "name": "", "cost": 0})
    assert r.status_code == 422 and set(r.json()["fields"]) >= {"name", "cost"}
    r = post(
        client,
        "/items",
        community_staff,
        {"community_id": world.community.pk, "name": "修锁", "cost": 3, "kind": "service"},
    )
    assert r.status_code == 201


def test_rankings_and_selection_flow(client, community_staff, world, person, other_person, award):
    award(person, 5)
    award(other_person, 9)  # grid C: another community
    ranks = get(client, "/rankings", community_staff, place_id=world.community.pk, period="year").json()
    assert [(r["person_id"], r["rank"], r["total"]) for r in ranks] == [(person.pk, 1, 5)]
    assert get(client, "/rankings", community_staff, place_id=world.community_2.pk).status_code == 404
    from django.utils import timezone

    today = timezone.localdate()
    half = "H1" if today.month <= 6 else "H2"
    sel = post(
        client,
        "/selections",
        community_staff,
        {"community_id": world.community.pk, "year": today.year, "half": half},
    ).json()
    assert [c["person_id"] for c in sel["candidates"]] == [person.pk]
    assert post(client, f"/selections/{sel['id']}/publish", community_staff, {}).status_code == 409
    assert (
        post(client, f"/selections/{sel['id']}/confirm", community_staff, {}).json()["status"] == "confirmed"
    )
    assert (
        post(client, f"/selections/{sel['id']}/publish", community_staff, {}).json()["status"] == "published"
    )


def test_item_provider_must_exist(client, community_staff, world, member):
    body = {"community_id": world.community.pk, "name": "修锁", "cost": 3, "kind": "service"}
    r = post(
        client,
        "/items",
        community_staff,
        {**body, "provider_user_id": 999999, "provider_organisation_id": 9999},
    )
    assert r.status_code == 422 and set(r.json()["fields"]) == {
        "provider_user_id",
        "provider_organisation_id",
    }
    r = post(client, "/items", community_staff, {**body, "provider_user_id": member.pk})
    assert r.status_code == 201 and r.json()["provider_user_id"] == member.pk
