"""Issue 10's "done when", tried as new users would, in Chinese, on a laptop (1366x768) and on a phone
(390x844): the street supervisor finds the KPIs, the board and the overdue list from the home page in one
or two clicks; the community desk verifies a case and closes it once rated; a resident whose location
lies outside every grid still files a report (the building picker, text and photo kept). The public
board reads as cards on the phone.

Screenshots: /work/notes/screens/i10_*.png (when the directory exists).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from linli.core.testing.browser import PHONE, axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))
LAPTOP = {"width": 1366, "height": 768}


def _shot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / f"i10_{name}.png"), full_page=True)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.fixture
def street_cases(world, community_staff, grid_worker_a, resident):
    """Cases in grid A: one overdue, one reported back (to verify), one at a building (the board)."""
    from django.utils import timezone

    from linli.cases import actions
    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Case, Category
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    categories_restore_default()
    category = Category.objects.get(code="MUNI.STREETLIGHT")
    compound = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=compound)

    def make(title, **kw):
        return actions.case_create(actor=resident, category=category, title=title, description=title + "，请尽快处理",
                                   place=kw.pop("place", world.grid_a), channel=kw.pop("channel", "snapshot"))

    def to_owner(case):
        actions.case_accept(case=case, actor=community_staff)
        actions.case_dispatch(case=case, actor=community_staff, owner_user=grid_worker_a.pk, owner_kind="grid_worker")
        actions.case_sign(case=case, actor=grid_worker_a)
        actions.case_handle(case=case, actor=grid_worker_a)
        return case

    overdue = to_owner(make("桥头路灯不亮"))
    past = timezone.now() - timedelta(days=3)
    Case.objects.filter(pk=overdue.pk).update(handle_due=past, feedback_due=past)
    back = to_owner(make("阳光小区门口井盖松动"))
    actions.case_report(case=back, actor=grid_worker_a, reply="井盖已固定")
    qr = make("2号楼楼道灯坏了", place=building, channel="qr")
    return {"overdue": Case.objects.get(pk=overdue.pk), "back": back, "qr": qr, "building": building,
            "category": category}


def test_the_street_supervisor_finds_kpis_board_and_overdue_in_two_clicks(live_server, new_page, street_cases,
                                                                          street_supervisor):
    base = live_server.url
    page = new_page(viewport=LAPTOP)
    log_in(page, base, street_supervisor.username)
    _shot(page, "street_home")
    # KPIs: one click on a home tile.
    with page.expect_navigation():
        page.locator("a.tile", has_text="考核指标").first.click()
    assert "/cases/kpi/" in page.url and page.locator("#kpi-formulas").count() == 1
    ranking = page.inner_text("#kpi-ranking")
    assert "测试一社区" in ranking and "测试二社区" in ranking  # the second has no case
    _shot(page, "street_kpi")
    page.select_option("#kpi-by", "grid")
    with page.expect_navigation():
        page.locator("main form button", has_text="查看").first.click()
    ranking = page.inner_text("#kpi-ranking")
    assert all(g in ranking for g in ("第一网格", "第二网格", "二社区第一网格")), ranking
    # The board: the tile, then the community (two clicks).
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator("a.tile", has_text="进度公示").first.click()
    if "/cases/board/" in page.url and page.locator("[data-testid=board]").count() == 0:
        with page.expect_navigation():
            page.locator("[data-testid=boards] a", has_text="测试一社区").first.click()
    assert page.locator("[data-testid=board]").count() == 1
    assert "2号楼" in page.inner_text("[data-testid=board]")  # the QR case names its building
    _shot(page, "street_board")
    # The overdue list: the count on the home page (one click).
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator("[data-testid=count]", has_text="已超期").first.click()
    assert street_cases["overdue"].number in page.inner_text("main")
    _shot(page, "street_overdue")
    assert not page.errors, page.errors


def test_the_community_desk_verifies_and_closes_a_rated_case(live_server, new_page, street_cases, community_staff,
                                                            resident):
    from linli.cases import actions
    from linli.cases.models import Case

    base = live_server.url
    case = street_cases["back"]
    page = new_page(viewport=LAPTOP)
    log_in(page, base, community_staff.username)
    with page.expect_navigation():
        page.locator("[data-testid=count]", has_text="待核查").first.click()
    with page.expect_navigation():
        page.click(f"text={case.number}")
    page.click("[data-action=verify]")
    with page.expect_navigation():
        page.click("[data-testid=form-verify] button[type=submit]")
    assert Case.objects.get(pk=case.pk).status == "verified"
    actions.case_rate(case=case, actor=resident, satisfaction="satisfied", solved=True)
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator("[data-testid=count]", has_text="待结案").first.click()
    _shot(page, "desk_to_close")
    with page.expect_navigation():
        page.click(f"text={case.number}")
    page.click("[data-action=close]")
    with page.expect_navigation():
        page.click("[data-testid=form-close] button[type=submit]")
    _shot(page, "desk_closed")
    assert Case.objects.get(pk=case.pk).status == "closed"
    assert not page.errors, page.errors


def test_a_resident_outside_every_grid_still_files_a_report(live_server, new_page, street_cases, resident, tmp_path):
    from linli.cases.models import Case

    base = live_server.url
    photo = tmp_path / "lamp.jpg"
    Image.new("RGB", (64, 48), (30, 30, 30)).save(photo, format="JPEG")
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, geolocation={"longitude": 121.5, "latitude": 31.2},
                    permissions=["geolocation"], bypass_csp=True)  # axe is injected as an inline script
    log_in(page, base, resident.username)
    page.goto(f"{base}/report?category={street_cases['category'].pk}")
    page.fill("#id_description", "河边步道的路灯坏了")
    page.set_input_files("#id_photos", str(photo))
    page.click("[data-locate]")
    page.wait_for_selector("[data-testid=pick-place]")
    _fits(page, PHONE["width"])
    _shot(page, "resident_outside_picker")
    assert page.input_value("#id_description") == "河边步道的路灯坏了"  # kept
    assert page.evaluate("document.getElementById('id_photos').files.length") == 1  # kept
    page.select_option("#id_where", str(street_cases["building"].pk))
    with page.expect_navigation():
        page.click("[data-testid=report-submit]")
    number = page.inner_text("[data-testid=case-number]").strip()
    case = Case.objects.get(number=number)
    assert case.place_id == street_cases["building"].pk and case.photos.count() == 1
    _shot(page, "resident_filed")
    # The public board reads as cards on the phone.
    page.goto(f"{base}/cases/board/{case.community_id}")
    _fits(page, PHONE["width"])
    _shot(page, "resident_board")
    # The building's public page leads to the report form and passes WCAG 2.1 AA (contrast included).
    page.goto(f"{base}/r/{street_cases['building'].public_code}/about")
    assert axe_violations(page) == []
    _shot(page, "building_about")
    with page.expect_navigation():
        page.click("[data-testid=report-here]")
    assert page.url.endswith(f"/r/{street_cases['building'].public_code}")
    assert page.locator("[data-testid=category-list]").count() == 1  # the report form's first step
    assert not page.errors, page.errors
