"""Boundaries: GeoJSON validation, areas, and "which grid is this point in".

Geometries are GeoJSON (RFC 7946) in WGS 84 longitude/latitude, stored on ``Place.geometry``.

The point lookup uses an in-memory shapely STRtree per process, built lazily on first use and kept
current by a version counter: ``BoundaryVersion.n`` in the database, incremented in the same
transaction by every action that changes boundaries (``place_set_geometry``, ``place_move``,
``place_delete`` call ``geo_bump()``), and mirrored in the Django cache. ``geo_bump()`` also marks this
process's index dirty, so the next lookup in this process rebuilds at once. Other processes compare
their index's version with the cached one at most every ``LINLI_GEO_CHECK_SECONDS`` (default 2 s; 0
checks on every call) and rebuild when it differs. With a shared cache (Redis) they see a change at
their next check; with a per-process cache once the cached copy expires (``LINLI_GEO_VERSION_TTL``,
default 30 s), since the counter itself lives in the database.

Points on a shared border, or inside overlapping boundaries, resolve deterministically: the smallest
area wins, then the lowest id.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from linli.core.batches import keyset_iter
from linli.core.errors import Invalid

EARTH_RADIUS_M = 6_371_008.8
MAX_VERTICES = 50_000
MAX_GEOJSON_BYTES = 5 * 1024 * 1024
POLYGON_TYPES = ("Polygon", "MultiPolygon")
VERSION_KEY = "places:geo-version:v1"


# --- validation --------------------------------------------------------------------------------------


def _invalid(message: Any) -> Invalid:
    return Invalid(message, code="bad_geometry", fields={"geometry": [message]})


def parse_geojson(data: Any) -> dict[str, Any]:
    """A GeoJSON geometry dict from a dict, JSON text or bytes. A Feature, or a FeatureCollection of
    exactly one feature, gives its geometry."""
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_GEOJSON_BYTES:
            raise _invalid(_("The GeoJSON file is too large."))
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _invalid(_("The GeoJSON file is not UTF-8 text.")) from exc
    if isinstance(data, str):
        if len(data) > MAX_GEOJSON_BYTES:
            raise _invalid(_("The GeoJSON file is too large."))
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise _invalid(_("This is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise _invalid(_("GeoJSON must be an object."))
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise _invalid(_("A FeatureCollection must hold exactly one feature."))
        data = features[0]
        if not isinstance(data, dict):
            raise _invalid(_("GeoJSON must be an object."))
        kind = data.get("type")
    if kind == "Feature":
        data = data.get("geometry")
        if not isinstance(data, dict):
            raise _invalid(_("The feature has no geometry."))
    return data


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise _invalid(_("A position must be [longitude, latitude]."))
    lon, lat = value[0], value[1]
    if isinstance(lon, bool) or isinstance(lat, bool) or not isinstance(lon, int | float) or not isinstance(lat, int | float):
        raise _invalid(_("A position must be [longitude, latitude]."))
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180) or not (-90 <= lat <= 90):
        raise _invalid(_("Coordinates must be longitude −180…180 and latitude −90…90."))
    return float(lon), float(lat)


def _ring(value: Any) -> list[list[float]]:
    if not isinstance(value, list) or len(value) < 4:
        raise _invalid(_("A ring needs at least four positions."))
    ring = [list(_position(p)) for p in value]
    if ring[0] != ring[-1]:
        raise _invalid(_("A ring must be closed: its last position must equal its first."))
    return ring


def _polygon(value: Any) -> list[list[list[float]]]:
    if not isinstance(value, list) or not value:
        raise _invalid(_("A polygon needs at least one ring."))
    return [_ring(r) for r in value]


def validate_geometry(data: Any, *, allowed: tuple[str, ...]) -> tuple[dict[str, Any], BaseGeometry]:
    """Parse and check a geometry: the type is allowed, positions are lon/lat in range, rings are closed,
    and shapely finds it valid. Returns the cleaned GeoJSON (2D) and the shapely geometry."""
    geo = parse_geojson(data)
    kind = geo.get("type")
    coords = geo.get("coordinates")
    if kind not in allowed:
        raise _invalid(
            _("This place takes a geometry of type %(allowed)s, not %(given)s.")
            % {"allowed": " / ".join(allowed), "given": kind or "?"}
        )
    if kind == "Point":
        clean: Any = list(_position(coords))
    elif kind == "Polygon":
        clean = _polygon(coords)
    elif kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise _invalid(_("A MultiPolygon needs at least one polygon."))
        clean = [_polygon(p) for p in coords]
    else:  # pragma: no cover - ``allowed`` only names the types above
        raise _invalid(_("Unsupported geometry type."))
    cleaned = {"type": kind, "coordinates": clean}
    geom = shape(cleaned)
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise _invalid(_("The boundary has too many vertices."))
    if not geom.is_valid:
        raise _invalid(_("The boundary is not a valid shape: %(reason)s") % {"reason": explain_validity(geom)})
    if kind != "Point" and geom.area == 0:
        raise _invalid(_("The boundary encloses no area."))
    return cleaned, geom


def area_km2(geom: BaseGeometry) -> float:
    """Area in km² through a local equirectangular projection around the shape's centre (good to well
    under 1% at the size of a street)."""
    if geom.is_empty or geom.geom_type not in POLYGON_TYPES:
        return 0.0
    lat0 = math.radians(geom.centroid.y)
    k = math.radians(1) * EARTH_RADIUS_M
    scale = np.array([k * math.cos(lat0), k])
    projected = shapely.transform(geom, lambda xy: xy * scale)
    return float(projected.area) / 1_000_000


def geometry_of(place_geometry: dict[str, Any] | None) -> BaseGeometry | None:
    if not place_geometry:
        return None
    try:
        return shape(place_geometry)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    return dict(mapping(geom))


# --- the point index -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    """One kind's boundaries, ordered by (area, id) so that the lowest position among hits wins."""

    tree: shapely.STRtree | None
    ids: np.ndarray

    def at(self, point: BaseGeometry) -> int | None:
        if self.tree is None:
            return None
        hits = self.tree.query(point, predicate="intersects")
        if len(hits) == 0:
            return None
        return int(self.ids[hits.min()])

    def at_many(self, points: np.ndarray) -> list[int | None]:
        result: list[int | None] = [None] * len(points)
        if self.tree is None or not len(points):
            return result
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        best: dict[int, int] = {}
        for p, g in zip(point_idx.tolist(), geom_idx.tolist(), strict=True):
            if p not in best or g < best[p]:
                best[p] = g
        for p, g in best.items():
            result[p] = int(self.ids[g])
        return result


@dataclass(frozen=True)
class _Index:
    version: Any
    layers: dict[str, _Layer]


_lock = threading.Lock()
_index: _Index | None = None
_force = True  # rebuild at the next lookup whatever the version says
_next_check_at = 0.0  # time.monotonic() after which a lookup compares versions again


def _check_seconds() -> float:
    return float(getattr(settings, "LINLI_GEO_CHECK_SECONDS", 2.0))


def _version_from_db() -> int:
    from linli.places.models import BoundaryVersion

    return BoundaryVersion.objects.filter(pk=1).values_list("n", flat=True).first() or 0


def geo_version() -> int:
    """The current boundary version (from the cache; read from the database when not cached)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _version_from_db()
        cache.set(VERSION_KEY, version, int(getattr(settings, "LINLI_GEO_VERSION_TTL", 30)))
    return int(version)


def _forget_cached_version() -> None:
    cache.delete(VERSION_KEY)


def geo_bump() -> None:
    """Boundaries changed (call inside the action's transaction): increment the counter, drop the cached
    copy now and again after commit (so no process keeps a version read before the commit), and make
    this process rebuild its index at the next lookup."""
    global _force
    from django.db.models import F

    from linli.places.models import BoundaryVersion

    if not BoundaryVersion.objects.filter(pk=1).update(n=F("n") + 1):
        BoundaryVersion.objects.update_or_create(pk=1, defaults={"n": 1})
    _forget_cached_version()
    transaction.on_commit(_forget_cached_version)
    _force = True


def _build(version: Any) -> _Index:
    from linli.places.models import Place

    rows: dict[str, list[tuple[float, int, BaseGeometry]]] = {GRID: [], COMPOUND: []}
    qs = Place.objects.filter(kind__in=tuple(rows), geometry__isnull=False).values_list("id", "kind", "geometry")
    for pk, kind, data in keyset_iter(qs):
        geom = geometry_of(data)
        if geom is None or geom.is_empty or geom.geom_type not in POLYGON_TYPES:
            continue
        rows[kind].append((geom.area, pk, geom))
    layers = {}
    for kind, items in rows.items():
        items.sort(key=lambda r: (r[0], r[1]))
        geoms = np.array([g for _, _, g in items], dtype=object)
        if len(geoms):
            shapely.prepare(geoms)
        layers[kind] = _Layer(
            tree=shapely.STRtree(geoms) if len(geoms) else None,
            ids=np.array([pk for _, pk, _ in items], dtype=np.int64),
        )
    return _Index(version=version, layers=layers)


def _current_index() -> _Index:
    global _index, _force, _next_check_at
    index = _index
    now = time.monotonic()
    if index is not None and not _force and now < _next_check_at:
        return index
    with _lock:
        force, _force = _force, False
        _next_check_at = now + _check_seconds()
        version = geo_version()
        if force or _index is None or _index.version != version:
            _index = _build(version)
        return _index


def reset_index() -> None:
    """Forget this process's index (tests)."""
    global _index, _force
    with _lock:
        _index = None
        _force = True


GRID = "grid"
COMPOUND = "compound"


def _lookup(kind: str, lon: float, lat: float) -> int | None:
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    layer = _current_index().layers.get(kind)
    if layer is None:
        return None
    return layer.at(shapely.Point(lon, lat))


def grid_at(lon: float, lat: float) -> int | None:
    """The id of the grid whose boundary holds this point (smallest area wins, then the lowest id)."""
    return _lookup(GRID, lon, lat)


def compound_at(lon: float, lat: float) -> int | None:
    """The id of the compound whose boundary holds this point (smallest area wins, then the lowest id)."""
    return _lookup(COMPOUND, lon, lat)


def grids_at(points: list[tuple[float, float]]) -> list[int | None]:
    """``grid_at`` for many (lon, lat) points at once (an import, a map layer): one vectorised query."""
    layer = _current_index().layers.get(GRID)
    if layer is None or not points:
        return [None] * len(points)
    coords = np.asarray(points, dtype=float).reshape(-1, 2)
    ok = (np.abs(coords[:, 0]) <= 180) & (np.abs(coords[:, 1]) <= 90)
    found = layer.at_many(shapely.points(np.where(ok[:, None], coords, 0.0)))
    return [f if good else None for f, good in zip(found, ok.tolist(), strict=True)]
