"""The place pages in a real browser: the tree expands by HTMX, and a boundary drawn by clicking on the
map is saved (the JavaScript of linli/places/static/places works under the CSP)."""


import pytest

from linli.core.testing.browser import log_in

pytestmark = [pytest.mark.browser]


def test_tree_expands_children_with_htmx(page, live_server, transactional_db, world, community_staff):
    log_in(page, live_server.url, community_staff.username)
    page.goto(f"{live_server.url}/places/")
    tree = page.get_by_test_id("place-tree")
    assert tree.get_by_text("测试一社区").is_visible()
    tree.locator("[data-place-toggle]").first.click()
    page.get_by_text("第一网格").wait_for()
    assert page.get_by_text("第二网格").is_visible()
    tree.locator("[data-place-toggle]").first.click()  # collapse
    assert not page.get_by_text("第二网格").is_visible()
    assert not page.errors, page.errors


def test_boundary_drawn_on_the_map_is_saved(page, live_server, transactional_db, world, community_staff):
    log_in(page, live_server.url, community_staff.username)
    page.goto(f"{live_server.url}/places/{world.grid_a.pk}/boundary")
    map_box = page.locator("[data-editor]").bounding_box()
    x0, y0 = map_box["x"] + map_box["width"] / 2, map_box["y"] + map_box["height"] / 2
    for dx, dy in ((-100, -80), (100, -80), (120, 90), (-90, 100)):
        page.mouse.click(x0 + dx, y0 + dy)
    page.locator("[data-draw=finish]").click()
    value = page.locator("[data-geojson-input]").input_value()
    assert '"Polygon"' in value
    page.locator("form[data-boundary-form] button[type=submit]").first.click()
    page.wait_for_url(f"**/places/{world.grid_a.pk}/")
    world.grid_a.refresh_from_db()
    ring = world.grid_a.geometry["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert world.grid_a.area_km2 > 0
    assert not page.errors, page.errors
