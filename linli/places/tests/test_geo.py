"""Boundaries: validation, areas, and the point-to-grid index with its invalidation."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from linli.core.errors import Invalid
from linli.core.models import AuditEntry
from linli.places import geo
from linli.places.actions import place_create, place_delete, place_move, place_set_geometry
from linli.places.models import BoundaryVersion, PlaceKind
from linli.places.tests.shapes import square

# Two neighbouring grids sharing the meridian 120.16 (Hangzhou), and a third further east.
A = square(120.15, 30.25)  # 120.15–120.16
B = square(120.16, 30.25)  # 120.16–120.17


def test_validate_accepts_feature_and_feature_collection():
    feature = {"type": "Feature", "properties": {}, "geometry": A}
    collection = {"type": "FeatureCollection", "features": [feature]}
    for data in (A, feature, collection, json.dumps(collection), json.dumps(A).encode()):
        cleaned, shape = geo.validate_geometry(data, allowed=geo.POLYGON_TYPES)
        assert cleaned["type"] == "Polygon" and shape.is_valid


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "four"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}, "180"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 95], [1, 1], [0, 0]]]}, "90"),
        # a bow tie: closed but self-intersecting
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "valid"),
        ({"type": "Point", "coordinates": [120.1, 30.2]}, "Polygon"),
        ({"type": "Polygon", "coordinates": [[["a", 0], [1, 0], [1, 1], [0, 0]]]}, "longitude"),
        ({"type": "FeatureCollection", "features": []}, "exactly one"),
        ("{not json", "JSON"),
    ],
)
def test_validate_refuses_bad_geometry(data, needle):
    with translation.override("en"), pytest.raises(Invalid) as exc:
        geo.validate_geometry(data, allowed=geo.POLYGON_TYPES)
    with translation.override("en"):
        assert needle in str(exc.value.message)
    assert "geometry" in exc.value.fields


def test_area_of_a_known_square_is_close_to_geodesic():
    # 0.01° × 0.01° at 30.25° N ≈ 1.1119 km × 0.9609 km ≈ 1.068 km²
    _, shape = geo.validate_geometry(A, allowed=geo.POLYGON_TYPES)
    assert geo.area_km2(shape) == pytest.approx(1.0685, rel=0.005)


def test_set_geometry_stores_area_and_audits(world, community_staff):
    grid = place_set_geometry(place=world.grid_a, geometry=A, actor=community_staff)
    grid.refresh_from_db()
    assert grid.geometry["type"] == "Polygon"
    assert grid.area_km2 == pytest.approx(1.0685, rel=0.005)
    entry = AuditEntry.objects.filter(action="places.place_set_geometry").get()
    assert entry.detail["geometry"] == "Polygon" and entry.detail["vertices"] == 5


def test_set_geometry_accepts_an_uploaded_file(world, community_staff):
    upload = SimpleUploadedFile("grid.geojson", json.dumps({"type": "Feature", "geometry": B}).encode())
    grid = place_set_geometry(place=world.grid_a, geometry=upload, actor=community_staff)
    assert grid.geometry["coordinates"][0][0] == [120.16, 30.25]


def test_building_takes_a_point_and_house_takes_nothing(world):
    compound = place_create(kind=PlaceKind.COMPOUND, name="c", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="b", parent=compound)
    house = place_create(kind=PlaceKind.HOUSE, name="h", parent=building)
    building = place_set_geometry(place=building, geometry={"type": "Point", "coordinates": [120.155, 30.255]}, actor=None)
    assert building.geometry == {"type": "Point", "coordinates": [120.155, 30.255]} and building.area_km2 is None
    with pytest.raises(Invalid):
        place_set_geometry(place=building, geometry=A, actor=None)
    with pytest.raises(Invalid):
        place_set_geometry(place=house, geometry={"type": "Point", "coordinates": [120.155, 30.255]}, actor=None)


def test_set_geometry_none_clears(world):
    place_set_geometry(place=world.grid_a, geometry=A, actor=None)
    grid = place_set_geometry(place=world.grid_a, geometry=None, actor=None)
    grid.refresh_from_db()
    assert grid.geometry is None and grid.area_km2 is None


# --- point index ----------------------------------------------------------------------------------------


def test_grid_at_finds_the_grid_holding_the_point(world):
    place_set_geometry(place=world.grid_a, geometry=A, actor=None)
    place_set_geometry(place=world.grid_b, geometry=B, actor=None)
    assert geo.grid_at(120.155, 30.255) == world.grid_a.pk
    assert geo.grid_at(120.165, 30.255) == world.grid_b.pk
    assert geo.grid_at(120.175, 30.255) is None
    assert geo.grid_at(500, 30) is None


def test_point_on_a_shared_border_goes_to_the_smaller_grid_then_lowest_id(world):
    place_set_geometry(place=world.grid_a, geometry=A, actor=None)
    place_set_geometry(place=world.grid_b, geometry=B, actor=None)
    # equal areas: the lower id wins
    assert geo.grid_at(120.16, 30.255) == min(world.grid_a.pk, world.grid_b.pk)
    # make B smaller (same western edge): now B wins on the border
    place_set_geometry(place=world.grid_b, geometry=square(120.16, 30.25, 0.005), actor=None)
    assert geo.grid_at(120.16, 30.252) == world.grid_b.pk


def test_overlapping_grids_resolve_to_the_smallest(world):
    place_set_geometry(place=world.grid_a, geometry=square(120.10, 30.20, 0.10), actor=None)
    place_set_geometry(place=world.grid_c, geometry=square(120.15, 30.25, 0.01), actor=None)
    assert geo.grid_at(120.155, 30.255) == world.grid_c.pk
    assert geo.grid_at(120.12, 30.22) == world.grid_a.pk


def test_changing_a_boundary_changes_the_answer_in_the_same_process(world, settings):
    settings.LINLI_GEO_CHECK_SECONDS = 3600  # no periodic check: only the bump may refresh the index
    place_set_geometry(place=world.grid_a, geometry=A, actor=None)
    assert geo.grid_at(120.155, 30.255) == world.grid_a.pk
    assert geo.grid_at(120.165, 30.255) is None
    place_set_geometry(place=world.grid_a, geometry=B, actor=None)
    assert geo.grid_at(120.155, 30.255) is None
    assert geo.grid_at(120.165, 30.255) == world.grid_a.pk


def test_deleting_a_grid_removes_it_from_the_index(world, settings):
    settings.LINLI_GEO_CHECK_SECONDS = 3600
    grid = place_create(kind=PlaceKind.GRID, name="临时网格", parent=world.community, geometry=A)
    assert geo.grid_at(120.155, 30.255) == grid.pk
    place_delete(place=grid, actor=None)
    assert geo.grid_at(120.155, 30.255) is None


def test_another_process_sees_the_change_through_the_version(world, settings):
    """Simulate a second process: its index was built before the change and it was not told directly;
    it rebuilds because the version in the database (and so in the cache) moved."""
    settings.LINLI_GEO_CHECK_SECONDS = 0
    place_set_geometry(place=world.grid_a, geometry=A, actor=None)
    assert geo.grid_at(120.155, 30.255) == world.grid_a.pk
    before = BoundaryVersion.objects.get(pk=1).n
    place_set_geometry(place=world.grid_a, geometry=B, actor=None)
    assert BoundaryVersion.objects.get(pk=1).n == before + 1
    geo._force = False  # this "process" was not the one that made the change
    assert geo.grid_at(120.165, 30.255) == world.grid_a.pk


def test_stale_index_is_kept_between_checks(world, settings):
    """Within the check interval and without a local bump the index is reused (cheap lookups)."""
    settings.LINLI_GEO_CHECK_SECONDS = 3600
    place_set_geometry(place=world.grid_a, geometry=A, actor=None)
    assert geo.grid_at(120.155, 30.255) == world.grid_a.pk
    from linli.places.models import Place

    Place.objects.filter(pk=world.grid_a.pk).update(geometry=B)  # behind the actions' back
    assert geo.grid_at(120.155, 30.255) == world.grid_a.pk


def test_moving_bumps_the_version(world):
    before = BoundaryVersion.objects.get(pk=1).n
    area = place_create(kind=PlaceKind.AREA, name="片区", parent=world.community)
    place_move(place=world.grid_a, new_parent=area, actor=None)
    assert BoundaryVersion.objects.get(pk=1).n == before + 1


def test_compound_at(world):
    compound = place_create(kind=PlaceKind.COMPOUND, name="小区", parent=world.grid_a, geometry=square(120.151, 30.251, 0.002))
    place_set_geometry(place=world.grid_a, geometry=A, actor=None)
    assert geo.compound_at(120.152, 30.252) == compound.pk
    assert geo.compound_at(120.158, 30.258) is None
    assert geo.grid_at(120.152, 30.252) == world.grid_a.pk


def test_multipolygon_grid(world):
    multi = {"type": "MultiPolygon", "coordinates": [A["coordinates"], square(120.20, 30.25)["coordinates"]]}
    place_set_geometry(place=world.grid_b, geometry=multi, actor=None)
    assert geo.grid_at(120.205, 30.255) == world.grid_b.pk
    assert geo.grid_at(120.155, 30.255) == world.grid_b.pk
    assert geo.grid_at(120.185, 30.255) is None


def test_grids_at_answers_many_points_like_grid_at(world):
    place_set_geometry(place=world.grid_a, geometry=A, actor=None)
    place_set_geometry(place=world.grid_b, geometry=B, actor=None)
    points = [(120.155, 30.255), (120.165, 30.255), (120.16, 30.255), (120.175, 30.255), (500.0, 30.0)]
    assert geo.grids_at(points) == [geo.grid_at(lon, lat) for lon, lat in points]
    assert geo.grids_at(points)[:2] == [world.grid_a.pk, world.grid_b.pk]
    assert geo.grids_at(points)[3:] == [None, None]
    assert geo.grids_at([]) == []


def test_index_kind_names_match_the_place_kinds():
    assert (PlaceKind.GRID.value, PlaceKind.COMPOUND.value) == (geo.GRID, geo.COMPOUND)
