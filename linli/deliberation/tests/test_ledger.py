"""The money ledger: amounts in fen, never below zero under racing payments, append-only, reconciling."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from linli.core.errors import Invalid, Refused
from linli.core.testing.concurrency import in_thread, race, sqlite_file


@pytest.fixture
def funding(project):
    from linli.deliberation.models import Project

    Project.objects.filter(pk=project.pk).update(status="funding")
    project.refresh_from_db()
    return project


@pytest.mark.parametrize(
    ("given", "fen"),
    [("12.50", 1250), ("1,200", 120000), ("0.01", 1), (" 30元", 3000), (250, 250), ("100000000", 10_000_000_000)],
)
def test_fen_of_reads_yuan_and_fen(given, fen):
    from linli.deliberation.actions import fen_of

    assert fen_of(given) == fen


@pytest.mark.parametrize("given", ["", "abc", "0", "-5", "1.005", "NaN", "Infinity", "100000000.01", 0, -1, True, None])
def test_fen_of_refuses_what_is_not_an_amount(given):
    from linli.deliberation.actions import fen_of

    with pytest.raises(Invalid):
        fen_of(given)


def test_payment_beyond_the_balance_is_refused_and_changes_nothing(funding, community_staff):
    from linli.deliberation.actions import ledger_reconcile, project_money_in, project_pay
    from linli.deliberation.models import LedgerEntry

    project_money_in(actor=community_staff, project=funding, kind="donation", amount="100.00", counterparty="某公司")
    with pytest.raises(Refused) as exc:
        project_pay(actor=community_staff, project=funding, amount="100.01", counterparty="施工队")
    assert exc.value.code == "insufficient_funds"
    assert LedgerEntry.objects.filter(ledger_id=funding.ledger_id).count() == 1
    paid = project_pay(actor=community_staff, project=funding, amount="100.00", counterparty="施工队")
    assert (paid.amount_fen, paid.balance_after_fen) == (-10000, 0)
    rec = ledger_reconcile(funding.ledger_id)
    assert rec.ok and (rec.in_fen, rec.out_fen, rec.balance_fen) == (10000, 10000, 0)


def test_entries_are_append_only_below_the_application(funding, community_staff):
    from linli.deliberation.actions import project_money_in
    from linli.deliberation.models import LedgerEntry

    entry = project_money_in(actor=community_staff, project=funding, kind="contribution", amount="50", counterparty="1幢")
    for attempt in (
        lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount_fen=1),
        lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(Exception) as exc, transaction.atomic():
            attempt()
        assert "append-only" in str(exc.value)
    assert LedgerEntry.objects.get(pk=entry.pk).amount_fen == 5000


def test_the_balance_cannot_be_set_below_zero_even_by_hand(funding):
    from linli.deliberation.models import Ledger

    with pytest.raises(IntegrityError), transaction.atomic():
        Ledger.objects.filter(pk=funding.ledger_id).update(balance_fen=-1)


def test_money_in_refused_outside_funding_and_works(project, community_staff):
    from linli.deliberation.actions import project_money_in

    with pytest.raises(Refused):
        project_money_in(actor=community_staff, project=project, kind="donation", amount="10", counterparty="x")


def test_residents_and_outsiders_may_not_record_money(funding, resident, outsider):
    from linli.core.errors import NotFound, PermissionDenied
    from linli.deliberation.actions import project_money_in
    from linli.deliberation.models import LedgerEntry

    with pytest.raises(PermissionDenied):
        project_money_in(actor=resident, project=funding, kind="donation", amount="10", counterparty="x")
    with pytest.raises((NotFound, PermissionDenied)):
        project_money_in(actor=outsider, project=funding, kind="donation", amount="10", counterparty="x")
    assert not LedgerEntry.objects.exists()


def test_ledger_reconciles_after_many_entries(funding, community_staff):
    """The stored balance equals the sum of the entries and the last entry's balance after."""
    import random

    from linli.deliberation.actions import ledger_reconcile, project_money_in, project_pay

    rng = random.Random(7)
    expected = 0
    for _ in range(40):
        fen = rng.randint(1, 50_000)
        if rng.random() < 0.6 or fen > expected:
            project_money_in(actor=community_staff, project=funding, kind=rng.choice(["contribution", "donation", "budget"]),
                             amount=fen, counterparty="居民")
            expected += fen
        else:
            project_pay(actor=community_staff, project=funding, amount=fen, counterparty="施工队")
            expected -= fen
    rec = ledger_reconcile(funding.ledger_id)
    assert rec.ok and rec.balance_fen == rec.sum_fen == expected
    assert rec.in_fen - rec.out_fen == expected


@pytest.mark.django_db(transaction=True)
def test_racing_payments_never_take_the_ledger_below_zero(tmp_path, world, community_staff, project):
    """30 payments of 70 yuan race for 1,000 yuan: exactly 14 are paid, the others refused; the ledger holds
    20 yuan and reconciles. Threads on PostgreSQL; on SQLite the same threads on a WAL file (serialised by
    IMMEDIATE transactions)."""
    from linli.deliberation.actions import ledger_reconcile, project_money_in, project_pay
    from linli.deliberation.models import LedgerEntry, Project

    Project.objects.filter(pk=project.pk).update(status="in_progress")
    project_money_in(actor=community_staff, project=project.pk, kind="budget", amount="1000.00", counterparty="社区")
    settings_dict = sqlite_file(tmp_path)
    if settings_dict is not None:
        settings_dict = {**settings_dict, "OPTIONS": {**settings_dict.get("OPTIONS", {}), "timeout": 120}}
    results, errors = race(
        [lambda: project_pay(actor=community_staff, project=project.pk, amount="70.00", counterparty="施工队")
         for _ in range(30)],
        settings_dict=settings_dict,
    )
    assert len(results) == 14
    assert len(errors) == 16 and all(isinstance(e, Refused) and e.code == "insufficient_funds" for e in errors)

    def check():
        rec = ledger_reconcile(project.ledger_id)
        afters = list(LedgerEntry.objects.filter(ledger_id=project.ledger_id).values_list("balance_after_fen", flat=True))
        return rec, afters

    rec, afters = in_thread(check, settings_dict)
    assert rec.ok and rec.balance_fen == 2000 and rec.entries == 15
    assert min(afters) >= 0 and sorted(afters, reverse=True) == afters  # every payment saw the one before it
    assert connection.vendor in ("sqlite", "postgresql")
