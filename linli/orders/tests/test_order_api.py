"""The orders and wishes API: the resident's own, the desk, one endpoint per action, 404 for outsiders,
query budgets on the lists."""

from __future__ import annotations

import pytest

from linli.accounts.tests.conftest import bearer, issue_token
from linli.orders.tests.service_fixtures import make_order, make_wish, svc  # noqa: F401

BASE = "/api/v1/party"


def _auth(user):
    return bearer(issue_token(user))


def test_a_resident_orders_and_sees_only_their_own(client, svc):  # noqa: F811
    h = _auth(svc.resident)
    r = client.post(
        f"{BASE}/orders",
        {"category": "plumbing", "description": "水龙头漏水", "address": "2幢301"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "placed" and body["actions"] == ["cancel"] and body["org"] == "第一网格党支部"
    other = make_order(svc, actor=svc.staff)  # placed by staff for somebody else
    mine = client.get(f"{BASE}/orders?view=mine", **h).json()["items"]
    assert [o["id"] for o in mine] == [body["id"]]
    assert client.get(f"{BASE}/orders/{other.pk}", **h).status_code == 404
    assert client.get(f"{BASE}/orders/{body['id']}", **h).status_code == 200


def test_the_outsider_gets_404(client, svc):  # noqa: F811
    order = make_order(svc)
    wish = make_wish(svc, status="open")
    h = _auth(svc.outsider)
    assert client.get(f"{BASE}/orders/{order.pk}", **h).status_code == 404
    assert (
        client.post(f"{BASE}/orders/{order.pk}/publish", {}, content_type="application/json", **h).status_code
        == 404
    )
    assert client.get(f"{BASE}/wishes/{wish.pk}", **h).status_code == 404
    assert client.get(f"{BASE}/orders", **h).json() == {"items": [], "next_after": None}


def test_the_loop_through_the_api(client, svc):  # noqa: F811
    order = make_order(svc)
    sec = _auth(svc.secretary)
    r = client.post(f"{BASE}/orders/{order.pk}/publish", {"note": ""}, content_type="application/json", **sec)
    assert r.status_code == 200 and r.json()["status"] == "published"
    m1 = _auth(svc.m1)
    pool = client.get(f"{BASE}/orders?view=pool", **m1).json()["items"]
    assert [o["id"] for o in pool] == [order.pk] and pool[0]["actions"] == ["take"]
    assert (
        client.post(f"{BASE}/orders/{order.pk}/take", {}, content_type="application/json", **m1).status_code
        == 200
    )
    r = client.post(f"{BASE}/orders/{order.pk}/take", {}, content_type="application/json", **_auth(svc.m2))
    assert r.status_code == 409 and r.json()["code"] == "refused_transition"  # m1 was first
    r = client.post(
        f"{BASE}/orders/{order.pk}/done", {"note": "修好了"}, content_type="application/json", **m1
    )
    assert r.status_code == 422
    r = client.post(
        f"{BASE}/orders/{order.pk}/done",
        {"note": "修好了", "hours": "1.5"},
        content_type="application/json",
        **m1,
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    h = _auth(svc.resident)
    r = client.post(
        f"{BASE}/orders/{order.pk}/rate", {"satisfaction": "satisfied"}, content_type="application/json", **h
    )
    assert r.status_code == 200 and r.json()["status"] == "rated"
    r = client.post(f"{BASE}/orders/{order.pk}/cancel", {}, content_type="application/json", **h)
    assert r.status_code == 409 and r.json()["code"] == "refused_transition"


def test_the_member_declines_and_the_api_answers(client, svc):  # noqa: F811
    order = make_order(svc, status="dispatched")
    r = client.post(
        f"{BASE}/orders/{order.pk}/decline",
        {"reason": "出差"},
        content_type="application/json",
        **_auth(svc.m1),
    )
    assert r.status_code == 200 and r.json()["status"] == "placed"


def test_wishes_through_the_api(client, svc):  # noqa: F811
    h = _auth(svc.resident)
    r = client.post(f"{BASE}/wishes", {"title": "想学智能手机"}, content_type="application/json", **h)
    assert r.status_code == 201
    wish_id = r.json()["id"]
    staff = _auth(svc.staff)
    assert (
        client.post(f"{BASE}/wishes/{wish_id}/publish", {}, content_type="application/json", **staff).json()[
            "status"
        ]
        == "open"
    )
    vol = _auth(svc.volunteer)
    listed = client.get(f"{BASE}/wishes?view=adopt", **vol).json()["items"]
    assert [w["id"] for w in listed] == [wish_id] and listed[0]["poster"] == "王**"
    assert (
        client.post(f"{BASE}/wishes/{wish_id}/adopt", {}, content_type="application/json", **vol).status_code
        == 200
    )
    r = client.post(
        f"{BASE}/wishes/{wish_id}/fulfil", {"note": "教会了"}, content_type="application/json", **vol
    )
    assert r.json()["status"] == "fulfilled"
    assert (
        client.post(f"{BASE}/wishes/{wish_id}/confirm", {}, content_type="application/json", **h).json()[
            "status"
        ]
        == "confirmed"
    )


@pytest.mark.parametrize("n", [3, 12])
def test_list_query_budget(client, svc, django_assert_max_num_queries, n):  # noqa: F811
    for _ in range(n):
        make_order(svc, status="taken")
        make_wish(svc, status="open")
    h = _auth(svc.staff)
    with django_assert_max_num_queries(14):
        r = client.get(f"{BASE}/orders", **h)
    assert len(r.json()["items"]) == n
    with django_assert_max_num_queries(14):
        r = client.get(f"{BASE}/wishes", **h)
    assert len(r.json()["items"]) == n


def test_lists_page_and_say_when_there_is_more(client, svc):  # noqa: F811
    orders = [make_order(svc, status="taken") for _ in range(3)]
    wishes = [make_wish(svc, status="open") for _ in range(3)]
    h = _auth(svc.staff)
    for path, made in (("orders", orders), ("wishes", wishes)):
        first = client.get(f"{BASE}/{path}", {"size": 2}, **h).json()
        assert [row["id"] for row in first["items"]] == [made[2].pk, made[1].pk] and first["next_after"]
        rest = client.get(f"{BASE}/{path}", {"size": 2, "after": first["next_after"]}, **h).json()
        assert [row["id"] for row in rest["items"]] == [made[0].pk] and rest["next_after"] is None


def test_the_services_are_searchable(client, svc):  # noqa: F811
    h = _auth(svc.resident)
    everything = client.get(f"{BASE}/orders/categories", **h).json()
    assert len(everything) == 10
    found = client.get(f"{BASE}/orders/categories?q=jdwx", **h).json()
    assert [c["value"] for c in found] == ["appliance"]
    assert [c["value"] for c in client.get(f"{BASE}/orders/categories?q=维修", **h).json()] == [
        "appliance",
        "plumbing",
    ]
