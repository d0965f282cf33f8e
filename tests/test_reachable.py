"""Everything built can be found, and nothing a role is shown leads nowhere.

- The crawl: every demo login (the demo street with its year of cases, at the small size) opens its home
  page and follows every link two clicks deep (menus, tiles, lists, the case pages); any 4xx or 5xx
  fails, naming the page that linked to it.
- The unlinked-page test: every named URL of a page view is linked from a template or from the menus
  and home tiles; a new page nobody links to fails here.
- The inline-handler test: no template carries an ``on*=`` attribute (the CSP refuses inline script, so
  an ``onclick`` silently does nothing).
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

LINLI = Path(settings.BASE_DIR) / "linli"
# Pages of one kind (one route) followed per role: enough to see that a kind of link works, without
# opening every person of the registry.
PER_ROUTE = 3
# Links a crawler must not follow: they change state or leave the site.
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/admin/", "/api/", "/media/", "/static/", "/open311/v2/requests",
                 "/open311/v2/services", "/open311/v2/discovery", "/open311/v2/tokens")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href:
                self.links.append(href)


def _links_of(body: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(body)
    out = []
    for href in parser.links:
        href, _frag = urldefrag(href)
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            if parts.netloc not in ("testserver", ""):
                continue
            href = parts.path + (f"?{parts.query}" if parts.query else "")
        if href.startswith("?"):
            href = base.split("?")[0] + href
        elif not href.startswith("/"):
            continue
        if href.startswith(SKIP_PREFIXES):
            continue
        out.append(href)
    return out


def _route(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.route or match.view_name


@pytest.fixture(scope="module")
def demo_street(django_db_setup, django_db_blocker):
    """The demo (small size), built once for the module inside a transaction rolled back at the end."""
    from django.core.cache import cache

    from conftest import TEST_DATA_KEY
    from linli.accounts.demo import demo_build
    from linli.core import crypto
    from linli.places import geo

    with django_db_blocker.unblock(), override_settings(LINLI_DATA_KEY=TEST_DATA_KEY, LINLI_DEMO_SIZE="small"):
        cache.clear()
        crypto.reset_key_ring()
        geo.reset_index()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()
            crypto.reset_key_ring()
            geo.reset_index()


def _crawl(client: Client, start: str = "/", depth: int = 2) -> tuple[list[tuple[str, str, int]], int]:
    """Follow links breadth-first ``depth`` clicks from ``start``; return the failures (page, linked from,
    status) and the number of pages opened."""
    seen = {start}
    per_route: Counter[str] = Counter()
    failures: list[tuple[str, str, int]] = []
    frontier = [(start, "")]
    opened = 0
    for level in range(depth + 1):
        following = []
        for url, parent in frontier:
            response = client.get(url)
            opened += 1
            if response.status_code >= 400:
                failures.append((url, parent, response.status_code))
                continue
            if level == depth or "html" not in response.get("Content-Type", ""):
                continue
            for link in _links_of(response.content.decode(), url):
                if link in seen:
                    continue
                seen.add(link)
                route = _route(link)
                if per_route[route] >= PER_ROUTE:
                    continue
                per_route[route] += 1
                following.append((link, url))
        frontier = following
    return failures, opened


@pytest.mark.slow
@pytest.mark.django_db
def test_every_demo_login_reaches_only_working_pages_two_clicks_deep(demo_street):
    from linli.accounts.demo import DEMO_USERNAMES
    from linli.accounts.models import User

    problems = []
    for username in DEMO_USERNAMES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        failures, opened = _crawl(client)
        assert opened > 3, f"{username} reached only {opened} pages"
        problems += [f"{username}: {url} → {status} (linked from {parent or 'nowhere'})"
                     for url, parent, status in failures]
    assert not problems, "\n".join(problems)


# The demo's audit rows: identifiers of the row's own object (a category's code, a paper ballot's line) are
# not coded values with a label.
AUDIT_IDENTIFIERS = {"code", "entry", "external_id", "prefix", "token", "runner", "file", "q", "name", "title"}
CODE_VALUE = re.compile(r"^[a-z][a-z0-9]*(?:[._][a-z0-9]+)*$|^[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+$")


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_audit_log_shows_no_raw_coded_value(demo_street):
    """Every coded value in the details of the demo's audit rows (a year of a street at work) reads in the
    audit administrator's language (linli/core/tests/test_audit_value_labels.py walks the code)."""
    from django.utils import translation

    from linli.core.models import AuditEntry
    from linli.core.views import detail_text

    seen: set[tuple[str, str, str]] = set()
    raw = []
    with translation.override("zh-hans"):
        for action, detail in AuditEntry.objects.values_list("action", "detail").iterator():
            for key, value in (detail or {}).items():
                # "channel" is the request's (web, api, system): the audit log shows it in its own column.
                if not isinstance(value, str) or key in AUDIT_IDENTIFIERS or key == "channel":
                    continue
                if (action, key, value) in seen or not CODE_VALUE.match(value):
                    continue
                seen.add((action, key, value))
                if detail_text(action, {key: value}).split(": ", 1)[1] == value:
                    raw.append(f"{action} {key}={value}")
    assert seen, "the demo wrote coded values to its audit rows"
    assert not raw, f"raw coded values in the audit log: {sorted(raw)}"


# --- every page is linked from somewhere ------------------------------------------------------------------

# Named URLs that are not pages a person navigates to, or are reached another way, with the reason.
NOT_LINKED_ON_PURPOSE = {
    "healthz": "the health check of the load balancer",
    "media": "uploaded files, linked by the pages that show them",
    "building_report": "the target of the QR code on the building's plate (linli/places/qr.py)",
    "volunteers:checkin": "the target of the activity's check-in QR code",
    "cases:filed": "the confirmation a resident is sent to after filing",
    "open311:root": "the Open311 endpoint's root (machines), the same page as open311:keys",
    "evaluation:survey_public": "the one-time link a sampled household gets (SMS or a printed slip), listed on the survey page",
}
NOT_PAGES = ("admin:", "api:", "open311:discovery", "open311:services", "open311:service", "open311:requests",
             "open311:request", "open311:token")


def _named_urls(patterns, ns: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            sub = ns
            if p.namespace:
                sub = f"{ns}:{p.namespace}" if ns else p.namespace
            yield from _named_urls(p.url_patterns, sub)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{ns}:{p.name}" if ns else p.name), p


def _is_page(pattern: URLPattern) -> bool:
    """A view that answers GET with a page: not POST-only, not a file download."""
    callback = pattern.callback
    methods = None
    for cell in getattr(callback, "__closure__", None) or ():
        value = cell.cell_contents
        if isinstance(value, list | tuple) and value and all(isinstance(v, str) and v.isupper() for v in value):
            methods = value
    if methods is not None and "GET" not in methods:
        return False
    route = str(pattern.pattern)
    return not route.endswith((".xlsx", ".png", ".svg", ".csv", ".json", ".pdf"))


def _link_sources() -> str:
    """Templates, and the Python that builds menus, tiles and links (``reverse`` in views, not redirects)."""
    parts = [p.read_text() for p in LINLI.rglob("*.html")]
    for p in LINLI.rglob("*.py"):
        if "/tests/" in str(p) or "/migrations/" in str(p):
            continue
        text = p.read_text()
        # A redirect is not a link: drop redirect("x") before looking for names.
        parts.append(re.sub(r"redirect\(\s*['\"][^'\"]+['\"]", "redirect(", text))
    return "\n".join(parts)


def test_every_named_page_is_linked_from_a_template_or_menu():
    sources = _link_sources()
    unlinked = []
    for name, pattern in _named_urls(get_resolver().url_patterns):
        if name.startswith(NOT_PAGES) or name in NOT_LINKED_ON_PURPOSE or not _is_page(pattern):
            continue
        if f"'{name}'" not in sources and f'"{name}"' not in sources:
            unlinked.append(name)
    assert not unlinked, f"pages no template, menu or tile links to: {unlinked}"


def test_the_unlinked_page_check_sees_a_page_nobody_links_to():
    assert not re.search(r"['\"]cases:no_such_page['\"]", _link_sources())
    # ... and it recognises POST-only views as actions, not pages.
    from linli.accounts import urls

    logout = next(p for p in urls.urlpatterns if p.name == "logout")
    home = next(p for p in urls.urlpatterns if p.name == "home")
    assert not _is_page(logout) and _is_page(home)


# --- no inline event handlers -------------------------------------------------------------------------------

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)


def test_no_template_has_an_inline_event_handler():
    found = []
    for path in LINLI.rglob("*.html"):
        for m in INLINE_HANDLER.finditer(path.read_text()):
            line = path.read_text()[: m.start()].count("\n") + 1
            found.append(f"{path.relative_to(LINLI)}:{line}")
    assert not found, f"inline event handlers (refused by the CSP): {found}"


def test_the_inline_handler_scan_finds_one():
    assert INLINE_HANDLER.search('<button type="button" onclick="window.print()">')
    assert not INLINE_HANDLER.search('<button type="button" data-linli-print>')
