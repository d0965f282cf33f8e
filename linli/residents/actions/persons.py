"""Persons and their occupancies: create, correct, move in, move out, record a death."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.codes import ETHNICITY, POLITICAL_STATUS
from linli.core.errors import Invalid, Refused
from linli.places.kinds import PlaceKind
from linli.residents.actions._common import (
    PERSON_TEXT_FIELDS,
    REGISTRATION_KINDS,
    _code,
    _find_by_id_number,
    _require_change,
    _require_person,
    _require_place,
    _set_place,
    _today,
    derive_person_fields,
    house_address,
)
from linli.residents.actions.households import _leave_household
from linli.residents.models import (
    Occupancy,
    OccupancyKind,
    Person,
    PersonStatus,
    PersonTag,
)
from linli.residents.text import clean_text

if TYPE_CHECKING:
    from linli.places.models import Place

# --- persons -------------------------------------------------------------------------------------


def person_create(**kwargs: Any) -> Person:
    """Register a person (``_person_create``). A full ID number typed by a user who may not see ID
    numbers is counted first, outside the transaction, so that a refusal cannot undo the count."""
    if kwargs.get("id_number"):
        _probe_unless_unmask(kwargs.get("actor"), "person_create")
    return _person_create(**kwargs)


@transaction.atomic
def _person_create(
    *,
    actor,
    name: str,
    place: Place,
    id_number: str = "",
    phone: str = "",
    sex: str = "",
    ethnicity: str = "",
    political_status: str = "",
    registered_address: str = "",
    current_address: str = "",
    notes: str = "",
    occupancy_kind: str = OccupancyKind.RESIDENT,
    moved_in_on: datetime.date | None = None,
) -> Person:
    """Register a person at a house (with an occupancy) or, without a house, at a grid or community.

    An ID number already in the registry is refused ("already registered"), unless that person has
    moved out: then they move in here again (their record and history are kept)."""
    _require_change(actor)
    _require_place(actor, place)
    if place.kind != PlaceKind.HOUSE and place.kind not in REGISTRATION_KINDS:
        raise Invalid(_("A person is registered at a house, or at a grid or community."))
    fields = derive_person_fields(name=name, id_number=id_number, phone=phone, sex=sex)
    fields["ethnicity"] = _code(ETHNICITY, ethnicity, "ethnicity")
    fields["political_status"] = _code(POLITICAL_STATUS, political_status, "political_status")
    fields["registered_address"] = clean_text(registered_address, 200)
    fields["current_address"] = clean_text(current_address, 200) or house_address(place)
    fields["notes"] = (notes or "").strip()[:2000]
    if fields["id_number"]:
        existing = _find_by_id_number(fields["id_number"])
        if existing is not None:
            if existing.status != PersonStatus.MOVED_OUT:
                message = _("This ID number is already registered.")
                raise Refused(message, code="already_registered", fields={"id_number": [message]})
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
            return person_move_in(person=existing, place=place, kind=occupancy_kind, on=moved_in_on, actor=actor,
                                  _checked=True)
    person = Person(**fields, moved_in_on=moved_in_on)
    _set_place(person, place)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        message = _("This ID number is already registered.")
        raise Refused(message, code="already_registered", fields={"id_number": [message]}) from None
    if place.kind == PlaceKind.HOUSE:
        Occupancy.objects.create(person=person, house=place, kind=occupancy_kind or OccupancyKind.RESIDENT,
                                 start_date=moved_in_on)
    audit_record(action="residents.person_create", actor=actor, target=person, detail={"place": place.pk})
    return person


def _probe_unless_unmask(actor, where: str) -> None:
    """"This ID number is already registered" answers whether a number belongs to someone: for users
    who may not see ID numbers it counts as a full-number search (rate-limited, audited)."""
    from linli.residents.access import can_unmask
    from linli.residents.actions.search import number_probe

    if actor is not None and not can_unmask(actor):
        number_probe(actor=actor, kind="id_number", where=where)


EDITABLE_PERSON_FIELDS = frozenset(
    {"name", "id_number", "phone", "sex", "ethnicity", "political_status", "registered_address",
     "current_address", "notes"}
)


def person_update(*, person: Person, actor, **changes: Any) -> Person:
    """Correct a person's details (``_person_update``); a new ID number counts as a full-number search
    for a user who may not see ID numbers (before the transaction, like ``person_create``)."""
    if changes.get("id_number"):
        _probe_unless_unmask(actor, "person_update")
    return _person_update(person=person, actor=actor, **changes)


@transaction.atomic
def _person_update(*, person: Person, actor, **changes: Any) -> Person:
    """Correct a person's details. Status and place change only through the move actions."""
    _require_change(actor)
    _require_person(actor, person)
    unknown = set(changes) - EDITABLE_PERSON_FIELDS
    if unknown:
        raise Invalid(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    person = Person.objects.select_for_update().get(pk=person.pk)
    merged = {
        "name": changes.get("name", person.name),
        "id_number": changes.get("id_number", person.id_number),
        "phone": changes.get("phone", person.phone),
        "sex": changes.get("sex", person.sex if "id_number" not in changes else ""),
    }
    fields = derive_person_fields(**merged)
    if "ethnicity" in changes:
        fields["ethnicity"] = _code(ETHNICITY, changes["ethnicity"], "ethnicity")
    if "political_status" in changes:
        fields["political_status"] = _code(POLITICAL_STATUS, changes["political_status"], "political_status")
    for key, limit in PERSON_TEXT_FIELDS.items():
        if key in changes:
            fields[key] = (changes[key] or "").strip()[:limit] if key == "notes" else clean_text(changes[key], limit)
    changed = sorted(k for k, v in fields.items() if getattr(person, k) != v and k in EDITABLE_PERSON_FIELDS)
    if "id_number" in changed and fields["id_number"]:
        other = _find_by_id_number(fields["id_number"])
        if other is not None and other.pk != person.pk:
            message = _("This ID number is already registered.")
            raise Refused(message, code="already_registered", fields={"id_number": [message]})
    for key, value in fields.items():
        setattr(person, key, value)
    person.save()
    if changed:
        audit_record(action="residents.person_update", actor=actor, target=person, detail={"fields": changed})
    return person


def _end_current_rows(person: Person, on: datetime.date, reason: str, *, keep_house: Place | None = None) -> dict:
    occupancies = Occupancy.objects.filter(person=person, end_date__isnull=True)
    if keep_house is not None:
        occupancies = occupancies.exclude(house=keep_house)
    ended = {"occupancies": occupancies.update(end_date=on, end_reason=reason)}
    return ended


def _end_tags(person: Person, on: datetime.date) -> int:
    return PersonTag.objects.filter(person=person).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on)).update(
        valid_to=on
    )


@transaction.atomic
def person_move_out(*, person: Person, actor, on: datetime.date | None = None, destination: str = "") -> Person:
    """The person leaves: occupancies, household membership and tags end on ``on``; the record stays
    (with its last place, so the grid keeps the history)."""
    _require_change(actor)
    _require_person(actor, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.status != PersonStatus.ACTIVE:
        raise Refused(_("Only a person living here can move out."), code="not_active")
    on = _today(on)
    ended = _end_current_rows(person, on, "moved_out")
    ended["memberships"] = _leave_household(person, on)
    ended["tags"] = _end_tags(person, on)
    person.status = PersonStatus.MOVED_OUT
    person.moved_out_on = on
    person.save(update_fields=["status", "moved_out_on", "updated_at"])
    audit_record(action="residents.person_move_out", actor=actor, target=person,
                 detail={"on": on.isoformat(), "destination": clean_text(destination, 100), **ended})
    return person


@transaction.atomic
def person_record_death(*, person: Person, actor, on: datetime.date | None = None) -> Person:
    _require_change(actor)
    _require_person(actor, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.status == PersonStatus.DECEASED:
        raise Refused(_("The death is already recorded."), code="already_deceased")
    on = _today(on)
    ended = _end_current_rows(person, on, "deceased")
    ended["memberships"] = _leave_household(person, on)
    ended["tags"] = _end_tags(person, on)
    person.status = PersonStatus.DECEASED
    person.died_on = on
    person.save(update_fields=["status", "died_on", "updated_at"])
    audit_record(action="residents.person_record_death", actor=actor, target=person,
                 detail={"on": on.isoformat(), **ended})
    return person


@transaction.atomic
def person_move_in(
    *,
    person: Person,
    place: Place,
    actor,
    kind: str = OccupancyKind.RESIDENT,
    on: datetime.date | None = None,
    _checked: bool = False,
) -> Person:
    """The person comes to live at ``place`` (a house; or a grid/community when no house is known).

    A person living here who moves to another house ends their other occupancies (kept as history);
    a person who had moved out becomes active again. A deceased person cannot move."""
    _require_change(actor)
    _require_place(actor, place)
    if not _checked and person.status != PersonStatus.MOVED_OUT:
        _require_person(actor, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.status == PersonStatus.DECEASED:
        raise Refused(_("A deceased person cannot move in."), code="deceased")
    if place.kind != PlaceKind.HOUSE and place.kind not in REGISTRATION_KINDS:
        raise Invalid(_("A person is registered at a house, or at a grid or community."))
    if kind not in OccupancyKind.values:
        raise Invalid(_("Unknown relation to the house."), fields={"kind": [_("Unknown relation to the house.")]})
    on = _today(on)
    ended = _end_current_rows(person, on, "moved", keep_house=place if place.kind == PlaceKind.HOUSE else None)
    if place.kind == PlaceKind.HOUSE and not Occupancy.objects.filter(
        person=person, house=place, kind=kind, end_date__isnull=True
    ).exists():
        Occupancy.objects.create(person=person, house=place, kind=kind, start_date=on)
    was = person.status
    person.status = PersonStatus.ACTIVE
    person.moved_in_on = on
    person.moved_out_on = None
    _set_place(person, place)
    person.current_address = house_address(place) or person.current_address
    person.save(update_fields=["status", "moved_in_on", "moved_out_on", "place", "place_path", "current_address",
                               "updated_at"])
    audit_record(action="residents.person_move_in", actor=actor, target=person,
                 detail={"on": on.isoformat(), "place": place.pk, "was": was, **ended})
    return person


# --- occupancies -------------------------------------------------------------------------------------


@transaction.atomic
def occupancy_start(
    *, person: Person, house: Place, kind: str, actor, on: datetime.date | None = None, main: bool = False
) -> Occupancy:
    """Link a person to one more house (an owner of a flat they rent out, a shop's tenant ...)."""
    _require_change(actor)
    _require_person(actor, person)
    _require_place(actor, house)
    if house.kind != PlaceKind.HOUSE:
        raise Invalid(_("Choose a house."), fields={"house": [_("Choose a house.")]})
    if kind not in OccupancyKind.values:
        raise Invalid(_("Unknown relation to the house."), fields={"kind": [_("Unknown relation to the house.")]})
    if person.status != PersonStatus.ACTIVE:
        raise Refused(_("Only a person living here can be linked to a house."), code="not_active")
    if Occupancy.objects.filter(person=person, house=house, kind=kind, end_date__isnull=True).exists():
        raise Refused(_("This link already exists."), code="exists")
    occupancy = Occupancy.objects.create(person=person, house=house, kind=kind, start_date=_today(on))
    if main:
        _set_place(person, house)
        person.save(update_fields=["place", "place_path", "updated_at"])
    audit_record(action="residents.occupancy_start", actor=actor, target=person,
                 detail={"house": house.pk, "kind": kind})
    return occupancy


@transaction.atomic
def occupancy_end(*, occupancy: Occupancy, actor, on: datetime.date | None = None, reason: str = "ended") -> Occupancy:
    _require_change(actor)
    _require_person(actor, occupancy.person)
    occupancy = Occupancy.objects.select_for_update().get(pk=occupancy.pk)
    if occupancy.end_date is not None:
        raise Refused(_("This link has already ended."), code="ended")
    occupancy.end_date = _today(on)
    occupancy.end_reason = clean_text(reason, 32)
    occupancy.save(update_fields=["end_date", "end_reason"])
    audit_record(action="residents.occupancy_end", actor=actor, target=occupancy.person,
                 detail={"house": occupancy.house_id, "kind": occupancy.kind})
    return occupancy


