"""我的数据 in a real browser, as a resident on a phone would use it, in Chinese: open it from the home page,
download the copy (Excel and JSON), ask for a correction (a wrong ID number first: the error says why),
community staff accept it on their desktop, and the resident sees it applied. The page passes axe-core's
WCAG 2.1 A/AA rules."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from linli.core.testing.browser import DESKTOP, PHONE, axe_violations, log_in

from .conftest import NAME

pytestmark = [pytest.mark.browser]

NEW_PHONE = "13966667777"
SHOTS = os.environ.get("LINLI_SCREENSHOTS", "")


@pytest.fixture
def tags_back(transactional_db):
    from linli.residents.builtin import ensure_builtin_tags
    from linli.residents.models import Tag

    ensure_builtin_tags(Tag)  # an earlier transactional test may have flushed the migration's rows


def _shot(page, tmp_path: Path, name: str) -> None:
    target = Path(SHOTS) if SHOTS else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=True)


def test_resident_downloads_asks_for_a_correction_and_sees_it_applied(tags_back, new_page, live_server, tmp_path,
                                                                       me, community_staff):
    phone = new_page(viewport=PHONE, accept_downloads=True, bypass_csp=True)
    log_in(phone, live_server.url, me.user.username)
    phone.click("[data-testid=tile-privacy-my_data]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("h1").inner_text() == "我的数据"
    assert NAME in phone.locator("[data-testid=section-person]").inner_text()
    assert "138****2222" in phone.locator("[data-testid=section-person]").inner_text()
    _shot(phone, tmp_path, "my-data-phone")

    with phone.expect_download() as info:
        phone.click("[data-testid=download-xlsx]")
    xlsx = tmp_path / "my-data.xlsx"
    info.value.save_as(xlsx)
    cells = {c for ws in load_workbook(xlsx, read_only=True).worksheets for row in ws.iter_rows(values_only=True)
             for c in row if c is not None}
    assert NAME in cells and "138****2222" in cells
    with phone.expect_download() as info:
        phone.click("[data-testid=download-json]")
    copy = json.loads(Path(info.value.path()).read_text())
    assert copy["sections"][0]["rows"][0]["name"] == NAME

    # A wrong ID number: the page says why and keeps nothing.
    phone.select_option("select[name=field]", "id_number")
    phone.fill("input[name=value]", "330102195003091234")
    phone.click("[data-testid=correction-send]")
    assert "校验" in phone.locator("[data-testid=error-value]").inner_text()
    _shot(phone, tmp_path, "my-data-phone-error")
    phone.select_option("select[name=field]", "phone")
    phone.fill("input[name=value]", NEW_PHONE)
    phone.fill("textarea[name=note]", "换了新号码")
    phone.click("[data-testid=correction-send]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-testid=correction-status]").first.inner_text() == "等待中"
    assert phone.errors == [] and phone.csp_errors == []
    assert axe_violations(phone) == []

    desk = new_page(viewport=DESKTOP)
    log_in(desk, live_server.url, community_staff.username)
    desk.click("[data-testid=tile-privacy-corrections]")
    desk.wait_for_load_state("networkidle")
    desk.click("[data-testid=correction-queue] a")
    assert "139****7777" in desk.locator("[data-testid=asked]").inner_text()
    _shot(desk, tmp_path, "correction-desk")
    desk.click("[data-testid=do-accept]")
    desk.wait_for_load_state("networkidle")
    assert desk.errors == [] and desk.csp_errors == []

    phone.goto(f"{live_server.url}/my/data")
    assert phone.locator("[data-testid=correction-status]").first.inner_text() == "已更正"
    assert "139****7777" in phone.locator("[data-testid=section-person]").inner_text()
    _shot(phone, tmp_path, "my-data-phone-applied")
    me.person.refresh_from_db()
    assert me.person.phone == NEW_PHONE
