import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from linli.core.errors import Invalid
from linli.points import actions as points_actions
from linli.points import selectors as points_selectors
from linli.points.models import PointsEntry


def test_award_uses_rule_points_and_moves_balance(person):
    entry = points_actions.points_award(
        person_id=person.pk, rule_code="service", source="party.order:1", actor=None
    )
    assert entry.amount == 1 and entry.rule.code == "service"
    assert entry.place_path == person.place_path
    assert points_selectors.balance_of(person.pk) == 1


def test_award_same_source_twice_writes_one_entry(person):
    a = points_actions.points_award(
        person_id=person.pk, rule_code="activity", source="v:1", actor=None, amount=3
    )
    b = points_actions.points_award(
        person_id=person.pk, rule_code="activity", source="v:1", actor=None, amount=3
    )
    assert a.pk == b.pk
    assert PointsEntry.objects.filter(source="v:1").count() == 1
    assert points_selectors.balance_of(person.pk) == 3


def test_award_area_rule_carries_area(person):
    entry = points_actions.points_award(
        person_id=person.pk, rule_code="area_safety", source="s:1", actor=None
    )
    assert entry.area == "safety"


def test_award_unknown_rule_is_invalid(person):
    with pytest.raises(Invalid):
        points_actions.points_award(person_id=person.pk, rule_code="nope", source="x:1", actor=None)


def test_award_negative_amount_is_invalid(person):
    with pytest.raises(Invalid):
        points_actions.points_award(
            person_id=person.pk, rule_code="service", source="x:2", actor=None, amount=-1
        )


def test_balance_of_unknown_person_is_zero(db):
    assert points_selectors.balance_of(999999) == 0


def test_hours_record_idempotent_and_summed(person, other_person):
    today = timezone.localdate()
    h = points_actions.hours_record(
        person_id=person.pk,
        hours=Decimal("1.5"),
        source="h:1",
        kind="activity",
        actor=None,
        occurred_on=today,
    )
    again = points_actions.hours_record(
        person_id=person.pk,
        hours=Decimal("1.5"),
        source="h:1",
        kind="activity",
        actor=None,
        occurred_on=today,
    )
    assert h.pk == again.pk
    points_actions.hours_record(
        person_id=person.pk,
        hours=Decimal("2"),
        source="h:2",
        kind="order",
        actor=None,
        occurred_on=today - dt.timedelta(days=40),
    )
    got = points_selectors.hours_by_person(
        [person.pk, other_person.pk], since=today - dt.timedelta(days=5), until=today
    )
    assert got == {person.pk: Decimal("1.50")}


def test_hours_record_bad_kind_and_hours(person):
    with pytest.raises(Invalid):
        points_actions.hours_record(
            person_id=person.pk,
            hours=Decimal("1"),
            source="h:3",
            kind="x",
            actor=None,
            occurred_on=timezone.localdate(),
        )
    with pytest.raises(Invalid):
        points_actions.hours_record(
            person_id=person.pk,
            hours=Decimal("0"),
            source="h:4",
            kind="other",
            actor=None,
            occurred_on=timezone.localdate(),
        )


def test_points_by_person_counts_earnings_in_period(person, other_person):
    points_actions.points_award(person_id=person.pk, rule_code="service", source="p:1", actor=None, amount=4)
    points_actions.points_award(
        person_id=other_person.pk, rule_code="service", source="p:2", actor=None, amount=2
    )
    today = timezone.localdate()
    got = points_selectors.points_by_person([person.pk, other_person.pk], since=today, until=today)
    assert got == {person.pk: 4, other_person.pk: 2}
    yesterday = today - dt.timedelta(days=1)
    assert points_selectors.points_by_person([person.pk], since=yesterday, until=yesterday) == {}


@pytest.mark.slow
def test_demo_extend_adds_items_and_points_idempotently(db):
    from linli.accounts.demo import demo_build
    from linli.points.models import ShopItem

    demo = demo_build()
    items, entries = ShopItem.objects.count(), PointsEntry.objects.count()
    assert items >= 6 and entries > 0
    from linli.points.demo import demo_extend

    demo_extend(demo)
    assert (ShopItem.objects.count(), PointsEntry.objects.count()) == (items, entries)
    from linli.residents.selectors import person_for_user

    person = person_for_user(demo.users["resident"])
    assert person is not None and points_selectors.balance_of(person.pk) >= 20
    assert points_selectors.reconcile() == []
