"""Masked display of personal data. Masks keep the original length.

- ID number: only the last 2 characters kept: ``****************34``. The first six digits (the place of
  registration) and the birth date are never shown: a user sees a person's age and sex beside the masked
  number, and with the district code and the last four digits a birth date would leave about 33
  candidates (the check digit weeds out ten in eleven). With the last two only, about 3,300 remain for a
  known district, each one a full-number search, which is rate-limited and audited
  (``linli.core.probes``). See docs/privacy.md.
- phone: first 3 and last 4 kept: ``138****5678``
- name: the surname kept (a compound surname where known), the rest starred: ``张*``, ``欧阳*``, ``张**``
"""

from __future__ import annotations

import re

# Compound surnames (复姓) in common use; a name that starts with one keeps both characters.
_COMPOUND_SURNAMES_TEXT = """欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 闻人 澹台 公冶 太史
    端木 申屠 万俟 独孤 南宫 西门 百里 呼延 东郭 濮阳 单于 赫连 淳于 公羊 拓跋 第五 司空 乐正 鲜于 亓官
    仲孙 闾丘 子车 颛孙 巫马 左丘 梁丘 谷梁 段干 漆雕 壤驷 公良 羊舌 微生 宰父 夹谷 东门"""
COMPOUND_SURNAMES = frozenset(_COMPOUND_SURNAMES_TEXT.split())

_ID18_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_ID15_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]{15}(?![0-9A-Za-z])")
# A mainland mobile number, optionally with +86/86 and written 3-4-4 with spaces or hyphens.
_PHONE_RE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9])")


def _inside_space(value: str, mask) -> str:
    """Apply ``mask`` to the text between leading and trailing white space, which is kept (same length)."""
    core = value.strip()
    if not core:
        return value
    start = value.index(core)
    return value[:start] + mask(core) + value[start + len(core) :]


ID_KEEP = 2


def _mask_id_core(value: str) -> str:
    if len(value) <= 10:
        return "*" * len(value)
    return "*" * (len(value) - ID_KEEP) + value[-ID_KEEP:]


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return _inside_space(value, _mask_id_core)


def _mask_phone_core(value: str) -> str:
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    keep_head = min(3, max(0, len(value) - 8))
    return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return _inside_space(value, _mask_phone_core)


def surname_length(name: str) -> int:
    return 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1


def _mask_name_core(value: str) -> str:
    if len(value) == 1:
        return value
    if not any("\u4e00" <= ch <= "\u9fff" for ch in value):
        # Latin names: keep the first letter of each word.
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in value.split(" "))
    keep = surname_length(value)
    return value[:keep] + "*" * (len(value) - keep)


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return _inside_space(value, _mask_name_core)


def _mask_phone_match(match: re.Match) -> str:
    # Star the four digits after the 3-digit prefix of the 11-digit number; separators stay.
    text = match.group(0)
    digits = [i for i, ch in enumerate(text) if ch.isdigit()][-11:]
    hidden = set(digits[3:7])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number that appears in free text (logs, audit details)."""
    if not text:
        return text
    text = _ID18_RE.sub(lambda m: _mask_id_core(m.group(0)), text)
    text = _ID15_RE.sub(lambda m: _mask_id_core(m.group(0)), text)
    return _PHONE_RE.sub(_mask_phone_match, text)
