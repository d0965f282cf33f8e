"""The community profile in a real browser: the charts and the map draw under the Content-Security-Policy
(no inline script), without errors, and the page passes axe-core's WCAG 2 A/AA rules."""

import os
from pathlib import Path

import pytest

from linli.core.testing.personas import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
]


@pytest.fixture
def page(live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "response",
            lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None,
        )
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None)
        page.errors = errors
        yield page
        browser.close()


def _login(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_profile_draws_its_charts_and_map(page, live_server, transactional_db, street, community_staff):
    _login(page, live_server, community_staff)
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
    _login(page, live_server, community_staff)
    page.goto(f"{live_server.url}/dashboards/community/{street.world.community.pk}/")
    page.wait_for_load_state("networkidle")
    page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        """() => axe.run(document.querySelector('main'), {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"""
    )
    problems = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert not problems, problems
