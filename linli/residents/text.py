"""Search keys and input normalisation for the registry: pinyin of names, phones, tails."""

from __future__ import annotations

import functools
import unicodedata

from linli.core.masking import COMPOUND_SURNAMES
from linli.core.text import LANDLINE_RE, MOBILE_RE, clean_text, normalise_phone, pinyin_syllables  # noqa: F401 (the registry's names)

# Surnames read differently from the character's common reading (多音字姓氏), as syllables.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    **{
        ch: (py,)
        for ch, py in {
            "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou", "查": "zha",
            "盖": "ge", "乐": "yue", "覃": "qin", "翟": "zhai", "种": "chong", "召": "shao", "员": "yun",
            "缪": "miao", "繁": "po", "黑": "he", "牟": "mu", "秘": "bi", "折": "she", "重": "chong",
            "宿": "su", "句": "gou", "能": "nai", "隗": "wei", "眭": "sui", "谌": "chen", "那": "na",
        }.items()
    },
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun"), "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"),
}



def _surname_split(name: str) -> tuple[str, str]:
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@functools.lru_cache(maxsize=65536)
def name_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) in lower case without spaces: 张三 → ("zs", "zhangsan").
    Latin letters are kept (lower-cased); other characters are dropped. Kept for the last 65,536 names
    (pypinyin's phrase segmentation is most of an import row's processor time; names repeat)."""
    name = "".join(unicodedata.normalize("NFKC", name or "").split())
    if not name:
        return "", ""
    surname, given = _surname_split(name)
    if surname in SURNAME_READINGS:
        syllables = [*SURNAME_READINGS[surname], *pinyin_syllables(given)]
    else:
        syllables = pinyin_syllables(name)
    words = ["".join(ch for ch in s.lower() if ch.isascii() and ch.isalnum()) for s in syllables]
    words = [w for w in words if w]
    return "".join(w[0] for w in words)[:64], "".join(words)[:255]


def phone_tail(phone: str) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits[-4:]


def id_tail(id_number: str) -> str:
    return (id_number or "")[-4:].upper()


