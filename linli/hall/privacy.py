"""A person's applications at the service hall, for the person themself (PIPL Art. 45), and the hall's
part of anonymising a person (``linli.privacy``): the applicant's name and address leave their
applications and the person's name their free text; services, states and times stay."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.hall.models import Application

ROWS = 500
PLACEHOLDER = "某某"


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


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    n = 0
    for pid, subject in people.items():
        name = subject.get("name", "")
        for a in Application.objects.filter(person_id=pid).only("pk", "details", "rating_comment"):
            details = a.details.replace(name, PLACEHOLDER) if len(name) >= 2 else a.details
            comment = a.rating_comment.replace(name, PLACEHOLDER) if len(name) >= 2 else a.rating_comment
            Application.objects.filter(pk=a.pk).update(applicant_name="", address="", details=details,
                                                       rating_comment=comment)
            n += 1
    return n
