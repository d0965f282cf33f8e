"""The UI shell in a real browser (the system's Chromium, driven by Playwright): log in, navigation by
role, language switch, logout, a phone-width login with the large-text mode, and WCAG 2.1 AA checks
with axe-core. Skipped when /usr/bin/chromium is missing, unless CI is set (then it fails)."""

from __future__ import annotations

import pytest

from linli.core.testing.browser import DESKTOP, PHONE, axe_violations, log_in
from linli.core.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nav_labels(page) -> list[str]:
    """Every page the menu leads to, on the bar or in a group's drop-down (closed drop-downs included)."""
    return [t.strip() for t in page.locator("[data-testid=nav] a").evaluate_all("els => els.map(e => e.textContent)")]


def test_staff_logs_in_in_chinese_sees_their_navigation_switches_to_english_and_logs_out(
    live_server, new_page, community_staff
):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("[data-testid=login-submit]").inner_text().strip() == "登录"
    log_in(page, live_server.url, "staff_c")
    assert page.url == f"{live_server.url}/"
    labels = nav_labels(page)
    assert "首页" in labels and "节假日日历" in labels
    assert "用户" not in labels and "审计日志" not in labels
    assert "测试一社区" in page.locator("[data-testid=assignments]").inner_text()

    page.click("[data-testid=language-menu]")
    page.click("form.dropdown-menu button[value=en]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "en"
    labels = nav_labels(page)
    assert "Home" in labels and "Holiday calendar" in labels

    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login" in page.url
    assert "You have logged out." in page.content()
    assert page.locator("[data-testid=login-submit]").inner_text().strip() == "Log in"
    assert page.csp_errors == []


def test_phone_width_login_with_big_tap_targets_and_large_text(live_server, new_page, resident):
    page = new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/accounts/login")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    submit = page.locator("[data-testid=login-submit]").bounding_box()
    assert submit["height"] >= 44 and submit["width"] >= 300
    log_in(page, live_server.url, "resident_a")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tiles = page.locator("[data-testid=resident-tiles] .tile")
    assert tiles.count() >= 6
    for i in range(tiles.count()):
        box = tiles.nth(i).bounding_box()
        assert box["height"] >= 120 and box["width"] >= 150

    from linli.accounts.actions import token_issue

    token_issue(user=resident, actor=resident, name="手机")
    for path in ("/accounts/profile", "/accounts/password", "/accounts/totp"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    page.goto(f"{live_server.url}/")

    page.click("main [data-linli-large]")
    assert "linli-large" in page.get_attribute("html", "class")
    page.reload()
    assert "linli-large" in (page.get_attribute("html", "class") or "")
    assert page.locator("main [data-linli-large]").get_attribute("aria-pressed") == "true"
    assert page.csp_errors == []


def test_login_page_meets_wcag_21_aa(live_server, new_page, db):
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport=viewport, bypass_csp=True)  # axe is injected as an inline script
        page.goto(f"{live_server.url}/accounts/login")
        assert axe_violations(page) == []
        # and with an error shown
        page.fill("#id_username", "nobody")
        page.fill("#id_password", "Wrong-pass-1")
        page.click("[data-testid=login-submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=login-error]").is_visible()
        assert axe_violations(page) == []


def test_resident_home_meets_wcag_21_aa_in_both_text_modes(live_server, new_page, resident):
    for large in (False, True):
        page = new_page(viewport=PHONE, bypass_csp=True)
        if large:
            page.context.add_cookies([{"name": "linli_large", "value": "1", "url": live_server.url}])
        log_in(page, live_server.url, "resident_a")
        assert page.locator("[data-testid=resident-tiles]").is_visible()
        assert axe_violations(page) == []


def test_audit_admin_filters_the_audit_log_in_place(live_server, new_page, audit_admin):
    """The filter form is boosted by HTMX: the table is replaced and the address updated without a reload."""
    import time

    import pyotp

    from linli.accounts.tests.conftest import enrol_totp
    from linli.core.audit import audit_record
    from linli.core.models import AuditResult

    secret = enrol_totp(audit_admin)
    audit_record(action="accounts.login", actor_name="mallory", result=AuditResult.DENIED)
    audit_record(action="accounts.login", actor_name="alice")
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login")
    page.fill("#id_username", "audit_admin")
    page.fill("#id_password", PASSWORD)
    page.click("details.otp-details summary")
    page.fill("#id_otp", pyotp.TOTP(secret).at(int(time.time()) + 30))
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/audit/")
    assert "alice" in page.locator("[data-testid=audit-table]").inner_text()
    page.evaluate("window.__sameDocument = true")
    page.select_option("#f-result", "denied")
    page.click("#audit-page button[type=submit]")
    page.wait_for_url("**/audit/?*result=denied*")
    page.wait_for_load_state("networkidle")
    table = page.locator("[data-testid=audit-table]").inner_text()
    assert "mallory" in table and "alice" not in table
    assert page.evaluate("window.__sameDocument") is True
    assert page.csp_errors == []


LAPTOP = {"width": 1366, "height": 768}


@pytest.mark.parametrize("persona", ["street_supervisor", "community_staff", "grid_worker_a", "department_staff",
                                     "resident"])
def test_the_menu_fits_one_line_on_a_laptop(live_server, new_page, request, persona):
    """1366×768: the top bar is one line for every role (group menus; at this width the top entries drop
    their icons), nothing scrolls sideways; on a phone the menu folds behind the toggler."""
    user = request.getfixturevalue(persona)
    page = new_page(viewport=LAPTOP)
    log_in(page, live_server.url, user.username)
    tops = page.locator("[data-testid=nav] > li").evaluate_all("els => els.map(e => e.getBoundingClientRect().top)")
    assert tops and len({round(t) for t in tops}) == 1, f"{persona}: the menu wraps ({tops})"
    assert page.locator("nav.linli-navbar").bounding_box()["height"] < 70
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    phone = new_page(viewport=PHONE)
    log_in(phone, live_server.url, user.username)
    assert not phone.locator("[data-testid=nav]").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
