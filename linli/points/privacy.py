"""A person's points and service hours, for the person themself (PIPL Art. 45). The ledgers are
append-only (database triggers) and hold no name: anonymising the person (``linli.privacy``) leaves them
as they are, so every ranking and total stays the same."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.points.models import HoursEntry, PointsAccount, PointsEntry

ROWS = 500


def my_data(person: Any, user: Any) -> list[dict[str, Any]]:
    account = PointsAccount.objects.filter(person=person).first()
    entries = list(PointsEntry.objects.filter(person=person).select_related("rule").order_by("-id")[: ROWS + 1])
    hours = list(HoursEntry.objects.filter(person=person).order_by("-id")[: ROWS + 1])
    return [
        {
            "key": "points", "title": _("My points"),
            "columns": [("at", _("Time")), ("points", _("Points")), ("what", _("What for")), ("note", _("Note"))],
            "rows": [{"at": timezone.localtime(e.at), "points": e.amount,
                      "what": e.rule.name if e.rule_id and e.rule else e.get_kind_display(), "note": e.note}
                     for e in entries[:ROWS]],
            "more": len(entries) > ROWS,
            "summary": {"balance": account.balance if account else 0},
        },
        {
            "key": "hours", "title": _("My service hours"),
            "columns": [("on", _("Date")), ("hours", _("Hours")), ("kind", _("Kind")), ("note", _("Note"))],
            "rows": [{"on": h.occurred_on, "hours": h.hours, "kind": h.get_kind_display(), "note": h.note}
                     for h in hours[:ROWS]],
            "more": len(hours) > ROWS,
        },
    ]
