"""The resident's QR page on a cold load: what it weighs as the development server (``linli serve``) sends
it to a phone's browser (issue 17, item 5: under 150 KB, compressed)."""

from __future__ import annotations

import pytest

from linli.core.testing.page_weight import page_weight
from linli.places.actions import place_create
from linli.places.models import PlaceKind

pytestmark = pytest.mark.django_db


def test_the_qr_page_sends_its_text_files_compressed(client, world):
    building = place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=world.grid_a)
    weight = page_weight(client, f"/r/{building.public_code}")
    css = weight.files["/static/vendor/bootstrap/css/bootstrap.min.css"]
    assert css < 40_000, weight  # 232 KB as a file, about 31 KB gzipped
    assert "/static/vendor/echarts/echarts.min.js" not in weight.files  # no charts or maps on this page
    assert not any("leaflet" in path for path in weight.files), weight


def test_the_qr_page_weighs_under_150_kb(client, world):
    """The icon font cut to the icons Linli names (24 KB, was 134 KB: linli/core/icons.py)."""
    building = place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=world.grid_a)
    weight = page_weight(client, f"/r/{building.public_code}")
    assert weight.total < 150_000, weight
