"""Deadlines: dispatch within 1 working day of ordering, take within 1 working day of publishing or
dispatching; overdue orders are flagged on the desk. Query budgets of the resident and member pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from linli.core.testing.personas import PASSWORD
from linli.core.workdays import add_working_days
from linli.orders import actions
from linli.orders.models import ServiceOrder
from linli.orders.selectors import order_counts, order_is_overdue, order_list
from linli.orders.tests.service_fixtures import make_order, svc  # noqa: F401


def test_deadlines_count_working_days(svc):  # noqa: F811
    order = make_order(svc)
    assert order.dispatch_due == add_working_days(order.placed_at, 1)
    published = actions.order_publish(order=order, actor=svc.secretary)
    assert published.take_due == add_working_days(published.published_at, 1)


def test_overdue_orders_are_flagged_on_the_desk(svc):  # noqa: F811
    late = make_order(svc)
    on_time = make_order(svc)
    waiting = make_order(svc, status="published")
    ServiceOrder.objects.filter(pk=late.pk).update(dispatch_due=late.placed_at - timedelta(hours=1))
    ServiceOrder.objects.filter(pk=waiting.pk).update(take_due=waiting.placed_at - timedelta(hours=1))
    overdue = {o.pk for o in order_list(user=svc.staff, filters={"overdue": True})}
    assert overdue == {late.pk, waiting.pk}
    assert order_is_overdue(ServiceOrder.objects.get(pk=late.pk)) and not order_is_overdue(on_time)
    assert order_counts(user=svc.staff)["overdue"] == 2
    assert order_counts(user=svc.outsider)["overdue"] == 0
    taken = make_order(svc, status="taken")
    ServiceOrder.objects.filter(pk=taken.pk).update(take_due=taken.placed_at - timedelta(days=3))
    assert not order_is_overdue(ServiceOrder.objects.get(pk=taken.pk))  # taken: the take deadline is met


def test_late_dispatch_is_recorded_on_the_event(svc):  # noqa: F811
    from linli.orders.models import OrderEvent

    order = make_order(svc)
    ServiceOrder.objects.filter(pk=order.pk).update(dispatch_due=order.placed_at - timedelta(hours=1))
    actions.order_dispatch(order=order, member=svc.member1, actor=svc.secretary)
    assert OrderEvent.objects.get(order=order, kind="dispatch").data["late"] is True


@pytest.mark.parametrize("n", [2, 8])
def test_resident_and_member_pages_query_budget(client, svc, django_assert_max_num_queries, n):  # noqa: F811
    for _ in range(n):
        make_order(svc, status="published")
        make_order(svc, status="taken")
    assert client.login(username=svc.resident.username, password=PASSWORD)
    with django_assert_max_num_queries(16):
        r = client.get(reverse("orders:my_orders"))
    assert len(r.context["items"]) == 2 * n
    client.logout()
    assert client.login(username=svc.m1.username, password=PASSWORD)
    with django_assert_max_num_queries(
        16 + n
    ):  # the buttons' predicates read the member's branch once per order
        r = client.get(reverse("orders:order_pool"))
    assert len(r.context["pool"]) == n and len(r.context["mine"]) == n
