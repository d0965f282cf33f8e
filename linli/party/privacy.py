"""The party app's part of anonymising a person after the retention period (``linli.privacy``): a 双报到
registration's contact name leaves the row, and the person's name leaves the free text of the
community's registrations, joint meetings, joint activities and partners. States and times stay.
(Service orders and wishes are the orders app's: linli/orders/privacy.py.)"""

from __future__ import annotations

from typing import Any

from linli.party.models import (
    JointActivity,
    JointMeeting,
    Partner,
    Registration,
    RegistrationEvent,
)

ANONYMISED = {
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
    (Registration, "place_path", ("unit_name", "contact_name", "note", "reason")),
    (RegistrationEvent, "registration__place_path", ("note", "data")),
    (JointMeeting, "place_path", ("title", "minutes")),
    (JointActivity, "place_path", ("title", "note")),
    (Partner, "place_path", ("name", "contact_name")),
]


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.core.anonymise import area_scrub, linked_blank, names

    n = 0
    for pid, subject in people.items():
        needles = names(subject)
        n += linked_blank(Registration.objects.filter(person_id=pid), contact_name="")
        n += area_scrub(AREA, needles, subject.get("area", ""))
    return n
