"""Reads about the place tree, scoped to what the user may see."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet

from linli.core.access import scope_of
from linli.places.access import access_place
from linli.places.models import Place, PlaceKind

MAX_CHILDREN = 1000
MAP_KINDS = (PlaceKind.GRID, PlaceKind.COMPOUND)
# A run of Arabic digits, or of Chinese numerals (第十一网格, 二十三号楼).
_DIGITS = re.compile(r"(\d+|[零〇一二两三四五六七八九十百千]+)")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def _chinese_number(text: str) -> int:
    """一 → 1, 十一 → 11, 二十 → 20, 一百零五 → 105; digit by digit when there is no unit (二〇二四 → 2024)."""
    if not any(ch in _CN_UNITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            digit = _CN_DIGITS[ch]
    return total + digit


def natural_key(name: str) -> tuple:
    """The order people count in: "2号楼" before "10号楼", 第四网格 before 第五, 第十网格 before 第十一.
    Numbers and text alternate, so two keys compare part by part without mixing types."""
    parts: list[int | str] = []
    for i, part in enumerate(_DIGITS.split(name or "")):
        parts.append(part if i % 2 == 0 else int(part) if part.isdigit() else _chinese_number(part))
    return tuple(parts)


def _with_counts(qs: QuerySet[Place]) -> QuerySet[Place]:
    return qs.annotate(child_count=Count("children"))


def place_roots(user: Any) -> list[Place]:
    """The nodes the user's scope starts from (their street, community or grid), with child counts."""
    paths = scope_of(user).place_paths
    if not paths:
        return []
    roots = list(_with_counts(Place.objects.filter(path__in=paths)))
    return sorted(roots, key=lambda p: (p.depth, natural_key(p.name)))


def place_children(user: Any, parent_id: Any) -> tuple[Place, list[Place]]:
    """A node (404 when out of scope) and its children the user may see, naturally sorted, each with
    ``child_count``. Two queries."""
    parent = access_place(user, parent_id)
    return parent, children_of(user, parent)


def children_of(user: Any, parent: Place) -> list[Place]:
    """The children of a node the caller already holds, as ``place_children`` gives them. One query."""
    children = _with_counts(Place.objects.visible_to(user).filter(parent_id=parent.pk))[:MAX_CHILDREN]
    return sorted(children, key=lambda p: natural_key(p.name))


def place_ancestors(place: Place) -> list[Place]:
    """From the root down to the parent (names are visible to anyone who sees the node)."""
    ids = place.ancestor_ids()
    if not ids:
        return []
    return list(Place.objects.filter(pk__in=ids).only("id", "name", "kind", "path", "depth").order_by("depth"))


def place_subtree_counts(place: Place, *, user: Any = None) -> dict[str, int]:
    """How many nodes of each kind lie under ``place`` (not counting itself); with ``user``, only those
    the user may see (a grid worker looking at their community counts their own grid). One query."""
    qs = Place.objects.visible_to(user) if user is not None else Place.objects.all()
    rows = (
        qs.filter(path__startswith=place.path)
        .exclude(pk=place.pk)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {kind: 0 for kind in PlaceKind.values if kind != PlaceKind.CITY}
    for row in rows:
        counts[row["kind"]] = row["n"]
    return counts


def district_code_of(path: str) -> str:
    """The 6-digit GB/T 2260 county code of the district a path lies in: the district node's code in a
    city tree, else the street's county code; "" when neither is known. One query by primary keys."""
    ids = [int(p) for p in (path or "").split("/") if p.isdigit()]
    if not ids:
        return ""
    rows = Place.objects.filter(pk__in=ids, kind__in=(PlaceKind.DISTRICT, PlaceKind.STREET)).values_list(
        "kind", "code", "district_code"
    )
    found = {kind: code if kind == PlaceKind.DISTRICT else district for kind, code, district in rows}
    return found.get(PlaceKind.DISTRICT) or found.get(PlaceKind.STREET) or ""


def grid_of_place(place: Place) -> Place | None:
    """The grid a node lies in (the node itself for a grid), or None above grid level."""
    if place.kind == PlaceKind.GRID:
        return place
    ids = place.ancestor_ids()
    return Place.objects.filter(pk__in=ids, kind=PlaceKind.GRID).order_by("-depth").first() if ids else None


def compound_kind_of(place: Place | None) -> str:
    """The kind (三区) of the compound a node lies in (the node itself for a compound), "" when none."""
    if place is None:
        return ""
    if place.kind == PlaceKind.COMPOUND:
        return place.compound_kind or ""
    ids = place.ancestor_ids()
    if not ids:
        return ""
    found = Place.objects.filter(pk__in=ids, kind=PlaceKind.COMPOUND).values_list("compound_kind", flat=True).first()
    return found or ""


def community_of_place(place: Place) -> Place | None:
    if place.kind == PlaceKind.COMMUNITY:
        return place
    ids = place.ancestor_ids()
    return Place.objects.filter(pk__in=ids, kind=PlaceKind.COMMUNITY).first() if ids else None


def _feature(place: Place, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": place.pk,
        "geometry": place.geometry,
        "properties": {
            "id": place.pk,
            "name": place.name,
            "kind": place.kind,
            "kind_label": str(place.get_kind_display()),
            "code": place.code,
            "parent_id": place.parent_id,
            "area_km2": place.area_km2,
            "compound_kind": place.compound_kind,
            **extra,
        },
    }


_FEATURE_FIELDS = ("id", "name", "kind", "code", "parent_id", "area_km2", "compound_kind", "geometry", "path")


def place_geojson(user: Any, root: Place, *, kinds: tuple[str, ...] = MAP_KINDS) -> dict[str, Any]:
    """A FeatureCollection of the nodes of ``kinds`` under ``root`` (and root itself when it has a
    boundary) that the user may see and that have a geometry. One query."""
    qs = (
        Place.objects.visible_to(user)
        .filter(path__startswith=root.path, geometry__isnull=False)
        .filter(kind__in=(*kinds, root.kind))
        .only(*_FEATURE_FIELDS)
    )
    features = [
        _feature(p, role="self" if p.pk == root.pk else "child")
        for p in qs
        if p.pk == root.pk or p.kind in kinds
    ]
    return {"type": "FeatureCollection", "features": features}


def place_context_geojson(user: Any, place: Place) -> dict[str, Any]:
    """For the boundary editor: the parent, the siblings, the node itself and its children, each
    marked with its ``role``. One query."""
    from django.db.models import Q

    q = Q(pk=place.pk) | Q(parent_id=place.pk)
    if place.parent_id:
        q |= Q(pk=place.parent_id) | Q(parent_id=place.parent_id)
    rows = Place.objects.visible_to(user).filter(q, geometry__isnull=False).only(*_FEATURE_FIELDS)
    features = []
    for p in rows:
        if p.pk == place.pk:
            role = "self"
        elif p.pk == place.parent_id:
            role = "parent"
        elif p.parent_id == place.pk:
            role = "child"
        else:
            role = "sibling"
        features.append(_feature(p, role=role))
    return {"type": "FeatureCollection", "features": features}


def move_targets(user: Any, place: Place, *, limit: int = 500) -> list[Place]:
    """Nodes the user may move ``place`` under: the right kind, inside their scope and not inside the
    node's own subtree."""
    from linli.places.actions import ALLOWED_PARENTS

    kinds = [k for k in ALLOWED_PARENTS[place.kind] if k]
    if not kinds:
        return []
    scope = scope_of(user)
    qs = (
        Place.objects.filter(scope.place_q("path"), kind__in=kinds)
        .exclude(path__startswith=place.path)
        .only("id", "name", "kind", "path")
        .order_by("path")[:limit]
    )
    return list(qs)


def building_by_public_code(code: str) -> Place | None:
    """The building with this public code (QR codes; case-insensitive), or None."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return Place.objects.filter(kind=PlaceKind.BUILDING, public_code=code).first()


def place_geometries(ids: set[int] | list[int]) -> dict[int, dict[str, Any]]:
    """{place id: its GeoJSON geometry} of those of ``ids`` that have one (unscoped: for points of
    things the caller already scoped)."""
    if not ids:
        return {}
    rows = Place.objects.filter(pk__in=list(ids), geometry__isnull=False).values_list("pk", "geometry")
    return {pk: geometry for pk, geometry in rows if geometry}


def place_names(ids: list[int]) -> dict[int, str]:
    return dict(Place.objects.filter(pk__in=ids).values_list("id", "name"))


REPORT_PICKER_COMMUNITIES = 50
REPORT_PICKER_BUILDINGS = 1500


def report_place_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """What a resident whose location lies outside every grid chooses from: each community (as a whole)
    with its buildings ("compound · building"), naturally sorted. Bounded: beyond
    ``REPORT_PICKER_COMMUNITIES`` communities only the communities, and at most
    ``REPORT_PICKER_BUILDINGS`` buildings. Two queries."""
    communities = sorted(Place.objects.filter(kind=PlaceKind.COMMUNITY).only("id", "name", "path")[:1000],
                         key=lambda p: natural_key(p.name))
    buildings: list[Place] = []
    if len(communities) <= REPORT_PICKER_COMMUNITIES:
        buildings = list(Place.objects.filter(kind=PlaceKind.BUILDING).select_related("parent")
                         .only("id", "name", "path", "parent__name", "parent__kind")[:REPORT_PICKER_BUILDINGS])
    out = []
    for community in communities:
        inside = [b for b in buildings if b.path.startswith(community.path)]
        labels = [(b.pk, f"{b.parent.name} · {b.name}" if b.parent and b.parent.kind == PlaceKind.COMPOUND
                   else b.name) for b in inside]
        out.append((community.name, [(community.pk, community.name),
                                      *sorted(labels, key=lambda x: natural_key(x[1]))]))
    return out


REPORT_PICKER_KINDS = (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING)


def report_place(place_id: Any) -> Place | None:
    """The place a resident chose in the picker (a community, compound or building), or None."""
    if not str(place_id or "").isdigit():
        return None
    return Place.objects.filter(pk=int(place_id), kind__in=REPORT_PICKER_KINDS).first()


CASE_MAP_NEIGHBOURS = 300


def case_map_geojson(*, grid_id: int | None, place_id: int | None) -> dict[str, Any]:
    """What a case's map shows, from the places' own GeoJSON (no tile server needed): the grid's
    boundary (``role: grid``), the case's building or compound (``role: self``) and the other buildings
    of the grid (``role: nearby``, at most ``CASE_MAP_NEIGHBOURS``). Names of places only. Two queries."""
    features: list[dict[str, Any]] = []
    grid = Place.objects.filter(pk=grid_id).only(*_FEATURE_FIELDS).first() if grid_id else None
    if grid is not None and grid.geometry:
        features.append(_feature(grid, role="grid"))
    if place_id:
        place = Place.objects.filter(pk=place_id).only(*_FEATURE_FIELDS).first()
        if place is not None and place.geometry:
            features.append(_feature(place, role="self"))
    if grid is not None:
        nearby = (Place.objects.filter(path__startswith=grid.path, kind=PlaceKind.BUILDING, geometry__isnull=False)
                  .exclude(pk=place_id or 0).only(*_FEATURE_FIELDS)[:CASE_MAP_NEIGHBOURS])
        features += [_feature(b, role="nearby") for b in nearby]
    return {"type": "FeatureCollection", "features": features}


# The reads other apps make of the tree (they never use Place's manager themselves: docs/architecture.md).


def place_get(value: Any, *, kinds: Iterable[str] | None = None) -> Place | None:
    """The place with this id (a place passes through), of one of ``kinds`` when given; None when missing
    or when ``value`` is not an id."""
    if isinstance(value, Place):
        return value if kinds is None or value.kind in set(kinds) else None
    pk = getattr(value, "pk", value)
    if not str(pk if pk is not None else "").strip().isdigit():
        return None
    qs = Place.objects.filter(pk=int(str(pk).strip()))
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return qs.first()


def place_at_path(path: str) -> Place | None:
    """The place whose materialised path is ``path``, or None."""
    return Place.objects.filter(path=path).first() if path else None


def places_by_ids(ids: Iterable[Any], *, kinds: Iterable[str] | None = None) -> QuerySet[Place]:
    qs = Place.objects.filter(pk__in=ids)
    return qs.filter(kind__in=list(kinds)) if kinds is not None else qs


def places_by_paths(paths: Iterable[str], *, kinds: Iterable[str] | None = None) -> QuerySet[Place]:
    qs = Place.objects.filter(path__in=paths)
    return qs.filter(kind__in=list(kinds)) if kinds is not None else qs


def places_of_kind(*kinds: str, under: str | None = None) -> QuerySet[Place]:
    """Every place of these kinds (all kinds when none is named), below the path ``under`` when given."""
    qs = Place.objects.all()
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.filter(path__startswith=under) if under else qs


def places_visible_to(user: Any, *kinds: str) -> QuerySet[Place]:
    """The places ``user`` may see (their scope, its subtree and its ancestors), of these kinds when named."""
    qs = Place.objects.visible_to(user)
    return qs.filter(kind__in=kinds) if kinds else qs



def communities_of(user: Any) -> list[Place]:
    """The one "communities of a user": those under their scope and those containing it (a grid worker's
    community), by path. For switchers and choices on every app's pages."""
    from linli.places.kinds import PlaceKind

    return list(places_visible_to(user, PlaceKind.COMMUNITY).order_by("path"))


def places_in_scope(scope: Any, *kinds: str) -> QuerySet[Place]:
    """The places at or below the nodes of ``scope`` (a core.access.Scope; no ancestors), of these kinds
    when named."""
    qs = Place.objects.filter(scope.place_q("path"))
    return qs.filter(kind__in=kinds) if kinds else qs


def is_place(value: Any) -> bool:
    """Whether ``value`` is a place of the tree (a model instance, not an id)."""
    return isinstance(value, Place)


def grid_at(lon: float, lat: float) -> int | None:
    """The id of the grid whose boundary holds this point (places.geo: smallest area wins)."""
    from linli.places import geo

    return geo.grid_at(lon, lat)


def compound_at(lon: float, lat: float) -> int | None:
    """The id of the compound whose boundary holds this point (places.geo: smallest area wins)."""
    from linli.places import geo

    return geo.compound_at(lon, lat)


def place_point(place: Place) -> tuple[float | None, float | None]:
    """A place's point (lon, lat): a building's own point, else a point inside the nearest boundary up the
    tree; (None, None) when no node up to the root has a geometry."""
    from linli.places.geo import geometry_of

    node = place
    for _i in range(8):
        geom = geometry_of(node.geometry) if node.geometry else None
        if geom is not None and not geom.is_empty:
            point = geom if geom.geom_type == "Point" else geom.representative_point()
            return round(point.x, 6), round(point.y, 6)
        if node.parent_id is None:
            break
        node = Place.objects.only("id", "parent_id", "geometry").get(pk=node.parent_id)
    return None, None
