"""What the registry holds about one person, for the person themself (PIPL Art. 45), and the registry's
part of anonymising a person after the retention period (``linli.privacy``).

``my_data(person, user)`` returns sections ``{"key", "title", "columns": [(key, label)], "rows": [...],
"more"}``; the person's ID number and phone are shown masked, like everywhere (the full values stay at
the community's desk). Household members are other people: only their masked name and relationship.
The person's own tags are all shown, sensitive ones too (they are the person's own data; PIPL Art. 28
limits who *else* sees them), marked as sensitive.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.codes import ETHNICITY, POLITICAL_STATUS
from linli.core.masking import mask_id_number, mask_name, mask_phone
from linli.residents.models import (
    HouseholdMember,
    Occupancy,
    Person,
    PersonStatus,
    PersonTag,
)
from linli.residents.selectors import address_of, code_name, grid_of, place_chain, relationship_name, sex_name

ROWS = 500  # rows per section; a longer history says so ("more")


def _bounded(qs, size: int = ROWS) -> tuple[list[Any], bool]:
    rows = list(qs[: size + 1])
    return rows[:size], len(rows) > size


def my_data(person: Person, user: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    chain = place_chain([person.place]).get(person.place_id or 0, []) if person.place_id else []
    grid = grid_of(chain)
    me = {
        "name": person.name,
        "sex": sex_name(person.sex),
        "month_of_birth": person.birth_month.strftime("%Y-%m") if person.birth_month else "",
        "age": person.age_on(today),
        "id_number": mask_id_number(person.id_number),
        "phone": mask_phone(person.phone),
        "ethnicity": code_name(ETHNICITY, person.ethnicity),
        "political_status": code_name(POLITICAL_STATUS, person.political_status),
        "registered_address": person.registered_address,
        "current_address": person.current_address or address_of(chain),
        "grid": grid.name if grid else "",
        "status": str(PersonStatus(person.status).label),
        "moved_in_on": person.moved_in_on,
        "notes": person.notes,
        "registered_on": timezone.localtime(person.created_at).date(),
    }
    sections = [{
        "key": "person", "title": _("My registration"),
        "columns": [("name", _("Name")), ("sex", _("Sex")), ("month_of_birth", _("Month of birth")),
                    ("age", _("Age")), ("id_number", _("ID number")), ("phone", _("Phone")),
                    ("ethnicity", _("Ethnicity")), ("political_status", _("Political status")),
                    ("registered_address", _("Household registration address")),
                    ("current_address", _("Current address")), ("grid", _("Grid")), ("status", _("Status")),
                    ("moved_in_on", _("Moved in on")), ("notes", _("Notes kept by the community")),
                    ("registered_on", _("Registered on"))],
        "rows": [me], "more": False,
    }]

    memberships = list(
        HouseholdMember.objects.filter(person=person).select_related("household", "household__house")
        .order_by("-start_date", "-id")[:20]
    )
    household_ids = [m.household_id for m in memberships if m.end_date is None]
    others = (
        HouseholdMember.objects.filter(household_id__in=household_ids, end_date__isnull=True)
        .exclude(person=person).select_related("person").order_by("relationship", "id")
    )
    houses = place_chain([m.household.house for m in memberships if m.household.house_id])
    rows: list[dict[str, Any]] = [
        {"household": m.household.number or f"#{m.household_id}",
         "address": address_of(houses.get(m.household.house_id or 0, [])),
         "who": _("Me"), "relationship": relationship_name(m.relationship), "start_date": m.start_date,
         "end_date": m.end_date}
        for m in memberships
    ]
    member_rows, more = _bounded(others, 50)
    rows += [
        {"household": "", "address": "", "who": mask_name(o.person.name),
         "relationship": relationship_name(o.relationship), "start_date": o.start_date, "end_date": o.end_date}
        for o in member_rows
    ]
    sections.append({
        "key": "household", "title": _("My household"),
        "columns": [("household", _("Household number")), ("address", _("Address")), ("who", _("Member")),
                    ("relationship", _("Relationship to the head")), ("start_date", _("From")),
                    ("end_date", _("Until"))],
        "rows": rows, "more": more,
    })

    occupancies, more = _bounded(Occupancy.objects.filter(person=person).select_related("house").order_by("-id"))
    chains = place_chain([o.house for o in occupancies])
    sections.append({
        "key": "houses", "title": _("My houses"),
        "columns": [("address", _("Address")), ("kind", _("Relation to the house")), ("start_date", _("From")),
                    ("end_date", _("Until"))],
        "rows": [{"address": address_of(chains.get(o.house_id, [])), "kind": o.get_kind_display(),
                  "start_date": o.start_date, "end_date": o.end_date} for o in occupancies],
        "more": more,
    })

    tags, more = _bounded(PersonTag.objects.filter(person=person).select_related("tag").order_by("-id"))
    sections.append({
        "key": "tags", "title": _("Groups I am counted in"),
        "columns": [("tag", _("Tag")), ("sensitive", _("Sensitive (PIPL Art. 28)")), ("valid_from", _("From")),
                    ("valid_to", _("Until"))],
        "rows": [{"tag": t.tag.name, "sensitive": _("yes") if t.tag.is_sensitive else "",
                  "valid_from": t.valid_from, "valid_to": t.valid_to} for t in tags],
        "more": more,
    })
    return sections


# --- anonymisation ------------------------------------------------------------------------------------------

ANONYMOUS_NAME = "已匿名"

ANONYMISED = {
    "Person": "name and its search keys, ID number, phone and their keyed hashes, addresses, notes; the month of "
              "birth keeps its year",
    "PersonTag": "where a tag came from (free text) blanked",
    "Occupancy": "why the person's occupancy ended (free text) blanked",
    "Organisation": "an organisation whose contact was the person (same phone): contact name, phone and hash "
                    "blanked",
    "ImportJob": "import problems and messages of the person's community: their name, phone and ID number "
                 "replaced (uploaded workbooks and error reports are swept hourly: residents.tasks)",
}
NOTHING_PERSONAL = {
    "Household": "a household number and its head's key (the head's row is anonymised)",
    "HouseholdMember": "keys and a relationship code",
    "CompoundService": "which organisation serves which compound",
    "Tag": "a tag's code, name and description (configuration)",
}


def retention_due(before: datetime.date, limit: int) -> list[int]:
    """Persons who moved away or died before ``before`` and are not anonymised yet (at most ``limit``)."""
    return list(
        Person.objects.filter(
            Q(status=PersonStatus.MOVED_OUT, moved_out_on__lt=before)
            | Q(status=PersonStatus.DECEASED, died_on__lt=before)
        ).exclude(name=ANONYMOUS_NAME).order_by("id").values_list("id", flat=True)[:limit]
    )


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    """Blank what identifies each person: name and its search keys, ID number, phone and their keyed
    hashes, the addresses and the notes, the free text of their tag rows. The month of birth keeps its
    year only (January): the age groups of history keep their counts. Status, dates, places, households,
    occupancies and tags stay, so every count stays the same. The search index follows through its
    triggers (SQLite) or its expression index (PostgreSQL). Returns the number of persons."""
    person_ids = list(people)
    n = 0
    for person in Person.objects.filter(pk__in=person_ids).order_by("id"):
        person.name = ANONYMOUS_NAME
        person.name_initials = ""
        person.name_pinyin = ""
        for f in ("id_number", "id_number_hash", "id_tail_hash", "phone", "phone_hash", "phone_tail_hash",
                  "registered_address", "current_address", "notes"):
            setattr(person, f, "")
        if person.birth_month:
            person.birth_month = person.birth_month.replace(month=1, day=1)
        person.save()
        n += 1
    PersonTag.objects.filter(person_id__in=person_ids).update(source="")
    Occupancy.objects.filter(person_id__in=person_ids).update(end_reason="")
    from linli.core.anonymise import area_scrub, linked_blank, names
    from linli.core.crypto import lookup_hashes
    from linli.residents.models import ImportJob, Organisation

    for subject in people.values():
        if subject.get("phone"):
            linked_blank(Organisation.objects.filter(contact_phone_hash__in=lookup_hashes(subject["phone"])),
                         contact_name="", contact_phone="", contact_phone_hash="")
        area_scrub([(ImportJob, "place_path", ("problems", "message", "filename"))], names(subject),
                   subject.get("area", ""))
    return n
