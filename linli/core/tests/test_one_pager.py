"""One pager for list pages: no template but the shared "More" link (core/partials/more.html) writes an
``after=`` link, no page view pages by hand with keyset_page (views use core.ui.page_rows), and no module
outside core calls the pager itself: pages go through core.ui.page_rows, the API through core.api.paged,
selectors return querysets."""

from __future__ import annotations

import re
from pathlib import Path

LINLI = Path(__file__).resolve().parents[2]
SHARED = LINLI / "core" / "templates" / "core" / "partials" / "more.html"


def test_only_the_shared_more_link_writes_an_after_link():
    found = [
        str(path.relative_to(LINLI))
        for path in LINLI.rglob("templates/**/*.html")
        if path != SHARED and re.search(r"[?&;]after=", path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"write the More link with core/partials/more.html: {found}"


def test_no_page_view_pages_by_hand():
    found = [
        str(path.relative_to(LINLI))
        for path in LINLI.rglob("views*.py")
        if "core" not in path.relative_to(LINLI).parts[:1] and "keyset_page" in path.read_text(encoding="utf-8")
    ]
    assert found == [], f"page a list page through core.ui.page_rows: {found}"


USES_THE_PAGER = re.compile(r"\bimport\s+\(?[\w\s,]*\bkeyset_page\b|\bkeyset_page\(")


def test_only_core_calls_the_keyset_pager():
    found = [
        str(path.relative_to(LINLI))
        for path in LINLI.rglob("*.py")
        if path.relative_to(LINLI).parts[0] != "core" and "tests" not in path.relative_to(LINLI).parts
        and USES_THE_PAGER.search(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"page through core.ui.page_rows (pages) or core.api.paged (API): {found}"


def test_the_pager_check_sees_a_direct_import():
    assert USES_THE_PAGER.search("from linli.core.batches import keyset_page\n")
    assert USES_THE_PAGER.search("from linli.core.batches import (\n    chunked,\n    keyset_page,\n)\n")
    assert USES_THE_PAGER.search("rows, nxt = batches.keyset_page(qs, after=None)\n")
    assert not USES_THE_PAGER.search("# the one keyset pager's bound (linli.core.batches.keyset_page)\n")
