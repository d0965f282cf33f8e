"""The closed loop in a real browser: a resident reports from a building's QR page on a phone-sized
screen with a photo, the grid worker signs the case on the case page; WCAG 2.1 AA on the report page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from linli.core.testing.browser import PHONE, axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))


def _shot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / name), full_page=True)


def test_resident_reports_on_a_phone_and_the_grid_worker_signs(live_server, new_page, world, resident,  # noqa: F811
                                                               grid_worker_a, community_staff, tmp_path):
    from linli.cases import actions
    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Case
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    categories_restore_default()
    compound = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=compound)
    photo = tmp_path / "light.jpg"
    Image.new("RGB", (64, 48), (30, 30, 30)).save(photo, format="JPEG")

    page = new_page(viewport=PHONE, bypass_csp=True)  # axe is injected as an inline script
    log_in(page, live_server.url, "resident_a")
    page.goto(f"{live_server.url}/r/{building.public_code}")
    assert "2号楼" in page.inner_text("[data-testid=building-report]")
    violations = axe_violations(page)
    assert not violations, violations
    page.fill("#cat-search", "路灯")
    page.locator("[data-testid=category-list] a:visible", has_text="路灯").first.click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_description", "2号楼门口的路灯三天不亮了")
    page.set_input_files("#id_photos", str(photo))
    violations = axe_violations(page)
    assert not violations, violations
    _shot(page, "cases-report-phone.png")
    page.click("[data-testid=report-submit]")
    page.wait_for_load_state("networkidle")
    number = page.inner_text("[data-testid=case-number]").strip()
    case = Case.objects.get(number=number)
    assert case.channel == "qr" and case.place_id == building.pk and case.photos.count() == 1

    actions.case_accept(case=case, actor=community_staff)
    actions.case_dispatch(case=case, actor=community_staff, owner_user=grid_worker_a.pk, owner_kind="grid_worker")

    staff = new_page()
    log_in(staff, live_server.url, "worker_a")
    staff.goto(f"{live_server.url}/cases/worklist")
    staff.click(f"text={number}")
    staff.wait_for_load_state("networkidle")
    staff.click("[data-action=sign]")
    staff.click("[data-testid=submit-sign]")
    staff.wait_for_load_state("networkidle")
    from django.utils import translation

    from linli.cases.workflow import CaseStatus

    with translation.override("zh-hans"):
        assert staff.inner_text("[data-testid=case-status]").strip() == str(CaseStatus.SIGNED.label)
    _shot(staff, "cases-case-page.png")
    case.refresh_from_db()
    assert case.status == "signed"
