"""A person's points and service hours, for the person themself (PIPL Art. 45), and the points' part of
anonymising a person after the retention period (``linli.privacy``). The ledgers are append-only (database
triggers): the anonymisation may blank an entry's ``note`` and ``actor_name`` and nothing else
(``core.append_only.Redactable``, migrations 0006 and 0007), so every amount, ranking and total stays the
same. The person's own entries lose their notes; other entries of their community, redemption timelines
and selection timelines lose the person's name, phone and ID number."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.anonymise import area_scrub, linked_blank, names
from linli.points.models import (
    HoursEntry,
    PointsAccount,
    PointsEntry,
    RedemptionEvent,
    SelectionEvent,
    ShopItem,
)

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


# --- anonymisation ------------------------------------------------------------------------------------------

AREA = [
    (PointsEntry, "place_path", ("note",)),
    (HoursEntry, "place_path", ("note",)),
    (RedemptionEvent, "redemption__place_path", ("note",)),
    (SelectionEvent, "selection__place_path", ("note", "data")),
    (ShopItem, "place_path", ("name", "description", "provider_name")),
]
ANONYMISED = {
    "PointsEntry": "the person's entries: note blanked; the community's: name, phone, ID number scrubbed "
                   "(redaction window; amounts stay)",
    "HoursEntry": "the same as points entries (hours stay)",
    "RedemptionEvent": "timeline notes: the person's name, phone and ID number replaced",
    "SelectionEvent": "timeline notes and data: the same",
    "ShopItem": "a provider who was the person (their login): the anonymous name; texts scrubbed",
}
NOTHING_PERSONAL = {
    "PointsRule": "a rule's code, name and points (configuration)",
    "PointsAccount": "a balance on the person's key (their registry row is anonymised)",
    "Redemption": "an item, a voucher code and the person's key (their registry row is anonymised)",
    "Selection": "a selection's title (staff)",
    "SelectionCandidate": "the person's key in a selection (their registry row is anonymised)",
}


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.residents.privacy import ANONYMOUS_NAME

    n = 0
    for pid, subject in people.items():
        n += linked_blank(PointsEntry._base_manager.filter(person_id=pid).exclude(note=""), note="")
        n += linked_blank(HoursEntry._base_manager.filter(person_id=pid).exclude(note=""), note="")
        n += area_scrub(AREA, names(subject), subject.get("area", ""))
        logins = subject.get("user_ids") or []
        n += linked_blank(ShopItem.objects.filter(provider_user_id__in=logins), provider_name=ANONYMOUS_NAME)
    return n
