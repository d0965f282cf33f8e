"""Building QR codes: the PNG, the A4 sheet per compound, and the public page the code opens."""

import io

from django.urls import reverse
from PIL import Image

from linli.core.testing.personas import PASSWORD
from linli.places.actions import place_create
from linli.places.models import PlaceKind
from linli.places.qr import building_report_url, qr_png

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _buildings(world):
    compound = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=world.grid_a)
    b10 = place_create(kind=PlaceKind.BUILDING, name="10号楼", parent=compound)
    b2 = place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=compound)
    return compound, b2, b10


def test_report_url_uses_the_public_code(world, rf):
    _, b2, _ = _buildings(world)
    request = rf.get("/", HTTP_HOST="localhost:8000")
    assert building_report_url(b2, request) == f"http://localhost:8000/r/{b2.public_code}"


def test_report_url_prefers_the_configured_public_address(world, rf, settings):
    settings.LINLI_PUBLIC_URL = "https://linli.example.cn/"
    _, b2, _ = _buildings(world)
    assert building_report_url(b2, rf.get("/")) == f"https://linli.example.cn/r/{b2.public_code}"


def test_qr_png_is_a_square_png_that_grows_with_the_data():
    small, large = qr_png("https://x.cn/r/ABCDEFGH"), qr_png("https://x.cn/r/" + "A" * 200)
    assert small.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(small))
    assert image.size[0] == image.size[1] >= 21 * 10  # version 1 is 21 modules, 10 px each
    assert Image.open(io.BytesIO(large)).size[0] > image.size[0]


def test_building_qr_endpoint_serves_a_png(client, world, grid_worker_a):
    _, b2, _ = _buildings(world)
    client.login(username=grid_worker_a.username, password=PASSWORD)
    response = client.get(reverse("places:building_qr", args=[b2.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG_MAGIC)
    # the same bytes as the code of the building's URL (the PNG encodes exactly that address)
    assert response.content == qr_png(f"http://testserver/r/{b2.public_code}")


def test_building_qr_outside_scope_is_404(client, world, grid_worker_b, outsider):
    compound, b2, _ = _buildings(world)
    for user in (grid_worker_b, outsider):
        client.login(username=user.username, password=PASSWORD)
        assert client.get(reverse("places:building_qr", args=[b2.pk])).status_code == 404


def test_building_qr_of_a_non_building_is_404(client, world, community_staff):
    compound, _, _ = _buildings(world)
    client.login(username=community_staff.username, password=PASSWORD)
    assert client.get(reverse("places:building_qr", args=[compound.pk])).status_code == 404


def test_qr_sheet_lists_every_building_in_natural_order(client, world, community_staff):
    compound, b2, b10 = _buildings(world)
    client.login(username=community_staff.username, password=PASSWORD)
    response = client.get(reverse("places:compound_qr_sheet", args=[compound.pk]))
    assert response.status_code == 200
    cards = response.context["cards"]
    assert [c["building"].name for c in cards] == ["2号楼", "10号楼"]
    assert cards[0]["url"].endswith(f"/r/{b2.public_code}")
    assert cards[0]["image"].startswith("data:image/png;base64,")
    html = response.content.decode()
    assert "qr-sheet.css" in html and "测试一社区" in html


def test_qr_sheet_outside_scope_is_404(client, world, outsider):
    compound, _, _ = _buildings(world)
    client.login(username=outsider.username, password=PASSWORD)
    assert client.get(reverse("places:compound_qr_sheet", args=[compound.pk])).status_code == 404


def test_public_building_page_needs_no_login_and_shows_the_building(client, world):
    compound, b2, _ = _buildings(world)
    response = client.get(f"/r/{b2.public_code}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "阳光小区" in html and "2号楼" in html and "测试一社区" in html


def test_public_building_page_accepts_lower_case_and_404s_unknown_codes(client, world):
    _, b2, _ = _buildings(world)
    assert client.get(f"/r/{b2.public_code.lower()}").status_code == 200
    assert client.get("/r/NOSUCHCD").status_code == 404
