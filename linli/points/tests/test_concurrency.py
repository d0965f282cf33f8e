"""Races on the ledger: threads, each with its own connection (a SQLite file database, or PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from linli.core.errors import Refused
from linli.points import actions, selectors
from linli.points.models import PointsEntry, Redemption, ShopItem


def _race(fns, *, settings_dict=None):
    barrier = threading.Barrier(len(fns))
    results, errors = [], []

    def run(fn):
        try:
            if settings_dict is not None:
                from django.db.backends.sqlite3.base import DatabaseWrapper

                connections["default"] = DatabaseWrapper(settings_dict, "default")
            barrier.wait()
            results.append(fn())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def _sqlite_file(tmp_path):
    import sqlite3

    if connection.vendor != "sqlite":
        return None
    path = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return {**connection.settings_dict, "NAME": str(path)}


def _read(fn, db):
    if db is None:
        return fn()
    results, errors = _race([fn], settings_dict=db)
    assert not errors, errors
    return results[0]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_redemptions_racing_on_a_balance_for_one_one_wins(person, member, item, tmp_path):
    actions.points_award(person_id=person.pk, rule_code="service", source="t:1", actor=None, amount=5)
    db = _sqlite_file(tmp_path)
    results, errors = _race(
        [lambda: actions.redemption_create(item_id=item.pk, actor=member) for _ in range(2)], settings_dict=db
    )
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Refused), errors

    def outcome():
        return selectors.balance_of(person.pk), Redemption.objects.count(), selectors.reconcile()

    assert _read(outcome, db) == (0, 1, [])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_redemptions_racing_on_the_last_stock_one_wins(person, member, goods, tmp_path):
    actions.points_award(person_id=person.pk, rule_code="service", source="t:1", actor=None, amount=50)
    db = _sqlite_file(tmp_path)
    results, errors = _race(
        [lambda: actions.redemption_create(item_id=goods.pk, actor=member) for _ in range(2)],
        settings_dict=db,
    )
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Refused), errors

    def outcome():
        return ShopItem.objects.get(pk=goods.pk).stock, selectors.balance_of(person.pk)

    assert _read(outcome, db) == (0, 45)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_awarding_the_same_source_racing_writes_one_entry(person, tmp_path):
    db = _sqlite_file(tmp_path)

    def go():
        return actions.points_award(person_id=person.pk, rule_code="service", source="race:1", actor=None).pk

    results, errors = _race([go for _ in range(4)], settings_dict=db)
    assert not errors, errors
    assert len(set(results)) == 1

    def outcome():
        return PointsEntry.objects.filter(source="race:1").count(), selectors.balance_of(person.pk)

    assert _read(outcome, db) == (1, 1)
