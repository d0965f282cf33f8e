"""The ledger as Excel, in the columns of a community's paper ledger (矛盾纠纷排查化解台账). Parties are
masked as everywhere else; the rows are the ledger's filters, read in keyset batches. A ledger of more than a
few thousand rows is written by the worker while a page shows the progress (``linli.core.export_jobs``,
kind ``mediation.ledger``: the view permission and the scope are asked again at the download)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from linli.core.audit import audit_record
from linli.core.excel import Workbook
from linli.core.export_jobs import Progress

MAX_ROWS = 50_000


def ledger_columns() -> list[str]:
    return [_("No."), _("Number"), _("Registered on"), _("Kind"), _("Parties"), _("What happened"),
            pgettext("mediation ledger", "Where"),
            _("Source"), _("Risk level"), _("Amount at stake (yuan)"), _("Method"), _("Lead mediator"),
            _("Status"), _("Outcome"), _("Agreement"), _("Follow-up"), _("Due on"), _("Closed on")]


def ledger_write(user: Any, filters: Any, book: Workbook, progress: Progress | None = None) -> int:
    """The ledger's rows (at most ``MAX_ROWS``) as a sheet of ``book``; ``progress(rows so far)`` now and
    then. Audited as ``mediation.ledger_export``. Returns the rows written."""
    from linli.core.batches import keyset_batches
    from linli.mediation import selectors

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
        if progress is not None:
            progress(n)
    audit_record(action="mediation.ledger_export", actor=user,
                 detail={"kind": filters.kind, "status": filters.status, "grid": filters.grid, "month": filters.month,
                         "rows": n})
    return n


# --- the ledger as a kind of linli.core.export_jobs: a long ledger is written by the worker ------------------

KIND = "mediation.ledger"


def _filters(params: dict[str, Any]) -> Any:
    from linli.mediation.selectors import DisputeFilters

    known = {f.name for f in dataclasses.fields(DisputeFilters)}
    return DisputeFilters(**{k: v for k, v in params.items() if k in known})


def _allowed(user: Any, params: dict[str, Any]) -> bool:
    from linli.mediation.workflow import PERM_VIEW

    return PERM_VIEW in getattr(user, "perms", frozenset())


def _count(user: Any, params: dict[str, Any]) -> int:
    from linli.mediation import selectors

    return min(MAX_ROWS, selectors.dispute_queryset(user, _filters(params)).order_by().count())


def _write(user: Any, params: dict[str, Any], book: Workbook, progress: Progress) -> int:
    return ledger_write(user, _filters(params), book, progress)


def _filename(params: dict[str, Any]) -> str:
    return f"{_('Dispute ledger')}.xlsx"


def export_kinds_register() -> None:
    from linli.core.export_jobs import ExportKind, export_kind_register

    export_kind_register(ExportKind(name=KIND, allowed=_allowed, count=_count, write=_write, filename=_filename))
