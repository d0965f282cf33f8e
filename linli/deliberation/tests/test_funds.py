"""Funds: donations and payments in the same ledger kind as projects; the payment run "medical insurance
for residents aged 70 and over" draws its list from the registry and pays each person once per year."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from linli.core.errors import Invalid, Refused
from linli.core.testing.concurrency import in_thread, race, sqlite_file


def _year():
    from django.utils import timezone

    return timezone.localdate().year


@pytest.fixture
def elders(world, make_person):
    """Residents of the community: two of 70 and over this year, one turning 70 in December, one of 69, one
    of 80 in the other community, one of 75 who moved away (not active)."""
    from linli.residents.models import Person

    y = _year()
    old = make_person("张奶奶", born=datetime.date(y - 80, 3, 1))
    just = make_person("李爷爷", born=datetime.date(y - 70, 12, 1))
    seventy_one = make_person("王奶奶", place=world.grid_b, born=datetime.date(y - 71, 1, 1))
    make_person("赵叔叔", born=datetime.date(y - 69, 1, 1))
    make_person("外社区", place=world.grid_c, born=datetime.date(y - 80, 1, 1))
    gone = make_person("已迁出", born=datetime.date(y - 75, 1, 1))
    Person.objects.filter(pk=gone.pk).update(status="moved_out")
    return [old, just, seventy_one]


def test_one_ledger_kind_for_projects_and_funds(fund, project):
    from linli.deliberation.models import Ledger

    assert type(fund.ledger) is Ledger and type(project.ledger) is Ledger
    assert {fund.ledger.kind, project.ledger.kind} == {"fund", "project"}


def test_payment_run_pays_the_registry_list_once_a_year(fund, elders, community_staff):
    from linli.deliberation.actions import fund_money_in, fund_payment_run, ledger_reconcile
    from linli.deliberation.models import FundPayment, LedgerEntry

    fund_money_in(actor=community_staff, fund=fund, amount="2000", counterparty="党员捐款")
    run = fund_payment_run(actor=community_staff, fund=fund, year=_year(), amount="380")
    assert (run.eligible, run.paid, run.total_fen) == (3, 3, 114000)
    assert set(FundPayment.objects.values_list("person_id", flat=True)) == {p.pk for p in elders}
    again = fund_payment_run(actor=community_staff, fund=fund, year=_year(), amount="380")
    assert (again.eligible, again.paid, again.total_fen) == (3, 0, 0)
    assert FundPayment.objects.count() == 3
    rec = ledger_reconcile(fund.ledger_id)
    assert rec.ok and rec.balance_fen == 200000 - 114000 and rec.out_fen == 114000
    names = set(LedgerEntry.objects.filter(kind="payment").values_list("counterparty", flat=True))
    assert "张奶奶" not in names and all("*" in n for n in names)  # masked in the ledger


def test_a_newcomer_is_paid_by_the_next_run_and_nobody_twice(fund, elders, community_staff, make_person):
    from linli.deliberation.actions import fund_money_in, fund_payment_run
    from linli.deliberation.models import FundPayment

    fund_money_in(actor=community_staff, fund=fund, amount="5000")
    fund_payment_run(actor=community_staff, fund=fund, year=_year(), amount="380")
    newcomer = make_person("新迁入", born=datetime.date(_year() - 72, 6, 1))
    run = fund_payment_run(actor=community_staff, fund=fund, year=_year(), amount="380")
    assert run.paid == 1 and FundPayment.objects.get(run=run).person_id == newcomer.pk
    next_year = fund_payment_run(actor=community_staff, fund=fund, year=_year() + 1, amount="400")
    assert next_year.paid == 5  # a new year pays everybody again, and 赵叔叔 turns 70


def test_a_run_the_balance_does_not_cover_pays_nobody(fund, elders, community_staff):
    from linli.deliberation.actions import fund_money_in, fund_payment_run
    from linli.deliberation.models import FundPayment, FundRun, LedgerEntry

    fund_money_in(actor=community_staff, fund=fund, amount="1000")
    with pytest.raises(Refused) as exc:
        fund_payment_run(actor=community_staff, fund=fund, year=_year(), amount="380")
    assert exc.value.code == "insufficient_funds"
    assert not FundPayment.objects.exists() and not FundRun.objects.exists()
    assert LedgerEntry.objects.filter(kind="payment").count() == 0


def test_the_database_refuses_a_second_payment_of_a_year(fund, elders, community_staff):
    from linli.deliberation.actions import fund_money_in, fund_payment_run
    from linli.deliberation.models import FundPayment

    fund_money_in(actor=community_staff, fund=fund, amount="2000")
    run = fund_payment_run(actor=community_staff, fund=fund, year=_year(), amount="100")
    first = FundPayment.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        FundPayment.objects.create(fund=fund, run=run, programme=first.programme, year=first.year,
                                   person_id=first.person_id, entry=first.entry)


@pytest.mark.parametrize(("year", "amount"), [("x", "100"), (1990, "100"), (None, "100"), (2026, "0"), (2026, "abc")])
def test_bad_run_input_is_refused(fund, community_staff, year, amount):
    from linli.deliberation.actions import fund_payment_run

    with pytest.raises(Invalid):
        fund_payment_run(actor=community_staff, fund=fund, year=year if year != 2026 else _year(), amount=amount)


def test_only_the_community_staff_run_payments(fund, resident, outsider):
    from linli.core.errors import NotFound, PermissionDenied
    from linli.deliberation.actions import fund_payment_run

    with pytest.raises(PermissionDenied):
        fund_payment_run(actor=resident, fund=fund, year=_year(), amount="100")
    with pytest.raises(NotFound):
        fund_payment_run(actor=outsider, fund=fund, year=_year(), amount="100")


@pytest.mark.django_db(transaction=True)
def test_racing_runs_pay_each_person_once(tmp_path, world, community_staff, make_person):
    from linli.deliberation.actions import fund_create, fund_money_in, fund_payment_run
    from linli.deliberation.models import FundPayment

    for i in range(5):
        make_person(f"老人{i}", born=datetime.date(_year() - 75, 1, 1))
    fund = fund_create(actor=community_staff, community=world.community, name="党员扶助基金")
    fund_money_in(actor=community_staff, fund=fund, amount="10000")
    settings_dict = sqlite_file(tmp_path)
    if settings_dict is not None:
        settings_dict = {**settings_dict, "OPTIONS": {**settings_dict.get("OPTIONS", {}), "timeout": 120}}
    results, errors = race([lambda: fund_payment_run(actor=community_staff, fund=fund.pk, year=_year(), amount="380")
                            for _ in range(6)], settings_dict=settings_dict)
    assert errors == []
    assert sorted(r.paid for r in results) == [0, 0, 0, 0, 0, 5]
    assert in_thread(lambda: FundPayment.objects.count(), settings_dict) == 5


def test_fund_pages_and_api(client, world, fund, elders, community_staff, make_voter):
    from django.urls import reverse

    from linli.accounts.tests.conftest import bearer, issue_token
    from linli.core.testing.personas import PASSWORD

    voter = make_voter()
    assert client.login(username=community_staff.username, password=PASSWORD)
    assert reverse("deliberation:funds") in client.get(reverse("deliberation:projects")).content.decode()
    client.post(reverse("deliberation:fund_money", args=[fund.pk]), {"kind": "donation", "amount": "1500", "counterparty": "党员"})
    client.post(reverse("deliberation:fund_run", args=[fund.pk]), {"year": str(_year()), "amount": "380"})
    page = client.get(reverse("deliberation:fund_detail", args=[fund.pk])).content.decode()
    assert 'data-testid="runs"' in page and "张奶奶" not in page and "张*" in page
    client.logout()
    assert client.login(username=voter.username, password=PASSWORD)
    page = client.get(reverse("deliberation:fund_detail", args=[fund.pk])).content.decode()
    assert "360.00" in page and 'data-testid="ledger"' not in page and "张*" not in page  # balance only, no names
    h = bearer(issue_token(voter))
    assert client.get(f"/api/v1/funds/{fund.pk}/ledger", **h).json()["entries"]["items"] == []
    r = client.post(f"/api/v1/funds/{fund.pk}/runs", {"year": _year(), "amount_fen": 100}, content_type="application/json", **h)
    assert r.status_code == 403
    hs = bearer(issue_token(community_staff))
    r = client.post(f"/api/v1/funds/{fund.pk}/runs", {"year": _year(), "amount_fen": 100}, content_type="application/json", **hs)
    assert r.status_code == 201 and r.json()["paid"] == 0
    body = client.get(f"/api/v1/funds/{fund.pk}/ledger", **hs).json()
    assert body["reconciled"] and body["balance_fen"] == 36000 and len(body["entries"]["items"]) == 4
