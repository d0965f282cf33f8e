"""The order and wish pages: resident, member, desk, the public wall; 404 out of scope; query budgets."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from linli.core.testing.personas import PASSWORD
from linli.orders.models import ServiceOrder, Wish
from linli.orders.tests.service_fixtures import make_order, make_wish, svc  # noqa: F401


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_resident_orders_from_the_phone_page(client, svc):  # noqa: F811
    c = _login(client, svc.resident)
    assert c.get(reverse("orders:order_new")).status_code == 200
    r = c.post(
        reverse("orders:order_new"),
        {"category": "haircut", "description": "行动不便，上门理发", "address": "3幢"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("orders:my_orders")
    order = ServiceOrder.objects.get()
    assert (order.requester_id, order.requester_person_id, order.org_id) == (
        svc.resident.pk,
        svc.resident_person.pk,
        svc.branch.pk,
    )
    page = c.get(reverse("orders:my_orders")).content.decode()
    assert "理发" in page and 'data-testid="cancel"' in page


def test_an_invalid_order_shows_errors_and_writes_nothing(client, svc):  # noqa: F811
    c = _login(client, svc.resident)
    r = c.post(reverse("orders:order_new"), {"category": "cleaning", "description": "", "address": ""})
    assert r.status_code == 200 and not ServiceOrder.objects.exists()


def test_the_resident_rates_from_my_orders(client, svc):  # noqa: F811
    order = make_order(svc, status="done")
    c = _login(client, svc.resident)
    assert 'data-testid="rate-form"' in c.get(reverse("orders:my_orders")).content.decode()
    r = c.post(
        reverse("orders:order_act", args=[order.pk, "rate"]),
        {"satisfaction": "basically", "comment": "还行", "next": reverse("orders:my_orders")},
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.satisfaction) == ("rated", "basically")


def test_staff_order_for_a_resident(client, svc):  # noqa: F811
    c = _login(client, svc.staff)
    r = c.post(
        reverse("orders:order_new") + "?for=resident",
        {
            "category": "escort",
            "description": "陪同去医院",
            "address": "5幢",
            "requester_name": "赵大爷",
            "place": svc.world.grid_a.pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    order = ServiceOrder.objects.get()
    assert (
        order.requester_id is None and order.placed_by_id == svc.staff.pk and order.requester_name == "赵大爷"
    )


def test_the_member_takes_from_the_pool_and_marks_done(client, svc):  # noqa: F811
    order = make_order(svc, status="published")
    c = _login(client, svc.m1)
    page = c.get(reverse("orders:order_pool")).content.decode()
    assert 'data-testid="take"' in page
    c.post(reverse("orders:order_act", args=[order.pk, "take"]), {"next": reverse("orders:order_pool")})
    page = c.get(reverse("orders:order_pool")).content.decode()
    assert 'data-testid="form-done"' in page
    r = c.post(reverse("orders:order_act", args=[order.pk, "done"]), {"note": "已完成", "hours": "1.5"})
    assert r.status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).status == "done"


def test_the_desk_dispatches_from_the_order_page(client, svc):  # noqa: F811
    order = make_order(svc)
    c = _login(client, svc.secretary)
    page = c.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert 'data-action="dispatch"' in page and 'data-action="publish"' in page and "李党员" in page
    c.post(reverse("orders:order_act", args=[order.pk, "dispatch"]), {"member": svc.member1.pk})
    order.refresh_from_db()
    assert (order.status, order.member_id) == ("dispatched", svc.member1.pk)


def test_a_refused_button_shows_a_message(client, svc):  # noqa: F811
    order = make_order(svc, status="rated")
    c = _login(client, svc.resident)
    r = c.post(reverse("orders:order_act", args=[order.pk, "cancel"]), follow=True)
    assert r.status_code == 200 and ServiceOrder.objects.get(pk=order.pk).status == "rated"


def test_outsiders_get_404(client, svc):  # noqa: F811
    order = make_order(svc)
    wish = make_wish(svc, status="open")
    c = _login(client, svc.outsider)
    assert c.get(reverse("orders:order_detail", args=[order.pk])).status_code == 404
    assert c.post(reverse("orders:order_act", args=[order.pk, "publish"])).status_code == 404
    assert c.get(reverse("orders:wish_detail", args=[wish.pk])).status_code == 404
    assert c.post(reverse("orders:wish_act", args=[wish.pk, "adopt"])).status_code == 404
    assert order.pk not in [i["order"].pk for i in c.get(reverse("orders:order_list")).context["items"]]


def test_a_resident_does_not_reach_the_desk(client, svc):  # noqa: F811
    c = _login(client, svc.resident)
    assert c.get(reverse("orders:order_list")).status_code == 302  # to their own orders
    assert c.get(reverse("orders:wish_manage")).status_code == 403


@pytest.mark.parametrize("n", [2, 10])
def test_desk_list_query_budget(client, svc, django_assert_max_num_queries, n):  # noqa: F811
    for i in range(n):
        make_order(svc, status="taken" if i % 2 else "placed")
    c = _login(client, svc.staff)
    with django_assert_max_num_queries(16):
        r = c.get(reverse("orders:order_list"))
    assert len(r.context["items"]) == n
    with django_assert_max_num_queries(16):
        c.get(reverse("orders:order_list") + "?overdue=1&category=cleaning")


def test_the_wall_needs_no_login(client, svc):  # noqa: F811
    make_wish(svc, status="open")
    make_wish(svc, status="confirmed", adopter="m1")
    make_wish(svc, status="posted")
    r = client.get(reverse("orders:wish_wall") + f"?community={svc.world.community.pk}")
    page = r.content.decode()
    assert r.status_code == 200 and "王**" in page and "王小明" not in page
    assert page.count('data-testid="wall-open"') == 1 and page.count('data-testid="wall-done"') == 1
    assert r.context["wall"].fulfilled_this_year == 1


def test_wish_pages(client, svc):  # noqa: F811
    c = _login(client, svc.resident)
    r = c.post(reverse("orders:wish_new"), {"title": "想要一副老花镜"})
    assert r.status_code == 302
    wish = Wish.objects.get()
    staff = _login(client.__class__(), svc.staff)
    assert "老花镜" in staff.get(reverse("orders:wish_manage")).content.decode()
    staff.post(reverse("orders:wish_act", args=[wish.pk, "publish"]))
    vol = _login(client.__class__(), svc.volunteer)
    assert 'data-action="adopt"' in vol.get(reverse("orders:wish_adopt_list")).content.decode()
    vol.post(reverse("orders:wish_act", args=[wish.pk, "adopt"]))
    vol.post(reverse("orders:wish_act", args=[wish.pk, "fulfil"]), {"note": "送到了"})
    page = c.get(reverse("orders:my_wishes")).content.decode()
    assert 'data-action="confirm"' in page
    c.post(reverse("orders:wish_act", args=[wish.pk, "confirm"]))
    assert Wish.objects.get().status == "confirmed"


def test_service_orders_in_the_menu_lead_each_to_their_page(client, svc):  # noqa: F811
    c = _login(client, svc.m1)
    assert c.get(reverse("orders:order_list"))["Location"] == reverse("orders:order_pool")
    c.logout()
    c = _login(client, svc.resident)
    assert c.get(reverse("orders:order_list"))["Location"] == reverse("orders:my_orders")
    menu = c.get(reverse("orders:my_orders")).content.decode()
    assert reverse("orders:my_orders") in menu and reverse("orders:my_wishes") in menu


def test_the_branch_secretary_has_the_desk_of_their_branch(client, svc):  # noqa: F811
    mine = make_order(svc)
    from linli.orders import actions

    elsewhere = actions.order_place(
        actor=None, category="other", description="x", address="y", place=svc.world.grid_c
    )
    c = _login(client, svc.secretary)
    r = c.get(reverse("orders:order_list"))
    assert r.status_code == 200
    assert [i["order"].pk for i in r.context["items"]] == [mine.pk] and elsewhere.pk != mine.pk


def test_cancelling_and_returning_ask_before_they_end_the_order(client, svc):  # noqa: F811
    make_order(svc, status="placed")
    page = _login(client, svc.resident).get(reverse("orders:my_orders")).content.decode()
    assert 'data-confirm="确定取消这个服务单吗？"' in page
    order = make_order(svc, status="placed")
    client.logout()
    desk = _login(client, svc.staff).get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    # "Return to the resident" ends the order (a danger button): its form asks first; dispatching does not.
    import re

    forms = dict(re.findall(r'<form [^>]*data-testid="form-(\w+)"([^>]*)>', desk))
    assert "data-confirm=" in forms["return"]
    assert "data-confirm=" not in forms["dispatch"]


def test_the_timeline_names_people_never_their_logins(client, svc):  # noqa: F811
    from linli.accounts.models import User

    User.objects.filter(pk=svc.m1.pk).update(display_name="李卫东")
    order = make_order(svc, status="done")
    desk = _login(client, svc.staff).get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "李卫东" in desk and "member_1" not in desk
    client.logout()
    mine = _login(client, svc.resident).get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "李**" in mine and "李卫东" not in mine and "member_1" not in mine  # masked for the resident


def test_the_members_own_orders_page_through_the_rest_beside_the_pool(client, svc, monkeypatch):  # noqa: F811
    from linli.core import ui
    from linli.core.testing.pages import more_href, walk_pages

    mine = {make_order(svc, status="dispatched").pk for _ in range(3)}
    monkeypatch.setattr(ui, "PAGE_SIZE", 2)
    bodies = walk_pages(_login(client, svc.m1), reverse("orders:order_pool"))
    assert [b.count('data-testid="member-order"') for b in bodies] == [2, 1]
    assert more_href(bodies[0]).startswith("?mine_after=")
    shown = {int(n) for b in bodies for n in re.findall(r'href="/party/orders/(\d+)"', b)}
    assert shown == mine
