"""A person's volunteer record and sign-ups, for the person themself (PIPL Art. 45), and the volunteers'
part of anonymising a person (``linli.privacy``): the free note of their volunteer record goes; sign-ups,
hours and states stay (the activity figures do not move)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.volunteers.models import Signup, Volunteer

ROWS = 500


def my_data(person: Any, user: Any) -> list[dict[str, Any]]:
    volunteer = Volunteer.objects.filter(person=person).first()
    signups: list[Any] = []
    if volunteer is not None:
        signups = list(Signup.objects.filter(volunteer=volunteer).select_related("activity").order_by("-id")[: ROWS + 1])
    rows: list[dict[str, Any]] = []
    if volunteer is not None:
        rows.append({"what": _("Registered as a volunteer"), "status": volunteer.get_status_display(),
                     "on": volunteer.joined_on, "hours": None})
    rows += [
        {"what": s.activity.title, "status": s.get_status_display(),
         "on": timezone.localtime(s.activity.starts_at).date() if s.activity.starts_at else None, "hours": s.hours}
        for s in signups[:ROWS]
    ]
    return [{
        "key": "volunteering", "title": _("My volunteering"),
        "columns": [("what", _("Activity")), ("status", _("Status")), ("on", _("Date")), ("hours", _("Hours"))],
        "rows": rows, "more": len(signups) > ROWS,
    }]


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    return Volunteer.objects.filter(person_id__in=list(people)).update(note="")
