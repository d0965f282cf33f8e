"""The resident's phone pages in Chromium: my points, the shop's confirm step, the code and QR; axe."""

from __future__ import annotations

from pathlib import Path

import pytest

from linli.core.testing.browser import PHONE, axe_violations, log_in

SCREENS = Path("/work/notes/screens")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_redeems_on_a_phone(new_page, live_server, member, person, item):
    from linli.points.actions import points_award
    from linli.points.models import Redemption

    points_award(person_id=person.pk, rule_code="service", source="browser:1", actor=None, amount=12)
    page = new_page(viewport=PHONE, bypass_csp=False)
    log_in(page, live_server.url, member.username)
    page.goto(f"{live_server.url}/points/me/")
    assert page.inner_text("[data-testid=balance]") == "12"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "points_me.png"), full_page=True)
    page.goto(f"{live_server.url}/points/shop/")
    page.click("[data-testid=item] a")
    page.wait_for_selector("[data-testid=confirm]")
    page.screenshot(path=str(SCREENS / "points_shop_confirm.png"), full_page=True)
    page.click("[data-testid=confirm] button[type=submit]")
    page.wait_for_selector("[data-testid=code]")
    code = Redemption.objects.get().code
    assert page.inner_text("[data-testid=code]") == code
    assert page.locator(".points-qr svg").count() == 1
    page.screenshot(path=str(SCREENS / "points_redemption.png"), full_page=True)
    assert not page.errors and not page.csp_errors, (page.errors, page.csp_errors)
    checker = new_page(viewport=PHONE, bypass_csp=True)
    log_in(checker, live_server.url, member.username)
    for url in ("/points/me/", "/points/shop/", f"/points/shop/?item={item.pk}"):
        checker.goto(live_server.url + url)
        assert axe_violations(checker) == [], url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_ledger_and_rankings_pages(new_page, live_server, community_staff, person):
    from linli.points.actions import points_award

    for n in range(3):
        points_award(person_id=person.pk, rule_code="area_safety", source=f"browser:s{n}", actor=None)
    page = new_page(bypass_csp=True)
    log_in(page, live_server.url, community_staff.username)
    for url, shot in (("/points/ledger/", "points_ledger.png"), ("/points/rankings/", "points_rankings.png")):
        page.goto(live_server.url + url)
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / shot), full_page=True)
        assert axe_violations(page) == [], url
    assert page.locator("[data-testid=rank]").count() == 1
