"""Every write to the place tree: create, update (rename, recode, attributes), move, set geometry,
delete. Each action checks the actor's scope and permission and writes its audit row.

``actor=None`` means the console (commands, the demo builder, migrations): no scope check, audited as
"console". Any other actor needs the ``places.change`` permission and the node inside their scope: a
node they cannot see is NotFound (404); one they can see but not change (an ancestor of their scope,
or without the permission) is PermissionDenied (403).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import shapely
from django.db import transaction
from django.db.models import CharField, F, OuterRef, ProtectedError, RestrictedError, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Substr
from django.utils.translation import gettext_lazy as _

from linli.core.access import scope_of
from linli.core.audit import audit_record, audit_record_many
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.inserts import insert_many
from linli.core.refdata import refdata_changed
from linli.core.text import clean_text
from linli.places import geo
from linli.places.models import (
    ATTRIBUTE_FIELDS,
    KIND_FIELDS,
    POINT_KINDS,
    POLYGON_KINDS,
    CompoundKind,
    HouseUsage,
    Place,
    PlaceKind,
)
from linli.places.paths import MOVE_HOOKS, place_kinds_follow, place_paths_follow

# Which kinds may sit under which (the optional levels make several parents legal).
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    PlaceKind.CITY: {None},
    PlaceKind.DISTRICT: {None, PlaceKind.CITY},
    PlaceKind.STREET: {None, PlaceKind.DISTRICT},
    PlaceKind.COMMUNITY: {PlaceKind.STREET},
    PlaceKind.AREA: {PlaceKind.COMMUNITY},
    PlaceKind.RESIDENTS_GROUP: {PlaceKind.COMMUNITY, PlaceKind.AREA},
    PlaceKind.GRID: {PlaceKind.COMMUNITY, PlaceKind.AREA, PlaceKind.RESIDENTS_GROUP},
    PlaceKind.COMPOUND: {PlaceKind.GRID},
    PlaceKind.BUILDING: {PlaceKind.COMPOUND, PlaceKind.GRID},
    PlaceKind.ENTRANCE: {PlaceKind.BUILDING},
    PlaceKind.HOUSE: {PlaceKind.ENTRANCE, PlaceKind.BUILDING},
}

# GB/T 2260 province-level prefixes (the first two digits of a county code).
PROVINCE_PREFIXES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
     "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}
)
DIGITS6 = re.compile(r"^\d{6}$")
DIGITS12 = re.compile(r"^\d{12}$")
STANDARD_GRID_CODE = re.compile(r"^(\d{12})-(\d{2,3})$")
STATISTICAL_PREFIX = re.compile(r"^\d{12}-")
FREE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
PUBLIC_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # base32 without 0/1/I/O
PUBLIC_CODE_LENGTH = 8
INDEXED_KINDS = frozenset({PlaceKind.GRID, PlaceKind.COMPOUND})


def child_kinds(kind: str | None) -> list[str]:
    """The kinds that may be created under a node of ``kind`` (``None``: the top level)."""
    return [k for k, parents in ALLOWED_PARENTS.items() if kind in parents]


# --- checks ---------------------------------------------------------------------------------------------


def _actor_name(actor) -> str:
    return "" if actor is not None else "console"


def can_change_path(actor, path: str) -> bool:
    from linli.accounts.selectors import user_has_perm

    if actor is None:
        return True
    return scope_of(actor).covers_path(path) and user_has_perm(actor, "places.change")


def _require_change(actor, path: str) -> None:
    """The actor may change the node at ``path`` (or create under it)."""
    from linli.accounts.selectors import user_has_perm

    if actor is None:
        return
    scope = scope_of(actor)
    if not scope.covers_path(path):
        if any(p.startswith(path) for p in scope.place_paths):
            raise PermissionDenied(_("You may not change this place."))
        raise NotFound(_("Not found."))
    if not user_has_perm(actor, "places.change"):
        raise PermissionDenied(_("You may not change the place tree."))


def _field_error(name: str, message: Any, *, code: str = "invalid", summary: Any = None) -> Invalid:
    """An Invalid naming one field (``summary``: the overall message when it differs)."""
    return Invalid(summary if summary is not None else message, code=code, fields={name: [message]})



def _clean_name(name: Any) -> str:
    name = " ".join(clean_text(name, 4000).split())
    if not name:
        raise _field_error("name", _("Required."), summary=_("A name is required."))
    if len(name) > 100:
        raise _field_error("name", _("At most 100 characters."), summary=_("The name is too long."))
    return name


def _check_parent(kind: str, parent: Place | None) -> None:
    if kind not in ALLOWED_PARENTS:
        raise _field_error("kind", _("Unknown kind of place."))
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        message = _("A %(kind)s cannot be placed under %(parent)s.") % {
            "kind": PlaceKind(kind).label,
            "parent": PlaceKind(parent_kind).label if parent_kind else _("the top level"),
        }
        raise _field_error("parent", message, code="bad_parent")


def _nearest(parent: Place | None, kind: str) -> Place | None:
    """``parent`` itself or its nearest ancestor of ``kind``."""
    if parent is None:
        return None
    if parent.kind == kind:
        return parent
    ids = [int(p) for p in parent.path.split("/") if p]
    return Place.objects.filter(pk__in=ids, kind=kind).order_by("-depth").first()


def _code_error(message) -> Invalid:
    return _field_error("code", message, code="bad_code")


def _clean_codes(
    *, kind: str, code: Any, district_code: Any, parent: Place | None, exclude_pk: int | None = None,
    nearest: Any = None, check_taken: bool = True,
) -> tuple[str, str]:
    """Check the official codes of a node (under ``parent``); returns (code, district_code).
    ``nearest(kind)``: the parent or its nearest ancestor of that kind (anything with a ``code``; by
    default read from the tree). ``check_taken=False``: the caller checks that the code is free."""
    if nearest is None:
        def nearest(of_kind: str) -> Place | None:
            return _nearest(parent, of_kind)
    code = clean_text(code, 4000)
    district_code = clean_text(district_code, 4000)
    if kind in (PlaceKind.CITY, PlaceKind.DISTRICT):
        if district_code:
            raise _field_error("district_code", _("Only a street carries a county code."), code="bad_code")
        code = _clean_admin_code(kind, code, parent, nearest)
    elif kind == PlaceKind.STREET:
        if district_code and (not DIGITS6.match(district_code) or district_code[:2] not in PROVINCE_PREFIXES):
            message = _("A county code has 6 digits (GB/T 2260).")
            raise _field_error("district_code", message, code="bad_code")
        if code:
            if not DIGITS12.match(code):
                raise _code_error(_("A street's statistical code has 12 digits."))
            if not district_code:
                district_code = code[:6]
            elif not code.startswith(district_code):
                raise _code_error(_("A street's statistical code must start with its county code."))
        district = nearest(PlaceKind.DISTRICT)
        if district is not None and district.code:
            if not district_code:
                district_code = district.code
            elif district_code != district.code:
                raise _field_error(
                    "district_code", _("A street's county code must be its district's code."), code="bad_code"
                )
    elif district_code:
        message = _("Only a street carries a county code.")
        raise _field_error("district_code", message, code="bad_code")
    elif kind == PlaceKind.COMMUNITY and code:
        if not DIGITS12.match(code):
            raise _code_error(_("A community's statistical code has 12 digits."))
        street = nearest(PlaceKind.STREET)
        if street is not None and street.code and code[:9] != street.code[:9]:
            raise _code_error(_("A community's code must start with the first 9 digits of its street's code."))
    elif kind == PlaceKind.GRID and code:
        standard = STANDARD_GRID_CODE.match(code)
        if standard:
            community = nearest(PlaceKind.COMMUNITY)
            if community is not None and community.code and standard.group(1) != community.code:
                raise _code_error(_("A grid code of the form <community code>-NN must start with its community's code."))
        elif STATISTICAL_PREFIX.match(code) or not FREE_CODE.match(code):
            raise _code_error(_("A grid code is the community code, a hyphen and 2–3 digits, or letters and digits."))
    elif code and not FREE_CODE.match(code):
        raise _code_error(_("A code is letters, digits, hyphens and underscores (at most 32)."))
    duplicates = Place.objects.filter(kind=kind, code=code)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if code and check_taken and duplicates.exists():
        raise _code_error(_("Another place of this kind already has this code."))
    return code, district_code


def _clean_admin_code(kind: str, code: str, parent: Place | None, nearest: Any = None) -> str:
    """A city's or district's GB/T 2260 code: 6 digits with a real province prefix; a city's ends in 00
    (a prefecture, or 0000 for a municipality), a district's does not; a district lies in its city."""
    if not code:
        return code
    if not DIGITS6.match(code) or code[:2] not in PROVINCE_PREFIXES:
        raise _code_error(_("A GB/T 2260 code has 6 digits and starts with a province code."))
    if kind == PlaceKind.CITY and not code.endswith("00"):
        raise _code_error(_("A city's GB/T 2260 code ends in 00."))
    if kind == PlaceKind.DISTRICT:
        if code.endswith("00"):
            raise _code_error(_("A district's GB/T 2260 code does not end in 00."))
        city = nearest(PlaceKind.CITY) if nearest is not None else _nearest(parent, PlaceKind.CITY)
        if city is not None and city.code:
            # A municipality (110000) holds 1101xx and 1102xx; a prefecture city (330100) holds 3301xx.
            prefix = city.code[:2] if city.code.endswith("0000") else city.code[:4]
            if not code.startswith(prefix):
                raise _code_error(_("A district's code must start with its city's code (%(prefix)s).") % {"prefix": prefix})
    return code


def _check_codes_below(place: Place, code: str) -> None:
    """After a street or community is recoded: the codes under it must still fit."""
    if place.kind == PlaceKind.DISTRICT and code:
        clash = (
            Place.objects.filter(parent=place, kind=PlaceKind.STREET)
            .exclude(district_code="")
            .exclude(district_code=code)
            .count()
        )
        if clash:
            raise _code_error(_("%(n)d streets carry another county code.") % {"n": clash})
    if place.kind == PlaceKind.STREET and code:
        clash = (
            Place.objects.filter(parent=place, kind=PlaceKind.COMMUNITY)
            .exclude(code="")
            .exclude(code__startswith=code[:9])
            .count()
        )
        if clash:
            raise _code_error(
                _("%(n)d communities have codes that do not start with the new street code.") % {"n": clash}
            )
    if place.kind == PlaceKind.COMMUNITY and code:
        _check_grid_codes_under(place.path, code)


def _check_grid_codes_under(path: str, community_code: str) -> None:
    grid_codes = Place.objects.filter(path__startswith=path, kind=PlaceKind.GRID).exclude(code="")
    clash = sum(
        1
        for c in grid_codes.values_list("code", flat=True)
        if (m := STANDARD_GRID_CODE.match(c)) and m.group(1) != community_code
    )
    if clash:
        raise _code_error(
            _("%(n)d grids have codes of the form <community code>-NN that do not match the community code.")
            % {"n": clash}
        )


def _clean_attributes(kind: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The kind-specific attributes, checked: a value for a field the kind does not carry is an error;
    an empty value clears."""
    unknown = set(attrs) - ATTRIBUTE_FIELDS
    if unknown:
        raise Invalid(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    allowed = KIND_FIELDS.get(kind, frozenset())
    cleaned: dict[str, Any] = {}
    for name, value in attrs.items():
        empty = value is None or (isinstance(value, str) and not value.strip())
        if name == "district_code":
            continue  # handled with the codes
        if empty:
            cleaned[name] = "" if name in ("compound_kind", "usage") else None
            continue
        if name not in allowed:
            message = _("A %(kind)s does not carry this field.") % {"kind": PlaceKind(kind).label}
            raise _field_error(name, message)
        cleaned[name] = _clean_attribute(name, value)
    return cleaned


def _clean_attribute(name: str, value: Any) -> Any:
    def bad(message) -> Invalid:
        return _field_error(name, message)

    if name == "compound_kind":
        if value not in CompoundKind.values:
            raise bad(_("Unknown compound kind."))
        return value
    if name == "usage":
        if value not in HouseUsage.values:
            raise bad(_("Unknown usage."))
        return value
    if name in ("floors", "floor"):
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise bad(_("Enter a whole number.")) from exc
        low, high = (1, 300) if name == "floors" else (-10, 300)
        if not low <= number <= high:
            raise bad(_("Out of range (%(low)d to %(high)d).") % {"low": low, "high": high})
        return number
    if name == "area_m2":
        try:
            amount = Decimal(str(value)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError) as exc:
            raise bad(_("Enter a number.")) from exc
        if not Decimal("0") < amount < Decimal("10000000"):
            raise bad(_("Out of range."))
        return amount
    raise bad(_("Unknown field."))  # pragma: no cover


def _new_public_code() -> str:
    while True:
        candidate = "".join(secrets.choice(PUBLIC_CODE_ALPHABET) for _ in range(PUBLIC_CODE_LENGTH))
        if not Place.objects.filter(public_code=candidate).exists():
            return candidate


def _apply_geometry(place: Place, geometry: Any) -> dict[str, Any]:
    """Validate and set ``place.geometry`` (not saved); returns the audit detail."""
    if geometry is None or geometry == "" or geometry == b"":
        place.geometry = None
        place.area_km2 = None
        return {"geometry": None}
    if hasattr(geometry, "read"):
        geometry = geometry.read(geo.MAX_GEOJSON_BYTES + 1)
    if place.kind in POLYGON_KINDS:
        allowed: tuple[str, ...] = geo.POLYGON_TYPES
    elif place.kind in POINT_KINDS:
        allowed = ("Point",)
    else:
        message = _("A %(kind)s has no boundary or location.") % {"kind": PlaceKind(place.kind).label}
        raise _field_error("geometry", message, code="bad_geometry")
    cleaned, shape = geo.validate_geometry(geometry, allowed=allowed)
    place.geometry = cleaned
    place.area_km2 = round(geo.area_km2(shape), 6) if place.kind in POLYGON_KINDS else None
    return {"geometry": cleaned["type"], "vertices": int(shapely.get_num_coordinates(shape)), "area_km2": place.area_km2}


def _locked(place: Place) -> Place:
    try:
        return Place.objects.select_for_update().get(pk=place.pk)
    except Place.DoesNotExist as exc:
        raise NotFound(_("Not found.")) from exc


# --- actions --------------------------------------------------------------------------------------------


@transaction.atomic
def place_create(
    *,
    kind: str,
    name: str,
    parent: Place | None = None,
    code: str = "",
    actor=None,
    geometry: Any = None,
    **attrs: Any,
) -> Place:
    """A new node under ``parent`` (a city, district or street at the top level: console only).
    Buildings get their public QR code here."""
    refdata_changed("places")  # the routing facts cached by the intake (core/refdata.py)
    _check_parent(kind, parent)
    if parent is None:
        if actor is not None:
            raise PermissionDenied(_("Top-level places are created from the console by the operator."))
    else:
        parent = _locked(parent)
        _require_change(actor, parent.path)
    name = _clean_name(name)
    code, district_code = _clean_codes(kind=kind, code=code, district_code=attrs.pop("district_code", ""), parent=parent)
    cleaned = _clean_attributes(kind, attrs)
    place = Place(kind=kind, name=name, code=code, district_code=district_code, parent=parent, **cleaned)
    if kind == PlaceKind.BUILDING:
        place.public_code = _new_public_code()
    detail: dict[str, Any] = {"kind": kind, "code": code, "parent": parent.pk if parent else None}
    if geometry is not None:
        detail.update(_apply_geometry(place, geometry))
    place.save()
    place.path = f"{parent.path if parent else '/'}{place.pk}/"
    place.depth = (parent.depth + 1) if parent else 0
    place.save(update_fields=["path", "depth"])
    if place.geometry is not None and kind in INDEXED_KINDS:
        geo.geo_bump()
    audit_record(action="places.place_create", actor=actor, actor_name=_actor_name(actor), target=place, detail=detail)
    return place


@dataclass(eq=False)
class NewPlace:
    """One node for ``places_create_bulk``. ``parent``: an existing place, or a ``NewPlace`` earlier in the
    same call (a building and its entrances and houses in one go). ``place`` is the node written."""

    kind: str
    name: str
    parent: Place | NewPlace | None = None
    code: str = ""
    geometry: Any = None
    attrs: dict[str, Any] = field(default_factory=dict)
    place: Place | None = None


BULK_BATCH = 500


def _bulk_error(number: int, exc: Invalid) -> Invalid:
    """``exc`` of the ``number``-th node (1-based), saying which node it is."""
    message = _("Place %(n)d: %(message)s") % {"n": number, "message": exc.message}
    return Invalid(message, code=exc.code, fields=exc.fields)


def _new_public_codes(n: int) -> list[str]:
    """``n`` distinct fresh public codes, checked against the table in one query per round."""
    codes: set[str] = set()
    while len(codes) < n:
        batch = {"".join(secrets.choice(PUBLIC_CODE_ALPHABET) for _ in range(PUBLIC_CODE_LENGTH))
                 for _ in range(n - len(codes))}
        batch -= set(Place.objects.filter(public_code__in=batch).values_list("public_code", flat=True))
        codes |= batch
    return list(codes)


@transaction.atomic
def places_create_bulk(items: Sequence[NewPlace], *, actor=None) -> list[Place]:
    """Many new nodes in one action, each checked as ``place_create`` checks one (the parent's kind, the
    actor's scope and permission over each existing parent, the name, the codes, the attributes, the
    geometry), then written level by level in batches: the places, their paths and one audit row each
    (``places.place_create``, as for a single creation). All or nothing: a bad node raises Invalid naming
    its position (1-based). Buildings get their public codes. Returns the places in the order given
    (also set on each item's ``place``). For the demo street and imports."""
    refdata_changed("places")  # the routing facts cached by the intake (core/refdata.py)
    position = {id(item): n for n, item in enumerate(items)}
    existing_ids = {item.parent.pk for item in items if isinstance(item.parent, Place)}
    existing = {p.pk: p for p in Place.objects.select_for_update().filter(pk__in=existing_ids)}
    if existing_ids - set(existing):
        raise NotFound(_("Not found."))
    for locked in existing.values():
        _require_change(actor, locked.path)
    taken: dict[str, set[str]] = {}
    public_codes = 0
    places: list[Place] = []
    details: list[dict[str, Any]] = []
    level: dict[int, int] = {}  # id(item) -> its level in this call (0: under an existing place or the top)
    for n, item in enumerate(items):
        parent: Any = item.parent
        try:
            if isinstance(parent, NewPlace):
                if position.get(id(parent), n) >= n:
                    raise Invalid(_("A place's parent must come before it."), code="bad_parent")
                level[id(item)] = level[id(parent)] + 1
            else:
                level[id(item)] = 0
                if parent is None and actor is not None:
                    raise PermissionDenied(_("Top-level places are created from the console by the operator."))
                parent = existing[parent.pk] if parent is not None else None
            _check_parent(item.kind, parent)  # type: ignore[arg-type]  # a NewPlace has a kind too
            name = _clean_name(item.name)
            attrs = dict(item.attrs)

            def nearest(of_kind: str, node: Any = parent) -> Any:
                while isinstance(node, NewPlace):
                    if node.kind == of_kind:
                        return node
                    node = node.parent
                return _nearest(node, of_kind)

            code, district_code = _clean_codes(
                kind=item.kind, code=item.code, district_code=attrs.pop("district_code", ""), parent=None,
                nearest=nearest, check_taken=False,
            )
            if code:
                if code in taken.setdefault(item.kind, set()):
                    raise _code_error(_("Another place of this kind already has this code."))
                taken[item.kind].add(code)
            place = Place(kind=item.kind, name=name, code=code, district_code=district_code,
                          **_clean_attributes(item.kind, attrs))
            detail: dict[str, Any] = {"kind": item.kind, "code": code, "parent": None}  # the parent's id below
            if item.geometry is not None:
                detail.update(_apply_geometry(place, item.geometry))
        except Invalid as exc:
            raise _bulk_error(n + 1, exc) from None
        item.code = code  # the cleaned code, for the codes of the nodes below it
        public_codes += item.kind == PlaceKind.BUILDING
        places.append(place)
        details.append(detail)
    for kind, codes in taken.items():
        for chunk in _chunks(sorted(codes)):
            clash = Place.objects.filter(kind=kind, code__in=chunk).values_list("code", flat=True).first()
            if clash is not None:
                n = next(i for i, item in enumerate(items) if item.kind == kind and item.code == clash)
                raise _bulk_error(n + 1, _code_error(_("Another place of this kind already has this code.")))
    fresh = iter(_new_public_codes(public_codes))
    for place in places:
        if place.kind == PlaceKind.BUILDING:
            place.public_code = next(fresh)
    # Written level by level: a node's path needs its parent's id and path.
    parents = Place.objects.all()
    for depth in range(max(level.values(), default=-1) + 1):
        batch = [(item, place) for item, place in zip(items, places, strict=True) if level[id(item)] == depth]
        for item, place in batch:
            parent_place = item.parent.place if isinstance(item.parent, NewPlace) else item.parent
            place.parent = existing[parent_place.pk] if depth == 0 and parent_place is not None else parent_place
        insert_many([place for _item, place in batch], batch_size=BULK_BATCH)
        for item, place in batch:
            parent_place = place.parent
            place.path = f"{parent_place.path if parent_place else '/'}{place.pk}/"
            place.depth = (parent_place.depth + 1) if parent_place else 0
            item.place = place
        for chunk in _chunks([place.pk for _item, place in batch]):
            # One statement per batch: the parent's path and depth, read in the database.
            Place.objects.filter(pk__in=chunk).update(
                path=Concat(Coalesce(Subquery(parents.filter(pk=OuterRef("parent_id")).values("path")[:1]), Value("/")),
                            Cast("pk", output_field=CharField()), Value("/")),
                depth=Coalesce(Subquery(parents.filter(pk=OuterRef("parent_id")).values("depth")[:1]) + 1, 0),
            )
    if any(p.geometry is not None and p.kind in INDEXED_KINDS for p in places):
        geo.geo_bump()
    for place, detail in zip(places, details, strict=True):
        detail["parent"] = place.parent_id
    audit_record_many(action="places.place_create", actor=actor, actor_name=_actor_name(actor),
                      targets=zip(places, details, strict=True))
    return places


def _chunks(values: list[Any], size: int = BULK_BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


UPDATABLE_FIELDS = frozenset({"name", "code"}) | ATTRIBUTE_FIELDS


@transaction.atomic
def place_update(*, place: Place, actor, **changes: Any) -> Place:
    """Rename, recode or change the kind-specific attributes of a node. Fields not given stay."""
    refdata_changed("places")  # the routing facts cached by the intake (core/refdata.py)
    place = _locked(place)
    _require_change(actor, place.path)
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise Invalid(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    before = {k: getattr(place, k) for k in changes}
    if "name" in changes:
        place.name = _clean_name(changes.pop("name"))
    if "code" in changes or "district_code" in changes:
        code, district_code = _clean_codes(
            kind=place.kind,
            code=changes.pop("code", place.code),
            district_code=changes.pop("district_code", place.district_code),
            parent=place.parent,
            exclude_pk=place.pk,
        )
        if code != place.code:
            _check_codes_below(place, code)
        place.code, place.district_code = code, district_code
    for name, value in _clean_attributes(place.kind, changes).items():
        setattr(place, name, value)
    after = {k: getattr(place, k) for k in before}
    changed = {k: [str(before[k]) if before[k] is not None else None, str(v) if v is not None else None]
               for k, v in after.items() if before[k] != v}
    if changed:
        place.save()
        audit_record(
            action="places.place_update", actor=actor, actor_name=_actor_name(actor), target=place,
            detail={"changes": changed},
        )
    return place


@transaction.atomic
def place_move(*, place: Place, new_parent: Place, actor, code: str | None = None) -> Place:
    """Re-parent a node: the paths of its whole subtree are rewritten in this transaction. Refuses a
    move under itself or its own subtree, and a parent of the wrong kind. ``code`` recodes the node at
    the same time (a grid moving to another community takes that community's prefix)."""
    refdata_changed("places")  # the routing facts cached by the intake (core/refdata.py)
    place = _locked(place)
    new_parent = _locked(new_parent)
    _require_change(actor, place.path)
    _require_change(actor, new_parent.path)
    if new_parent.path.startswith(place.path):
        raise Refused(_("A place cannot be moved under itself or under a place below it."), code="cycle")
    _check_parent(place.kind, new_parent)
    old_parent_id = place.parent_id
    if new_parent.pk == old_parent_id and code is None:
        return place
    new_code, new_district = _clean_codes(
        kind=place.kind, code=place.code if code is None else code,
        district_code=place.district_code if place.kind == PlaceKind.STREET else "", parent=new_parent,
        exclude_pk=place.pk,
    )
    new_community = _nearest(new_parent, PlaceKind.COMMUNITY)
    if place.kind in (PlaceKind.AREA, PlaceKind.RESIDENTS_GROUP) and new_community is not None and new_community.code:
        # Grids below the moved node must fit their new community (a moved grid was checked above).
        _check_grid_codes_under(place.path, new_community.code)
    old_path = place.path
    new_path = f"{new_parent.path}{place.pk}/"
    delta = (new_parent.depth + 1) - place.depth
    Place.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    Place.objects.filter(pk=place.pk).update(parent=new_parent, code=new_code, district_code=new_district)
    place_paths_follow(old_path=old_path, new_path=new_path)  # every app's copies (linli/places/paths.py)
    place_kinds_follow(new_path=new_path)  # and their community, grid, … keys
    for hook in MOVE_HOOKS:
        hook(old_path=old_path, new_path=new_path)
    place.refresh_from_db()
    geo.geo_bump()
    audit_record(
        action="places.place_move", actor=actor, actor_name=_actor_name(actor), target=place,
        detail={"from": old_parent_id, "to": new_parent.pk, "old_path": old_path, "new_path": new_path,
                **({"code": new_code} if code is not None else {})},
    )
    return place


@transaction.atomic
def place_set_geometry(*, place: Place, geometry: Any, actor) -> Place:
    """Set (or clear, with ``None``) a node's boundary or location: a GeoJSON geometry, Feature or
    one-feature FeatureCollection, as a dict, JSON text, bytes or an uploaded file."""
    refdata_changed("places")  # the routing facts cached by the intake (core/refdata.py)
    place = _locked(place)
    _require_change(actor, place.path)
    detail = _apply_geometry(place, geometry)
    place.save(update_fields=["geometry", "area_km2", "updated_at"])
    if place.kind in INDEXED_KINDS:
        geo.geo_bump()
    audit_record(
        action="places.place_set_geometry", actor=actor, actor_name=_actor_name(actor), target=place, detail=detail
    )
    return place


def place_references(place: Place) -> list[str]:
    """What refers to this node from other tables (besides its children), by model name."""
    found = []
    # include_hidden: foreign keys declared with related_name="+" (a person's place, an occupancy's
    # house ...) are not in ``_meta.related_objects``, and deleting under them raised ProtectedError (500).
    relations: list[Any] = [f for f in Place._meta.get_fields(include_hidden=True)
                            if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)]
    for rel in relations:
        if rel.related_model is Place and rel.field.name == "parent":
            continue
        model: Any = rel.related_model
        if model._base_manager.filter(**{rel.field.name: place}).exists():
            found.append(str(model._meta.verbose_name_plural))
    return found


@transaction.atomic
def place_delete(*, place: Place, actor) -> None:
    """Delete a node that has nothing under it and that nothing refers to."""
    refdata_changed("places")  # the routing facts cached by the intake (core/refdata.py)
    place = _locked(place)
    _require_change(actor, place.path)
    children = Place.objects.filter(parent=place).count()
    if children:
        raise Refused(
            _("This place cannot be deleted while %(n)d places lie under it.") % {"n": children}, code="not_empty"
        )
    refs = place_references(place)
    if refs:
        raise Refused(
            _("This place cannot be deleted: %(what)s refer to it.") % {"what": "、".join(refs)}, code="referenced"
        )
    audit_record(
        action="places.place_delete", actor=actor, actor_name=_actor_name(actor), target=place,
        detail={"kind": place.kind, "code": place.code, "parent": place.parent_id, "path": place.path},
    )
    indexed = place.kind in INDEXED_KINDS and place.geometry is not None
    try:
        with transaction.atomic():
            place.delete()
    except (ProtectedError, RestrictedError) as exc:  # a reference the check above did not know
        raise Refused(_("This place cannot be deleted: %(what)s refer to it.") % {
            "what": "、".join(sorted({str(o._meta.verbose_name_plural) for o in exc.args[1]}))}, code="referenced") from None
    if indexed:
        geo.geo_bump()
