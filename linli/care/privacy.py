"""The care visits logged about a person, for the person themself (PIPL Art. 45), and care's part of
anonymising a person (``linli.privacy``): the free text of their visits, needs and home-service requests
goes; the visits themselves (dates, what was found) stay, so the visit figures do not move."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.models import HomeServiceEvent, HomeServiceRequest, MealOrder, Need, Visit

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


ANONYMISED = {
    "Visit": "visits of the person: what was found blanked, the photo deleted from storage; the community's "
             "visits: their name, phone and ID number leave the notes",
    "Need": "needs of the person: text blanked; the community's: scrubbed",
    "HomeServiceRequest": "requests for the person: note blanked; the community's: scrubbed",
    "HomeServiceEvent": "timeline notes and data: scrubbed",
    "MealOrder": "meals of the person: name and address blanked",
}
NOTHING_PERSONAL = {
    "VisitRule": "a tag code and a frequency (configuration)",
    "VisitPlan": "the person's key, a rule and an assignee (the person's row is anonymised)",
    "Canteen": "a canteen's name and address",
    "PriceRule": "a price rule (configuration)",
    "MenuItem": "a dish",
}
AREA = [
    (Visit, "place_path", ("note",)),
    (Need, "place_path", ("text",)),
    (HomeServiceRequest, "place_path", ("note",)),
    (HomeServiceEvent, "request__place_path", ("note", "data")),
]


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.core.anonymise import area_scrub, files_delete, linked_blank, names

    ids = list(people)
    n = files_delete(Visit.objects.filter(person_id__in=ids), "photo")
    n += linked_blank(Visit.objects.filter(person_id__in=ids), note="")
    n += linked_blank(Need.objects.filter(person_id__in=ids), text="")
    n += linked_blank(HomeServiceRequest.objects.filter(person_id__in=ids), note="")
    n += linked_blank(MealOrder.objects.filter(person_id__in=ids), person_name="", address="")
    for subject in people.values():
        n += area_scrub(AREA, names(subject), subject.get("area", ""))
    return n
