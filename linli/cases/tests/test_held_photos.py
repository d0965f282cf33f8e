"""Issue 10, item 3: a report refused on a send without JavaScript keeps its photos. Browsers never refill a
file input, so the server holds the photos that passed the photo door (linli.core.held_photos): the page
shows them as thumbnails with a box to leave each out, and the corrected send files the case with them.
A token works only in the session that held it; the hourly sweep deletes old holds."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from linli.cases.models import Case
from linli.core.testing.personas import PASSWORD

OUTSIDE = {"lon": "121.500000", "lat": "31.200000"}


def _png(color=(200, 10, 10), name="p.png") -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf


def _not_a_photo() -> io.BytesIO:
    buf = io.BytesIO(b"this is no image at all" * 10)
    buf.name = "x.jpg"
    return buf


def _token(html: str) -> str:
    found = re.search(r'name="held" value="([^"]+)"', html)
    assert found, "the re-shown form carries the token of the held photos"
    return found.group(1)


def _held_dirs(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "held"
    return sorted(p for p in root.iterdir()) if root.is_dir() else []


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

    square = {
        "type": "Polygon",
        "coordinates": [
            [[120.10, 30.20], [120.11, 30.20], [120.11, 30.21], [120.10, 30.21], [120.10, 30.20]]
        ],
    }
    place_set_geometry(place=world.grid_a, geometry=square, actor=None)
    geo.reset_index()
    yield world
    geo.reset_index()


@pytest.fixture
def url(category):
    return f"{reverse('report')}?category={category.pk}"


def test_a_refused_send_keeps_its_photos_and_the_corrected_send_files_them(
    client, resident, category, building, mapped, url, settings
):
    assert client.login(username=resident.username, password=PASSWORD)
    refused = client.post(
        url,
        {
            "category": category.pk,
            "description": "桥下的路灯坏了",
            **OUTSIDE,
            "photos": [_png(), _png((10, 200, 10), "q.png")],
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 200 and not Case.objects.exists()
    assert 'data-testid="held-photos"' in html and 'data-testid="photos-again"' not in html
    assert html.count('src="data:image/jpeg;base64,') == 2  # the thumbnails
    assert 'name="held_drop"' in html and 'data-max-files="7"' in html
    token = _token(html)
    assert len(_held_dirs(settings)) == 1

    # The corrected send: the building chosen, no file chosen again.
    filed = client.post(
        url,
        {
            "category": category.pk,
            "description": "桥下的路灯坏了",
            **OUTSIDE,
            "where": building.pk,
            "held": token,
        },
    )
    assert filed.status_code == 302
    case = Case.objects.get()
    assert case.place_id == building.pk and case.photos.count() == 2
    assert case.events.get(kind="created").photos.count() == 2
    assert _held_dirs(settings) == []  # released once filed
    # The token is spent: a second send with it adds no photo.
    again = client.post(
        url, {"category": category.pk, "description": "另一件事", "where": building.pk, "held": token}
    )
    assert again.status_code == 302 and Case.objects.latest("id").photos.count() == 0


def test_a_kept_photo_can_be_left_out_and_new_ones_added(client, resident, category, building, mapped, url):
    assert client.login(username=resident.username, password=PASSWORD)
    html = client.post(
        url,
        {
            "category": category.pk,
            "description": "路灯",
            **OUTSIDE,
            "photos": [_png(), _png((0, 0, 200), "b.png")],
        },
    ).content.decode()
    token = _token(html)
    filed = client.post(
        url,
        {
            "category": category.pk,
            "description": "路灯",
            **OUTSIDE,
            "where": building.pk,
            "held": token,
            "held_drop": ["0"],
            "photos": [_png((0, 150, 0), "g.png")],
        },
    )
    assert filed.status_code == 302
    assert Case.objects.get().photos.count() == 2  # one kept, one left out, one new


def test_an_invalid_field_keeps_the_photos_too(client, resident, category, url, settings):
    assert client.login(username=resident.username, password=PASSWORD)
    html = client.post(
        url, {"category": category.pk, "description": "   ", "photos": [_png()]}
    ).content.decode()
    assert not Case.objects.exists() and 'data-testid="held-photos"' in html
    filed = client.post(url, {"category": category.pk, "description": "门口路灯不亮", "held": _token(html)})
    assert filed.status_code == 302 and Case.objects.get().photos.count() == 1
    assert _held_dirs(settings) == []


def test_an_unreadable_photo_is_refused_and_the_good_one_kept(
    client, resident, category, building, mapped, url
):
    assert client.login(username=resident.username, password=PASSWORD)
    refused = client.post(
        url,
        {
            "category": category.pk,
            "description": "路灯",
            "where": building.pk,
            "photos": [_png(), _not_a_photo()],
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 422 and not Case.objects.exists()
    assert html.count('src="data:image/jpeg;base64,') == 1  # only the photo that passed the door
    filed = client.post(
        url, {"category": category.pk, "description": "路灯", "where": building.pk, "held": _token(html)}
    )
    assert filed.status_code == 302 and Case.objects.get().photos.count() == 1


def test_a_token_of_another_session_is_useless(client, resident, category, building, mapped, url, settings):
    assert client.login(username=resident.username, password=PASSWORD)
    token = _token(
        client.post(
            url, {"category": category.pk, "description": "路灯", **OUTSIDE, "photos": [_png()]}
        ).content.decode()
    )
    other = Client()  # the same person signed in elsewhere: another session
    assert other.login(username=resident.username, password=PASSWORD)
    filed = other.post(
        url, {"category": category.pk, "description": "路灯", "where": building.pk, "held": token}
    )
    assert filed.status_code == 302 and Case.objects.get().photos.count() == 0
    assert len(_held_dirs(settings)) == 1  # and it did not release the first session's hold
    # A forged token (another id, or the signature altered) holds nothing either.
    from django.core import signing

    forged = signing.dumps(_held_dirs(settings)[0].name, salt="something else")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, tampered):
        client.post(url, {"category": category.pk, "description": "路灯", "where": building.pk, "held": bad})
        assert Case.objects.latest("id").photos.count() == 0
    assert len(_held_dirs(settings)) == 1


def test_an_expired_token_is_useless(client, resident, category, building, mapped, url, settings):
    assert client.login(username=resident.username, password=PASSWORD)
    token = _token(
        client.post(
            url, {"category": category.pk, "description": "路灯", **OUTSIDE, "photos": [_png()]}
        ).content.decode()
    )
    settings.LINLI_HELD_PHOTOS_HOURS = 0.0001  # 0.36 s
    time.sleep(1)
    client.post(url, {"category": category.pk, "description": "路灯", "where": building.pk, "held": token})
    assert Case.objects.get().photos.count() == 0


def test_a_session_holds_at_most_three_sends(client, resident, category, mapped, url, settings):
    assert client.login(username=resident.username, password=PASSWORD)
    for _ in range(5):  # each refused send without the earlier token: a new hold
        client.post(url, {"category": category.pk, "description": "路灯", **OUTSIDE, "photos": [_png()]})
    assert len(_held_dirs(settings)) == 3


def test_the_hourly_sweep_deletes_old_holds(client, resident, category, mapped, url, settings):
    from linli.core.tasks import core_ratehits_prune

    assert client.login(username=resident.username, password=PASSWORD)
    client.post(url, {"category": category.pk, "description": "路灯", **OUTSIDE, "photos": [_png()]})
    client.post(url, {"category": category.pk, "description": "路灯", **OUTSIDE, "photos": [_png()]})
    old, young = _held_dirs(settings)
    four_hours_ago = time.time() - 4 * 3600
    os.utime(old, (four_hours_ago, four_hours_ago))
    core_ratehits_prune.call_local()
    assert _held_dirs(settings) == [young]
    assert not old.exists()
