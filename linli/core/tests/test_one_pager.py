"""One pager for list pages: no template but the shared "More" link (core/partials/more.html) writes an
``after=`` link, and no page view pages by hand with keyset_page (views use core.ui.page_rows)."""

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

