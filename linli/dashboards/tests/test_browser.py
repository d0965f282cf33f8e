"""The community profile in a real browser: the charts and the map draw under the Content-Security-Policy
(no inline script), without errors, and the page passes axe-core's WCAG 2 A/AA rules. The one map's
facilities of the 15-minute circles with their walking-distance rings."""

import math

import pytest

from linli.core.testing.browser import log_in

pytestmark = [pytest.mark.browser]


def test_profile_draws_its_charts_and_map(page, live_server, transactional_db, street, community_staff):
    log_in(page, live_server.url, community_staff.username)
    page.goto(f"{live_server.url}/dashboards/community/")  # the picker opens the only community
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/dashboards/community/{street.world.community.pk}/")
    for chart in ("chart-pyramid", "chart-tags", "chart-units"):
        page.locator(f"#{chart} canvas").first.wait_for()
    # Two grids and a compound as polygons, one building as a circle marker; grid labels on the map.
    assert page.locator("#profile-map path.leaflet-interactive").count() == 4
    assert page.locator("#profile-map .grid-label").count() == 2
    assert not page.errors, page.errors


def test_profile_passes_axe(page, live_server, transactional_db, street, community_staff):
    log_in(page, live_server.url, community_staff.username)
    page.goto(f"{live_server.url}/dashboards/community/{street.world.community.pk}/")
    page.wait_for_load_state("networkidle")
    page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        """() => axe.run(document.querySelector('main'), {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"""
    )
    problems = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert not problems, problems


# Two facilities 0.004° of longitude apart at 30.252° N: 384.2 m on Leaflet's sphere (R = 6,371,000 m).
CANTEEN, CLINIC = (120.162, 30.252), (120.166, 30.252)
APART_M = 0.004 * math.pi / 180 * 6_371_000 * math.cos(math.radians(30.252))


def _widths(page, selector: str) -> list[float]:
    """The drawn widths (px) of the SVG paths matching ``selector`` on the one map, largest first."""
    return sorted(page.eval_on_selector_all(f"#one-map {selector}", "ps => ps.map(p => p.getBBox().width)"),
                  reverse=True)


def _centre_x(page, colour: str) -> float:
    """The x (px) of the centre of the facility marker drawn in ``colour`` (its kind's colour)."""
    return page.eval_on_selector(f'#one-map path.leaflet-interactive[fill="{colour}"]',
                                 "p => { const b = p.getBBox(); return b.x + b.width / 2; }")


def test_the_one_map_rings_each_facility_with_its_walking_distance(page, live_server, transactional_db, street,
                                                                  community_staff):
    """Issue 16 item 5: every facility of the 15-minute circles has its 15-minute ring (1,200 m at 80 m a
    minute), clicking it adds the 5- and 10-minute rings (400 and 800 m), and the facilities layer switched off
    takes the rings away (switched on, they are back)."""
    from linli.iot.actions import facility_create

    community = street.world.community
    facility_create(actor=None, kind="canteen", name="幸福食堂", place=street.world.grid_a, lon=CANTEEN[0],
                    lat=CANTEEN[1], hours="10:30-13:00")
    facility_create(actor=None, kind="clinic", name="社区卫生服务站", place=street.world.grid_b, lon=CLINIC[0],
                    lat=CLINIC[1])
    log_in(page, live_server.url, community_staff.username)
    page.goto(f"{live_server.url}/dashboards/map/{community.pk}/")
    page.wait_for_load_state("networkidle")
    reach = '[stroke-dasharray="4 6"]'  # the 15-minute rings (the grids' borders dash "6 4")
    assert len(_widths(page, f"path{reach}")) == 2
    # The ring's radius in metres: its width against the two markers' distance, both in the map's pixels.
    px_per_m = abs(_centre_x(page, "#e11d48") - _centre_x(page, "#f97316")) / APART_M
    assert [round(w / 2 / px_per_m) for w in _widths(page, f"path{reach}")] == [pytest.approx(1200, rel=0.02)] * 2

    page.click('#one-map path.leaflet-interactive[fill="#f97316"]')  # the canteen: its popup and its inner rings
    popup = page.locator("#one-map .leaflet-popup-content")
    popup.wait_for()
    assert "幸福食堂" in popup.inner_text()
    assert "5 分钟步行 ≈ 400 m · 10 分钟步行 ≈ 800 m · 15 分钟步行 ≈ 1200 m" in popup.inner_text()
    inner = _widths(page, 'path[fill="none"][stroke="#f97316"]')
    assert [round(w / 2 / px_per_m) for w in inner] == [pytest.approx(800, rel=0.02), pytest.approx(400, rel=0.02)]

    page.keyboard.press("Escape")
    layer = page.get_by_label("15分钟生活圈设施")
    assert layer.is_checked()
    layer.uncheck()
    assert _widths(page, f"path{reach}") == [] and _widths(page, 'path[fill="none"][stroke="#f97316"]') == []
    assert page.locator('#one-map path.leaflet-interactive[fill="#f97316"]').count() == 0
    layer.check()
    assert len(_widths(page, f"path{reach}")) == 2
    assert not page.errors, page.errors
