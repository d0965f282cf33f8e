"""The rating window: an order done and not rated for 7 days is closed by the periodic task, once."""

from __future__ import annotations

from datetime import timedelta

from linli.orders.models import OrderEvent, ServiceOrder
from linli.orders.tests.service_fixtures import make_order, svc  # noqa: F401


def _age(order, days: int) -> None:
    order.refresh_from_db()
    ServiceOrder.objects.filter(pk=order.pk).update(done_at=order.done_at - timedelta(days=days))


def test_the_task_run_twice_closes_once(svc):  # noqa: F811
    from linli.orders.tasks import orders_close_unrated_hourly

    old = make_order(svc, status="done")
    recent = make_order(svc, status="done")
    rated = make_order(svc, status="rated")
    _age(old, 8)
    ServiceOrder.objects.filter(pk=rated.pk).update(done_at=rated.done_at - timedelta(days=9))
    assert orders_close_unrated_hourly.call_local() == 1
    assert orders_close_unrated_hourly.call_local() == 0
    old.refresh_from_db()
    assert (old.status, old.closed_reason) == ("closed", "not_rated")
    assert OrderEvent.objects.filter(order=old, kind="close").count() == 1
    assert ServiceOrder.objects.get(pk=recent.pk).status == "done"
    assert ServiceOrder.objects.get(pk=rated.pk).status == "rated"


def test_the_resident_can_no_longer_rate_a_closed_order(svc):  # noqa: F811
    import pytest

    from linli.core.errors import Refused
    from linli.orders import actions

    order = make_order(svc, status="closed")
    with pytest.raises(Refused):
        actions.order_rate(order=order, actor=svc.resident, satisfaction="satisfied")
