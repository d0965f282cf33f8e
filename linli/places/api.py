"""Places API: the tree as the user may see it."""

from __future__ import annotations

from ninja import Router, Schema

from linli.core.api import PAGE_SIZE, page_of, paged
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


@router.get("", response=page_of(PlaceOut), summary="Places I may see (oldest first)")
def place_list(
    request, kind: str | None = None, parent_id: int | None = None, after: int | None = None, size: int = PAGE_SIZE
):
    qs = Place.objects.visible_to(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    fields = qs.only("id", "kind", "name", "code", "parent_id", "path")
    return paged(fields, lambda place: place, after=after, size=size, ascending=True)


@router.get("/{int:place_id}", response=PlaceOut, summary="One place")
def place_detail(request, place_id: int):
    return access_place(request.auth, place_id)


# --- writes, boundaries and point lookup (the place tree actions) ----------------------------------------

from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

from ninja import Status  # noqa: E402

from linli.places import actions as place_actions  # noqa: E402
from linli.places import geo as place_geo  # noqa: E402
from linli.places import selectors as place_selectors  # noqa: E402


class PlaceFullOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    parent_id: int | None
    path: str
    depth: int
    district_code: str
    compound_kind: str
    floors: int | None
    usage: str
    floor: int | None
    area_m2: Decimal | None
    area_km2: float | None
    public_code: str | None
    geometry: dict[str, Any] | None


class PlaceCreateIn(Schema):
    kind: str
    name: str
    parent_id: int
    code: str = ""
    compound_kind: str | None = None
    floors: int | None = None
    usage: str | None = None
    floor: int | None = None
    area_m2: Decimal | None = None
    geometry: dict[str, Any] | None = None


class PlaceUpdateIn(Schema):
    name: str | None = None
    code: str | None = None
    district_code: str | None = None
    compound_kind: str | None = None
    floors: int | None = None
    usage: str | None = None
    floor: int | None = None
    area_m2: Decimal | None = None


class PlaceMoveIn(Schema):
    parent_id: int
    code: str | None = None


class PlaceGeometryIn(Schema):
    geometry: dict[str, Any] | None


class LocateOut(Schema):
    lon: float
    lat: float
    grid: PlaceOut | None
    compound: PlaceOut | None


@router.get("/locate", response=LocateOut, summary="Which grid and compound hold this point")
def place_locate(request, lon: float, lat: float):
    """The grid and the compound whose boundaries hold (lon, lat), WGS 84; null when none holds it or
    it lies outside what the caller may see."""
    found = {"grid": place_geo.grid_at(lon, lat), "compound": place_geo.compound_at(lon, lat)}
    ids = [pk for pk in found.values() if pk is not None]
    visible = {p.pk: p for p in Place.objects.visible_to(request.auth).filter(pk__in=ids)} if ids else {}
    return {"lon": lon, "lat": lat, **{k: visible.get(pk) if pk else None for k, pk in found.items()}}


@router.post("", response={201: PlaceFullOut}, summary="Create a place under a parent")
def place_create_endpoint(request, payload: PlaceCreateIn):
    parent = access_place(request.auth, payload.parent_id)
    attrs = payload.dict(exclude_none=True, exclude={"kind", "name", "parent_id", "code", "geometry"})
    place = place_actions.place_create(
        kind=payload.kind, name=payload.name, parent=parent, code=payload.code, actor=request.auth,
        geometry=payload.geometry, **attrs,
    )
    return Status(201, place)


@router.patch("/{int:place_id}", response=PlaceFullOut, summary="Rename, recode or change attributes")
def place_update_endpoint(request, place_id: int, payload: PlaceUpdateIn):
    place = access_place(request.auth, place_id)
    changes = payload.dict(exclude_unset=True)
    return place_actions.place_update(place=place, actor=request.auth, **changes)


@router.post("/{int:place_id}/move", response=PlaceFullOut, summary="Move a place (and its subtree) under a new parent")
def place_move_endpoint(request, place_id: int, payload: PlaceMoveIn):
    place = access_place(request.auth, place_id)
    new_parent = access_place(request.auth, payload.parent_id)
    return place_actions.place_move(place=place, new_parent=new_parent, actor=request.auth, code=payload.code)


@router.patch("/{int:place_id}/geometry", response=PlaceFullOut, summary="Set or clear a boundary (GeoJSON)")
def place_geometry_endpoint(request, place_id: int, payload: PlaceGeometryIn):
    place = access_place(request.auth, place_id)
    return place_actions.place_set_geometry(place=place, geometry=payload.geometry, actor=request.auth)


@router.delete("/{int:place_id}", response={204: None}, summary="Delete an empty, unreferenced place")
def place_delete_endpoint(request, place_id: int):
    place = access_place(request.auth, place_id)
    place_actions.place_delete(place=place, actor=request.auth)
    return Status(204, None)


@router.get("/{int:place_id}/geojson", summary="Grids and compounds under a place, as a FeatureCollection")
def place_geojson_endpoint(request, place_id: int, kinds: str = "grid,compound"):
    place = access_place(request.auth, place_id)
    wanted = tuple(k for k in (s.strip() for s in kinds.split(",")) if k in place_actions.ALLOWED_PARENTS)
    return place_selectors.place_geojson(request.auth, place, kinds=wanted or place_selectors.MAP_KINDS)
