"""Races on the ledger: threads, each with its own connection (a SQLite file database, or PostgreSQL)."""

from __future__ import annotations

import pytest

from linli.core.errors import Refused
from linli.core.testing.concurrency import in_thread, race, sqlite_file
from linli.points import actions, selectors
from linli.points.models import PointsEntry, Redemption, ShopItem


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_redemptions_racing_on_a_balance_for_one_one_wins(person, member, item, tmp_path):
    actions.points_award(person_id=person.pk, rule_code="service", source="t:1", actor=None, amount=5)
    db = sqlite_file(tmp_path)
    results, errors = race(
        [lambda: actions.redemption_create(item_id=item.pk, actor=member) for _ in range(2)], settings_dict=db
    )
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Refused), errors

    def outcome():
        return selectors.balance_of(person.pk), Redemption.objects.count(), selectors.reconcile()

    assert in_thread(outcome, db) == (0, 1, [])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_redemptions_racing_on_the_last_stock_one_wins(person, member, goods, tmp_path):
    actions.points_award(person_id=person.pk, rule_code="service", source="t:1", actor=None, amount=50)
    db = sqlite_file(tmp_path)
    results, errors = race(
        [lambda: actions.redemption_create(item_id=goods.pk, actor=member) for _ in range(2)],
        settings_dict=db,
    )
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Refused), errors

    def outcome():
        return ShopItem.objects.get(pk=goods.pk).stock, selectors.balance_of(person.pk)

    assert in_thread(outcome, db) == (0, 45)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_awarding_the_same_source_racing_writes_one_entry(person, tmp_path):
    db = sqlite_file(tmp_path)

    def go():
        return actions.points_award(person_id=person.pk, rule_code="service", source="race:1", actor=None).pk

    results, errors = race([go for _ in range(4)], settings_dict=db)
    assert not errors, errors
    assert len(set(results)) == 1

    def outcome():
        return PointsEntry.objects.filter(source="race:1").count(), selectors.balance_of(person.pk)

    assert in_thread(outcome, db) == (1, 1)
