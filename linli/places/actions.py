"""Every write to the place tree."""

from __future__ import annotations

from django.db import transaction

from linli.core.audit import audit_record
from linli.core.errors import Invalid
from linli.places.models import Place, PlaceKind

# Which kinds may sit under which (the optional levels make several parents legal).
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    PlaceKind.STREET: {None},
    PlaceKind.COMMUNITY: {PlaceKind.STREET},
    PlaceKind.AREA: {PlaceKind.COMMUNITY},
    PlaceKind.RESIDENTS_GROUP: {PlaceKind.COMMUNITY, PlaceKind.AREA},
    PlaceKind.GRID: {PlaceKind.COMMUNITY, PlaceKind.AREA, PlaceKind.RESIDENTS_GROUP},
    PlaceKind.COMPOUND: {PlaceKind.GRID},
    PlaceKind.BUILDING: {PlaceKind.COMPOUND, PlaceKind.GRID},
    PlaceKind.ENTRANCE: {PlaceKind.BUILDING},
    PlaceKind.HOUSE: {PlaceKind.ENTRANCE, PlaceKind.BUILDING},
}


@transaction.atomic
def place_create(*, kind: str, name: str, parent: Place | None = None, code: str = "", actor=None) -> Place:
    parent_kind = parent.kind if parent else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise Invalid(f"A {kind} cannot be placed under {parent_kind or 'nothing'}.", code="bad_parent")
    place = Place.objects.create(kind=kind, name=name.strip(), code=code.strip(), parent=parent)
    place.path = f"{parent.path if parent else '/'}{place.pk}/"
    place.depth = (parent.depth + 1) if parent else 0
    place.save(update_fields=["path", "depth"])
    if actor is not None:
        audit_record(action="places.place_create", actor=actor, target=place)
    return place
