"""A person's applications at the service hall, for the person themself (PIPL Art. 45), and the hall's
part of anonymising a person (``linli.privacy``): the applicant's name and address leave their
applications and the person's name their free text; services, states and times stay."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.hall.models import (
    Application,
    ApplicationEvent,
    Booking,
    BookingEvent,
    BookingSeries,
    Certificate,
    Course,
    CourseEvent,
    CourseSession,
    Enrolment,
)

ROWS = 500


def my_data(person: Any, user: Any) -> list[dict[str, Any]]:
    uid = getattr(user, "pk", None)
    q = Q(person=person) | Q(applicant_id=uid) if uid else Q(person=person)
    apps = list(Application.objects.filter(q).select_related("service").order_by("-id")[: ROWS + 1])
    return [{
        "key": "applications", "title": _("My applications at the service hall"),
        "columns": [("service", _("Service")), ("status", _("Status")), ("submitted_at", _("Submitted at")),
                    ("details", _("What it is for"))],
        "rows": [{"service": a.service.name, "status": a.get_status_display(),
                  "submitted_at": timezone.localtime(a.submitted_at), "details": a.details} for a in apps[:ROWS]],
        "more": len(apps) > ROWS,
    }]


ANONYMISED = {
    "Application": "the person's applications: applicant name and address blanked; every text of the "
                   "community's applications loses their name, phone and ID number",
    "ApplicationEvent": "timeline notes and data: the same",
    "Certificate": "certificates of the person: holder name anonymous; their text scrubbed",
    "Booking": "bookings by the person's login: the booker's name anonymous; purposes and notes scrubbed",
    "BookingSeries": "purposes scrubbed",
    "BookingEvent": "timeline notes and data: the same",
    "Enrolment": "enrolments of the person (or login): the anonymous name",
    "Course": "titles, descriptions, lecturers and venues of the community's classes: scrubbed",
    "CourseEvent": "timeline notes and data: the same",
    "CourseSession": "session topics: scrubbed",
}
NOTHING_PERSONAL = {
    "ServiceItem": "a service's name, materials and texts (configuration)",
    "Room": "a room's name and description (configuration)",
    "Attendance": "an enrolment's presence at a session (keys only)",
}
AREA = [
    (Application, "place_path", ("details", "address", "refused_reason", "rating_comment")),
    (ApplicationEvent, "application__place_path", ("note", "data")),
    (Certificate, "application__place_path", ("holder_name", "text", "revoke_reason")),
    (Certificate, "enrolment__place_path", ("holder_name", "text", "revoke_reason")),
    (Booking, "place_path", ("booker_name", "purpose", "note")),
    (BookingSeries, "room__place_path", ("purpose",)),
    (BookingEvent, "booking__place_path", ("note", "data")),
    (Course, "place_path", ("title", "description", "lecturer", "venue")),
    (CourseEvent, "course__place_path", ("note", "data")),
    (CourseSession, "course__place_path", ("topic",)),
]


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.core.anonymise import area_scrub, linked_blank, names, rows_scrub
    from linli.residents.privacy import ANONYMOUS_NAME

    n = 0
    for pid, subject in people.items():
        logins = subject.get("user_ids") or []
        mine = Application.objects.filter(person_id=pid)
        n += rows_scrub(mine, ("details", "rating_comment"), names(subject), applicant_name="", address="")
        n += linked_blank(Certificate.objects.filter(Q(application__in=mine) | Q(enrolment__person_id=pid)),
                          holder_name=ANONYMOUS_NAME)
        n += linked_blank(Booking.objects.filter(booker_id__in=logins), booker_name=ANONYMOUS_NAME)
        n += linked_blank(Enrolment.objects.filter(Q(person_id=pid) | Q(user_id__in=logins)), name=ANONYMOUS_NAME)
        n += area_scrub(AREA, names(subject), subject.get("area", ""))
    return n
