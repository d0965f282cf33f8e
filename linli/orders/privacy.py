"""A person's service orders and wishes, for the person themself (PIPL Art. 45), and the orders app's part
of anonymising a person after the retention period (``linli.privacy``): the requester's and poster's
names leave the rows, and the person's name leaves their free text. States and times stay."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.orders.models import OrderEvent, ServiceOrder, Wish, WishEvent

ROWS = 500


def _local(value: Any) -> Any:
    return timezone.localtime(value) if value else None


def my_data(person: Any, user: Any) -> list[dict[str, Any]]:
    uid = getattr(user, "pk", None)
    orders = list(
        ServiceOrder.objects.filter(Q(requester_person=person) | Q(requester_id=uid) if uid else Q(requester_person=person))
        .order_by("-id")[: ROWS + 1]
    )
    wishes = list(
        Wish.objects.filter(Q(poster_person=person) | Q(poster_id=uid) if uid else Q(poster_person=person))
        .order_by("-id")[: ROWS + 1]
    )
    return [
        {
            "key": "orders", "title": _("Services I ordered"),
            "columns": [("service", _("Service")), ("description", _("Description")), ("status", _("Status")),
                        ("placed_at", _("Ordered at")), ("done_at", _("Done at")), ("rating", _("Rating"))],
            "rows": [{"service": o.get_category_display(), "description": o.description,
                      "status": o.get_status_display(), "placed_at": _local(o.placed_at), "done_at": _local(o.done_at),
                      "rating": o.get_satisfaction_display() if o.satisfaction else ""} for o in orders[:ROWS]],
            "more": len(orders) > ROWS,
        },
        {
            "key": "wishes", "title": _("My wishes"),
            "columns": [("wish", _("Wish")), ("status", _("Status")), ("posted_at", _("Posted at"))],
            "rows": [{"wish": w.title, "status": w.get_status_display(), "posted_at": _local(w.posted_at)}
                     for w in wishes[:ROWS]],
            "more": len(wishes) > ROWS,
        },
    ]


ANONYMISED = {
    "ServiceOrder": "the person's orders: requester name and address blanked, their photo deleted; the "
                    "community's orders: their name, phone and ID number leave every text",
    "Wish": "the person's wishes: poster name blanked, their photo deleted; adopter name blanked; texts scrubbed",
    "OrderEvent": "timeline notes and data of the community's orders: the same",
    "WishEvent": "timeline notes and data of the community's wishes: the same",
}
NOTHING_PERSONAL: dict[str, str] = {}
AREA = [
    (ServiceOrder, "place_path", ("description", "address", "done_note", "rating_comment")),
    (Wish, "place_path", ("title", "description", "reject_reason", "fulfil_note")),
    (OrderEvent, "order__place_path", ("note", "data")),
    (WishEvent, "wish__place_path", ("note", "data")),
]


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.core.anonymise import area_scrub, files_delete, linked_blank, names

    n = 0
    for pid, subject in people.items():
        needles = names(subject)
        orders = ServiceOrder.objects.filter(requester_person_id=pid)
        wishes = Wish.objects.filter(poster_person_id=pid)
        n += files_delete(orders, "photo") + files_delete(wishes, "photo")
        n += linked_blank(orders, requester_name="", address="")
        n += linked_blank(wishes, poster_name="")
        n += linked_blank(Wish.objects.filter(adopter_person_id=pid), adopter_name="")
        n += area_scrub(AREA, needles, subject.get("area", ""))
    return n
