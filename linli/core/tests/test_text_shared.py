"""One text clean-up, in core: the apps' free-text and required-text helpers are core.text's, not copies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from linli.core.errors import Invalid
from linli.core.text import required_text, trimmed_text


def test_trimmed_text_keeps_line_breaks_and_cuts_at_the_limit():
    assert trimmed_text("  第一行\n第二行  ", limit=4000) == "第一行\n第二行"
    assert trimmed_text(None) == "" and trimmed_text("abcdef", limit=3) == "abc"


def test_required_text_names_the_empty_field():
    assert required_text(" 说明 ", field="reason") == "说明"
    with pytest.raises(Invalid) as refused:
        required_text("   ", field="reason")
    assert "reason" in refused.value.fields


def test_no_app_keeps_its_own_copy():
    copies = []
    for path in (Path(settings.BASE_DIR) / "linli").rglob("*.py"):
        if "tests" in path.parts or path.parts[-2:] == ("core", "text.py"):
            continue
        if re.search(r"^def _?(clean_text|required_text)\(", path.read_text(encoding="utf-8"), re.M):
            copies.append(str(path))
    assert copies == [], copies
