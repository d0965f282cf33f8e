"""Shared checks and derivations for the registry actions."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.access import scope_of
from linli.core.codes import SEX
from linli.core.errors import Invalid, NotFound, PermissionDenied
from linli.core.idnumber import parse_id_number
from linli.places.kinds import PlaceKind
from linli.residents.access import can_change_registry
from linli.residents.models import (
    Person,
)
from linli.residents.text import clean_text, name_keys, normalise_phone

if TYPE_CHECKING:
    from linli.places.models import Place

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
        out.update(id_number=parsed.number, birth_month=parsed.birth_date.replace(day=1))
        if sex_code and sex_code in ("1", "2") and sex_code != parsed.sex_code:
            message = _("The sex does not match the ID number.")
            raise Invalid(message, fields={"sex": [message]})
        sex_code = parsed.sex_code
    else:
        out.update(id_number="", birth_month=None)
    out["sex"] = sex_code
    if phone:
        try:
            number = normalise_phone(phone)
        except Invalid as exc:
            raise Invalid(exc.message, code="invalid_phone", fields={"phone": [str(exc.message)]}) from None
        out.update(phone=number)
    else:
        out.update(phone="")
    return out


def _set_place(person: Person, place: Place) -> None:
    person.place = place
    person.place_path = place.path


def house_address(place: Place) -> str:
    """A house's address from its compound down (阳光小区 1栋 1单元 101); "" for other places."""
    from linli.residents.selectors import address_of, place_chain

    if place.kind != PlaceKind.HOUSE:
        return ""
    return address_of(place_chain([place]).get(place.pk, []))[:200]


