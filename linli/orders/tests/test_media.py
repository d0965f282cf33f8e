"""Order and wish photos at /media/party/...: whoever may see the order or wish sees them; else 404."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from linli.core.testing.personas import PASSWORD
from linli.orders import actions
from linli.orders.tests.service_fixtures import svc  # noqa: F401


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 10)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LINLI_MEDIA_ACCEL_PREFIX = ""


def _get(client, user, url):
    client.logout()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client.get(url)


def _who(svc, who):  # noqa: F811
    return None if who == "anonymous" else getattr(svc, who)


@pytest.fixture
def order(svc):  # noqa: F811
    order = actions.order_place(
        actor=svc.resident, category="cleaning", description="油烟机", address="1幢", photo=_jpeg()
    )
    assert order.photo.url.startswith("/media/party/orders/")
    return order


@pytest.fixture
def wish(svc):  # noqa: F811
    wish = actions.wish_post(actor=svc.resident, title="想要一台收音机", photo=_jpeg())
    assert wish.photo.url.startswith("/media/party/wishes/")
    return wish


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 200),
        ("secretary", 200),
        ("staff", 200),
        ("m1", 404),
        ("volunteer", 404),
        ("outsider", 404),
        ("anonymous", 404),
    ],
)
def test_an_order_photo_by_persona(client, svc, order, who, status):  # noqa: F811
    response = _get(client, _who(svc, who), order.photo.url)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"].startswith("inline")


def test_the_work_photo_reaches_the_requester_and_the_member(client, svc, order):  # noqa: F811
    actions.order_dispatch(order=order, member=svc.member1, actor=svc.secretary)
    actions.order_accept(order=order, actor=svc.m1)
    done = actions.order_done(order=order, actor=svc.m1, note="好了", hours="1", photo=_jpeg())
    done.refresh_from_db()
    for user in (svc.resident, svc.m1, svc.secretary):
        assert _get(client, user, done.done_photo.url).status_code == 200
        assert _get(client, user, order.photo.url).status_code == 200
    for user in (svc.m2, svc.outsider, None):
        assert _get(client, user, done.done_photo.url).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 200),
        ("staff", 200),
        ("volunteer", 404),
        ("m1", 404),
        ("outsider", 404),
        ("anonymous", 404),
    ],
)
def test_a_posted_wish_photo_by_persona(client, svc, wish, who, status):  # noqa: F811
    assert _get(client, _who(svc, who), wish.photo.url).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("resident", 200), ("volunteer", 200), ("outsider", 404), ("anonymous", 404)],
)
def test_a_wall_wish_photo_stays_off_the_public(client, svc, wish, who, status):  # noqa: F811
    # The public wall shows no photos (titles and masked names only): a published wish's photo stays
    # with those who may open the wish.
    actions.wish_publish(wish=wish, actor=svc.staff)
    client.logout()
    wall = client.get(reverse("orders:wish_wall"), {"community": svc.world.community.pk})
    assert wall.status_code == 200 and "想要一台收音机" in wall.content.decode()
    assert wish.photo.url not in wall.content.decode()
    assert _get(client, _who(svc, who), wish.photo.url).status_code == status


def test_an_unknown_name_under_the_folders_is_404(client, svc, order):  # noqa: F811
    folder = order.photo.name.rsplit("/", 1)[0]
    assert _get(client, svc.staff, f"/media/{folder}/0000.jpg").status_code == 404
    assert _get(client, svc.staff, "/media/party/other/x.jpg").status_code == 404
