"""One helper each for pinyin and QR codes: a module that imports the library itself is a second copy."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from linli.core.qr import qr_svg, qr_svg_inline
from linli.core.text import pinyin_initials, pinyin_syllables

HOMES = {"pypinyin": "linli/core/text.py", "qrcode": "linli/core/qr.py"}


def _importers(library: str) -> list[str]:
    base = Path(settings.BASE_DIR)
    found = []
    for folder in ("linli", "bench"):
        for path in (base / folder).rglob("*.py"):
            if "tests" in path.parts:
                continue
            if re.search(rf"^\s*(import|from) {library}\b", path.read_text(encoding="utf-8"), re.M):
                found.append(path.relative_to(base).as_posix())
    return sorted(found)


def test_only_core_text_reads_pinyin():
    assert _importers("pypinyin") == [HOMES["pypinyin"]]


def test_only_core_qr_draws_qr_codes():
    assert _importers("qrcode") == [HOMES["qrcode"]]


def test_pinyin_helpers():
    assert pinyin_initials("居住证明") == "jzzm"
    assert pinyin_syllables("家电") == ["jia", "dian"]


def test_qr_svg_is_an_svg_document_and_inline_drops_the_prolog():
    document = qr_svg("https://x.cn/checkin/abc")
    assert document.lstrip().startswith(b"<?xml") and b"<svg" in document
    assert qr_svg_inline("https://x.cn/checkin/abc").startswith("<svg")


def test_one_communities_of_a_user():
    base = Path(settings.BASE_DIR)
    defined = sorted(
        path.relative_to(base).as_posix()
        for path in (base / "linli").rglob("*.py")
        if "tests" not in path.parts
        and re.search(r"^def (communities_for|communities_of|_communities_of_user)\(", path.read_text(encoding="utf-8"), re.M)
    )
    assert defined == ["linli/places/selectors.py"], defined
