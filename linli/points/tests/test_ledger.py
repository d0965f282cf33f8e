"""The ledger: append-only (ORM and SQL), reversals and corrections, reconciliation."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.models import AppendOnlyError
from linli.points import actions, selectors
from linli.points.models import PointsAccount, PointsEntry


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
