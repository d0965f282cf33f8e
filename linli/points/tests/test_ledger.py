"""The ledgers (points and hours): append-only (ORM, SQL, the test flush), reversals and corrections,
reconciliation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.models import AppendOnlyError
from linli.points import actions, selectors
from linli.points.models import EntryKind, HoursEntry, PointsAccount, PointsEntry


def test_entry_save_and_delete_refused(person, award):
    entry = award(person, 3)
    entry.amount = 30
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.filter(pk=entry.pk).update(amount=30)
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.filter(pk=entry.pk).delete()
    assert PointsEntry.objects.get(pk=entry.pk).amount == 3


def test_entry_raw_sql_update_and_delete_refused_by_the_database(person, award):
    entry = award(person, 3)
    table = connection.ops.quote_name(PointsEntry._meta.db_table)
    for sql in (f"UPDATE {table} SET amount = 30 WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert PointsEntry.objects.get(pk=entry.pk).amount == 3


def _hours(person, source="test-hours:1"):
    return actions.hours_record(
        person_id=person.pk,
        hours=Decimal("1.5"),
        source=source,
        kind="activity",
        actor=None,
        occurred_on=timezone.localdate(),
    )


def test_hours_save_and_delete_refused(person):
    entry = _hours(person)
    entry.hours = Decimal("9")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        HoursEntry.objects.filter(pk=entry.pk).update(hours=Decimal("9"))
    with pytest.raises(AppendOnlyError):
        HoursEntry.objects.filter(pk=entry.pk).delete()
    assert HoursEntry.objects.get(pk=entry.pk).hours == Decimal("1.5")


def test_hours_raw_sql_update_and_delete_refused_by_the_database(person):
    entry = _hours(person)
    table = connection.ops.quote_name(HoursEntry._meta.db_table)
    for sql in (f"UPDATE {table} SET hours = 9 WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert HoursEntry.objects.get(pk=entry.pk).hours == Decimal("1.5")


def _live_triggers(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled <> 'D'",
                [table],
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_flush_empties_both_ledgers_and_puts_their_triggers_back(person, award):
    award(person, 3)
    _hours(person)
    tables = [PointsEntry._meta.db_table, HoursEntry._meta.db_table]
    before = {table: _live_triggers(table) for table in tables}
    assert all(len(names) >= 2 for names in before.values()), before
    call_command("flush", interactive=False, verbosity=0)
    assert not PointsEntry.objects.exists() and not HoursEntry.objects.exists()
    assert {table: _live_triggers(table) for table in tables} == before


def test_balance_check_constraint_refuses_negative(person, award):
    award(person, 1)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(person=person).update(balance=-1)


def test_reverse_writes_opposite_entry_once(person, award, community_staff):
    entry = award(person, 4)
    rev = actions.points_reverse(entry_id=entry.pk, note="误记", actor=community_staff)
    assert rev.amount == -4 and rev.reverses_id == entry.pk and rev.kind == "reversal"
    assert selectors.balance_of(person.pk) == 0
    with pytest.raises(Refused):
        actions.points_reverse(entry_id=entry.pk, note="再来", actor=community_staff)
    with pytest.raises(Refused):
        actions.points_reverse(entry_id=rev.pk, note="反冲", actor=community_staff)
    assert selectors.reconcile() == []


def test_reverse_needs_a_note(person, award, community_staff):
    entry = award(person, 4)
    with pytest.raises(Invalid):
        actions.points_reverse(entry_id=entry.pk, note=" ", actor=community_staff)


def test_reverse_refused_when_points_already_spent(person, award, community_staff):
    entry = award(person, 4)
    actions.points_correct(person_id=person.pk, amount=-3, note="兑换线下", actor=community_staff)
    with pytest.raises(Refused):
        actions.points_reverse(entry_id=entry.pk, note="误记", actor=community_staff)
    assert selectors.balance_of(person.pk) == 1


def test_reverse_and_correct_refused_without_manage_or_out_of_scope(person, award, grid_worker_a, outsider):
    entry = award(person, 4)
    with pytest.raises(PermissionDenied):
        actions.points_reverse(entry_id=entry.pk, note="x", actor=grid_worker_a)
    with pytest.raises(NotFound):
        actions.points_reverse(entry_id=entry.pk, note="x", actor=outsider)
    with pytest.raises(NotFound):
        actions.points_correct(person_id=person.pk, amount=2, note="x", actor=outsider)
    assert selectors.balance_of(person.pk) == 4


def test_correct_cannot_make_balance_negative(person, award, community_staff):
    award(person, 2)
    with pytest.raises(Refused):
        actions.points_correct(person_id=person.pk, amount=-3, note="x", actor=community_staff)
    assert selectors.balance_of(person.pk) == 2
    assert PointsEntry.objects.filter(person=person).count() == 1


def test_reconcile_clean_ledger_exits_zero(person, award, capsys):
    award(person, 2)
    call_command("points_reconcile")
    assert "matches" in capsys.readouterr().out


def test_reconcile_finds_tampered_balance(person, award, capsys):
    award(person, 2)
    PointsAccount.objects.filter(person=person).update(balance=7)
    with pytest.raises(CommandError):
        call_command("points_reconcile")
    out = capsys.readouterr().out
    assert f"person {person.pk}" in out and "balance 7, ledger 2" in out
    assert "积分测试" not in out  # the name is masked


def test_reconcile_finds_entries_without_account(person, award):
    award(person, 2)
    PointsAccount.objects.filter(person=person).delete()
    assert selectors.reconcile() == [{"person_id": person.pk, "balance": None, "ledger": 2}]


def test_random_operations_keep_the_invariants(world, person, member, goods, item, community_staff):
    """A seeded random mix of awards (some repeated), corrections, reversals, redemptions, refunds and
    cancellations: whatever is refused, the balance stays >= 0 and equals the sum of the entries."""
    import random

    from linli.points.models import Redemption, ShopItem

    rng = random.Random(2026)
    ShopItem.objects.filter(pk=goods.pk).update(stock=5)
    for i in range(150):
        op = rng.choice(
            ["award", "award", "again", "correct", "reverse", "redeem", "redeem", "refund", "cancel"]
        )
        try:
            if op == "award":
                actions.points_award(
                    person_id=person.pk,
                    rule_code="service",
                    source=f"r:{i}",
                    actor=None,
                    amount=rng.randint(0, 6),
                )
            elif op == "again":
                actions.points_award(
                    person_id=person.pk,
                    rule_code="service",
                    source=f"r:{rng.randint(0, i)}",
                    actor=None,
                    amount=99,
                )
            elif op == "correct":
                actions.points_correct(
                    person_id=person.pk, amount=rng.choice([-7, -2, 3]), note="随机", actor=community_staff
                )
            elif op == "reverse":
                e = PointsEntry.objects.filter(person=person, kind="award").order_by("?").first()
                if e is not None:
                    actions.points_reverse(entry_id=e.pk, note="随机", actor=community_staff)
            elif op == "redeem":
                actions.redemption_create(item_id=rng.choice([goods.pk, item.pk]), actor=member)
            else:
                r = Redemption.objects.filter(status="issued").order_by("?").first()
                if r is not None:
                    actions.redemption_transition(
                        redemption=r, name=op, actor=community_staff if op == "refund" else member
                    )
        except (Refused, Invalid):
            pass
        balance = selectors.balance_of(person.pk)
        assert balance >= 0
        assert selectors.reconcile() == [], (i, op)
    live = Redemption.objects.filter(item=goods, status__in=["issued", "fulfilled"]).count()
    assert ShopItem.objects.get(pk=goods.pk).stock + live == 5
    kinds = set(PointsEntry.objects.values_list("kind", flat=True))
    assert kinds == {"award", "correction", "reversal", "redeem", "refund"}  # every path was taken


def test_a_gain_is_never_refused_when_a_racing_transaction_opens_the_account(person, monkeypatch):
    """Two verifications for one reporter at once (seen in the cluster test as 409 积分不足): ours finds no
    account, the other transaction opens it and commits before we look again. Played here in one
    connection: the account appears right after our first UPDATE."""
    from django.db.models import QuerySet

    real_update = QuerySet.update
    calls = []

    def update(qs, **kwargs):
        if qs.model is PointsAccount and not calls:
            calls.append(1)
            assert real_update(qs, **kwargs) == 0  # no account yet
            PointsAccount.objects.create(person_id=person.pk, balance=4)  # the racing transaction's
            return 0
        return real_update(qs, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update)
    with transaction.atomic():
        entry, written = actions._entry_write(person=person, amount=3, kind=EntryKind.AWARD, source="race:1",
                                              actor=None)
    assert written and calls == [1]
    assert PointsAccount.objects.get(person_id=person.pk).balance == 7
