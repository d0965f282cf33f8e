"""A person's service orders and wishes, for the person themself (PIPL Art. 45), and the party app's part
of anonymising a person after the retention period (``linli.privacy``): the requester's and poster's
names leave the rows, and the person's name leaves their free text. States and times stay."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.party.models_service import ServiceOrder, Wish

ROWS = 500
PLACEHOLDER = "某某"


def _scrub(text: str, name: str) -> str:
    return text.replace(name, PLACEHOLDER) if len(name) >= 2 and text else text


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


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    n = 0
    for pid, subject in people.items():
        name = subject.get("name", "")
        for o in ServiceOrder.objects.filter(requester_person_id=pid).only(
                "pk", "description", "address", "done_note", "rating_comment"):
            ServiceOrder.objects.filter(pk=o.pk).update(
                requester_name="", address="", description=_scrub(o.description, name),
                done_note=_scrub(o.done_note, name), rating_comment=_scrub(o.rating_comment, name))
            n += 1
        for w in Wish.objects.filter(poster_person_id=pid).only("pk", "title", "description"):
            Wish.objects.filter(pk=w.pk).update(poster_name="", title=_scrub(w.title, name),
                                                description=_scrub(w.description, name))
            n += 1
        n += Wish.objects.filter(adopter_person_id=pid).update(adopter_name="")
    return n
