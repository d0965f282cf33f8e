"""The shipped icon font holds every icon Linli names (linli/core/icons.py)."""

from __future__ import annotations

from linli.core import icons


def test_every_icon_the_code_names_is_in_the_shipped_font():
    known = set(icons.vendor_icons())
    missing = icons.icons_named(known) - icons.shipped_names()
    assert not missing, f"rebuild the icon font (python -m linli.core.icons): {sorted(missing)}"


def test_the_shipped_style_sheet_draws_each_shipped_icon_and_no_other():
    css = (icons.OUT / "icons.css").read_text(encoding="utf-8")
    drawn = set(icons._RULE.findall(css))
    vendor = icons.vendor_icons()
    assert {name for name, _code in drawn} == icons.shipped_names()
    assert all(vendor[name] == int(code, 16) for name, code in drawn)
    assert 'src:url("bootstrap-icons.woff2")' in css and (icons.OUT / "bootstrap-icons.woff2").stat().st_size < 40_000
