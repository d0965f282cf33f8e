"""The icon font, cut down to the icons Linli can show.

Bootstrap Icons' font holds about 2,000 icons (134 KB as woff2, which does not compress further); a page
that shows one icon downloads all of it, more than half of the resident's QR page. Linli uses a few
hundred. ``core/icons/`` ships a font and a style sheet with only the icons whose names occur anywhere in
Linli's templates, scripts and code (a word that is an icon's name counts, so a name built at run time
from a word in the code is kept too; the set is larger than needed, never smaller).
``linli/core/tests/test_icons.py`` fails when the code names an icon the shipped font lacks.

Rebuild after adding an icon (fontTools and brotli are needed only for this, not at run time):

    pip install --target /tmp/ft fonttools brotli
    PYTHONPATH=/tmp/ft:$PWD .venv/bin/python -m linli.core.icons
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # linli/
VENDOR = ROOT.parent / "node_modules" / "bootstrap-icons" / "font"
OUT = ROOT / "core" / "static" / "core" / "icons"
NAMES_FILE = OUT / "names.txt"
_RULE = re.compile(r'\.bi-([a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SOURCES = ("*.html", "*.js", "*.py", "*.css", "*.txt")


def vendor_icons() -> dict[str, int]:
    """Every icon of the installed Bootstrap Icons: name -> its code point."""
    css = (VENDOR / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    return {name: int(code, 16) for name, code in _RULE.findall(css)}


def icons_named(known: set[str]) -> set[str]:
    """The names in ``known`` that occur as a word in Linli's own files (not the shipped icon files)."""
    used: set[str] = set()
    for pattern in _SOURCES:
        for path in ROOT.rglob(pattern):
            if OUT in path.parents or "__pycache__" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            used.update(word for word in _WORD.findall(text.lower()) if word in known)
            used.update(m for m in re.findall(r"bi-([a-z0-9-]+)", text) if m in known)
    return used


def shipped_names() -> set[str]:
    return set(NAMES_FILE.read_text(encoding="utf-8").split())


def build() -> None:  # pragma: no cover - run by hand when an icon is added
    from fontTools import subset  # type: ignore[import-not-found,import-untyped]

    icons = vendor_icons()
    used = sorted(icons_named(set(icons)))
    OUT.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(VENDOR / "fonts" / "bootstrap-icons.woff2"), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[icons[name] for name in used])
    subsetter.subset(font)
    subset.save_font(font, str(OUT / "bootstrap-icons.woff2"), options)
    css = (VENDOR / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    head = css[: css.index("}.bi-") + 1]  # the licence, @font-face and the shared .bi rule
    head = re.sub(r'src:url\("[^)]*\) format\("woff2"\),url\("[^)]*\) format\("woff"\)',
                  'src:url("bootstrap-icons.woff2") format("woff2")', head)
    rules = "".join(f'.bi-{name}::before{{content:"\\{icons[name]:x}"}}' for name in used)
    (OUT / "icons.css").write_text(head + rules + "\n", encoding="utf-8")
    NAMES_FILE.write_text("\n".join(used) + "\n", encoding="utf-8")
    print(f"{len(used)} of {len(icons)} icons, {(OUT / 'bootstrap-icons.woff2').stat().st_size:,} bytes")


if __name__ == "__main__":  # pragma: no cover
    build()
