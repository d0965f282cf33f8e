"""The cases a person reported, for the person themself (PIPL Art. 45), and the cases' part of
anonymising a person after the retention period (``linli.privacy``): the reporter's name and phone (and
its hash) leave the cases they reported, and the person's name leaves those cases' title, description
and duplicate-search tokens. Categories, places, states and times stay: the KPIs do not move."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases.models import Case, CaseEvent, CasePhoto, CaseSummons, CaseSupervision
from linli.core.crypto import lookup_hashes

ROWS = 500
PLACEHOLDER = "某某"


def _mine_q(person: Any, user: Any) -> Q:
    q = Q(pk__in=[])
    if user is not None and getattr(user, "pk", None):
        q |= Q(reporter_id=user.pk)
    if getattr(person, "phone", ""):
        q |= Q(reporter_phone_hash__in=lookup_hashes(person.phone))
    return q


def my_data(person: Any, user: Any) -> list[dict[str, Any]]:
    rows = list(Case.objects.filter(_mine_q(person, user)).select_related("category").order_by("-id")[: ROWS + 1])
    return [{
        "key": "cases", "title": _("Matters I reported"),
        "columns": [("number", _("Number")), ("title", _("Title")), ("category", _("Category")),
                    ("status", _("Status")), ("reported_at", _("Reported at")), ("address", _("Address"))],
        "rows": [{"number": c.number, "title": c.title, "category": c.category.name,
                  "status": c.get_status_display(), "reported_at": timezone.localtime(c.reported_at),
                  "address": c.address} for c in rows[:ROWS]],
        "more": len(rows) > ROWS,
    }]


ANONYMISED = {
    "Case": "cases the person reported: reporter name, phone and hash blanked; every case of their community: "
            "their name, phone and ID number leave the title, description, search tokens and address",
    "CaseEvent": "notes, replies and data of the community's cases: the same",
    "CasePhoto": "photos of the cases the person reported or uploaded: rows and files deleted",
    "CaseSummons": "instructions and answers: the same",
    "CaseSupervision": "supervision notes: the same",
}
NOTHING_PERSONAL = {
    "Category": "a category's name, code, keywords and notice (configuration)",
    "CaseSequence": "a counter per district",
    "CaseSupport": "a supporter's key and login (the login is anonymised with the person)",
    "KpiRollup": "counts per place and day",
    "KpiAreaRollup": "counts per area and day",
    "KpiAreaDelta": "counts per area and day",
    "CaseStateCount": "counts of open cases per grid path, state and month, and per KPI key and deadline hour",
}
AREA = [
    (Case, "place_path", ("title", "description", "tokens", "address")),
    (CaseEvent, "case__place_path", ("note", "reply", "data")),
    (CaseSummons, "case__place_path", ("instruction", "answer")),
    (CaseSupervision, "case__place_path", ("note",)),
]


def scrub(text: str, name: str) -> str:
    """``text`` without ``name`` (names of one character are left: they would eat ordinary words)."""
    return text.replace(name, PLACEHOLDER) if len(name) >= 2 and text else text


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.core.anonymise import area_scrub, names, rows_delete_with_files, rows_scrub

    n = 0
    for subject in people.values():
        q = Q(pk__in=[])
        if subject.get("phone"):
            q |= Q(reporter_phone_hash__in=lookup_hashes(subject["phone"]))
        logins = subject.get("user_ids") or []
        if logins:
            q |= Q(reporter_id__in=logins)
        needles = names(subject)
        reported = Case.objects.filter(q)
        n += rows_delete_with_files(CasePhoto.objects.filter(Q(case__in=reported) | Q(uploaded_by_id__in=logins)),
                                    "image")
        n += rows_scrub(reported, ("title", "description", "tokens", "address"), needles,
                        reporter_name="", reporter_phone="", reporter_phone_hash="")
        n += area_scrub(AREA, needles, subject.get("area", ""))
    return n
