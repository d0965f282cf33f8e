"""A volunteer on a phone opens the activity's QR link, logs in, checks in and sees it confirmed; the
organiser's printable QR code encodes that link. axe (WCAG 2.1 AA) on the check-in page.
Screenshot: /work/notes/screens/volunteers_checkin.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linli.core.testing.browser import PHONE, axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))


def test_volunteer_checks_in_from_the_qr_link_on_a_phone(
    new_page, live_server, activity_in_state, volunteer_user, community_staff
):
    from linli.volunteers.actions import signup_create
    from linli.volunteers.models import Signup

    activity = activity_in_state("recruiting", title="敲门问安：独居老人探访")
    signup_create(activity=activity, actor=volunteer_user)
    url = f"{live_server.url}/volunteers/checkin/{activity.checkin_token}/"

    # The organiser's QR page shows the code of exactly this link.
    staff_page = new_page()
    log_in(staff_page, live_server.url, community_staff.username)
    staff_page.goto(f"{live_server.url}/volunteers/activities/{activity.pk}/qr/")
    assert url in staff_page.inner_text("main")
    assert staff_page.locator("[data-testid=qr]").evaluate("img => img.naturalWidth") > 0

    page = new_page(viewport=PHONE, bypass_csp=True)
    log_in(page, live_server.url, volunteer_user.username)
    page.goto(f"{live_server.url}/volunteers/activities/{activity.pk}/")
    assert "您已报名" in page.inner_text("main")
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / "volunteers_activity.png"), full_page=True)
    page.goto(url)
    button = page.locator("[data-testid=checkin]")
    box = button.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 250  # a big tap target
    assert "签到" in button.inner_text()
    button.click()
    page.wait_for_load_state("networkidle")
    state = page.locator("[data-testid=checkin-state]")
    assert "已签到" in state.inner_text()
    assert "签到成功" in page.inner_text("main")
    assert Signup.objects.get(activity=activity).checked_in_at is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    assert axe_violations(page) == []
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / "volunteers_checkin.png"), full_page=True)
    assert not page.errors, page.errors
