"""The demo's orders and wishes: every state where the people exist, and a second run adds nothing."""

from __future__ import annotations

from types import SimpleNamespace

from linli.orders.models import ServiceOrder, Wish
from linli.orders.tests.service_fixtures import svc  # noqa: F401


def _demo(svc):  # noqa: F811
    w = svc.world
    return SimpleNamespace(
        communities=[w.community, w.community_2],
        grids=[w.grid_a, w.grid_b],
        users={"resident": svc.resident, "volunteer": svc.volunteer},
    )


def test_the_demo_fills_each_state_once(svc):  # noqa: F811
    from linli.orders import demo as orders_demo

    orders_demo.demo_extend(_demo(svc))
    orders = ServiceOrder.objects.filter(place_path__startswith=svc.world.community.path)
    assert set(orders.values_list("status", flat=True)) == {
        "placed",
        "published",
        "dispatched",
        "taken",
        "done",
        "rated",
        "cancelled",
    }
    assert orders.filter(flagged=True).count() == 1
    wishes = Wish.objects.filter(community=svc.world.community)
    assert set(wishes.values_list("status", flat=True)) == {
        "posted",
        "open",
        "adopted",
        "fulfilled",
        "confirmed",
        "rejected",
    }
    # The second community has no branch: its orders wait at the desk (or were cancelled).
    other = ServiceOrder.objects.filter(place_path__startswith=svc.world.community_2.path)
    assert set(other.values_list("status", flat=True)) <= {"placed", "cancelled"}
    counts = (ServiceOrder.objects.count(), Wish.objects.count())
    orders_demo.demo_extend(_demo(svc))
    assert (ServiceOrder.objects.count(), Wish.objects.count()) == counts
