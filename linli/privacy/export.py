"""A resident's copy of their data (PIPL Art. 45): JSON, and an Excel workbook with one sheet per
section (``core.excel``; text a spreadsheet would run as a formula stays text)."""

from __future__ import annotations

from typing import Any

import orjson
from django.utils.translation import gettext as _

from linli.core.excel import Workbook
from linli.privacy.actions import correction_value_shown
from linli.privacy.selectors import MyData, plain


def _corrections(data: MyData) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "field": c.field, "field_label": str(c.get_field_display()), "value": correction_value_shown(c),
         "note": c.note, "status": c.status, "status_label": str(c.get_status_display()), "reason": c.reason,
         "asked_at": plain(c.created_at), "decided_at": plain(c.decided_at)}
        for c in data.corrections
    ]


def as_dict(data: MyData) -> dict[str, Any]:
    return {
        "person_id": data.person_id,
        "generated_at": data.generated_at,
        "sections": [s.as_dict() for s in data.sections],
        "corrections": _corrections(data),
    }


def as_json(data: MyData) -> bytes:
    return orjson.dumps(as_dict(data), option=orjson.OPT_INDENT_2)


def as_xlsx(data: MyData) -> bytes:
    book = Workbook()
    for section in data.sections:
        ws = book.sheet(section.title or section.key, [label for _key, label in section.columns])
        ws.rows(section.table)
        if section.more:
            ws.row([_("Only the latest rows are listed; ask the community office for the rest.")])
        ws.rows(section.summary.items())
    ws = book.sheet(_("Correction requests"), [_("Field"), _("Value"), _("Note"), _("Status"), _("Reason"),
                                               _("Asked at"), _("Decided at")])
    ws.rows([r[k] for k in ("field_label", "value", "note", "status_label", "reason", "asked_at", "decided_at")]
            for r in _corrections(data))
    return book.getvalue()
