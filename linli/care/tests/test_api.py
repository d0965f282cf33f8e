"""The care API (/api/v1/care): a grid worker's plans, a visit logged from the phone with a need turned into a
case, the canteen's menu at the elder's price, meal orders and the delivery list; errors in the one shape,
lists paged by keyset, scope as 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from linli.accounts.tests.conftest import bearer, issue_token
from linli.care.models import MealOrder, Need
from linli.care.tests.test_canteen import canteen, elder_user, price_rules  # noqa: F401  (fixtures)

API = "/api/v1/care"


def _post(client, url, headers, body=None):
    return client.post(url, data=body or {}, content_type="application/json", **headers)


def test_a_grid_worker_logs_a_visit_and_turns_the_need_into_a_case(client, plan, grid_worker_a):
    from linli.cases.models import Case

    worker = bearer(issue_token(grid_worker_a))
    plans = client.get(f"{API}/plans", **worker).json()
    assert [p["id"] for p in plans["items"]] == [plan.pk] and plans["items"][0]["person_name"] == "李阿婆"
    logged = _post(client, f"{API}/plans/{plan.pk}/visits", worker, {
        "found": "needs", "note": "独自在家", "lon": 120.17, "lat": 30.26,
        "needs": [{"kind": "safety", "text": "燃气灶老化漏气"}],
    })
    assert logged.status_code == 201, logged.content
    visit = logged.json()
    assert visit["found"] == "needs" and visit["needs"][0]["text"] == "燃气灶老化漏气"
    plan.refresh_from_db()
    assert plan.next_due == timezone.localdate() + dt.timedelta(days=7)
    need_id = visit["needs"][0]["id"]
    assert [n["id"] for n in client.get(f"{API}/needs", **worker).json()["items"]] == [need_id]
    turned = _post(client, f"{API}/needs/{need_id}/case", worker)
    assert turned.status_code == 200 and turned.json()["need"]["status"] == "case"
    assert Case.objects.get(pk=turned.json()["case_id"]).channel == "visit"
    again = _post(client, f"{API}/needs/{need_id}/case", worker)
    assert again.status_code == 409 and set(again.json()) == {"code", "message", "fields"}


def test_a_bad_visit_is_422_in_the_one_shape_and_changes_nothing(client, plan, grid_worker_a):
    worker = bearer(issue_token(grid_worker_a))
    bad = _post(client, f"{API}/plans/{plan.pk}/visits", worker, {"found": "happy"})
    assert bad.status_code == 422
    body = bad.json()
    assert set(body) == {"code", "message", "fields"} and "found" in body["fields"]
    nowhere = _post(client, f"{API}/plans/{plan.pk}/visits", worker, {"found": "well", "lon": 999, "lat": 0})
    assert nowhere.status_code == 422 and set(nowhere.json()) == {"code", "message", "fields"}
    assert not plan.visits.exists()


def test_another_grid_worker_gets_404(client, plan, grid_worker_b):
    other = bearer(issue_token(grid_worker_b))
    assert client.get(f"{API}/plans/{plan.pk}", **other).status_code == 404
    assert _post(client, f"{API}/plans/{plan.pk}/visits", other, {"found": "well"}).status_code == 404
    assert client.get(f"{API}/plans?mine=false", **other).json()["items"] == []


def test_an_elder_orders_at_half_price_through_the_api(client, price_rules, canteen, elder_user,  # noqa: F811
                                                       community_staff, resident):
    from linli.care.actions import menu_item_add

    day = timezone.localdate() + dt.timedelta(days=1)
    item = menu_item_add(actor=None, canteen=canteen, day=day, name="清蒸鲈鱼套餐", price="16")
    elder = bearer(issue_token(elder_user))
    assert [c["id"] for c in client.get(f"{API}/canteens", **elder).json()["items"]] == [canteen.pk]
    menu = client.get(f"{API}/canteens/{canteen.pk}/menu?day={day.isoformat()}", **elder).json()
    assert menu["items"][0]["my_price"] == "8.00" and menu["items"][0]["my_rule"] == "age60"
    made = _post(client, f"{API}/meal-orders", elder, {"item_id": item.pk, "quantity": 2, "deliver": True})
    assert made.status_code == 201, made.content
    order = made.json()
    assert Decimal(order["price"]) == Decimal("16.00") and Decimal(order["full_price"]) == Decimal("32.00")
    assert order["address"] == "幸福里2幢301"
    assert [o["id"] for o in client.get(f"{API}/meal-orders", **elder).json()["items"]] == [order["id"]]
    staff = bearer(issue_token(community_staff))
    deliveries = client.get(f"{API}/canteens/{canteen.pk}/deliveries?day={day.isoformat()}", **staff).json()
    assert [o["id"] for o in deliveries["items"]] == [order["id"]]
    assert client.get(f"{API}/canteens/{canteen.pk}/deliveries", **elder).status_code == 404
    assert client.get(f"{API}/meal-orders/{order['id']}", **bearer(issue_token(resident))).status_code in (404, 405)
    cancelled = _post(client, f"{API}/meal-orders/{order['id']}/cancel", elder)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert _post(client, f"{API}/meal-orders/{order['id']}/cancel", bearer(issue_token(resident))).status_code == 404


def test_a_bad_order_is_422_and_writes_nothing(client, price_rules, canteen, elder_user):  # noqa: F811
    from linli.care.actions import menu_item_add

    item = menu_item_add(actor=None, canteen=canteen, day=timezone.localdate() + dt.timedelta(days=1),
                         name="粥", price="3")
    bad = _post(client, f"{API}/meal-orders", bearer(issue_token(elder_user)), {"item_id": item.pk, "quantity": 9})
    assert bad.status_code == 422 and "quantity" in bad.json()["fields"]
    assert not MealOrder.objects.exists()


def test_the_needs_list_pages_by_keyset(client, plan, grid_worker_a):
    from linli.care.actions import visit_log

    for i in range(3):
        visit_log(actor=grid_worker_a, plan=plan, found="needs", needs=[{"kind": "other", "text": f"需求{i}"}])
    worker = bearer(issue_token(grid_worker_a))
    first = client.get(f"{API}/needs?size=2", **worker).json()
    assert len(first["items"]) == 2 and first["next_after"] is not None
    rest = client.get(f"{API}/needs?size=2&after={first['next_after']}", **worker).json()
    assert len(rest["items"]) == 1 and rest["next_after"] is None
    seen = [n["id"] for n in first["items"] + rest["items"]]
    assert sorted(seen) == sorted(Need.objects.values_list("id", flat=True))
