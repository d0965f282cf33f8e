"""The community profile in a real browser: the charts and the map draw under the Content-Security-Policy
(no inline script), without errors, and the page passes axe-core's WCAG 2 A/AA rules."""


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
