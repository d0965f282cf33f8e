"""Browser-test kit (pytest plugin): the system's Chromium (/usr/bin/chromium, never a downloaded
browser) driven by Playwright for Python, with the flags this workplace needs, and helpers every app's
browser tests share: log in, run axe-core's WCAG 2.1 AA rules.

Without /usr/bin/chromium the browser tests skip, unless ``CI`` is set: then they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from linli.core.testing.personas import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: the browser tests must run in CI.")
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium to run the browser tests).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still sync.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


def _record_problems(page) -> None:
    """``page.errors``: script errors, console errors and failed responses (favicon aside);
    ``page.csp_errors``: Content-Security-Policy violations."""
    page.errors = []
    page.csp_errors = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            page.csp_errors.append(message.text)
        if message.type == "error" and "Failed to load" not in message.text:
            page.errors.append(message.text)

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            page.errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("response", on_response)


@pytest.fixture
def new_page(browser):
    """``new_page(viewport=..., **context_options)``: a page in a fresh context with a Chinese browser
    locale that records its problems (see ``_record_problems``)."""
    contexts = []

    def _new(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
        contexts.append(context)
        page = context.new_page()
        _record_problems(page)
        return page

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page, live_server):
    """A desktop page that accepts downloads."""
    return new_page(accept_downloads=True)


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it stands (inject needs ``bypass_csp=True``)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
