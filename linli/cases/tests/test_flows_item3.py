"""Issue 10, item 3: the resident's and the worker's flows do not dead-end. A location outside every grid
offers the community or building picker (one message, the text kept, nothing filed), and the case is
filed at the chosen place with its photo; the report form asks where the location lies before sending;
cases filed from a building's QR code name the building in the lists, the case header and the board."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from linli.cases.models import Case
from linli.core.testing.personas import PASSWORD

OUTSIDE = {"lon": "121.500000", "lat": "31.200000"}


def _png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = "p.png"
    return buf


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def building(world):
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    compound = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=world.grid_a)
    return place_create(kind=PlaceKind.BUILDING, name="7号楼", parent=compound)


@pytest.fixture
def mapped(world):
    from linli.places import geo
    from linli.places.actions import place_set_geometry

    square = {"type": "Polygon", "coordinates": [[[120.10, 30.20], [120.11, 30.20], [120.11, 30.21], [120.10, 30.21],
                                                   [120.10, 30.20]]]}
    place_set_geometry(place=world.grid_a, geometry=square, actor=None)
    geo.reset_index()
    yield world
    geo.reset_index()


def test_a_point_outside_every_grid_offers_the_picker_and_keeps_the_text(client, resident, category, building,
                                                                        mapped):
    assert client.login(username=resident.username, password=PASSWORD)
    url = f"{reverse('report')}?category={category.pk}"
    response = client.post(url, {"category": category.pk, "description": "桥下的路灯坏了", **OUTSIDE,
                                 "photos": [_png()]})
    html = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert 'data-testid="pick-place"' in html and 'name="where"' in html
    assert f'value="{building.pk}"' in html and f'value="{mapped.community.pk}"' in html
    assert "桥下的路灯坏了" in html  # the typed text stays
    assert html.count("outside every grid") + html.count("不在任何网格") == 1  # one message, not two
    assert 'data-testid="held-photos"' in html and 'data-testid="photos-kept"' in html  # the photos are held

    response = client.post(url, {"category": category.pk, "description": "桥下的路灯坏了", **OUTSIDE,
                                 "where": building.pk, "photos": [_png()]})
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.place_id == building.pk and case.grid_id == mapped.grid_a.pk and case.photos.count() == 1

    response = client.post(url, {"category": category.pk, "description": "社区里的事", **OUTSIDE,
                                 "where": mapped.community_2.pk})
    assert response.status_code == 302
    assert Case.objects.latest("id").community_id == mapped.community_2.pk


def test_the_form_asks_where_the_location_lies_before_sending(client, resident, mapped):
    url = reverse("report_where")
    assert client.get(url, OUTSIDE).status_code == 403  # not identified
    assert client.login(username=resident.username, password=PASSWORD)
    outside = client.get(url, OUTSIDE).content.decode()
    assert 'name="where"' in outside and f'value="{mapped.community.pk}"' in outside
    inside = client.get(url, {"lon": "120.105", "lat": "30.205"}).content.decode()
    assert 'name="where"' not in inside and "第一网格" in inside
    assert client.get(url, {"lon": "abc", "lat": "1"}).status_code == 400
    assert client.get(url, {"lon": "500", "lat": "1"}).status_code == 400


def test_a_qr_case_names_its_building_in_lists_header_and_board(client, resident, category, building, world,
                                                               community_staff):
    assert client.login(username=resident.username, password=PASSWORD)
    client.post(f"/r/{building.public_code}?category={category.pk}", {"category": category.pk,
                                                                       "description": "楼道灯不亮"})
    case = Case.objects.get()
    assert case.place_id == building.pk
    assert "7号楼" in client.get(reverse("cases:mine")).content.decode()
    board = client.get(reverse("cases:board", args=[world.community.pk])).content.decode()
    assert "第一网格 · 7号楼" in board
    client.logout()
    assert client.login(username=community_staff.username, password=PASSWORD)
    header = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert 'data-testid="case-place">7号楼<' in header
    assert "7号楼" in client.get(reverse("cases:dispatch")).content.decode()


def test_the_case_map_shows_the_building_the_grid_and_the_buildings_nearby(client, category, building, mapped,
                                                                          community_staff):
    import json

    from linli.cases.actions import case_create
    from linli.places.actions import place_create, place_set_geometry
    from linli.places.models import PlaceKind

    place_set_geometry(place=building, geometry={"type": "Point", "coordinates": [120.105, 30.205]}, actor=None)
    other = place_create(kind=PlaceKind.BUILDING, name="8号楼", parent=building.parent)
    place_set_geometry(place=other, geometry={"type": "Point", "coordinates": [120.106, 30.205]}, actor=None)
    case = case_create(actor=None, category=category, title="楼道灯", description="楼道灯不亮", place=building,
                       channel="qr")
    assert client.login(username=community_staff.username, password=PASSWORD)
    html = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    raw = html.split('<script id="case-map-features" type="application/json">')[1].split("</script>")[0]
    roles = {f["properties"]["name"]: f["properties"]["role"] for f in json.loads(raw)["features"]}
    assert roles == {"第一网格": "grid", "7号楼": "self", "8号楼": "nearby"}
