"""The ledger as Excel, in the columns of a community's paper ledger (矛盾纠纷排查化解台账). Parties are
masked as everywhere else; the rows are the ledger's filters, read in keyset batches."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from linli.core.excel import Workbook

MAX_ROWS = 50_000


def ledger_columns() -> list[str]:
    return [_("No."), _("Number"), _("Registered on"), _("Kind"), _("Parties"), _("What happened"),
            pgettext("mediation ledger", "Where"),
            _("Source"), _("Risk level"), _("Amount at stake (yuan)"), _("Method"), _("Lead mediator"),
            _("Status"), _("Outcome"), _("Agreement"), _("Follow-up"), _("Due on"), _("Closed on")]


def ledger_xlsx(user: Any, filters: Any) -> Workbook:
    from linli.core.batches import keyset_batches
    from linli.mediation import selectors

    book = Workbook(streaming=True)
    sheet = book.sheet(_("Dispute ledger"), ledger_columns(),
                       widths=(5, 11, 11, 10, 18, 40, 18, 8, 6, 10, 12, 8, 8, 8, 24, 8, 11, 11))
    qs = (selectors.dispute_queryset(user, filters).select_related("grid", "community", "place", "lead", "agreement")
          .prefetch_related("parties__person"))
    n = 0
    for batch in keyset_batches(qs, 500):
        if n >= MAX_ROWS:  # the cap: stop reading, not only writing
            break
        for d in batch[: MAX_ROWS - n]:
            n += 1
            agreement = getattr(d, "agreement", None) if d.outcome == "settled" else None
            closed = d.archived_at or d.outcome_at
            sheet.row([
                n, d.number, timezone.localtime(d.reported_at).date().isoformat(), d.get_kind_display(),
                selectors.parties_summary(d), d.facts, " ".join(x for x in (d.grid.name if d.grid else "",
                                                                          d.place.name if d.place != d.grid else "") if x),
                d.get_source_display(), d.get_risk_display(), d.amount,
                d.get_method_display() if d.method else "", d.lead.name if d.lead else "", d.get_status_display(),
                d.get_outcome_display() if d.outcome else "",
                (agreement.serial or agreement.get_form_display()) if agreement else "",
                ("" if d.fulfilled is None else (pgettext("mediation", "Fulfilled") if d.fulfilled
                                                 else pgettext("mediation", "Not fulfilled"))),
                d.due_on.isoformat() if d.due_on else "",
                timezone.localtime(closed).date().isoformat() if closed else "",
            ])
    return book
