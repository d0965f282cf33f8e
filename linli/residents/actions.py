"""Every write to the registry: ``<entity>_<verb>(*, ..., actor)``. Each writes its own audit row.

Nothing is deleted. Moving out, death and moving in end rows with dates (occupancies, household
memberships, tags) and change the person's status, so the history stays readable.

``actor=None`` is the system (commands, the demo): no scope or permission check, audit as "system".
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.access import scope_of
from linli.core.audit import audit_record
from linli.core.codes import ETHNICITY, POLITICAL_STATUS, RELATIONSHIP, SEX
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.idnumber import parse_id_number
from linli.places.models import Place, PlaceKind
from linli.residents.access import can_change_registry, can_view_sensitive
from linli.residents.builtin import BUILTIN_CODES
from linli.residents.models import (
    HEAD_RELATIONSHIP,
    Household,
    HouseholdMember,
    HouseholdStatus,
    Occupancy,
    OccupancyKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
    PersonTag,
    Tag,
    TagSensitivity,
)
from linli.residents.text import clean_text, id_tail, name_keys, normalise_phone, phone_tail

# Where a person without a house may be registered.
REGISTRATION_KINDS = frozenset(
    {PlaceKind.COMMUNITY, PlaceKind.AREA, PlaceKind.RESIDENTS_GROUP, PlaceKind.GRID, PlaceKind.COMPOUND,
     PlaceKind.BUILDING, PlaceKind.ENTRANCE}
)
PERSON_TEXT_FIELDS = {"registered_address": 200, "current_address": 200, "notes": 2000}


# --- checks ---------------------------------------------------------------------------------------


def _require_change(actor) -> None:
    if actor is not None and not can_change_registry(actor):
        raise PermissionDenied(_("You may not change the registry."))


def _require_path(actor, path: str) -> None:
    """The actor's scope must cover the path; out of scope looks like missing (404)."""
    if actor is not None and not scope_of(actor).covers_path(path):
        raise NotFound(_("Not found."))


def _require_place(actor, place: Place) -> None:
    _require_path(actor, place.path)


def _require_person(actor, person: Person) -> None:
    _require_path(actor, person.place_path)


def _today(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def _code(table, value: Any, field: str) -> str:
    if value in (None, ""):
        return ""
    try:
        return table.code_of(value)
    except Invalid as exc:
        raise Invalid(exc.message, code="unknown_code", fields={field: [str(exc.message)]}) from None


def _find_by_id_number(number: str) -> Person | None:
    from linli.core.crypto import lookup_hashes

    return Person.objects.filter(id_number_hash__in=lookup_hashes(number)).first()


def derive_person_fields(*, name: str, id_number: str = "", phone: str = "", sex: Any = "") -> dict[str, Any]:
    """Validated and derived fields shared by the actions and the importer: search keys, tails,
    birth date and sex from the ID number (a stated sex that contradicts the ID is refused)."""
    name = clean_text(name, 64)
    if not name:
        raise Invalid(_("A name is required."), fields={"name": [_("A name is required.")]})
    out: dict[str, Any] = {"name": name}
    out["name_initials"], out["name_pinyin"] = name_keys(name)
    sex_code = _code(SEX, sex, "sex")
    if id_number:
        parsed = parse_id_number(id_number)
        out.update(id_number=parsed.number, id_tail=id_tail(parsed.number), birth_date=parsed.birth_date)
        if sex_code and sex_code in ("1", "2") and sex_code != parsed.sex_code:
            message = _("The sex does not match the ID number.")
            raise Invalid(message, fields={"sex": [message]})
        sex_code = parsed.sex_code
    else:
        out.update(id_number="", id_tail="", birth_date=None)
    out["sex"] = sex_code
    if phone:
        try:
            number = normalise_phone(phone)
        except Invalid as exc:
            raise Invalid(exc.message, code="invalid_phone", fields={"phone": [str(exc.message)]}) from None
        out.update(phone=number, phone_tail=phone_tail(number))
    else:
        out.update(phone="", phone_tail="")
    return out


def _set_place(person: Person, place: Place) -> None:
    person.place = place
    person.place_path = place.path


# --- persons -------------------------------------------------------------------------------------


@transaction.atomic
def person_create(
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
    fields["current_address"] = clean_text(current_address, 200)
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


EDITABLE_PERSON_FIELDS = frozenset(
    {"name", "id_number", "phone", "sex", "ethnicity", "political_status", "registered_address",
     "current_address", "notes"}
)


@transaction.atomic
def person_update(*, person: Person, actor, **changes: Any) -> Person:
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


def _leave_household(person: Person, on: datetime.date) -> int:
    """End the person's current membership; a household left without members is dissolved, one left
    without its head keeps its members and waits for a new head."""
    member = HouseholdMember.objects.select_for_update().filter(person=person, end_date__isnull=True).first()
    if member is None:
        return 0
    member.end_date = on
    member.save(update_fields=["end_date"])
    household = Household.objects.select_for_update().get(pk=member.household_id)
    remaining = HouseholdMember.objects.filter(household=household, end_date__isnull=True).exists()
    if member.relationship == HEAD_RELATIONSHIP:
        household.head = None
    if not remaining:
        household.status = HouseholdStatus.DISSOLVED
        household.dissolved_on = on
    household.save(update_fields=["head", "status", "dissolved_on"])
    return 1


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
    person.save(update_fields=["status", "moved_in_on", "moved_out_on", "place", "place_path", "updated_at"])
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


# --- households ----------------------------------------------------------------------------------------


def _current_membership(person: Person) -> HouseholdMember | None:
    return HouseholdMember.objects.filter(person=person, end_date__isnull=True).first()


@transaction.atomic
def household_create(
    *, head: Person, actor, house: Place | None = None, number: str = "", on: datetime.date | None = None
) -> Household:
    _require_change(actor)
    _require_person(actor, head)
    if house is not None:
        _require_place(actor, house)
        if house.kind != PlaceKind.HOUSE:
            raise Invalid(_("Choose a house."), fields={"house": [_("Choose a house.")]})
    if head.status != PersonStatus.ACTIVE:
        raise Refused(_("Only a person living here can head a household."), code="not_active")
    if _current_membership(head) is not None:
        raise Refused(_("This person already belongs to a household."), code="in_household")
    household = Household.objects.create(
        number=clean_text(number, 32), head=head, house=house, place_path=house.path if house else head.place_path
    )
    HouseholdMember.objects.create(household=household, person=head, relationship=HEAD_RELATIONSHIP,
                                   start_date=on)
    audit_record(action="residents.household_create", actor=actor, target=household, detail={"head": head.pk})
    return household


@transaction.atomic
def household_add_member(
    *, household: Household, person: Person, relationship: str, actor, on: datetime.date | None = None
) -> HouseholdMember:
    _require_change(actor)
    _require_path(actor, household.place_path)
    _require_person(actor, person)
    household = Household.objects.select_for_update().get(pk=household.pk)
    code = _code(RELATIONSHIP, relationship, "relationship")
    if not code:
        raise Invalid(_("Choose the relationship to the head."), fields={"relationship": [_("Required.")]})
    if household.status != HouseholdStatus.ACTIVE:
        raise Refused(_("This household is dissolved."), code="dissolved")
    if person.status != PersonStatus.ACTIVE:
        raise Refused(_("Only a person living here can join a household."), code="not_active")
    if _current_membership(person) is not None:
        raise Refused(_("This person already belongs to a household."), code="in_household")
    if code == HEAD_RELATIONSHIP:
        if household.head_id is not None:
            raise Refused(_("This household already has a head."), code="has_head")
        household.head = person
        household.save(update_fields=["head"])
    member = HouseholdMember.objects.create(household=household, person=person, relationship=code, start_date=on)
    audit_record(action="residents.household_add_member", actor=actor, target=household,
                 detail={"person": person.pk, "relationship": code})
    return member


@transaction.atomic
def household_end_member(*, member: HouseholdMember, actor, on: datetime.date | None = None) -> HouseholdMember:
    """A member leaves the household (the person stays in the registry)."""
    _require_change(actor)
    _require_path(actor, member.household.place_path)
    if member.end_date is not None:
        raise Refused(_("This membership has already ended."), code="ended")
    _leave_household(member.person, _today(on))
    member.refresh_from_db()
    audit_record(action="residents.household_end_member", actor=actor, target=member.household,
                 detail={"person": member.person_id})
    return member


# --- tags ------------------------------------------------------------------------------------------------


@transaction.atomic
def tag_create(
    *, community: Place, code: str, name: str, actor, sensitivity: str = TagSensitivity.INTERNAL,
    description: str = "",
) -> Tag:
    """A custom tag of one community."""
    _require_change(actor)
    _require_place(actor, community)
    if community.kind != PlaceKind.COMMUNITY:
        raise Invalid(_("A custom tag belongs to a community."))
    if sensitivity not in TagSensitivity.values:
        raise Invalid(_("Unknown sensitivity."), fields={"sensitivity": [_("Unknown sensitivity.")]})
    if sensitivity == TagSensitivity.SENSITIVE and actor is not None and not can_view_sensitive(actor):
        raise PermissionDenied(_("You may not manage sensitive tags."))
    code = clean_text(code, 32).lower()
    name = clean_text(name, 32)
    if not code or not name:
        raise Invalid(_("A tag needs a code and a name."))
    if code in BUILTIN_CODES or Tag.objects.filter(Q(community=community) | Q(community__isnull=True), code=code).exists():
        raise Refused(_("A tag with this code already exists."), code="exists", fields={"code": [_("Taken.")]})
    tag = Tag.objects.create(community=community, code=code, name=name, sensitivity=sensitivity,
                             description=clean_text(description, 200))
    audit_record(action="residents.tag_create", actor=actor, target=tag, detail={"sensitivity": sensitivity})
    return tag


@transaction.atomic
def person_tag_add(
    *,
    person: Person,
    tag: Tag,
    actor,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    source: str = "",
) -> PersonTag:
    _require_change(actor)
    _require_person(actor, person)
    if actor is not None and not Tag.objects.visible_to(actor).filter(pk=tag.pk).exists():
        raise NotFound(_("Not found."))
    if tag.computed:
        raise Refused(_("This tag is computed from the date of birth."), code="computed")
    if person.status != PersonStatus.ACTIVE:
        raise Refused(_("Only a person living here can be tagged."), code="not_active")
    valid_from = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < valid_from:
        message = _("The end of validity is before its start.")
        raise Invalid(message, fields={"valid_to": [message]})
    overlapping = PersonTag.objects.filter(person=person, tag=tag).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to))
    if overlapping.exists():
        raise Refused(_("The person already has this tag for that period."), code="exists")
    row = PersonTag.objects.create(
        person=person, tag=tag, valid_from=valid_from, valid_to=valid_to, source=clean_text(source, 200),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(action="residents.person_tag_add", actor=actor, target=person,
                 detail={"tag": tag.code, "sensitive": tag.is_sensitive})
    return row


@transaction.atomic
def person_tag_end(*, person_tag: PersonTag, actor, on: datetime.date | None = None) -> PersonTag:
    _require_change(actor)
    _require_person(actor, person_tag.person)
    if actor is not None and not Tag.objects.visible_to(actor).filter(pk=person_tag.tag_id).exists():
        raise NotFound(_("Not found."))
    on = _today(on)
    if person_tag.valid_to is not None and person_tag.valid_to <= on:
        raise Refused(_("This tag has already ended."), code="ended")
    person_tag.valid_to = max(on, person_tag.valid_from) if person_tag.valid_from else on
    person_tag.save(update_fields=["valid_to"])
    audit_record(action="residents.person_tag_end", actor=actor, target=person_tag.person,
                 detail={"tag": person_tag.tag.code})
    return person_tag


# --- organisations -------------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    name: str,
    place: Place,
    actor,
    kind: str = OrganisationKind.SHOP,
    contact_name: str = "",
    contact_phone: str = "",
    credit_code: str = "",
    notes: str = "",
) -> Organisation:
    """A shop, company, school or unit at a house (a shop unit) or a building."""
    _require_change(actor)
    _require_place(actor, place)
    if place.kind not in (PlaceKind.HOUSE, PlaceKind.BUILDING, PlaceKind.COMPOUND):
        raise Invalid(_("An organisation sits at a house or a building."))
    if kind not in OrganisationKind.values:
        raise Invalid(_("Unknown kind."), fields={"kind": [_("Unknown kind.")]})
    name = clean_text(name, 120)
    if not name:
        raise Invalid(_("A name is required."), fields={"name": [_("A name is required.")]})
    phone = ""
    if contact_phone:
        try:
            phone = normalise_phone(contact_phone)
        except Invalid as exc:
            raise Invalid(exc.message, fields={"contact_phone": [str(exc.message)]}) from None
    credit_code = clean_text(credit_code, 18).upper()
    if credit_code and len(credit_code) != 18:
        message = _("A unified social credit code has 18 characters.")
        raise Invalid(message, fields={"credit_code": [message]})
    org = Organisation.objects.create(
        name=name, kind=kind, place=place, place_path=place.path, contact_name=clean_text(contact_name, 64),
        contact_phone=phone, credit_code=credit_code, notes=(notes or "").strip()[:2000],
    )
    audit_record(action="residents.organisation_create", actor=actor, target=org, detail={"kind": kind})
    return org


@transaction.atomic
def organisation_close(*, organisation: Organisation, actor, on: datetime.date | None = None) -> Organisation:
    _require_change(actor)
    _require_path(actor, organisation.place_path)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.active:
        raise Refused(_("This organisation is already closed."), code="closed")
    organisation.active = False
    organisation.closed_on = _today(on)
    organisation.save(update_fields=["active", "closed_on"])
    audit_record(action="residents.organisation_close", actor=actor, target=organisation)
    return organisation
