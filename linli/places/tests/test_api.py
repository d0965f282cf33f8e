"""Places API: the tree as each user may see it (their subtree and its ancestors), 404 outside it, and
query-count budgets for the list and for /me."""

from __future__ import annotations

import pytest

from linli.accounts.actions import token_issue
from linli.places.actions import place_create
from linli.places.models import PlaceKind


def _headers(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user, actor=user)[1]}"}


def _ids(client, headers, **params) -> set[int]:
    response = client.get("/api/v1/places", params, **headers)
    assert response.status_code == 200
    return {p["id"] for p in response.json()["items"]}


def test_grid_worker_sees_their_grid_and_its_ancestors(client, world, grid_worker_a):
    assert _ids(client, _headers(grid_worker_a)) == {world.street.pk, world.community.pk, world.grid_a.pk}


def test_grid_worker_sees_the_subtree_under_their_grid(client, world, grid_worker_a):
    compound = place_create(kind=PlaceKind.COMPOUND, name="幸福小区", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="1幢", parent=compound)
    elsewhere = place_create(kind=PlaceKind.COMPOUND, name="别处小区", parent=world.grid_b)
    ids = _ids(client, _headers(grid_worker_a))
    assert {compound.pk, building.pk} <= ids and elsewhere.pk not in ids


def test_community_staff_sees_their_community_not_the_other(client, world, community_staff):
    ids = _ids(client, _headers(community_staff))
    assert {world.street.pk, world.community.pk, world.grid_a.pk, world.grid_b.pk} == ids


def test_street_supervisor_sees_the_whole_street(client, world, street_supervisor):
    ids = _ids(client, _headers(street_supervisor))
    assert {world.community_2.pk, world.grid_c.pk, world.grid_a.pk} <= ids


def test_admins_and_department_staff_see_no_places(client, world, system_admin, department_staff):
    from linli.accounts.tests.conftest import enrol_totp

    enrol_totp(system_admin)
    assert _ids(client, _headers(system_admin)) == set()
    assert _ids(client, _headers(department_staff)) == set()


def test_list_filters_by_kind_and_parent(client, world, community_staff):
    headers = _headers(community_staff)
    assert _ids(client, headers, kind="grid") == {world.grid_a.pk, world.grid_b.pk}
    assert _ids(client, headers, parent_id=world.community.pk) == {world.grid_a.pk, world.grid_b.pk}


def test_place_detail_in_scope(client, world, grid_worker_a):
    response = client.get(f"/api/v1/places/{world.grid_a.pk}", **_headers(grid_worker_a))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "第一网格" and body["kind"] == "grid" and body["parent_id"] == world.community.pk


@pytest.mark.parametrize("target", ["grid_b", "community_2", "grid_c"])
def test_place_detail_out_of_scope_is_404(client, world, grid_worker_a, target):
    response = client.get(f"/api/v1/places/{getattr(world, target).pk}", **_headers(grid_worker_a))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_places_list_query_budget(client, world, community_staff, django_assert_max_num_queries):
    for i in range(5):
        compound = place_create(kind=PlaceKind.COMPOUND, name=f"小区{i}", parent=world.grid_a)
        for j in range(10):
            place_create(kind=PlaceKind.BUILDING, name=f"{j}幢", parent=compound)
    headers = _headers(community_staff)
    client.get("/api/v1/places", **headers)  # warm: the token's last-used stamp is written once
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/places", {"size": 200}, **headers)
    assert len(response.json()["items"]) == 4 + 5 + 50 and response.json()["next_after"] is None
    first = client.get("/api/v1/places", **headers).json()  # 50 a page: the rest is one page further, not cut
    rest = client.get("/api/v1/places", {"after": first["next_after"]}, **headers).json()
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert len(first["items"]) == 50 and len(set(ids)) == 59 and ids == sorted(ids) and rest["next_after"] is None


def test_me_query_budget(client, world, grid_worker_a, django_assert_max_num_queries):
    headers = _headers(grid_worker_a)
    client.get("/api/v1/me", **headers)
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/me", **headers)
    assert response.status_code == 200


def test_me_query_budget_with_a_session(client, world, grid_worker_a, django_assert_max_num_queries):
    client.force_login(grid_worker_a)
    client.get("/api/v1/me")
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/me")
    assert response.status_code == 200
