"""Every map's attribution names only the data source: pages include Leaflet only through
core/partials/leaflet.html, which turns Leaflet's default attribution prefix (with its flag) off."""

from __future__ import annotations

from pathlib import Path

import linli

ROOT = Path(linli.__file__).parent
PARTIAL = ROOT / "core" / "templates" / "core" / "partials" / "leaflet.html"


def test_every_page_includes_leaflet_through_the_one_partial():
    direct = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.html")
              if p != PARTIAL and "vendor/leaflet/leaflet.js" in p.read_text(encoding="utf-8")]
    assert direct == []
    assert "core/leaflet-defaults.js" in PARTIAL.read_text(encoding="utf-8")
    defaults = (ROOT / "core" / "static" / "core" / "leaflet-defaults.js").read_text(encoding="utf-8")
    assert "L.Control.Attribution.prototype.options.prefix = false" in defaults
