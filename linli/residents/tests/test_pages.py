"""Other registry pages and endpoints: register a person, households, tags, organisations; query budgets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.models import AuditEntry
from linli.residents.actions import household_create, organisation_create
from linli.residents.models import Household, HouseholdMember, Person, Tag

from .conftest import login, make_person, new_id


def test_register_person_at_a_house_through_page(client, world, houses, grid_worker_a):
    login(client, grid_worker_a)
    number = new_id()
    response = client.post("/registry/persons/new/", {
        "name": "钱八", "id_number": number, "phone": "13600001234", "community": world.community.pk,
        "compound": "阳光小区", "building": "1栋", "entrance": "1单元", "house": "102", "kind": "tenant",
    })
    person = Person.objects.get(name="钱八")
    assert response.status_code == 302 and response["Location"] == f"/registry/persons/{person.pk}/"
    assert person.place_id == houses.house_a2.pk and person.occupancies.get().kind == "tenant"
    assert AuditEntry.objects.filter(action="residents.person_create", actor=grid_worker_a).exists()


def test_register_person_outside_area_shows_error(client, world, houses, grid_worker_a):
    login(client, grid_worker_a)
    response = client.post("/registry/persons/new/", {
        "name": "越界", "id_number": new_id(), "community": world.community.pk, "compound": "幸福里",
        "building": "2号楼", "house": "201", "kind": "resident",
    })
    assert response.status_code == 200 and not Person.objects.filter(name="越界").exists()


def test_register_person_bad_id_shows_field_error(client, world, houses, community_staff):
    login(client, community_staff)
    response = client.post("/registry/persons/new/", {
        "name": "错号", "id_number": "110108196711301866", "community": world.community.pk, "kind": "resident",
    })
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not Person.objects.filter(name="错号").exists()


def test_edit_person_through_page(client, people, grid_worker_a):
    login(client, grid_worker_a)
    response = client.post(f"/registry/persons/{people.li.pk}/edit/", {
        "name": "李四", "id_number": people.li.id_number, "phone": "13900009999", "ethnicity": "03",
        "political_status": "", "registered_address": "", "current_address": people.li.current_address, "notes": "",
    })
    assert response.status_code == 302
    li = Person.objects.get(pk=people.li.pk)
    assert li.phone == "13900009999" and li.phone[-4:] == "9999" and li.ethnicity == "03"


def test_household_page_add_and_end_member(client, people, grid_worker_a):
    household = household_create(head=people.li, house=people.li.place, actor=None)
    login(client, grid_worker_a)
    response = client.post(f"/registry/households/{household.pk}/members/",
                           {"id_number": people.old.id_number, "relationship": "51"})
    assert response.status_code == 302
    member = HouseholdMember.objects.get(person=people.old)
    assert member.household_id == household.pk and member.relationship == "51"
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert "赵老汉" in page and "李四" in page
    client.post(f"/registry/households/{household.pk}/members/{member.pk}/end/")
    member.refresh_from_db()
    assert member.end_date is not None


def test_household_add_member_from_other_grid_refused(client, people, grid_worker_a):
    household = household_create(head=people.li, house=people.li.place, actor=None)
    login(client, grid_worker_a)
    client.post(f"/registry/households/{household.pk}/members/", {"id_number": people.wang.id_number,
                                                                  "relationship": "20"})
    assert not HouseholdMember.objects.filter(person=people.wang).exists()


def test_start_household_from_person_page(client, people, grid_worker_a):
    login(client, grid_worker_a)
    response = client.post(f"/registry/persons/{people.zhang.pk}/household/")
    household = Household.objects.get(head=people.zhang)
    assert response["Location"] == f"/registry/households/{household.pk}/"


def test_tag_page_creates_custom_tag_and_hides_sensitive(client, people, world, community_staff, grid_worker_a):
    login(client, community_staff)
    response = client.post("/registry/tags/", {"code": "veteran", "name": "退役军人", "sensitivity": "internal",
                                               "community": world.community.pk})
    assert response.status_code == 302
    tag = Tag.objects.get(code="veteran")
    assert tag.community_id == world.community.pk
    client.logout()
    login(client, grid_worker_a)
    content = client.get("/registry/tags/").content.decode()
    assert "退役军人" in content and "低保" not in content
    assert client.post("/registry/tags/", {"code": "x", "name": "x", "sensitivity": "internal",
                                           "community": world.community.pk}).status_code == 403


def test_tag_page_add_and_end_tag_on_person(client, people, grid_worker_a):
    login(client, grid_worker_a)
    tag = Tag.objects.get(code="migrant_away")
    client.post(f"/registry/persons/{people.li.pk}/tags/", {"tag-tag": tag.pk, "tag-valid_from": "2026-01-01",
                                                           "tag-source": "走访"})
    row = people.li.person_tags.get(tag=tag)
    assert row.source == "走访" and row.valid_to is None
    client.post(f"/registry/persons/{people.li.pk}/tags/{row.pk}/end/")
    row.refresh_from_db()
    assert row.valid_to is not None


def test_api_organisations_scoped_and_masked(client, people, houses, grid_worker_a, grid_worker_b):
    organisation_create(name="便民超市", place=houses.house_a1, actor=None, contact_phone="13500001111")
    organisation_create(name="幸福里小学", kind="school", place=houses.building_b, actor=None)
    login(client, grid_worker_a)
    page = client.get("/api/v1/residents/organisations").json()
    assert [(o["name"], o["contact_phone"]) for o in page["items"]] == [("便民超市", "135****1111")]
    assert page["next_after"] is None


def test_api_tags_and_households(client, people, grid_worker_a):
    household_create(head=people.zhang, house=people.zhang.place, actor=None)
    login(client, grid_worker_a)
    codes = {t["code"] for t in client.get("/api/v1/residents/tags").json()}
    assert "elderly_60" in codes and "disabled" not in codes
    households = client.get("/api/v1/residents/households").json()["items"]
    detail = client.get(f"/api/v1/residents/households/{households[0]['id']}").json()
    assert detail["members"][0]["name"] == "张三" and "*" in detail["members"][0]["id_number"]


@pytest.mark.parametrize("extra", [0, 25])
def test_list_page_query_count_does_not_grow_with_rows(client, houses, grid_worker_a, extra, django_assert_max_num_queries):
    for i in range(3 + extra):
        make_person(houses.house_a1, f"人{i}", tags=("living_alone",))
    login(client, grid_worker_a)
    client.get("/registry/")  # warm the session and the user
    with django_assert_max_num_queries(14):
        assert client.get("/registry/").status_code == 200


def test_api_list_query_budget(client, houses, grid_worker_a):
    for i in range(20):
        make_person(houses.house_a1, f"人{i}", tags=("living_alone",))
    login(client, grid_worker_a)
    client.get("/api/v1/residents/persons")
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get("/api/v1/residents/persons").json()["items"]) == 20
    assert len(ctx.captured_queries) <= 12
