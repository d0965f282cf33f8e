"""``places_create_bulk``: many nodes in one action, each checked as ``place_create`` checks one."""

import pytest

from linli.core.errors import Invalid, NotFound, PermissionDenied
from linli.core.models import AuditEntry
from linli.places.actions import NewPlace, place_create, places_create_bulk
from linli.places.models import Place, PlaceKind


def _block(parent, *, houses: int = 3) -> list[NewPlace]:
    """compound → building → entrance → houses, the parents first."""
    compound = NewPlace(PlaceKind.COMPOUND, "幸福小区", parent, attrs={"compound_kind": "commercial"},
                        geometry={"type": "Polygon", "coordinates": [[[120.1, 30.2], [120.101, 30.2], [120.101, 30.201],
                                                                      [120.1, 30.201], [120.1, 30.2]]]})
    building = NewPlace(PlaceKind.BUILDING, "1号楼", compound, attrs={"floors": 6},
                        geometry={"type": "Point", "coordinates": [120.1005, 30.2005]})
    entrance = NewPlace(PlaceKind.ENTRANCE, "1单元", building)
    rooms = [NewPlace(PlaceKind.HOUSE, f"{i}01", entrance, attrs={"usage": "residential", "floor": i, "area_m2": "89.5"})
             for i in range(1, houses + 1)]
    return [compound, building, entrance, *rooms]


def test_bulk_create_writes_the_tree_with_paths_depths_codes_and_one_audit_row_each(world):
    items = _block(world.grid_a)
    before = AuditEntry.objects.filter(action="places.place_create").count()
    places = places_create_bulk(items, actor=None)
    assert [i.place for i in items] == places and all(p.pk for p in places)
    compound, building, entrance, *houses = (Place.objects.get(pk=p.pk) for p in places)
    assert compound.path == f"{world.grid_a.path}{compound.pk}/" and compound.depth == world.grid_a.depth + 1
    assert houses[-1].path == f"{entrance.path}{houses[-1].pk}/" == places[-1].path
    assert houses[-1].depth == world.grid_a.depth + 4 and houses[0].parent_id == entrance.pk
    assert building.public_code and len(building.public_code) == 8 and compound.public_code is None
    assert compound.area_km2 and compound.compound_kind == "commercial" and houses[0].floor == 1
    rows = AuditEntry.objects.filter(action="places.place_create").order_by("id")
    assert rows.count() == before + len(items)
    entry = rows.get(target_id=str(building.pk))
    assert entry.actor_name == "console" and entry.detail["parent"] == compound.pk
    assert entry.detail["kind"] == "building" and entry.detail["geometry"] == "Point"


def test_bulk_create_matches_the_single_action(world):
    """The same node through both actions: the same row (but the ids, times and public code)."""
    compound = place_create(kind=PlaceKind.COMPOUND, name="a", parent=world.grid_a)
    single = place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=compound, floors=5)
    [bulk] = places_create_bulk([NewPlace(PlaceKind.BUILDING, "2号楼", compound, attrs={"floors": 5})])
    fields = ["kind", "name", "code", "parent_id", "depth", "floors", "usage", "floor", "area_m2", "geometry"]
    single.refresh_from_db()
    bulk.refresh_from_db()
    assert {f: getattr(single, f) for f in fields} == {f: getattr(bulk, f) for f in fields}
    assert single.path.rsplit("/", 2)[0] == bulk.path.rsplit("/", 2)[0]


def test_bulk_create_is_all_or_nothing_and_names_the_bad_node(world):
    items = _block(world.grid_a)
    items[4].attrs["floor"] = 999
    count = Place.objects.count()
    with pytest.raises(Invalid) as exc:
        places_create_bulk(items)
    assert "5" in str(exc.value.message) and "floor" in exc.value.fields
    assert Place.objects.count() == count


def test_bulk_create_refuses_a_wrong_parent_kind_and_a_parent_given_later(world):
    with pytest.raises(Invalid) as exc:
        places_create_bulk([NewPlace(PlaceKind.HOUSE, "101", world.grid_a)])
    assert exc.value.code == "bad_parent"
    building = NewPlace(PlaceKind.BUILDING, "1号楼", world.grid_a)
    with pytest.raises(Invalid) as exc:
        places_create_bulk([NewPlace(PlaceKind.ENTRANCE, "1单元", building), building])
    assert exc.value.code == "bad_parent"


def test_bulk_create_refuses_a_code_taken_in_the_batch_or_in_the_tree(world):
    code = f"{world.community.code}-77" if world.community.code else "G77"
    grids = [NewPlace(PlaceKind.GRID, "七七网格", world.community, code=code),
             NewPlace(PlaceKind.GRID, "另一个", world.community, code=code)]
    with pytest.raises(Invalid) as exc:
        places_create_bulk(grids)
    assert exc.value.code == "bad_code" and "2" in str(exc.value.message)
    places_create_bulk(grids[:1])
    with pytest.raises(Invalid) as exc:
        places_create_bulk([NewPlace(PlaceKind.GRID, "又一个", world.community, code=code)])
    assert exc.value.code == "bad_code"


def test_bulk_create_checks_the_actor_as_the_single_action_does(world, outsider, community_staff, grid_worker_a):
    with pytest.raises(NotFound):
        places_create_bulk(_block(world.grid_a), actor=outsider)
    with pytest.raises(PermissionDenied):
        places_create_bulk(_block(world.grid_a), actor=grid_worker_a)
    with pytest.raises(PermissionDenied):
        places_create_bulk([NewPlace(PlaceKind.COMMUNITY, "x", world.street)], actor=community_staff)
    places = places_create_bulk(_block(world.grid_a), actor=community_staff)
    entry = AuditEntry.objects.get(action="places.place_create", target_id=str(places[0].pk))
    assert entry.actor_id == community_staff.pk
