"""The reads other apps make of the tree and of users go through places.selectors and accounts.selectors
(the boundary contract forbids their models' managers): what each answers for an id, a bad id, a kind."""

from __future__ import annotations

from linli.accounts.selectors import (
    user_by_username,
    user_get,
    user_ids_with_role_at_place,
    users_with_roles_under,
)
from linli.core.access import Scope
from linli.core.testing.personas import make_user
from linli.places.kinds import PlaceKind
from linli.places.selectors import (
    community_of_place,
    is_place,
    place_at_path,
    place_get,
    places_by_ids,
    places_by_paths,
    places_in_scope,
    places_of_kind,
    places_visible_to,
)


def test_place_get_reads_an_id_a_place_or_nothing(world):
    assert place_get(world.grid_a.pk) == world.grid_a
    assert place_get(str(world.grid_a.pk)) == world.grid_a
    assert place_get(world.grid_a) is world.grid_a
    for bad in (None, "", "abc", "-1", "12; drop", 10**9):
        assert place_get(bad) is None
    assert place_get(world.grid_a.pk, kinds=[PlaceKind.GRID]) == world.grid_a
    assert place_get(world.grid_a.pk, kinds=[PlaceKind.COMMUNITY]) is None
    assert place_get(world.grid_a, kinds=[PlaceKind.COMMUNITY]) is None


def test_place_lists_by_ids_paths_kind_and_scope(world):
    assert place_at_path(world.community.path) == world.community
    assert place_at_path("") is None
    ids = [world.grid_a.pk, world.community.pk]
    assert set(places_by_ids(ids)) == {world.grid_a, world.community}
    assert list(places_by_ids(ids, kinds=[PlaceKind.GRID])) == [world.grid_a]
    assert list(places_by_paths([world.grid_b.path])) == [world.grid_b]
    grids_under = set(places_of_kind(PlaceKind.GRID, under=world.community.path))
    assert grids_under == {world.grid_a, world.grid_b}
    assert world.community_2 in set(places_of_kind(PlaceKind.COMMUNITY))
    scoped = set(places_in_scope(Scope(place_paths=(world.community.path,)), PlaceKind.GRID))
    assert scoped == {world.grid_a, world.grid_b}
    assert community_of_place(world.grid_a) == world.community
    assert is_place(world.grid_a) and not is_place(world.grid_a.pk)


def test_places_visible_to_follow_the_users_scope(world, grid_worker_a):
    seen = set(places_visible_to(grid_worker_a))
    assert world.grid_a in seen and world.community in seen  # its grid, and the community above it
    assert world.grid_b not in seen and world.community_2 not in seen
    assert set(places_visible_to(grid_worker_a, PlaceKind.GRID)) == {world.grid_a}


def test_user_reads_skip_inactive_accounts_unless_asked(world, grid_worker_a):
    assert user_get(grid_worker_a.pk) == grid_worker_a
    assert user_get("x") is None and user_get(None) is None
    assert user_by_username(grid_worker_a.username) == grid_worker_a
    assert user_ids_with_role_at_place("grid_worker", world.grid_a.pk) == [grid_worker_a.pk]
    assert grid_worker_a in set(users_with_roles_under(["grid_worker"], world.community.path))
    gone = make_user("gone_user", "grid_worker", place=world.grid_a)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert user_get(gone.pk) is None
    assert user_get(gone.pk, active=False) == gone
    assert user_by_username("gone_user") is None
    assert gone not in set(users_with_roles_under(["grid_worker"], world.community.path))
