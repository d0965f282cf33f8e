"""The place pages: tree, children, node page and its forms, boundary editor; scope and query budgets."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.core.models import AuditEntry
from linli.core.testing.personas import PASSWORD
from linli.places.actions import place_create, place_set_geometry
from linli.places.models import Place, PlaceKind
from linli.places.tests.shapes import square


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _compound_with_buildings(grid, n=3):
    compound = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=grid)
    buildings = [place_create(kind=PlaceKind.BUILDING, name=f"{i}号楼", parent=compound) for i in range(1, n + 1)]
    return compound, buildings


# --- the tree -------------------------------------------------------------------------------------------


def test_tree_shows_the_grid_workers_grid_under_its_ancestors_names(client, world, grid_worker_a):
    response = login(client, grid_worker_a).get(reverse("places:tree"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "第一网格" in html and "测试一社区" in html and "测试街道" in html
    assert "第二网格" not in html and "测试二社区" not in html


def test_tree_requires_registry_permission(client, world, resident):
    assert login(client, resident).get(reverse("places:tree")).status_code == 403


def test_tree_redirects_anonymous_to_login(client, world):
    response = client.get(reverse("places:tree"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_children_fragment_lists_visible_children_with_counts(client, world, community_staff):
    _compound_with_buildings(world.grid_a)
    response = login(client, community_staff).get(reverse("places:children", args=[world.community.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "第一网格" in html and "第二网格" in html
    assert reverse("places:children", args=[world.grid_a.pk]) in html  # grid A has a child: expandable
    assert reverse("places:children", args=[world.grid_b.pk]) not in html  # grid B is empty


def test_children_of_the_community_for_a_grid_worker_show_only_their_grid(client, world, grid_worker_a):
    response = login(client, grid_worker_a).get(reverse("places:children", args=[world.community.pk]))
    html = response.content.decode()
    assert "第一网格" in html and "第二网格" not in html


def test_children_outside_scope_is_404(client, world, outsider):
    assert login(client, outsider).get(reverse("places:children", args=[world.grid_a.pk])).status_code == 404
    assert login(client, outsider).get(reverse("places:children", args=[999999])).status_code == 404


def test_children_query_budget_does_not_grow_with_children(client, world, community_staff):
    login(client, community_staff)
    url = reverse("places:children", args=[world.grid_a.pk])
    _compound_with_buildings(world.grid_a, n=1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(10):
        _compound_with_buildings(place_create(kind=PlaceKind.GRID, name=f"g{i}", parent=world.community), n=2)
        place_create(kind=PlaceKind.COMPOUND, name=f"c{i}", parent=world.grid_a)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small) <= 8, [q["sql"] for q in large.captured_queries]


def test_tree_page_query_budget(client, world, street_supervisor):
    login(client, street_supervisor)
    client.get(reverse("places:tree"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("places:tree"))
    assert response.status_code == 200
    assert len(ctx) <= 8, [q["sql"] for q in ctx.captured_queries]


def test_node_page_query_budget_does_not_grow_with_children(client, world, community_staff):
    login(client, community_staff)
    url = reverse("places:node", args=[world.grid_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(15):
        place_create(kind=PlaceKind.COMPOUND, name=f"c{i}", parent=world.grid_a, geometry=square(120.15 + i * 0.001, 30.25, 0.001))
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small) <= 20, [q["sql"] for q in large.captured_queries]


# --- node page and forms --------------------------------------------------------------------------------


def test_node_page_shows_forms_to_those_who_may_change(client, world, community_staff):
    html = login(client, community_staff).get(reverse("places:node", args=[world.grid_a.pk])).content.decode()
    assert 'data-testid="edit-form"' in html and 'data-testid="add-form"' in html
    assert 'data-testid="move-form"' in html and 'data-testid="delete-form"' in html


def test_node_page_is_read_only_for_a_grid_worker(client, world, grid_worker_a):
    response = login(client, grid_worker_a).get(reverse("places:node", args=[world.grid_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="edit-form"' not in html and 'data-testid="delete-form"' not in html


def test_node_page_outside_scope_is_404(client, world, grid_worker_a):
    assert login(client, grid_worker_a).get(reverse("places:node", args=[world.grid_b.pk])).status_code == 404


def test_ancestor_is_visible_but_not_editable_by_community_staff(client, world, community_staff):
    login(client, community_staff)
    response = client.get(reverse("places:node", args=[world.street.pk]))
    assert response.status_code == 200 and 'data-testid="edit-form"' not in response.content.decode()
    response = client.post(reverse("places:edit", args=[world.street.pk]), {"edit-name": "改名", "edit-code": ""})
    assert response.status_code == 403
    world.street.refresh_from_db()
    assert world.street.name == "测试街道"


def test_edit_renames_through_the_action(client, world, community_staff):
    response = login(client, community_staff).post(
        reverse("places:edit", args=[world.grid_a.pk]), {"edit-name": "东一网格", "edit-code": "330102001001-11"}
    )
    assert response.status_code == 302
    world.grid_a.refresh_from_db()
    assert world.grid_a.name == "东一网格" and world.grid_a.code == "330102001001-11"
    assert AuditEntry.objects.filter(action="places.place_update", actor=community_staff).exists()


def test_edit_with_bad_code_shows_the_error_on_the_field(client, world, community_staff):
    response = login(client, community_staff).post(
        reverse("places:edit", args=[world.grid_a.pk]), {"edit-name": "x", "edit-code": "330102001002-01"}
    )
    assert response.status_code == 422
    assert response.context["edit_form"].errors["code"]
    world.grid_a.refresh_from_db()
    assert world.grid_a.name == "第一网格"


def test_grid_worker_cannot_post_edits(client, world, grid_worker_a):
    response = login(client, grid_worker_a).post(reverse("places:edit", args=[world.grid_a.pk]), {"edit-name": "x"})
    assert response.status_code == 403


def test_add_child_creates_a_compound(client, world, community_staff):
    response = login(client, community_staff).post(
        reverse("places:add_child", args=[world.grid_a.pk]),
        {"child-kind": "compound", "child-name": "和平小区", "child-code": "", "child-compound_kind": "rented"},
    )
    child = Place.objects.get(name="和平小区")
    assert response.status_code == 302 and response["Location"] == reverse("places:node", args=[child.pk])
    assert child.parent_id == world.grid_a.pk and child.compound_kind == "rented"


def test_add_child_of_illegal_kind_is_refused(client, world, community_staff):
    response = login(client, community_staff).post(
        reverse("places:add_child", args=[world.grid_a.pk]), {"child-kind": "house", "child-name": "101"}
    )
    assert response.status_code == 422
    assert not Place.objects.filter(name="101").exists()


def test_move_form_moves_the_subtree(client, world, community_staff):
    compound, buildings = _compound_with_buildings(world.grid_a)
    response = login(client, community_staff).post(
        reverse("places:move", args=[compound.pk]), {"move-new_parent": world.grid_b.pk, "move-code": ""}
    )
    assert response.status_code == 302
    for b in buildings:
        b.refresh_from_db()
        assert b.path.startswith(world.grid_b.path)


def test_move_into_another_community_is_not_offered_to_community_staff(client, world, community_staff):
    compound, _ = _compound_with_buildings(world.grid_a)
    response = login(client, community_staff).post(
        reverse("places:move", args=[compound.pk]), {"move-new_parent": world.grid_c.pk}
    )
    assert response.status_code == 422
    compound.refresh_from_db()
    assert compound.parent_id == world.grid_a.pk


def test_delete_refused_when_not_empty_shows_message(client, world, community_staff):
    compound, _ = _compound_with_buildings(world.grid_a)
    login(client, community_staff)
    response = client.post(reverse("places:delete", args=[compound.pk]), follow=True)
    assert Place.objects.filter(pk=compound.pk).exists()
    assert "cannot be deleted" in response.content.decode() or "不能删除" in response.content.decode()


def test_delete_empty_node_redirects_to_parent(client, world, community_staff):
    compound = place_create(kind=PlaceKind.COMPOUND, name="空小区", parent=world.grid_a)
    response = login(client, community_staff).post(reverse("places:delete", args=[compound.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("places:node", args=[world.grid_a.pk])
    assert not Place.objects.filter(pk=compound.pk).exists()


# --- boundary editor ------------------------------------------------------------------------------------


def test_boundary_editor_renders_context_as_json(client, world, community_staff):
    place_set_geometry(place=world.grid_b, geometry=square(120.16, 30.25), actor=None)
    response = login(client, community_staff).get(reverse("places:boundary", args=[world.grid_a.pk]))
    assert response.status_code == 200
    data = response.context["map_data"]
    roles = {f["properties"]["name"]: f["properties"]["role"] for f in data["features"]["features"]}
    assert roles == {"第二网格": "sibling"} and data["mode"] == "polygon"
    assert 'id="map-data"' in response.content.decode()
    assert "<script>" not in response.content.decode()  # no inline script (CSP)


def test_boundary_paste_saves_geometry(client, world, community_staff):
    response = login(client, community_staff).post(
        reverse("places:boundary", args=[world.grid_a.pk]), {"geojson": json.dumps(square(120.15, 30.25))}
    )
    assert response.status_code == 302
    world.grid_a.refresh_from_db()
    assert world.grid_a.geometry["type"] == "Polygon" and world.grid_a.area_km2 > 1


def test_boundary_upload_saves_geometry(client, world, community_staff):
    upload = SimpleUploadedFile("b.geojson", json.dumps({"type": "Feature", "geometry": square(1, 2)}).encode())
    response = login(client, community_staff).post(reverse("places:boundary", args=[world.grid_a.pk]), {"file": upload})
    assert response.status_code == 302
    world.grid_a.refresh_from_db()
    assert world.grid_a.geometry["coordinates"][0][0] == [1, 2]


def test_boundary_invalid_geojson_shows_error(client, world, community_staff):
    bad = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    response = login(client, community_staff).post(
        reverse("places:boundary", args=[world.grid_a.pk]), {"geojson": json.dumps(bad)}
    )
    assert response.status_code == 422
    assert response.context["form"].errors
    world.grid_a.refresh_from_db()
    assert world.grid_a.geometry is None


def test_boundary_clear_removes_geometry(client, world, community_staff):
    place_set_geometry(place=world.grid_a, geometry=square(120.15, 30.25), actor=None)
    response = login(client, community_staff).post(reverse("places:boundary", args=[world.grid_a.pk]), {"clear": "1"})
    assert response.status_code == 302
    world.grid_a.refresh_from_db()
    assert world.grid_a.geometry is None


@pytest.mark.parametrize("persona", ["grid_worker_a", "outsider"])
def test_boundary_editor_closed_to_those_who_may_not_change(client, world, persona, request):
    user = request.getfixturevalue(persona)
    response = login(client, user).get(reverse("places:boundary", args=[world.grid_a.pk]))
    assert response.status_code == (403 if persona == "grid_worker_a" else 404)


def test_counts_on_the_community_page_are_scoped_for_a_grid_worker(client, world, grid_worker_a, community_staff):
    _compound_with_buildings(world.grid_a, n=2)
    _compound_with_buildings(world.grid_b, n=3)
    url = reverse("places:node", args=[world.community.pk])
    counts = dict(login(client, grid_worker_a).get(url).context["counts"])
    assert counts[PlaceKind.GRID.label] == 1 and counts[PlaceKind.BUILDING.label] == 2
    counts = dict(login(client, community_staff).get(url).context["counts"])
    assert counts[PlaceKind.GRID.label] == 2 and counts[PlaceKind.BUILDING.label] == 5
