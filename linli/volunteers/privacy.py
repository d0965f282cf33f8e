"""A person's volunteer record and sign-ups, for the person themself (PIPL Art. 45), and the volunteers'
part of anonymising a person (``linli.privacy``): the free note of their volunteer record goes; sign-ups,
hours and states stay (the activity figures do not move)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.volunteers.models import (
    Activity,
    ActivityEvent,
    Signup,
    TalentPoolMember,
    Volunteer,
    VolunteerEvent,
)

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


ANONYMISED = {
    "Volunteer": "the person's volunteer row: note blanked",
    "VolunteerEvent": "the person's volunteer timeline: notes and data scrubbed",
    "TalentPoolMember": "the person's specialities: blanked",
    "Activity": "titles, descriptions, places and cancel reasons of the community's activities: scrubbed",
    "ActivityEvent": "timeline notes and data: scrubbed",
}
NOTHING_PERSONAL = {
    "Skill": "a skill's code and name (configuration)",
    "Team": "a team's name and description (staff)",
    "TalentPool": "a pool's name and description (staff)",
    "Signup": "a volunteer's sign-up: keys, times and hours",
}
AREA = [
    (Activity, "place_path", ("title", "description", "location", "cancel_reason")),
    (ActivityEvent, "activity__place_path", ("note", "data")),
]


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.core.anonymise import area_scrub, linked_blank, names, rows_scrub

    ids = list(people)
    n = linked_blank(Volunteer.objects.filter(person_id__in=ids), note="")
    n += linked_blank(TalentPoolMember.objects.filter(volunteer__person_id__in=ids), speciality="")
    for pid, subject in people.items():
        needles = names(subject)
        n += rows_scrub(VolunteerEvent.objects.filter(volunteer__person_id=pid), ("note", "data"), needles)
        n += area_scrub(AREA, needles, subject.get("area", ""))
    return n
