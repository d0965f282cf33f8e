"""Funds (党员扶助基金 and the like): donations in and payments out in the same ledger kind as the projects,
and payment runs whose list is drawn from the registry.

``fund_payment_run`` for "medical insurance for residents aged 70 and over": the residents of the fund's
community who are 70 or older in the year (``residents.selectors.persons_aged_at_least``: the registry
keeps the month of birth), less those the programme paid that year already; each paid once per year
whatever the runs and the races: the fund's row is locked for the run and a unique constraint on (fund,
programme, year, person) is the guarantee. The run is paid in full or not at all (the balance must cover it).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound
from linli.core.inserts import insert_many
from linli.core.masking import mask_name
from linli.deliberation.actions._common import (
    authenticated,
    clean_text,
    community_of,
    place_of,
    require_manage,
    required_text,
)
from linli.deliberation.actions.ledger import fen_of, ledger_create, ledger_pay_many, ledger_post
from linli.deliberation.models import Fund, FundPayment, FundRun, LedgerEntry
from linli.deliberation.workflow import MONEY_IN, PROGRAMME_MIN_AGE, EntryKind, FundProgramme, LedgerKind

MAX_RUN = 20_000  # people in one run: a community has a few thousand residents of 70 and over at most


@transaction.atomic
def fund_create(*, actor: Any, community: Any, name: str, description: str = "") -> Fund:
    where = community_of(place_of(community, field="community"))
    require_manage(actor, where.path)
    name = required_text(name, field="name", limit=100)
    fund = Fund.objects.create(name=name, description=clean_text(description), community=where,
                               community_path=where.path,
                               ledger=ledger_create(kind=LedgerKind.FUND, name=name, community=where))
    audit_record(action="deliberation.fund_create", actor=actor, actor_name="" if actor is not None else "system",
                 target=fund)
    return fund


def _fund(fund: Any, actor: Any, *, lock: bool = False) -> Fund:
    pk = getattr(fund, "pk", fund)
    if actor is not None and not Fund.objects.visible_to(actor).filter(pk=pk).exists():
        raise NotFound(_("Not found."))
    qs = Fund.objects.select_for_update(of=("self",)) if lock else Fund.objects
    found = qs.select_related("ledger").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    require_manage(actor, found.community_path)
    return found


def fund_money_in(*, actor: Any, fund: Any, amount: Any, kind: str = EntryKind.DONATION, counterparty: str = "",
                  note: str = "") -> LedgerEntry:
    """A donation (or the community budget) into the fund."""
    if kind not in MONEY_IN:
        raise Invalid(_("Choose the kind of entry."), fields={"kind": [_("Choose one.")]})
    with transaction.atomic():
        f = _fund(fund, actor)
        return ledger_post(ledger=f.ledger_id, kind=kind, amount_fen=fen_of(amount), actor=actor,
                           counterparty=counterparty, note=note)


def fund_pay(*, actor: Any, fund: Any, amount: Any, counterparty: str, note: str = "") -> LedgerEntry:
    """A single payment out of the fund (never below zero)."""
    with transaction.atomic():
        f = _fund(fund, actor)
        return ledger_post(ledger=f.ledger_id, kind=EntryKind.PAYMENT, amount_fen=fen_of(amount), actor=actor,
                           counterparty=required_text(counterparty, field="counterparty", limit=100), note=note)


def fund_payment_run(*, actor: Any, fund: Any, year: Any, amount: Any,
                     programme: str = FundProgramme.MEDICAL_INSURANCE_70) -> FundRun:
    """Pay ``amount`` to each resident the programme covers in ``year`` and has not paid that year yet."""
    from linli.residents.selectors import persons_aged_at_least

    if programme not in FundProgramme.values:
        raise Invalid(_("Choose the programme."), fields={"programme": [_("Choose one.")]})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise Invalid(_("Enter a year."), fields={"year": [_("Enter a year such as 2026.")]}) from None
    this_year = timezone.localdate().year
    if not this_year - 1 <= year <= this_year + 1:
        raise Invalid(_("Enter a year."), fields={"year": [_("Last year, this year or next year.")]})
    fen = fen_of(amount)
    now = timezone.now()
    with transaction.atomic():
        f = _fund(fund, actor, lock=True)  # one run of a fund at a time
        people = persons_aged_at_least(f.community_path, PROGRAMME_MIN_AGE[programme], year)
        if len(people) > MAX_RUN:
            raise Invalid(_("Too many people for one run."))
        paid = set(FundPayment.objects.filter(fund=f, programme=programme, year=year).values_list("person_id", flat=True))
        due = [(pid, name) for pid, name, _birth in people if pid not in paid]
        run = FundRun.objects.create(fund=f, programme=programme, year=year, amount_fen=fen, eligible=len(people),
                                     paid=len(due), total_fen=fen * len(due),
                                     actor=actor if authenticated(actor) else None, at=now)
        label = FundProgramme(programme).label
        entries = ledger_pay_many(
            ledger=f.ledger_id, actor=actor, now=now, note=f"{label} {year}",
            amounts=[(fen, pid, mask_name(name)) for pid, name in due],
        )
        insert_many(
            [FundPayment(fund=f, run=run, programme=programme, year=year, person_id=pid, entry=e)
             for (pid, _name), e in zip(due, entries, strict=True)],
            batch_size=500,
        )
        audit_record(action="deliberation.fund_run", actor=actor, actor_name="" if actor is not None else "system",
                     target=f, detail={"run": run.pk, "programme": programme, "year": year, "paid": len(due),
                                       "eligible": len(people), "total_fen": run.total_fen})
    return run
