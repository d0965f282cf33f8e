"""The ledger's Excel exports (points, service hours) as one kind of ``linli.core.export_jobs``: a few
thousand rows are the file at once, more are written by the worker while a page shows the progress.

``params``: ``what`` ("points" or "hours") and ``filters``, the ledger's filter form as typed (checked
again by the form whenever the export is counted or written). Names are always masked; the rows are the
user's scope (``visible_to``) at the moment they are written, and the download asks the ledger's
permission again (``linli.core.views_exports``). Audited as ``points.ledger_export``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.batches import keyset_iter
from linli.core.export_jobs import Progress, counted
from linli.core.masking import mask_name
from linli.points import selectors
from linli.points.forms import LedgerFilterForm
from linli.points.workflow import PERM_FULFIL, PERM_MANAGE

KIND = "points.ledger"
WHAT = ("points", "hours")


def ledger_params(what: str, query: Any) -> dict[str, Any]:
    """The job's parameters from the ledger page's query string (only the filter form's fields)."""
    return {"what": what, "filters": {k: query.get(k, "")[:64] for k in LedgerFilterForm.base_fields if query.get(k)}}


def _filters(params: dict[str, Any]) -> dict[str, Any]:
    form = LedgerFilterForm(params.get("filters") or None)
    return form.cleaned_data if form.is_valid() else {}


def _rows(user: Any, params: dict[str, Any]) -> Any:
    filters = _filters(params)
    if params.get("what") == "hours":
        return selectors.hours_list(user=user, filters=filters)
    return selectors.entries(user=user, filters=filters)


def _allowed(user: Any, params: dict[str, Any]) -> bool:
    return params.get("what") in WHAT and bool({PERM_MANAGE, PERM_FULFIL} & getattr(user, "perms", frozenset()))


def _count(user: Any, params: dict[str, Any]) -> int:
    return _rows(user, params).order_by().count()


def _write(user: Any, params: dict[str, Any], book: Any, progress: Progress) -> int:
    rows = counted(keyset_iter(_rows(user, params), descending=True), progress)
    written = 0
    if params.get("what") == "hours":
        ws = book.sheet(_("Service hours"), [_("number"), _("date"), _("person"), _("hours"), _("kind"),
                                             _("source"), _("note")], widths=[10, 11, 10, 8, 10, 16, 30])
        for h in rows:
            ws.row([h.pk, h.occurred_on.isoformat(), mask_name(h.person.name), float(h.hours), h.get_kind_display(),
                    h.source, h.note])
            written += 1
    else:
        ws = book.sheet(_("Points"), [_("number"), _("time"), _("person"), _("points"), _("kind"), _("rule"),
                                      _("area"), _("source"), _("note")], widths=[10, 17, 10, 8, 10, 16, 10, 16, 30])
        for e in rows:
            ws.row([e.pk, timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), mask_name(e.person.name), e.amount,
                    e.get_kind_display(), e.rule.name if e.rule_id else "", e.get_area_display() if e.area else "",
                    e.source, e.note])
            written += 1
    audit_record(action="points.ledger_export", actor=user,
                 detail={"what": params.get("what"), "filters": params.get("filters") or {}, "rows": written})
    return written


def _filename(params: dict[str, Any]) -> str:
    return f"points-{params.get('what')}-{timezone.localdate():%Y%m%d}.xlsx"


def export_kinds_register() -> None:
    from linli.core.export_jobs import ExportKind, export_kind_register

    export_kind_register(ExportKind(name=KIND, allowed=_allowed, count=_count, write=_write, filename=_filename))
