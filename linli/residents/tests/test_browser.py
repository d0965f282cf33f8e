"""The registry in a real browser, as a community worker would use it, in Chinese: download the
template, fill it, import it, read the error report, fix the row, import again, find a resident by
pinyin initials, export the grid. And the registry pages pass axe-core's WCAG 2 A/AA rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from linli.core.testing.browser import log_in

from .conftest import new_id, xlsx_rows

pytestmark = [pytest.mark.browser]


@pytest.fixture
def page(new_page, live_server, transactional_db):
    from linli.residents.builtin import ensure_builtin_tags
    from linli.residents.models import Tag

    ensure_builtin_tags(Tag)  # an earlier transactional test may have flushed the migration's rows
    return new_page(accept_downloads=True)


def _download(page, locator, target: Path) -> Path:
    with page.expect_download() as info:
        page.locator(locator).first.click()
    info.value.save_as(target)
    return target


def _upload(page, live_server, path: Path, community) -> None:
    page.goto(f"{live_server.url}/registry/import/")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=community]", str(community.pk))
    page.click("[data-testid=import-submit]")
    page.wait_for_selector("[data-testid=import-status][data-status=done], "
                           "[data-testid=import-status][data-status=rejected]")


def test_worker_imports_fixes_finds_and_exports_in_the_browser(page, live_server, tmp_path, world, houses,
                                                               community_staff):
    log_in(page, live_server.url, community_staff.username)
    page.goto(f"{live_server.url}/registry/")
    assert page.locator("h1").inner_text() != "Registry"  # the interface speaks Chinese
    page.click("[data-testid=import-link]")
    template = _download(page, "[data-testid=template-link]", tmp_path / "template.xlsx")

    head, wife = new_id(), new_id(male=False)
    bad = wife[:-1] + ("1" if wife[-1] != "1" else "2")
    wb = load_workbook(template)
    ws = wb["人员信息"]
    headers = [c.value for c in ws[1]]
    rows = [
        {"姓名": "张三", "身份证号": head, "联系电话": "13912345678", "与户主关系": "户主", "小区": "阳光小区",
         "楼栋": "1栋", "单元": "1单元", "房号": "101", "人房关系": "业主"},
        {"姓名": "李四", "身份证号": bad, "与户主关系": "妻", "户主身份证号": head, "小区": "阳光小区",
         "楼栋": "1栋", "单元": "1单元", "房号": "101"},
    ]
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(row=r, column=headers.index(header) + 1, value=value)
    filled = tmp_path / "居民.xlsx"
    wb.save(filled)

    _upload(page, live_server, filled, world.community)
    assert page.locator("[data-testid=import-status]").get_attribute("data-status") == "rejected"
    assert page.locator("[data-testid=problems] tbody tr").count() == 1
    assert "身份证号" in page.locator("[data-testid=problems] tbody tr").inner_text()
    report = xlsx_rows(_download(page, "[data-testid=report-link]", tmp_path / "report.xlsx").read_bytes())
    assert report[0][-1] == "错误" and "身份证号" in report[2][-1]

    ws.cell(row=3, column=headers.index("身份证号") + 1, value=wife)  # fix the row the report names
    wb.save(filled)
    _upload(page, live_server, filled, world.community)
    assert page.locator("[data-testid=import-status]").get_attribute("data-status") == "done"

    page.goto(f"{live_server.url}/registry/")
    page.fill("#id_q", "zs")  # the results follow the typing (HTMX)
    page.get_by_text("“zs”").wait_for()  # the results' heading names the search once swapped in
    table = page.locator("[data-testid=person-table]").inner_text()
    assert "张三" in table and "李四" not in table

    with page.expect_response(lambda r: f"place={world.grid_a.pk}" in r.url and "q=&" in r.url + "&"):
        page.fill("#id_q", "")
        page.select_option("select[name=place]", str(world.grid_a.pk))
    page.locator("[data-testid=person-table]", has_text="李四").wait_for()  # once HTMX has swapped
    exported = xlsx_rows(_download(page, "[data-testid=export-masked]", tmp_path / "export.xlsx").read_bytes())
    assert sorted(r[0] for r in exported[1:]) == ["张三", "李四"]
    assert all("*" in r[3] for r in exported[1:])

    dialogs: list[str] = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.click("[data-testid=export-full]")  # full data: asked first (and audited when confirmed)
    assert dialogs and page.url.startswith(f"{live_server.url}/registry/")
    assert not page.errors, page.errors


def test_registry_pages_pass_axe(page, live_server, people, community_staff):
    log_in(page, live_server.url, community_staff.username)
    for url in ("/registry/", f"/registry/persons/{people.zhang.pk}/", "/registry/import/", "/registry/tags/"):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
        result = page.evaluate(
            """() => axe.run(document.querySelector('main'), {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"""
        )
        problems = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert not problems, (url, problems)
    assert not page.errors, page.errors
