"""Places API writes, GeoJSON and point lookup: through the actions, scoped (404 out of scope)."""

import pytest

from linli.accounts.actions import token_issue
from linli.core.models import AuditEntry
from linli.places.actions import place_create, place_set_geometry
from linli.places.models import Place, PlaceKind
from linli.places.tests.shapes import square

BASE = "/api/v1/places"


def bearer(user):
    _, raw = token_issue(user=user, actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_create_a_compound_with_boundary(client, world, community_staff):
    response = client.post(
        BASE,
        {"kind": "compound", "name": "新村", "parent_id": world.grid_a.pk, "compound_kind": "relocation",
         "geometry": square(120.15, 30.25, 0.002)},
        content_type="application/json", **bearer(community_staff),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["compound_kind"] == "relocation" and body["parent_id"] == world.grid_a.pk
    assert body["area_km2"] == pytest.approx(0.0427, rel=0.01)
    assert AuditEntry.objects.filter(action="places.place_create", actor=community_staff, target_id=str(body["id"])).exists()


def test_create_a_building_returns_its_public_code(client, world, community_staff):
    response = client.post(
        BASE, {"kind": "building", "name": "1号楼", "parent_id": world.grid_a.pk, "floors": 7},
        content_type="application/json", **bearer(community_staff),
    )
    assert response.status_code == 201
    assert len(response.json()["public_code"]) == 8 and response.json()["floors"] == 7


def test_create_under_a_parent_outside_scope_is_404(client, world, outsider):
    response = client.post(
        BASE, {"kind": "compound", "name": "x", "parent_id": world.grid_a.pk},
        content_type="application/json", **bearer(outsider),
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Place.objects.filter(name="x").exists()


def test_create_by_grid_worker_is_403(client, world, grid_worker_a):
    response = client.post(
        BASE, {"kind": "compound", "name": "x", "parent_id": world.grid_a.pk},
        content_type="application/json", **bearer(grid_worker_a),
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_create_with_bad_code_is_422_with_field(client, world, street_supervisor):
    response = client.post(
        BASE, {"kind": "community", "name": "x", "parent_id": world.street.pk, "code": "123"},
        content_type="application/json", **bearer(street_supervisor),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "bad_code" and "code" in response.json()["fields"]


def test_patch_renames(client, world, community_staff):
    response = client.patch(
        f"{BASE}/{world.grid_a.pk}", {"name": "改名网格"}, content_type="application/json", **bearer(community_staff)
    )
    assert response.status_code == 200 and response.json()["name"] == "改名网格"
    world.grid_a.refresh_from_db()
    assert world.grid_a.name == "改名网格" and world.grid_a.code == "330102001001-01"


def test_patch_outside_scope_is_404(client, world, outsider):
    response = client.patch(f"{BASE}/{world.grid_a.pk}", {"name": "x"}, content_type="application/json", **bearer(outsider))
    assert response.status_code == 404


def test_move_through_the_api_rewrites_paths(client, world, community_staff):
    compound = place_create(kind=PlaceKind.COMPOUND, name="c", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="b", parent=compound)
    response = client.post(
        f"{BASE}/{compound.pk}/move", {"parent_id": world.grid_b.pk}, content_type="application/json",
        **bearer(community_staff),
    )
    assert response.status_code == 200
    building.refresh_from_db()
    assert building.path == f"{world.grid_b.path}{compound.pk}/{building.pk}/"


def test_move_into_own_subtree_is_409(client, world, community_staff):
    area = place_create(kind=PlaceKind.AREA, name="a", parent=world.community)
    group = place_create(kind=PlaceKind.RESIDENTS_GROUP, name="g", parent=area)
    response = client.post(
        f"{BASE}/{area.pk}/move", {"parent_id": group.pk}, content_type="application/json", **bearer(community_staff)
    )
    assert response.status_code == 409 and response.json()["code"] == "cycle"


def test_set_and_clear_geometry(client, world, community_staff):
    url = f"{BASE}/{world.grid_a.pk}/geometry"
    response = client.patch(url, {"geometry": square(120.15, 30.25)}, content_type="application/json", **bearer(community_staff))
    assert response.status_code == 200 and response.json()["geometry"]["type"] == "Polygon"
    response = client.patch(url, {"geometry": None}, content_type="application/json", **bearer(community_staff))
    assert response.status_code == 200 and response.json()["geometry"] is None


def test_set_invalid_geometry_is_422(client, world, community_staff):
    bad = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    response = client.patch(
        f"{BASE}/{world.grid_a.pk}/geometry", {"geometry": bad}, content_type="application/json", **bearer(community_staff)
    )
    assert response.status_code == 422 and response.json()["code"] == "bad_geometry"


def test_delete_empty_place_and_refuse_non_empty(client, world, community_staff):
    compound = place_create(kind=PlaceKind.COMPOUND, name="c", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="b", parent=compound)
    headers = bearer(community_staff)
    response = client.delete(f"{BASE}/{compound.pk}", **headers)
    assert response.status_code == 409 and response.json()["code"] == "not_empty"
    assert client.delete(f"{BASE}/{building.pk}", **headers).status_code == 204
    assert not Place.objects.filter(pk=building.pk).exists()


def test_geojson_of_a_community(client, world, community_staff, grid_worker_a):
    place_set_geometry(place=world.grid_a, geometry=square(120.15, 30.25), actor=None)
    place_set_geometry(place=world.grid_b, geometry=square(120.16, 30.25), actor=None)
    place_create(kind=PlaceKind.COMPOUND, name="小区", parent=world.grid_a, geometry=square(120.151, 30.251, 0.002))
    response = client.get(f"{BASE}/{world.community.pk}/geojson", **bearer(community_staff))
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert sorted(f["properties"]["name"] for f in body["features"]) == ["小区", "第一网格", "第二网格"]
    # a grid worker sees only their grid's part of the same map
    body = client.get(f"{BASE}/{world.community.pk}/geojson", **bearer(grid_worker_a)).json()
    assert sorted(f["properties"]["name"] for f in body["features"]) == ["小区", "第一网格"]


def test_geojson_outside_scope_is_404(client, world, outsider):
    assert client.get(f"{BASE}/{world.community.pk}/geojson", **bearer(outsider)).status_code == 404


def test_locate_returns_grid_and_compound(client, world, community_staff):
    place_set_geometry(place=world.grid_a, geometry=square(120.15, 30.25), actor=None)
    compound = place_create(kind=PlaceKind.COMPOUND, name="小区", parent=world.grid_a, geometry=square(120.151, 30.251, 0.002))
    body = client.get(f"{BASE}/locate?lon=120.152&lat=30.252", **bearer(community_staff)).json()
    assert body["grid"]["id"] == world.grid_a.pk and body["compound"]["id"] == compound.pk
    body = client.get(f"{BASE}/locate?lon=120.158&lat=30.258", **bearer(community_staff)).json()
    assert body["grid"]["id"] == world.grid_a.pk and body["compound"] is None


def test_locate_hides_grids_outside_scope(client, world, outsider, grid_worker_b):
    place_set_geometry(place=world.grid_a, geometry=square(120.15, 30.25), actor=None)
    for user in (outsider, grid_worker_b):
        body = client.get(f"{BASE}/locate?lon=120.155&lat=30.255", **bearer(user)).json()
        assert body["grid"] is None


def test_locate_needs_authentication(client, world):
    assert client.get(f"{BASE}/locate?lon=120.155&lat=30.255").status_code == 401


def test_locate_rejects_non_numbers(client, world, community_staff):
    assert client.get(f"{BASE}/locate?lon=east&lat=30", **bearer(community_staff)).status_code == 422


def test_non_numeric_place_id_is_404(client, world, community_staff):
    assert client.get(f"{BASE}/abc", **bearer(community_staff)).status_code == 404
