"""Sensitive tags (PIPL Art. 28: disabled, low income, special difficulty, child in difficulty) are
invisible to roles without registry.view_sensitive: pages, API, search by tag, filters, exports."""

from __future__ import annotations

from linli.residents.models import Tag
from linli.residents.selectors import PersonFilters, person_search, tags_of_persons, visible_tags

from .conftest import body, login, xlsx_rows


def test_builtin_sensitive_tags_by_default(db):
    sensitive = set(Tag.objects.filter(sensitivity="sensitive", community__isnull=True).values_list("code", flat=True))
    assert sensitive == {"disabled", "low_income", "special_difficulty", "child_in_difficulty"}


def test_visible_tags_grid_worker_without_sensitive(world, grid_worker_a, community_staff):
    assert "low_income" not in {t.code for t in visible_tags(grid_worker_a)}
    assert "living_alone" in {t.code for t in visible_tags(grid_worker_a)}
    assert "low_income" in {t.code for t in visible_tags(community_staff)}


def test_tags_of_persons_hides_sensitive(people, grid_worker_a, community_staff):
    names = {t.code for t in tags_of_persons(grid_worker_a, [people.zhang])[people.zhang.pk]}
    assert names == {"living_alone"}
    names = {t.code for t in tags_of_persons(community_staff, [people.zhang])[people.zhang.pk]}
    assert names == {"living_alone", "low_income"}


def test_search_by_sensitive_tag_finds_nothing_for_grid_worker(people, grid_worker_a, community_staff):
    assert list(person_search(grid_worker_a, "", PersonFilters(tag="low_income"))) == []
    assert list(person_search(community_staff, "", PersonFilters(tag="low_income"))) == [people.zhang]


def test_person_page_hides_sensitive_tag(client, people, grid_worker_a):
    login(client, grid_worker_a)
    content = client.get(f"/registry/persons/{people.zhang.pk}/").content.decode()
    assert "独居老人" in content
    assert "低保" not in content


def test_person_page_shows_sensitive_tag_to_staff(client, people, community_staff):
    login(client, community_staff)
    content = client.get(f"/registry/persons/{people.zhang.pk}/").content.decode()
    assert "低保" in content


def test_list_page_filter_and_rows_hide_sensitive(client, people, grid_worker_a):
    login(client, grid_worker_a)
    content = client.get("/registry/").content.decode()
    assert "低保" not in content  # neither in the rows nor in the tag filter's choices
    content = client.get("/registry/", {"tag": "low_income", "q": ""}).content.decode()
    assert "张三" not in content


def test_api_hides_sensitive_tag(client, people, grid_worker_a):
    login(client, grid_worker_a)
    items = client.get("/api/v1/residents/persons").json()["items"]
    assert all("低保" not in i["tags"] for i in items)
    detail = client.get(f"/api/v1/residents/persons/{people.zhang.pk}").json()
    assert "低保" not in detail["tags"]
    assert all(t["tag"] != "low_income" for t in detail["tag_history"])
    assert "low_income" not in {t["code"] for t in client.get("/api/v1/residents/tags").json()}
    assert client.get("/api/v1/residents/persons", {"tag": "low_income"}).json()["items"] == []


def test_export_hides_sensitive_tag(client, people, grid_worker_a, community_staff):
    login(client, grid_worker_a)
    rows = xlsx_rows(body(client.get("/registry/export.xlsx")))
    tags_col = rows[0].index("人员标签")
    zhang = next(r for r in rows if r[0] == "张三")
    assert zhang[tags_col] == "独居老人"
    assert not any("低保" in str(c) for r in rows for c in r if c)
    client.logout()
    login(client, community_staff)
    rows = xlsx_rows(body(client.get("/registry/export.xlsx")))
    zhang = next(r for r in rows if r[0] == "张三")
    assert "低保" in zhang[tags_col]


def test_template_lists_no_sensitive_tag_for_grid_worker(client, world, grid_worker_a):
    login(client, grid_worker_a)
    content = body(client.get("/registry/template.xlsx"))
    rows = xlsx_rows(content, "填写说明")
    assert not any("低保" in str(c) for r in rows for c in r if c)


def test_import_sensitive_tag_unknown_to_grid_worker(tmp_path, world, houses, grid_worker_a):
    from .conftest import new_id, person_row
    from .test_import import run_import

    result = run_import(tmp_path, [person_row("孙七", new_id(), 小区="阳光小区", 楼栋="1栋", 单元="1单元", 房号="101",
                                              人员标签="低保")], world.community, grid_worker_a)
    assert not result.ok
    assert [(p.column, "低保" in p.message) for p in result.problems] == [("人员标签", True)]


def test_person_tag_add_sensitive_refused_for_grid_worker(people, grid_worker_a):
    import pytest

    from linli.core.errors import NotFound
    from linli.residents.actions import person_tag_add

    with pytest.raises(NotFound):
        person_tag_add(person=people.li, tag=Tag.objects.get(code="disabled"), actor=grid_worker_a)
