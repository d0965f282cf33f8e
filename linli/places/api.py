"""Places API: the tree as the user may see it."""

from __future__ import annotations

from ninja import Router, Schema

from linli.places.access import access_place
from linli.places.models import Place

router = Router(tags=["places"])


class PlaceOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    parent_id: int | None
    path: str


@router.get("", response=list[PlaceOut], summary="Places I may see")
def place_list(request, kind: str | None = None, parent_id: int | None = None):
    qs = Place.objects.visible_to(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    return list(qs.only("id", "kind", "name", "code", "parent_id", "path")[:1000])


@router.get("/{place_id}", response=PlaceOut, summary="One place")
def place_detail(request, place_id: int):
    return access_place(request.auth, place_id)
