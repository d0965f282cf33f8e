"""The place tree actions: create, update, move, delete; codes, scope and audit."""

import contextlib
from decimal import Decimal

import pytest

from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.models import AuditEntry
from linli.places.actions import (
    ALLOWED_PARENTS,
    child_kinds,
    place_create,
    place_delete,
    place_move,
    place_update,
)
from linli.places.models import Place, PlaceKind


def _tree(world):
    """grid_a → compound → building → entrance → house."""
    compound = place_create(kind=PlaceKind.COMPOUND, name="幸福小区", parent=world.grid_a, compound_kind="commercial")
    building = place_create(kind=PlaceKind.BUILDING, name="1号楼", parent=compound, floors=6)
    entrance = place_create(kind=PlaceKind.ENTRANCE, name="1单元", parent=building)
    house = place_create(kind=PlaceKind.HOUSE, name="101", parent=entrance, usage="residential", floor=1, area_m2="89.5")
    return compound, building, entrance, house


def test_create_sets_path_depth_and_attributes(world):
    compound, building, entrance, house = _tree(world)
    assert house.path == f"{world.grid_a.path}{compound.pk}/{building.pk}/{entrance.pk}/{house.pk}/"
    assert house.depth == world.grid_a.depth + 4 == 6
    house.refresh_from_db()
    assert house.area_m2 == Decimal("89.50") and house.usage == "residential" and house.floor == 1
    assert building.floors == 6 and compound.compound_kind == "commercial"


def test_create_gives_each_building_a_unique_public_code(world):
    compound, building, _, _ = _tree(world)
    other = place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=compound)
    assert building.public_code and other.public_code and building.public_code != other.public_code
    assert len(building.public_code) == 8 and building.public_code.isalnum() and building.public_code.isupper()
    assert compound.public_code is None


@pytest.mark.parametrize("kind", list(ALLOWED_PARENTS))
def test_create_refuses_every_illegal_parent_kind(world, kind):
    samples = {
        PlaceKind.STREET: world.street,
        PlaceKind.COMMUNITY: world.community,
        PlaceKind.GRID: world.grid_a,
    }
    for parent_kind, parent in samples.items():
        if parent_kind in ALLOWED_PARENTS[kind]:
            continue
        with pytest.raises(Invalid) as exc:
            place_create(kind=kind, name="x", parent=parent)
        assert exc.value.code == "bad_parent"


def test_child_kinds_follow_the_parents_table():
    assert child_kinds(None) == [PlaceKind.CITY, PlaceKind.DISTRICT, PlaceKind.STREET]
    assert child_kinds(PlaceKind.GRID) == [PlaceKind.COMPOUND, PlaceKind.BUILDING]
    assert set(child_kinds(PlaceKind.COMMUNITY)) == {PlaceKind.AREA, PlaceKind.RESIDENTS_GROUP, PlaceKind.GRID}
    assert child_kinds(PlaceKind.HOUSE) == []


def test_create_refuses_attribute_of_another_kind(world):
    with pytest.raises(Invalid) as exc:
        place_create(kind=PlaceKind.GRID, name="x", parent=world.community, floors=5)
    assert "floors" in exc.value.fields


def test_create_refuses_unknown_compound_kind(world):
    with pytest.raises(Invalid):
        place_create(kind=PlaceKind.COMPOUND, name="x", parent=world.grid_a, compound_kind="castle")


# --- codes ----------------------------------------------------------------------------------------------


def test_street_code_derives_county_code(db):
    street = place_create(kind=PlaceKind.STREET, name="湖滨街道", code="330102005000")
    assert street.district_code == "330102"


@pytest.mark.parametrize(
    ("code", "district_code"),
    [
        ("33010200500", ""),  # 11 digits
        ("3301020050001", ""),  # 13 digits
        ("33010200500A", ""),
        ("330102005000", "330103"),  # does not start with its county code
        ("", "99010"),  # county code not 6 digits
        ("", "990101"),  # no such province
    ],
)
def test_street_code_validation_refuses(db, code, district_code):
    with pytest.raises(Invalid):
        place_create(kind=PlaceKind.STREET, name="街道", code=code, district_code=district_code)


def test_full_width_digits_are_accepted_as_codes(db):
    street = place_create(kind=PlaceKind.STREET, name="街道", code="３３０１０２００５０００")
    assert street.code == "330102005000"


def test_community_code_must_start_with_the_streets_first_nine_digits(world):
    with pytest.raises(Invalid) as exc:
        place_create(kind=PlaceKind.COMMUNITY, name="错社区", code="330102002003", parent=world.street)
    assert exc.value.code == "bad_code"
    ok = place_create(kind=PlaceKind.COMMUNITY, name="对社区", code="330102001003", parent=world.street)
    assert ok.code == "330102001003"


def test_community_code_must_have_twelve_digits(world):
    with pytest.raises(Invalid):
        place_create(kind=PlaceKind.COMMUNITY, name="社区", code="3301020010", parent=world.street)


def test_grid_code_standard_form_must_match_its_community(world):
    with pytest.raises(Invalid):
        place_create(kind=PlaceKind.GRID, name="网格", code="330102001002-05", parent=world.community)
    with pytest.raises(Invalid):
        place_create(kind=PlaceKind.GRID, name="网格", code="330102001001-5", parent=world.community)
    grid = place_create(kind=PlaceKind.GRID, name="网格", code="330102001001-105", parent=world.community)
    assert grid.code == "330102001001-105"


def test_grid_code_may_be_set_freely_by_the_operator(world):
    grid = place_create(kind=PlaceKind.GRID, name="网格", code="HB-07", parent=world.community)
    assert grid.code == "HB-07"
    with pytest.raises(Invalid):
        place_create(kind=PlaceKind.GRID, name="网格", code="网格七", parent=world.community)


def test_codes_are_unique_per_kind(world):
    with pytest.raises(Invalid) as exc:
        place_create(kind=PlaceKind.GRID, name="重复", code="330102001001-01", parent=world.community)
    assert "code" in exc.value.fields


def test_street_recode_refused_when_communities_no_longer_fit(world, street_supervisor):
    with pytest.raises(Invalid):
        place_update(place=world.street, code="330102009000", actor=None)
    world.street.refresh_from_db()
    assert world.street.code == "330102001000"


def test_community_recode_refused_when_grid_codes_no_longer_fit(world):
    with pytest.raises(Invalid):
        place_update(place=world.community, code="330102001009", actor=None)


# --- update ---------------------------------------------------------------------------------------------


def test_update_renames_and_audits(world, community_staff):
    grid = place_update(place=world.grid_a, name="  新 名字 ", actor=community_staff)
    assert grid.name == "新 名字"
    entry = AuditEntry.objects.filter(action="places.place_update").latest("id")
    assert entry.actor_id == community_staff.pk and entry.target_id == str(grid.pk)
    assert entry.detail["changes"]["name"] == ["第一网格", "新 名字"]


def test_update_without_changes_writes_no_audit_row(world, community_staff):
    before = AuditEntry.objects.count()
    place_update(place=world.grid_a, name="第一网格", actor=community_staff)
    assert AuditEntry.objects.count() == before


def test_update_refuses_empty_name(world, community_staff):
    with pytest.raises(Invalid):
        place_update(place=world.grid_a, name="  ", actor=community_staff)


# --- scope ----------------------------------------------------------------------------------------------


def test_grid_worker_may_not_change_even_their_own_grid(world, grid_worker_a):
    with pytest.raises(PermissionDenied):
        place_update(place=world.grid_a, name="x", actor=grid_worker_a)


def test_outsider_gets_not_found(world, outsider):
    with pytest.raises(NotFound):
        place_update(place=world.grid_a, name="x", actor=outsider)
    with pytest.raises(NotFound):
        place_create(kind=PlaceKind.COMPOUND, name="x", parent=world.grid_a, actor=outsider)


def test_community_staff_may_not_change_their_street(world, community_staff):
    with pytest.raises(PermissionDenied):
        place_update(place=world.street, name="x", actor=community_staff)


def test_community_staff_may_not_create_a_community(world, community_staff):
    with pytest.raises(PermissionDenied):
        place_create(kind=PlaceKind.COMMUNITY, name="x", parent=world.street, actor=community_staff)


def test_street_supervisor_creates_a_community(world, street_supervisor):
    place = place_create(kind=PlaceKind.COMMUNITY, name="新社区", parent=world.street, actor=street_supervisor)
    assert place.parent_id == world.street.pk
    entry = AuditEntry.objects.filter(action="places.place_create", target_id=str(place.pk)).get()
    assert entry.actor_id == street_supervisor.pk


def test_nobody_but_the_console_creates_a_street(world, street_supervisor):
    with pytest.raises(PermissionDenied):
        place_create(kind=PlaceKind.STREET, name="x", actor=street_supervisor)


def test_console_actions_are_audited_as_console(world):
    entry = AuditEntry.objects.filter(action="places.place_create", target_id=str(world.grid_a.pk)).get()
    assert entry.actor_id is None and entry.actor_name == "console"


# --- move -----------------------------------------------------------------------------------------------


def test_move_rewrites_paths_of_the_whole_subtree(world, community_staff):
    compound, building, entrance, house = _tree(world)
    place_move(place=compound, new_parent=world.grid_b, actor=community_staff)
    for node, depth in ((compound, 3), (building, 4), (entrance, 5), (house, 6)):
        node.refresh_from_db()
        assert node.path.startswith(world.grid_b.path)
        assert node.depth == depth
    assert house.path == f"{world.grid_b.path}{compound.pk}/{building.pk}/{entrance.pk}/{house.pk}/"
    assert compound.parent_id == world.grid_b.pk
    assert not Place.objects.filter(path__startswith=world.grid_a.path).exclude(pk=world.grid_a.pk).exists()
    entry = AuditEntry.objects.filter(action="places.place_move").get()
    assert entry.detail["from"] == world.grid_a.pk and entry.detail["to"] == world.grid_b.pk


def test_move_changes_depth_when_levels_differ(world):
    area = place_create(kind=PlaceKind.AREA, name="东片", parent=world.community)
    compound, building, _, house = _tree(world)
    place_move(place=world.grid_a, new_parent=area, actor=None)
    house.refresh_from_db()
    assert house.depth == 7
    assert house.path == f"{area.path}{world.grid_a.pk}/{compound.pk}/{building.pk}/{house.parent_id}/{house.pk}/"


def test_move_refuses_a_cycle(world):
    compound, building, _, _ = _tree(world)
    grid_below = place_create(kind=PlaceKind.GRID, name="x", parent=place_create(kind=PlaceKind.AREA, name="a", parent=world.community))
    area = Place.objects.get(pk=grid_below.parent_id)
    group = place_create(kind=PlaceKind.RESIDENTS_GROUP, name="g", parent=area)
    with pytest.raises(Refused) as exc:
        place_move(place=area, new_parent=area, actor=None)
    assert exc.value.code == "cycle"
    # a residents group may sit under an area, but not under one inside its own subtree
    with pytest.raises(Refused):
        place_move(place=area, new_parent=group, actor=None)


def test_move_refuses_an_illegal_parent(world):
    compound, building, _, _ = _tree(world)
    with pytest.raises(Invalid):
        place_move(place=building, new_parent=world.community, actor=None)


def test_move_outside_scope_is_not_found(world, community_staff):
    compound, *_ = _tree(world)
    with pytest.raises(NotFound):
        place_move(place=compound, new_parent=world.grid_c, actor=community_staff)
    compound.refresh_from_db()
    assert compound.parent_id == world.grid_a.pk


def test_move_grid_to_another_community_needs_a_fitting_code(world, street_supervisor):
    with pytest.raises(Invalid):
        place_move(place=world.grid_a, new_parent=world.community_2, actor=street_supervisor)
    grid = place_move(place=world.grid_a, new_parent=world.community_2, code="330102001002-09", actor=street_supervisor)
    assert grid.code == "330102001002-09" and grid.path.startswith(world.community_2.path)


# --- delete ---------------------------------------------------------------------------------------------


def test_delete_refused_when_not_empty(world, community_staff):
    compound, *_ = _tree(world)
    with pytest.raises(Refused) as exc:
        place_delete(place=compound, actor=community_staff)
    assert exc.value.code == "not_empty"
    assert Place.objects.filter(pk=compound.pk).exists()


def test_delete_refused_when_referenced(world, grid_worker_a, community_staff):
    with pytest.raises(Refused) as exc:
        place_delete(place=world.grid_a, actor=community_staff)  # the worker's role assignment
    assert exc.value.code == "referenced"


def test_delete_removes_an_empty_node_and_audits(world, community_staff):
    compound, building, entrance, house = _tree(world)
    place_delete(place=house, actor=community_staff)
    assert not Place.objects.filter(pk=house.pk).exists()
    entry = AuditEntry.objects.filter(action="places.place_delete").get()
    assert entry.target_id == str(house.pk) and entry.actor_id == community_staff.pk


def test_delete_by_grid_worker_is_forbidden(world, grid_worker_a):
    compound, building, entrance, house = _tree(world)
    with pytest.raises(PermissionDenied):
        place_delete(place=house, actor=grid_worker_a)


def _assert_paths_consistent():
    by_id = {p.pk: p for p in Place.objects.all()}
    for p in by_id.values():
        if p.parent_id is None:
            assert p.path == f"/{p.pk}/" and p.depth == 0
        else:
            parent = by_id[p.parent_id]
            assert p.path == f"{parent.path}{p.pk}/" and p.depth == parent.depth + 1


def test_paths_stay_consistent_under_random_moves(world):
    """Invariant: after any sequence of legal and illegal moves every path is its parent's path plus its
    own id, and every depth is its parent's plus one."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    area = place_create(kind=PlaceKind.AREA, name="片区", parent=world.community)
    group = place_create(kind=PlaceKind.RESIDENTS_GROUP, name="小组", parent=area)
    grids = [world.grid_a, world.grid_b, world.grid_c]
    grids.append(place_create(kind=PlaceKind.GRID, name="组内网格", code="G-9", parent=group))
    compounds = [place_create(kind=PlaceKind.COMPOUND, name=f"小区{i}", parent=grids[i % 4]) for i in range(4)]
    buildings = [place_create(kind=PlaceKind.BUILDING, name=f"楼{i}", parent=compounds[i % 4]) for i in range(6)]
    for b in buildings:
        place_create(kind=PlaceKind.HOUSE, name="101", parent=b)
    movable = [area, group, *grids, *compounds, *buildings]
    parents = [world.community, world.community_2, area, group, *grids, *compounds]

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.sampled_from(movable), st.sampled_from(parents)), min_size=1, max_size=6))
    def run(moves):
        for place, new_parent in moves:
            with contextlib.suppress(Invalid, Refused):
                place_move(place=place, new_parent=new_parent, actor=None, code="" if place.kind == PlaceKind.GRID else None)
        _assert_paths_consistent()

    run()
