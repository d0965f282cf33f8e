"""Walking a list page through the one pager's "More" link (``core/partials/more.html``), as a user would."""

from __future__ import annotations

import html
import re
from typing import Any

_MORE = re.compile(r'<a [^>]*href="([^"]*)"[^>]*data-testid="more"')


def more_href(body: str) -> str | None:
    """The href of the page's "More" link, or None when the page says there is no more."""
    found = _MORE.search(body)
    return html.unescape(found.group(1)) if found else None


def walk_pages(client: Any, url: str, params: dict[str, Any] | None = None, *, limit: int = 20) -> list[str]:
    """The bodies of ``url`` and of every page its "More" links lead to (each link's query kept as given)."""
    response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    bodies = [response.content.decode()]
    while (href := more_href(bodies[-1])) is not None:
        assert href.startswith("?"), href
        assert len(bodies) < limit, "the More links do not end"
        response = client.get(url + href)
        assert response.status_code == 200, response.status_code
        bodies.append(response.content.decode())
    return bodies
