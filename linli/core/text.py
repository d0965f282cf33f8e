"""Input text normalisation shared by every app: form and cell text, phone numbers, pinyin (the one pinyin
helper: search keys of names and catalogues)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from linli.core.errors import Invalid

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_PHONE_STRIP = re.compile(r"[\s()（）]")


def normalise_phone(value: str) -> str:
    """A mobile (11 digits, +86 dropped) or a landline (0571-88886666); raises Invalid otherwise."""
    text = _PHONE_STRIP.sub("", unicodedata.normalize("NFKC", str(value or "")))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    text = text.strip("-")
    if MOBILE_RE.match(text.replace("-", "")):
        return text.replace("-", "")
    if LANDLINE_RE.match(text):
        return text
    raise Invalid(_("A phone number is 11 digits for a mobile or an area code and number for a landline."),
                  code="invalid_phone")


def clean_text(value, limit: int) -> str:
    """Cell or form text: NFKC-normalised, trimmed, inner runs of white space collapsed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return " ".join(text.split())[:limit]


def trimmed_text(value: Any, *, limit: int = 4000) -> str:
    """Free text of a form or an API body (a reason, a note, a description): trimmed and cut at ``limit``,
    its line breaks kept (``clean_text`` is for one-line names and cells)."""
    return str(value or "").strip()[:limit]


def required_text(value: Any, *, field: str, limit: int = 4000) -> str:
    """``trimmed_text`` that must not be empty: Invalid names ``field`` otherwise."""
    text = trimmed_text(value, limit=limit)
    if not text:
        raise Invalid(_("Some required fields are missing."), fields={field: [_("This field is required.")]})
    return text


def pinyin_syllables(text: str) -> list[str]:
    """The pinyin of ``text`` a syllable a character, without tones (``家电`` → ``["jia", "dian"]``); other
    characters are kept as they are."""
    from pypinyin import Style, lazy_pinyin  # the dictionary loads on first use, not at start-up

    return list(lazy_pinyin(text, style=Style.NORMAL))


def pinyin_initials(text: str) -> str:
    """拼音首字母 in lower case: ``居住证明`` → ``jzzm``."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()
