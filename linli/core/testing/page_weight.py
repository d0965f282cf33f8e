"""What a page weighs on a cold load: its HTML and every static file it links, as the server sends them to
a browser that accepts gzip (the bytes on the wire, without the HTTP headers).

Counted: the page (as sent: the server does not compress HTML), each ``<link rel="stylesheet">``, ``<link
rel="icon">`` and ``<script src>`` of ``/static/``, and the icon font (the ``.woff2`` the icon style sheet
names) when the page shows an icon (``class="bi …"``: a browser downloads a font only for a glyph it
draws). Not counted: map tiles (another server), the data a page asks for after it has loaded, images
inside the content. Deterministic: a test may assert it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_ASSET = re.compile(r'<(?:link|script)\b[^>]*?(?:href|src)="(/static/[^"?#]+)[^"]*"[^>]*>', re.I)
_CSS_URL = re.compile(r'url\(\s*["\']?([^"\')?#]+\.woff2)')
_ICON = re.compile(r'class="[^"]*\bbi\b')


@dataclass
class PageWeight:
    page: int = 0
    files: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.page + sum(self.files.values())

    def __str__(self) -> str:
        lines = [f"page {self.page:>9,}"] + [f"{path} {size:>9,}" for path, size in
                                                sorted(self.files.items(), key=lambda kv: -kv[1])]
        return "\n".join(lines + [f"total {self.total:,} bytes"])


def _sent(client: Any, url: str) -> tuple[bytes, int]:
    """(the body as the server sent it, its length), asking for gzip as a browser does."""
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Encoding") == "gzip":
        import gzip

        return gzip.decompress(body), len(body)
    return body, len(body)


def page_weight(client: Any, url: str) -> PageWeight:
    """The weight of ``url`` for ``client`` (logged in or not) on a cold load."""
    html, sent = _sent(client, url)
    weight = PageWeight(page=sent)
    text = html.decode("utf-8", "replace")
    shows_icons = bool(_ICON.search(text))
    for path in dict.fromkeys(_ASSET.findall(text)):
        body, size = _sent(client, path)
        weight.files[path] = size
        if path.endswith(".css") and shows_icons:
            for font in dict.fromkeys(_CSS_URL.findall(body.decode("utf-8", "replace"))):
                font_path = path.rsplit("/", 1)[0] + "/" + font.removeprefix("./")
                weight.files[font_path] = _sent(client, font_path)[1]
    return weight
