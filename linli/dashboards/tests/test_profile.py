"""The community profile: its figures, who may see which page, sensitive tags, the charts' data, and a
query budget that does not grow with the number of residents."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from linli.dashboards.tests.conftest import id_for, json_script, login
from linli.residents.selectors_profile import BANDS, place_profile, profile_places

pytestmark = pytest.mark.django_db


def community_url(place) -> str:
    return reverse("dashboards:community_profile", args=[place.pk])


def grid_url(place) -> str:
    return reverse("dashboards:grid_profile", args=[place.pk])


def figure(response, key: str) -> str:
    """The value shown in one key-figure tile."""
    html = response.content.decode()
    block = re.search(rf'data-figure="{key}">(.*?)</div>', html, re.S)
    assert block, key
    return re.search(r'class="figure-value">([^<]*)<', block.group(1)).group(1)


def test_profile_counts_the_community(street, community_staff):
    profile = place_profile(community_staff, street.world.community)
    assert (profile.residents, profile.households, profile.shops) == (5, 3, 1)
    assert (profile.compounds, profile.buildings, profile.standalone_buildings) == (2, 2, 0)
    assert (profile.elderly.count, profile.living_alone.count, profile.migrant_away.count) == (2, 1, 1)
    assert profile.elderly.percent == pytest.approx(40.0)
    assert profile.migrant_away.percent == pytest.approx(20.0)
    # No boundary of its own: the area is the sum of its grids' areas.
    assert profile.area_km2 == pytest.approx(street.world.grid_a.area_km2 + street.world.grid_b.area_km2)
    assert profile.area_km2 > 0
    units = {u.name: (u.households, u.residents, u.elderly) for u in profile.units}
    assert units == {"第一网格": (2, 4, 1), "第二网格": (1, 1, 1)}


def test_profile_age_pyramid_has_each_resident_in_their_band(street, community_staff):
    pyramid = place_profile(community_staff, street.world.community).pyramid
    assert pyramid["bands"][0] == "0-4" and pyramid["bands"][-1] == "95+" and len(pyramid["bands"]) == BANDS
    male = {i: n for i, n in enumerate(pyramid["male"]) if n}
    female = {i: n for i, n in enumerate(pyramid["female"]) if n}
    assert male == {1: 1, 8: 1, 15: 1}  # the boy of 8, the father of 42, the old man of 75
    assert female == {8: 1, 13: 1}  # the mother of 40, the widow of 65


def test_profile_of_a_person_who_turned_60_today_counts_them_as_elderly(street, community_staff):
    from django.utils import timezone

    from linli.core.idnumber import make_id_number
    from linli.residents.actions import person_create
    from linli.residents.selectors_profile import years_before

    birthday = years_before(timezone.localdate(), 60)
    person_create(actor=None, name="刘满六十", place=street.house_b1, id_number=make_id_number("330102", birthday, 11))
    profile = place_profile(community_staff, street.world.community)
    assert profile.elderly.count == 3
    assert profile.pyramid["male"][12] == 1  # 60-64


def test_profile_leaves_out_people_who_moved_away(street, community_staff):
    from linli.residents.actions import person_move_out

    person_move_out(person=street.widow, actor=None)
    profile = place_profile(community_staff, street.world.community)
    assert profile.residents == 4
    assert profile.elderly.count == 1


def test_community_page_shows_the_figures(client, street, community_staff):
    response = login(client, community_staff).get(community_url(street.world.community))
    assert response.status_code == 200
    assert figure(response, "residents") == "5"
    assert figure(response, "households") == "3"
    assert figure(response, "shops") == "1"
    assert figure(response, "compounds") == "2"
    assert figure(response, "elderly") == "40.00"
    assert figure(response, "living_alone") == "20.00"
    assert figure(response, "migrant_away") == "20.00"


def test_chart_data_matches_the_figures(client, street, community_staff):
    response = login(client, community_staff).get(community_url(street.world.community))
    data = json_script(response, "profile-data")
    assert sum(data["pyramid"]["male"]) + sum(data["pyramid"]["female"]) == 5
    assert [(u["label"], u["households"], u["residents"], u["elderly"]) for u in data["units"]] == [
        ("第一网格", 2, 4, 1), ("第二网格", 1, 1, 1)]
    tags = {t["code"]: t["count"] for t in data["tags"]}
    assert tags["elderly_60"] == 2
    assert tags["living_alone"] == 1 and tags["migrant_away"] == 1 and tags["disabled"] == 1
    assert next(t for t in data["tags"] if t["code"] == "disabled")["sensitive"] is True
    features = json_script(response, "profile-map-data")["features"]["features"]
    assert {f["properties"]["name"] for f in features} == {"第一网格", "第二网格", "阳光小区", "1栋"}


def test_grid_worker_sees_their_grid_page_not_the_community(client, street, grid_worker_a):
    login(client, grid_worker_a)
    assert client.get(community_url(street.world.community)).status_code == 404
    assert client.get(grid_url(street.world.grid_b)).status_code == 404
    response = client.get(grid_url(street.world.grid_a))
    assert response.status_code == 200
    data = json_script(response, "profile-data")
    assert sum(data["pyramid"]["male"]) + sum(data["pyramid"]["female"]) == 4
    assert [(u["name"], u["households"], u["residents"]) for u in data["units"]] == [("阳光小区", 2, 4)]


def test_community_staff_gets_404_for_another_community(client, street, community_staff):
    login(client, community_staff)
    assert client.get(community_url(street.world.community_2)).status_code == 404
    assert client.get(grid_url(street.world.grid_c)).status_code == 404
    assert client.get(community_url(street.world.grid_a)).status_code == 404  # a grid is not a community
    assert client.get(reverse("dashboards:community_profile", args=[999999])).status_code == 404


def test_staff_of_the_other_community_gets_404(client, street, outsider):
    login(client, outsider)
    assert client.get(community_url(street.world.community)).status_code == 404
    assert client.get(grid_url(street.world.grid_a)).status_code == 404
    assert client.get(community_url(street.world.community_2)).status_code == 200


def test_street_supervisor_sees_every_community(client, street, street_supervisor):
    login(client, street_supervisor)
    assert client.get(community_url(street.world.community_2)).status_code == 200
    response = client.get(reverse("dashboards:profile_picker"))
    assert response.status_code == 200
    assert [r["place"].name for r in response.context["rows"]] == ["测试一社区", "测试二社区"]


@pytest.mark.parametrize("persona", ["resident", "department_staff"])
def test_profile_pages_are_refused_without_the_registry(client, street, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("dashboards:profile_picker")).status_code == 403
    assert client.get(community_url(street.world.community)).status_code == 403


def test_profile_pages_need_a_login(client, street):
    response = client.get(community_url(street.world.community))
    assert response.status_code == 302 and "login" in response["Location"]


def test_picker_opens_the_only_profile(client, street, community_staff, grid_worker_a):
    response = login(client, community_staff).get(reverse("dashboards:profile_picker"))
    assert response.status_code == 302 and response["Location"] == community_url(street.world.community)
    client.logout()
    response = login(client, grid_worker_a).get(reverse("dashboards:profile_picker"))
    assert response.status_code == 302 and response["Location"] == grid_url(street.world.grid_a)
    response = client.get(reverse("dashboards:profile_picker") + "?all=1")
    assert response.status_code == 200 and [r["place"] for r in response.context["rows"]] == [street.world.grid_a]


def test_profile_places_list_communities_and_grids_below_them(street, community_staff, grid_worker_b):
    assert profile_places(community_staff) == [street.world.community]
    assert profile_places(grid_worker_b) == [street.world.grid_b]


def test_sensitive_tags_are_hidden_without_the_permission(client, street, grid_worker_b, community_staff):
    response = login(client, grid_worker_b).get(grid_url(street.world.grid_b))
    codes = {t["code"] for t in json_script(response, "profile-data")["tags"]}
    assert "elderly_60" in codes
    assert not codes & {"disabled", "low_income", "special_difficulty", "child_in_difficulty"}
    assert "残疾人" not in response.content.decode()
    client.logout()
    response = login(client, community_staff).get(grid_url(street.world.grid_b))
    assert "disabled" in {t["code"] for t in json_script(response, "profile-data")["tags"]}


def test_a_tag_made_sensitive_hides_its_figure(client, street, grid_worker_a):
    from linli.residents.models import Tag

    Tag.objects.filter(code="living_alone", community__isnull=True).update(sensitivity="sensitive")
    response = login(client, grid_worker_a).get(grid_url(street.world.grid_a))
    assert figure(response, "living_alone") == "—"
    assert "living_alone" not in {t["code"] for t in json_script(response, "profile-data")["tags"]}


def test_profile_queries_do_not_grow_with_residents(street, community_staff, django_assert_max_num_queries):
    from linli.residents.actions import person_create

    with django_assert_max_num_queries(11):
        place_profile(community_staff, street.world.community)
    for i in range(30):
        person_create(actor=None, name=f"居民{i}", place=street.house_a2, id_number=id_for(20 + i, male=i % 2 == 0))
    community_staff = type(community_staff).objects.get(pk=community_staff.pk)
    with django_assert_max_num_queries(11):
        profile = place_profile(community_staff, street.world.community)
    assert profile.residents == 35


def test_profile_page_query_budget(client, street, community_staff, django_assert_max_num_queries):
    login(client, community_staff)
    with django_assert_max_num_queries(20):
        assert client.get(community_url(street.world.community)).status_code == 200


def test_nav_offers_the_community_profile_to_registry_viewers(client, street, community_staff, resident):
    response = login(client, community_staff).get(reverse("accounts:home"))
    assert reverse("dashboards:profile_picker") in response.content.decode()
    client.logout()
    response = login(client, resident).get(reverse("accounts:home"))
    assert reverse("dashboards:profile_picker") not in response.content.decode()


def test_map_has_no_tiles_unless_configured(client, street, community_staff, settings):
    login(client, community_staff)
    data = json_script(client.get(community_url(street.world.community)), "profile-map-data")
    assert data["tileUrl"] == ""
    settings.LINLI_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    data = json_script(client.get(community_url(street.world.community)), "profile-map-data")
    assert data["tileUrl"] == "https://tiles.example.org/{z}/{x}/{y}.png"


def test_the_profile_weighs_under_600_kb_with_its_charts_and_map(street, community_staff, client):
    """Issue 17, item 5: the community profile on a cold load, compressed as the development server sends
    it; ECharts' common build (bar, line, pie, legend, tooltip: 240 KB gzipped) instead of the full one
    (368 KB), which only the big screen's gauge needs."""
    from linli.core.testing.page_weight import page_weight

    weight = page_weight(login(client, community_staff), community_url(street.world.community))
    assert "/static/vendor/echarts/echarts.common.min.js" in weight.files, weight
    assert "/static/vendor/echarts/echarts.min.js" not in weight.files
    assert any("leaflet" in path for path in weight.files)
    assert weight.total < 600_000, weight
