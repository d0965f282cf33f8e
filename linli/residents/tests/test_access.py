"""Scope: a grid worker sees only their grid's people (list, search, detail, API, export); roles without
registry.view see nothing; out of scope is 404, the same as missing."""

from __future__ import annotations

import pytest

from linli.residents.models import Household, Person
from linli.residents.selectors import PersonFilters, person_search

from .conftest import body, login, xlsx_rows


def test_visible_to_grid_worker_only_own_grid(people, grid_worker_a, grid_worker_b):
    assert set(Person.objects.visible_to(grid_worker_a)) == {people.zhang, people.li, people.old}
    assert set(Person.objects.visible_to(grid_worker_b)) == {people.wang}


def test_visible_to_community_staff_whole_community(people, community_staff, outsider):
    assert Person.objects.visible_to(community_staff).count() == 4
    assert Person.objects.visible_to(outsider).count() == 0


@pytest.mark.parametrize("persona", ["resident", "department_staff", "system_admin", "audit_admin"])
def test_visible_to_roles_without_registry_view_nothing(request, people, persona):
    user = request.getfixturevalue(persona)
    assert Person.objects.visible_to(user).count() == 0
    assert Household.objects.visible_to(user).count() == 0


def test_search_grid_worker_finds_only_own_grid(people, grid_worker_a):
    assert list(person_search(grid_worker_a, "王五")) == []
    assert list(person_search(grid_worker_a, people.wang.phone)) == []
    assert list(person_search(grid_worker_a, people.wang.id_number)) == []
    assert list(person_search(grid_worker_a, "张三")) == [people.zhang]


def test_search_place_filter_outside_scope_finds_nothing(people, world, grid_worker_a):
    assert list(person_search(grid_worker_a, "", PersonFilters(place=world.grid_b.pk))) == []


def test_list_page_grid_worker_sees_own_grid(client, people, grid_worker_a):
    login(client, grid_worker_a)
    content = client.get("/registry/").content.decode()
    assert "张三" in content and "李四" in content
    assert "王五" not in content


def test_person_page_out_of_scope_is_404(client, people, grid_worker_a):
    login(client, grid_worker_a)
    assert client.get(f"/registry/persons/{people.zhang.pk}/").status_code == 200
    assert client.get(f"/registry/persons/{people.wang.pk}/").status_code == 404
    assert client.get("/registry/persons/999999/").status_code == 404


@pytest.mark.parametrize("url", [
    "/registry/persons/{wang}/edit/",
    "/registry/persons/{wang}/move-out/",
    "/registry/persons/{wang}/death/",
    "/registry/persons/{wang}/tags/",
    "/registry/persons/{wang}/household/",
])
def test_person_writes_out_of_scope_are_404(client, people, grid_worker_a, url):
    login(client, grid_worker_a)
    target = url.format(wang=people.wang.pk)
    response = client.post(target, {"out-on": "2026-01-01", "death-on": "2026-01-01"})
    assert response.status_code == 404
    people.wang.refresh_from_db()
    assert people.wang.status == "active"


def test_registry_pages_forbidden_without_registry_view(client, people, resident, department_staff):
    for user in (resident, department_staff):
        client.logout()
        login(client, user)
        assert client.get("/registry/").status_code == 403
        assert client.get(f"/registry/persons/{people.zhang.pk}/").status_code == 403
        assert client.get("/registry/export.xlsx").status_code == 403


def test_api_list_and_detail_scoped(client, people, grid_worker_a):
    login(client, grid_worker_a)
    items = client.get("/api/v1/residents/persons").json()["items"]
    assert {i["name"] for i in items} == {"张三", "李四", "赵老汉"}
    assert client.get(f"/api/v1/residents/persons/{people.wang.pk}").status_code == 404
    assert client.get(f"/api/v1/residents/persons/{people.zhang.pk}").status_code == 200


def test_api_out_of_scope_error_shape(client, people, grid_worker_a):
    login(client, grid_worker_a)
    response = client.get(f"/api/v1/residents/persons/{people.wang.pk}")
    assert response.json()["code"] == "not_found"


def test_api_households_scoped(client, people, grid_worker_a, grid_worker_b):
    from linli.residents.actions import household_create

    h_a = household_create(head=people.zhang, house=people.zhang.place, actor=None)
    h_b = household_create(head=people.wang, house=people.wang.place, actor=None)
    login(client, grid_worker_a)
    assert [h["id"] for h in client.get("/api/v1/residents/households").json()["items"]] == [h_a.pk]
    assert client.get(f"/api/v1/residents/households/{h_b.pk}").status_code == 404
    assert client.get(f"/registry/households/{h_b.pk}/").status_code == 404
    assert client.get(f"/registry/households/{h_a.pk}/").status_code == 200


def test_api_forbidden_without_registry_view(client, people, resident):
    login(client, resident)
    assert client.get("/api/v1/residents/persons").status_code == 403
    assert client.get(f"/api/v1/residents/persons/{people.zhang.pk}").status_code == 403


def test_export_grid_worker_only_own_grid(client, people, grid_worker_a, world):
    login(client, grid_worker_a)
    rows = xlsx_rows(body(client.get("/registry/export.xlsx")))
    assert {r[0] for r in rows[1:]} == {"张三", "李四", "赵老汉"}
    rows = xlsx_rows(body(client.get("/registry/export.xlsx", {"place": world.grid_b.pk})))
    assert rows[1:] == []
