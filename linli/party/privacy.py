"""A person's service orders and wishes, for the person themself (PIPL Art. 45), and the party app's part
of anonymising a person after the retention period (``linli.privacy``): the requester's and poster's
names leave the rows, and the person's name leaves their free text. States and times stay."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.party.models import (
    JointActivity,
    JointMeeting,
    Partner,
    Registration,
    RegistrationEvent,
)
from linli.party.models_service import OrderEvent, ServiceOrder, Wish, WishEvent

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
    "Registration": "双报到 registrations of the person: contact name blanked; unit, note, reason scrubbed",
    "RegistrationEvent": "their timelines: the same",
    "JointMeeting": "minutes and titles of the community's joint meetings: scrubbed",
    "JointActivity": "titles and notes: scrubbed",
    "Partner": "a partner's contact name: scrubbed",
}
NOTHING_PERSONAL = {
    "PartyOrg": "an organisation's name and place (its secretary is a login)",
    "PartyMember": "the person's and login's keys (both anonymised with the person)",
    "MemberRole": "a member's role at a place",
    "PartnerAgreement": "an agreement between organisations (title and content by staff)",
    "PartnerResource": "a partner organisation's resource",
}
AREA = [
    (ServiceOrder, "place_path", ("description", "address", "done_note", "rating_comment")),
    (Wish, "place_path", ("title", "description", "reject_reason", "fulfil_note")),
    (OrderEvent, "order__place_path", ("note", "data")),
    (WishEvent, "wish__place_path", ("note", "data")),
    (Registration, "place_path", ("unit_name", "contact_name", "note", "reason")),
    (RegistrationEvent, "registration__place_path", ("note", "data")),
    (JointMeeting, "place_path", ("title", "minutes")),
    (JointActivity, "place_path", ("title", "note")),
    (Partner, "place_path", ("name", "contact_name")),
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
        n += linked_blank(Registration.objects.filter(person_id=pid), contact_name="")
        n += area_scrub(AREA, needles, subject.get("area", ""))
    return n
