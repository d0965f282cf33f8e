"""A resident's copy of their data (PIPL Art. 45): JSON, and an Excel workbook with one sheet per
section (openpyxl in write-only mode, like the other apps' small exports)."""

from __future__ import annotations

import io
from typing import Any

import orjson
from django.utils.translation import gettext as _

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


def _cell(value: Any) -> Any:
    # Text that a spreadsheet would run as a formula is written as text (a leading apostrophe).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def as_xlsx(data: MyData) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    used: set[str] = set()
    for section in data.sections:
        title = section.title[:31] or section.key
        while title in used:
            title = (title[:28] + "_" + str(len(used)))[:31]
        used.add(title)
        ws = wb.create_sheet(title=title)
        ws.append([label for _key, label in section.columns])
        for row in section.table:
            ws.append([_cell(v) for v in row])
        if section.more:
            ws.append([_("Only the latest rows are listed; ask the community office for the rest.")])
        for key, value in section.summary.items():
            ws.append([key, _cell(value)])
    ws = wb.create_sheet(title=str(_("Correction requests"))[:31])
    rows = _corrections(data)
    ws.append([_("Field"), _("Value"), _("Note"), _("Status"), _("Reason"), _("Asked at"), _("Decided at")])
    for r in rows:
        ws.append([_cell(r[k]) for k in ("field_label", "value", "note", "status_label", "reason", "asked_at",
                                          "decided_at")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
