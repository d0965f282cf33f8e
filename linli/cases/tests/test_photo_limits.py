"""Every photo path refuses an image bomb at the door (422, before decoding) and an oversized photo
(413), through the API and the pages, writes nothing, and costs the process less than 100 MB (peak
resident size measured with ``resource`` in a forked child)."""

from __future__ import annotations

import base64

import pytest

from linli.accounts.tests.conftest import bearer, issue_token
from linli.cases.models import Case
from linli.cases.tests.test_intake import jpeg_with_exif
from linli.core.testing.bombs import png_bomb
from linli.core.testing.memory import peak_growth
from linli.core.testing.personas import PASSWORD

LIMIT_MB = 100


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def bomb_b64() -> str:
    return base64.b64encode(png_bomb()).decode()


def _file_case(client, token, photos):
    return client.post("/api/v1/cases", data={"category": "MUNI.STREETLIGHT", "description": "路灯坏了",
                                              "place_id": None, "photos": photos},
                       content_type="application/json", **bearer(token))


@pytest.mark.django_db(transaction=True)
def test_api_refuses_an_image_bomb_with_422_and_little_memory(client, world, categories, resident, bomb_b64):
    token = issue_token(resident)
    grown, (status, body) = peak_growth(lambda: (lambda r: (r.status_code, r.json()))(_file_case(client, token, [bomb_b64])))
    assert status == 422 and body["code"] == "too_many_pixels" and set(body) == {"code", "message", "fields"}
    assert "photos" in body["fields"]
    assert grown < LIMIT_MB, f"{grown:.0f} MB"
    assert not Case.objects.exists()


def test_api_takes_three_photos_of_27_mb_the_documented_limit_is_reachable(client, world, categories, resident):
    """Three 2.7 MB photos in one JSON body (about 11 MB of base64) once answered 500."""
    import io
    import os

    from PIL import Image

    def noisy_jpeg() -> bytes:
        img = Image.frombytes("RGB", (1800, 1350), os.urandom(1800 * 1350 * 3))
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=95)
        return out.getvalue()

    photos = [noisy_jpeg() for _ in range(3)]
    assert all(2_700_000 < len(p) < 10 * 1024 * 1024 for p in photos), [len(p) for p in photos]
    token = issue_token(resident)
    response = client.post("/api/v1/cases", data={
        "category": "MUNI.STREETLIGHT", "description": "路灯坏了", "place_id": world.grid_a.pk,
        "photos": [base64.b64encode(p).decode() for p in photos]}, content_type="application/json", **bearer(token))
    assert response.status_code == 201, response.content[:500]
    assert len(response.json()["photos"]) == 3


def test_api_body_beyond_the_limit_is_413_in_the_api_shape(client, world, categories, resident, settings):
    settings.LINLI_API_MAX_BODY = 1024
    token = issue_token(resident)
    response = _file_case(client, token, [base64.b64encode(jpeg_with_exif()).decode()])
    assert response.status_code == 413
    assert set(response.json()) == {"code", "message", "fields"} and response.json()["code"] == "too_large"


@pytest.mark.django_db(transaction=True)
def test_report_page_refuses_an_image_bomb_with_422(client, world, categories, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.login(username=resident.username, password=PASSWORD)
    category = categories["MUNI.STREETLIGHT"]
    bomb = png_bomb()

    def post():
        upload = SimpleUploadedFile("bomb.png", bomb, content_type="image/png")
        return client.post(f"/report?category={category.pk}", {"category": category.pk, "description": "路灯坏了",
                                                                "photos": [upload]}).status_code

    grown, status = peak_growth(post)
    assert status == 422
    assert grown < LIMIT_MB, f"{grown:.0f} MB"
    assert not Case.objects.exists()


def test_order_and_wish_pages_refuse_an_image_bomb(client, world, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from linli.orders.models import ServiceOrder, Wish

    client.login(username=resident.username, password=PASSWORD)
    bomb = png_bomb(9000, 9000)
    order = client.post("/party/orders/new", {"category": "cleaning", "description": "打扫", "address": "1幢",
                                              "photo": SimpleUploadedFile("b.png", bomb, content_type="image/png")})
    wish = client.post("/party/wishes/new", {"title": "一个心愿",
                                             "photo": SimpleUploadedFile("b.png", bomb, content_type="image/png")})
    assert (order.status_code, wish.status_code) == (422, 422)
    assert not ServiceOrder.objects.exists() and not Wish.objects.exists()
