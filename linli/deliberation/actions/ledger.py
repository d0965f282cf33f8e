"""The money ledger: one mechanism for the projects' and the funds' money (amounts in fen, integers).

``ledger_post`` is the one door that writes an entry. Inside the caller's transaction it moves the ledger's
balance by one conditional UPDATE (``balance_fen + amount >= 0``): when no row matches, the payment would
take the balance below zero and it is refused (409 ``insufficient_funds``) with nothing written. On
PostgreSQL the UPDATE takes the ledger's row lock, so racing payments queue on it and each sees the
balance the previous one left; on SQLite the IMMEDIATE transactions serialise the writers. The entry
records the balance after it; a CHECK constraint on the ledger and on the entries is the last line.
The entries table is append-only (triggers, migration 0004).

``ledger_reconcile`` recomputes the balance from the entries (the sum of the amounts, the last entry's
balance after) and says whether they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, Refused
from linli.core.inserts import insert_many
from linli.deliberation.actions._common import authenticated, clean_text
from linli.deliberation.models import Ledger, LedgerEntry
from linli.deliberation.workflow import MONEY_IN, EntryKind

MAX_FEN = 10_000_000_000  # 1 亿元 in one entry: beyond is a typing mistake


def fen_of(value: Any, *, field: str = "amount") -> int:
    """An amount in fen from an integer of fen (the API) or a yuan string of at most two decimals ("12.5",
    "1,200.00": the forms). Positive, at most ``MAX_FEN``; anything else is a clear 422."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        fen = value
    else:
        text = str(value or "").strip().replace(",", "").replace("，", "").removesuffix("元")
        try:
            yuan = Decimal(text)
        except (InvalidOperation, ValueError):
            raise Invalid(_("Enter an amount in yuan."), fields={field: [_("Enter an amount such as 120.50.")]}) from None
        if not yuan.is_finite() or yuan != yuan.quantize(Decimal("0.01")):
            raise Invalid(_("Enter an amount in yuan."), fields={field: [_("At most two decimals (fen).")]})
        fen = int(yuan * 100)
    if not 0 < fen <= MAX_FEN:
        raise Invalid(_("Enter an amount in yuan."), fields={field: [_("The amount must be above zero and at most 100,000,000 yuan.")]})
    return fen


def yuan(fen: int | None) -> str:
    """``123456`` → ``"1,234.56"``."""
    fen = int(fen or 0)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def ledger_create(*, kind: str, name: str, community: Any) -> Ledger:
    return Ledger.objects.create(kind=kind, name=name[:100], community=community, community_path=community.path)


def ledger_post(
    *,
    ledger: Any,
    kind: str,
    amount_fen: int,
    actor: Any,
    counterparty: str = "",
    person: Any = None,
    note: str = "",
    now: Any = None,
) -> LedgerEntry:
    """Write one entry: ``amount_fen`` (positive) comes in for contributions, donations and the budget, goes
    out for a payment. Refused (409 ``insufficient_funds``) when a payment exceeds the balance. Call it
    inside the action's transaction (it opens one when there is none)."""
    if kind not in EntryKind.values:
        raise Invalid(_("Choose the kind of entry."), fields={"kind": [_("Choose one.")]})
    fen = fen_of(amount_fen)
    signed = fen if kind in MONEY_IN else -fen
    ledger_id = getattr(ledger, "pk", ledger)
    now = now or timezone.now()
    with transaction.atomic():
        moved = Ledger.objects.filter(pk=ledger_id, balance_fen__gte=-signed).update(balance_fen=F("balance_fen") + signed)
        if moved != 1:
            if not Ledger.objects.filter(pk=ledger_id).exists():
                raise Invalid(_("Not found."))
            raise Refused(_("Not enough money in the account for this payment."), code="insufficient_funds")
        balance = Ledger.objects.filter(pk=ledger_id).values_list("balance_fen", flat=True).get()
        entry = LedgerEntry.objects.create(
            ledger_id=ledger_id,
            kind=kind,
            amount_fen=signed,
            balance_after_fen=balance,
            counterparty=clean_text(counterparty, limit=100),
            person=person,
            note=clean_text(note, limit=300),
            actor=actor if authenticated(actor) else None,
            actor_name=(actor.get_username() if authenticated(actor) else "system")[:150],
            at=now,
        )
        audit_record(
            action="deliberation.ledger_post",
            actor=actor,
            actor_name="" if actor is not None else "system",
            target=entry,
            detail={"ledger": ledger_id, "kind": kind, "amount_fen": signed, "balance_fen": balance},
        )
    return entry


def ledger_post_many(*, ledger: Any, rows: list[tuple[str, Any, Any, str, str]], actor: Any, now: Any = None
                     ) -> list[LedgerEntry]:
    """Many entries at once (a payment run, an import): ``rows`` is [(kind, amount, person, counterparty,
    note)]. The same guarantee as ``ledger_post``: one conditional UPDATE moves the balance by the total,
    or nothing is written (409 ``insufficient_funds``); the entries are written in bulk with their running
    balance (incoming rows first would not change the outcome: the total decides)."""
    if not rows:
        return []
    for kind, *_rest in rows:
        if kind not in EntryKind.values:
            raise Invalid(_("Choose the kind of entry."), fields={"kind": [_("Choose one.")]})
    signed = [fen_of(amount) * (1 if kind in MONEY_IN else -1) for kind, amount, *_rest in rows]
    total = sum(signed)
    ledger_id = getattr(ledger, "pk", ledger)
    now = now or timezone.now()
    with transaction.atomic():
        moved = Ledger.objects.filter(pk=ledger_id, balance_fen__gte=-total).update(balance_fen=F("balance_fen") + total)
        if moved != 1:
            raise Refused(_("Not enough money in the account for this payment."), code="insufficient_funds")
        balance = Ledger.objects.filter(pk=ledger_id).values_list("balance_fen", flat=True).get() - total
        actor_row = actor if authenticated(actor) else None
        actor_name = (actor.get_username() if authenticated(actor) else "system")[:150]
        entries = []
        for amount, (kind, _a, person, counterparty, note) in zip(signed, rows, strict=True):
            balance += amount
            if balance < 0:  # a payment before the money that covers it within the batch
                raise Refused(_("Not enough money in the account for this payment."), code="insufficient_funds")
            entries.append(LedgerEntry(ledger_id=ledger_id, kind=kind, amount_fen=amount, balance_after_fen=balance,
                                       counterparty=clean_text(counterparty, limit=100),
                                       person_id=getattr(person, "pk", person), note=clean_text(note, limit=300),
                                       actor=actor_row, actor_name=actor_name, at=now))
        written = insert_many(entries, batch_size=500)
        audit_record(action="deliberation.ledger_post_many", actor=actor, actor_name="" if actor is not None else "system",
                     target_type="deliberation.ledger", target_id=ledger_id,
                     detail={"entries": len(written), "total_fen": total})
    return written


def ledger_pay_many(*, ledger: Any, amounts: list[tuple[int, Any, str]], actor: Any, note: str = "",
                    now: Any = None) -> list[LedgerEntry]:
    """Many payments at once: ``amounts`` is [(fen, person, counterparty)] (``ledger_post_many``)."""
    return ledger_post_many(ledger=ledger, actor=actor, now=now,
                            rows=[(EntryKind.PAYMENT, fen, person, counterparty, note) for fen, person, counterparty in amounts])


@dataclass(frozen=True)
class Reconciliation:
    balance_fen: int  # the ledger's balance as stored
    sum_fen: int  # the sum of its entries
    in_fen: int
    out_fen: int
    last_balance_after_fen: int  # what the last entry says
    entries: int

    @property
    def ok(self) -> bool:
        return self.balance_fen == self.sum_fen == self.last_balance_after_fen and self.balance_fen >= 0


def ledger_reconcile(ledger: Any) -> Reconciliation:
    """The ledger's stored balance against its entries."""
    ledger_id = getattr(ledger, "pk", ledger)
    rows = LedgerEntry.objects.filter(ledger_id=ledger_id)
    sums = rows.aggregate(total=Sum("amount_fen"))
    incoming = rows.filter(amount_fen__gt=0).aggregate(s=Sum("amount_fen"))["s"] or 0
    outgoing = rows.filter(amount_fen__lt=0).aggregate(s=Sum("amount_fen"))["s"] or 0
    last = rows.order_by("-id").values_list("balance_after_fen", flat=True).first()
    return Reconciliation(
        balance_fen=Ledger.objects.filter(pk=ledger_id).values_list("balance_fen", flat=True).get(),
        sum_fen=int(sums["total"] or 0),
        in_fen=int(incoming),
        out_fen=-int(outgoing),
        last_balance_after_fen=int(last or 0),
        entries=rows.count(),
    )


def ledger_totals(ledger: Any) -> dict[str, int]:
    """The money by kind (fen, payments as a positive amount)."""
    ledger_id = getattr(ledger, "pk", ledger)
    totals = {k: 0 for k in EntryKind.values}
    for kind, s in LedgerEntry.objects.filter(ledger_id=ledger_id).order_by().values_list("kind").annotate(s=Sum("amount_fen")):
        totals[kind] = abs(int(s or 0))
    return totals
