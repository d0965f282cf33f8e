"""A grid worker in Chromium sees the unread count in the top bar (phone and laptop), opens the inbox,
follows a notice to its case; the pages pass axe's WCAG 2.1 AA rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from linli.core.testing.browser import PHONE, axe_violations, log_in

SCREENS = Path("/work/notes/screens")
LAPTOP = {"width": 1366, "height": 768}

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_grid_worker_sees_the_unread_count_and_reads_the_inbox(new_page, live_server, grid_worker_a):
    from linli.notifications.actions import notice_queue
    from linli.notifications.digest import digests_due

    notice_queue(user_ids=[grid_worker_a.pk], kind="dispatch", ref="cases.case:1", text="新案件 2026-330102-000001 派给您：路灯坏了", url="/notices/")
    notice_queue(user_ids=[grid_worker_a.pk], kind="escalate", ref="cases.case:2", text="案件 2026-330102-000002 已超期：签收超时", url="/notices/")
    digests_due()  # the digest (no case yet: "nothing new") if 08:00 has passed
    SCREENS.mkdir(parents=True, exist_ok=True)
    for viewport, name in ((PHONE, "phone"), (LAPTOP, "laptop")):
        page = new_page(viewport=viewport, bypass_csp=False)
        log_in(page, live_server.url, grid_worker_a.username)
        page.wait_for_selector("[data-testid=unread-count]")
        count = int(page.inner_text("[data-testid=unread-count]"))
        assert count >= 2
        page.screenshot(path=str(SCREENS / f"notices_topbar_{name}.png"))
        page.click("[data-testid=notices-link]")
        page.wait_for_selector("[data-testid=notice]")
        page.screenshot(path=str(SCREENS / f"notices_inbox_{name}.png"), full_page=True)
        assert "路灯坏了" in page.inner_text("[data-testid=notices]")
        assert not page.errors and not page.csp_errors, (page.errors, page.csp_errors)
    page.locator("[data-testid=notice] button").first.click()
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("[data-testid=unread-badge]", state="attached")
    assert int(page.inner_text("[data-testid=unread-count]")) == count - 1
    checker = new_page(viewport=PHONE, bypass_csp=True)
    log_in(checker, live_server.url, grid_worker_a.username)
    for url in ("/notices/", "/notices/settings"):
        checker.goto(live_server.url + url)
        assert axe_violations(checker) == [], url
    checker.goto(live_server.url + "/notices/settings")
    checker.screenshot(path=str(SCREENS / "notices_settings_phone.png"), full_page=True)
