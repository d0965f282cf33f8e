"""Taking an order (党员接单): the first taker wins under a race; the done step earns hours and a point."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from linli.core.errors import Refused
from linli.core.testing.concurrency import in_thread, race, sqlite_file
from linli.orders import actions
from linli.orders.actions import orders as order_actions
from linli.orders.models import OrderEvent, ServiceOrder
from linli.orders.tests.service_fixtures import make_order, slow, svc  # noqa: F401


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_members_take_one_order_at_once_one_wins(svc, tmp_path, monkeypatch):  # noqa: F811
    order = make_order(svc, status="published")
    slow(monkeypatch, order_actions.APPLY, "take")
    db = sqlite_file(tmp_path)
    results, errors = race(
        [
            lambda: actions.order_take(order=order.pk, actor=svc.m1),
            lambda: actions.order_take(order=order.pk, actor=svc.m2),
        ],
        settings_dict=db,
    )
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Refused), errors

    def outcome():
        fresh = ServiceOrder.objects.get(pk=order.pk)
        return (
            OrderEvent.objects.filter(order_id=order.pk, kind="take").count(),
            fresh.status,
            fresh.member_id,
        )

    takes, status, member_id = in_thread(outcome, db)
    assert (takes, status) == (1, "taken")
    assert member_id == results[0].member_id


def test_a_stale_order_object_cannot_be_taken_twice(svc):  # noqa: F811
    order = make_order(svc, status="published")
    stale = ServiceOrder.objects.get(pk=order.pk)
    actions.order_take(order=order, actor=svc.m1)
    with pytest.raises(Refused):
        actions.order_take(order=stale, actor=svc.m2)
    assert OrderEvent.objects.filter(order=order, kind="take").count() == 1


def test_a_member_outside_the_branch_does_not_see_the_pool(svc):  # noqa: F811
    from linli.orders.selectors import order_pool
    from linli.party.models import PartyOrg

    order = make_order(svc, status="published")
    other = PartyOrg.objects.create(
        name="别的支部",
        kind="branch",
        parent=svc.committee,
        place=svc.world.grid_b,
        place_path=svc.world.grid_b.path,
    )
    svc.member2.org = other
    svc.member2.save()
    svc.m2.__dict__.pop("_party_member_cache", None)
    assert [o.pk for o in order_pool(user=svc.m1)] == [order.pk]
    fresh_m2 = type(svc.m2).objects.get(pk=svc.m2.pk)
    assert list(order_pool(user=fresh_m2)) == []


def test_done_records_hours_and_a_point_for_the_taker(svc):  # noqa: F811
    from linli.points import selectors as points_selectors

    order = make_order(svc, status="taken")
    person = svc.member1.person_id
    before = points_selectors.balance_of(person)
    actions.order_done(order=order, actor=svc.m1, note="已修好", hours="2.5")
    today = dt.date.today()
    assert points_selectors.balance_of(person) == before + 1
    hours = points_selectors.hours_by_person(
        [person], since=today - dt.timedelta(days=1), until=today + dt.timedelta(days=1)
    )
    assert hours.get(person) == Decimal("2.5")
    assert (
        points_selectors.hours_by_person([svc.member2.person_id], since=today, until=today).get(
            svc.member2.person_id, 0
        )
        == 0
    )


def test_decline_returns_the_order_to_the_branch(svc):  # noqa: F811
    order = make_order(svc, status="dispatched")
    back = actions.order_decline(order=order, actor=svc.m1, reason="出差")
    assert back.status == "placed" and back.member_id is None and back.dispatch_due is not None


def test_rating_not_satisfied_flags_the_order(svc):  # noqa: F811
    order = make_order(svc, status="done")
    rated = actions.order_rate(
        order=order, actor=svc.resident, satisfaction="unsatisfied", comment="没打扫干净"
    )
    assert rated.flagged and rated.closed_reason == "rated"
    assert OrderEvent.objects.get(order=order, kind="rate").data["flagged"] is True


def test_done_needs_hours(svc):  # noqa: F811
    from linli.core.errors import Invalid

    order = make_order(svc, status="taken")
    with pytest.raises(Invalid) as err:
        actions.order_done(order=order, actor=svc.m1, note="好了", hours="abc")
    assert "hours" in err.value.fields
    assert ServiceOrder.objects.get(pk=order.pk).status == "taken"


def test_dispatch_rights_agree_with_the_org_rule(svc):  # noqa: F811
    """The order's fast check and the organisation part's ``can_dispatch_for_org`` say the same."""
    from linli.orders.access import can_dispatch_order
    from linli.party.models import PartyOrg
    from linli.party.selectors import can_dispatch_for_org

    group = PartyOrg.objects.create(
        name="1幢党小组",
        kind="group",
        parent=svc.branch,
        place=svc.world.grid_a,
        place_path=svc.world.grid_a.path,
    )
    order = make_order(svc)
    elsewhere = actions.order_place(
        actor=None, category="other", description="x", address="y", place=svc.world.grid_c
    )
    for user in (svc.secretary, svc.staff, svc.outsider, svc.m1, svc.resident):
        for o in (order, elsewhere):
            fresh = type(user).objects.get(pk=user.pk)
            org = o.org
            assert can_dispatch_order(fresh, o) == (can_dispatch_for_org(fresh, org) if org else False) or (
                "orders.dispatch" in fresh.perms and fresh.scope.covers_path(o.place_path)
            ), (user, o)
    assert can_dispatch_for_org(svc.secretary, group) and can_dispatch_order(svc.secretary, order)
    assert not can_dispatch_order(svc.m1, order)
