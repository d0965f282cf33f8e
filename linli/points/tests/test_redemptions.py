"""Redemptions: the table over every (state, action) pair, debits, stock, refunds, events and audit."""

from __future__ import annotations

import pytest

from linli.core.errors import NotFound, PermissionDenied, Refused
from linli.core.models import AuditEntry
from linli.points import actions, selectors
from linli.points.models import PointsEntry, Redemption, RedemptionEvent, ShopItem
from linli.points.workflow import REDEMPTION_TRANSITIONS, RedemptionStatus, available_actions

STATES = list(RedemptionStatus.values)
PATH = {"issued": [], "fulfilled": ["fulfil"], "refunded": ["refund"], "cancelled": ["cancel"]}


@pytest.fixture
def funded(person, award):
    award(person, 20)
    return person


@pytest.fixture
def redemption_in(funded, member, goods, community_staff):
    def _drive(state):
        r = actions.redemption_create(item_id=goods.pk, actor=member)
        for name in PATH[state]:
            r = actions.redemption_transition(
                redemption=r, name=name, actor=_who(name, member, community_staff)
            )
        assert r.status == state
        return r

    return _drive


def _who(name, member, staff):
    return member if name == "cancel" else staff


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", list(REDEMPTION_TRANSITIONS))
def test_redemption_table(state, name, redemption_in, member, community_staff, person):
    r = redemption_in(state)
    t = REDEMPTION_TRANSITIONS[name]
    before = selectors.balance_of(person.pk)
    if state in t.sources:
        r = actions.redemption_transition(redemption=r, name=name, actor=_who(name, member, community_staff))
        assert r.status == t.target
        assert RedemptionEvent.objects.filter(redemption=r, kind=name).count() == 1
        assert AuditEntry.objects.filter(action=f"points.redemption_{name}").exists()
    else:
        with pytest.raises(Refused):
            actions.redemption_transition(redemption=r, name=name, actor=_who(name, member, community_staff))
        assert Redemption.objects.get(pk=r.pk).status == state
        assert selectors.balance_of(person.pk) == before
    assert selectors.reconcile() == []


def test_redeem_debits_points_and_stock(funded, member, goods, person):
    r = actions.redemption_create(item_id=goods.pk, actor=member)
    assert r.status == "issued" and len(r.code) == 8
    assert selectors.balance_of(person.pk) == 15
    assert ShopItem.objects.get(pk=goods.pk).stock == 0
    debit = PointsEntry.objects.get(source=f"points.redemption:{r.pk}:redeem")
    assert debit.amount == -5 and debit.kind == "redeem"
    with pytest.raises(Refused):
        actions.redemption_create(item_id=goods.pk, actor=member)  # out of stock
    assert selectors.balance_of(person.pk) == 15


def test_redeem_without_enough_points_refused_nothing_written(person, award, member, item):
    award(person, 4)
    with pytest.raises(Refused):
        actions.redemption_create(item_id=item.pk, actor=member)
    assert not Redemption.objects.exists()
    assert selectors.balance_of(person.pk) == 4


def test_redeem_out_of_stock_does_not_debit(funded, member, goods, person):
    ShopItem.objects.filter(pk=goods.pk).update(stock=0)
    with pytest.raises(Refused):
        actions.redemption_create(item_id=goods.pk, actor=member)
    assert selectors.balance_of(person.pk) == 20


def test_redeem_needs_registry_person(resident, item):
    with pytest.raises(Refused):
        actions.redemption_create(item_id=item.pk, actor=resident)


def test_redeem_item_of_other_community_not_found(funded, member, world):
    other = actions.item_create(community=world.community_2, actor=None, name="修鞋", kind="service", cost=1)
    with pytest.raises(NotFound):
        actions.redemption_create(item_id=other.pk, actor=member)


def test_refund_puts_points_and_stock_back(funded, member, goods, person, community_staff):
    r = actions.redemption_create(item_id=goods.pk, actor=member)
    actions.redemption_transition(redemption=r, name="refund", actor=community_staff, note="供应商缺货")
    assert selectors.balance_of(person.pk) == 20
    assert ShopItem.objects.get(pk=goods.pk).stock == 1
    refund = PointsEntry.objects.get(source=f"points.redemption:{r.pk}:refund")
    assert refund.amount == 5 and refund.reverses.source == f"points.redemption:{r.pk}:redeem"


def test_points_roll_over_without_expiry(person, member, item):
    from datetime import timedelta

    from django.utils import timezone

    actions.points_award(person_id=person.pk, rule_code="service", source="old:1", actor=None, amount=5)
    # An award made long ago still counts in the balance (no expiry).
    assert PointsEntry.objects.get(source="old:1").at < timezone.now() + timedelta(days=1)
    actions.redemption_create(item_id=item.pk, actor=member)
    assert selectors.balance_of(person.pk) == 0


def test_fulfil_by_code_by_provider_user(funded, member, world, person):
    from linli.core.testing.personas import make_user

    barber = make_user("barber", None)
    shop = actions.item_create(
        community=world.community, actor=None, name="理发", kind="service", cost=3, provider_user_id=barber.pk
    )
    r = actions.redemption_create(item_id=shop.pk, actor=member)
    done = actions.redemption_fulfil_by_code(code=r.code.lower(), actor=barber)
    assert done.status == "fulfilled"


def test_fulfil_refused_for_other_users(funded, member, goods, grid_worker_a, outsider):
    r = actions.redemption_create(item_id=goods.pk, actor=member)
    with pytest.raises(NotFound):
        actions.redemption_transition(redemption=r, name="fulfil", actor=outsider)
    with pytest.raises((NotFound, PermissionDenied)):
        actions.redemption_transition(redemption=r, name="fulfil", actor=grid_worker_a)
    with pytest.raises(PermissionDenied):
        actions.redemption_transition(redemption=r, name="fulfil", actor=member)
    assert Redemption.objects.get(pk=r.pk).status == "issued"


def test_available_actions_follow_table(funded, member, goods, community_staff):
    r = actions.redemption_create(item_id=goods.pk, actor=member)
    assert [t.name for t in available_actions(r, member)] == ["cancel"]
    assert [t.name for t in available_actions(r, community_staff)] == ["fulfil", "refund", "cancel"]
