"""The care visits logged about a person, for the person themself (PIPL Art. 45), and care's part of
anonymising a person (``linli.privacy``): the free text of their visits, needs and home-service requests
goes; the visits themselves (dates, what was found) stay, so the visit figures do not move."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.models import HomeServiceRequest, Need, Visit

ROWS = 500


def my_data(person: Any, user: Any) -> list[dict[str, Any]]:
    visits = list(Visit.objects.filter(person=person).order_by("-visited_at", "-id")[: ROWS + 1])
    return [{
        "key": "visits", "title": _("Care visits to me"),
        "columns": [("visited_at", _("Visited at")), ("found", _("Found")), ("note", _("Note"))],
        "rows": [{"visited_at": timezone.localtime(v.visited_at), "found": v.get_found_display(), "note": v.note}
                 for v in visits[:ROWS]],
        "more": len(visits) > ROWS,
    }]


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    ids = list(people)
    n = Visit.objects.filter(person_id__in=ids).update(note="")
    n += Need.objects.filter(person_id__in=ids).update(text="")
    n += HomeServiceRequest.objects.filter(person_id__in=ids).update(note="")
    return n
