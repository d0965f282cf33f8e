"""National code tables (GB/T) as the project's own data, read from ``linli/core/data/``.

    SEX               GB/T 2261.1-2003   codes 0 1 2 9
    ETHNICITY         GB/T 3304-1991     codes 01-56, 97 其他, 98 外国血统中国籍人士
    POLITICAL_STATUS  GB/T 4762          codes 01-13
    RELATIONSHIP      GB/T 4761-2008     relationship to the head of household

Each table gives ``.choices`` for model fields, ``.name_of(code)`` and ``.code_of(value)``, which
takes a code (``"01"``, or ``"1"`` and ``1`` as spreadsheets write it) or a name (``"汉族"``, and the
short forms people write: ``"汉"``, ``"男"``, ``"群众"``, ``"团员"``, ``"妻子"``).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from linli.core.errors import Invalid

DATA_DIR = Path(__file__).resolve().parent / "data"


class UnknownCode(Invalid):
    code = "unknown_code"


def _normalise(value: Any) -> str:
    # Full-width digits and letters (０１, ＨＡ) become ASCII; all white space goes.
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())


@dataclass(frozen=True)
class CodeTable:
    """One code table: ordered (code, name) entries plus the aliases accepted on input."""

    label: str | Promise
    entries: tuple[tuple[str, str], ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    letters: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_code = dict(self.entries)
        for alias, code in self.aliases.items():
            if code not in by_code:
                raise ValueError(f"alias {alias!r} points at unknown code {code!r}")
        lookup: dict[str, str] = {}
        for code, name in self.entries:
            lookup[name] = code
        for letters, code in self.letters.items():
            lookup.setdefault(letters.upper(), code)
        for alias, code in self.aliases.items():
            if lookup.setdefault(alias, code) != code:
                raise ValueError(f"alias {alias!r} is ambiguous")
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_name", lookup)
        object.__setattr__(self, "_width", max(len(c) for c, _n in self.entries))

    @property
    def choices(self) -> list[tuple[str, str]]:
        return list(self.entries)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c for c, _n in self.entries)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code  # type: ignore[attr-defined]

    def name_of(self, code: str) -> str:
        try:
            return self._by_code[code]  # type: ignore[attr-defined]
        except KeyError:
            raise self._unknown(code) from None

    def code_of(self, value: str | int) -> str:
        """The code for a code or a name; raises ``UnknownCode`` (an ``Invalid``) for anything else."""
        text = _normalise(value)
        if text.isdecimal() and text.isascii():
            code = (text.lstrip("0") or "0").zfill(self._width)  # type: ignore[attr-defined]
            if code in self._by_code:  # type: ignore[attr-defined]
                return code
            raise self._unknown(value)
        code = self._by_name.get(text) or self._by_name.get(text.upper())  # type: ignore[attr-defined]
        if code is None:
            raise self._unknown(value)
        return code

    def _unknown(self, value: Any) -> UnknownCode:
        return UnknownCode(
            _("“%(value)s” is not a known %(table)s code or name.") % {"value": value, "table": self.label}
        )


def _read(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _table(label: str | Promise, filename: str, aliases: Mapping[str, str], *, with_letters: bool = False) -> CodeTable:
    rows = _read(filename)
    return CodeTable(
        label=label,
        entries=tuple((r["code"], r["name"]) for r in rows),
        aliases=aliases,
        letters={r["letters"]: r["code"] for r in rows if with_letters and r.get("letters")},
    )


SEX = _table(
    _("sex"),
    "gbt2261_1_sex.csv",
    {"男": "1", "女": "2", "未知": "0", "未说明": "9"},
)

ETHNICITY = _table(
    _("ethnicity"),
    "gbt3304_ethnicity.csv",
    # Each name without its final 族 (汉, 蒙古, 回 ...); 97 其他 and 98 have no 族 to drop.
    {r["name"][:-1]: r["code"] for r in _read("gbt3304_ethnicity.csv") if r["name"].endswith("族")},
    with_letters=True,
)

POLITICAL_STATUS = _table(
    _("political status"),
    "gbt4762_political_status.csv",
    {
        "中共党员": "01",
        "党员": "01",
        "中共预备党员": "02",
        "预备党员": "02",
        "共青团员": "03",
        "团员": "03",
        "民革党员": "04",
        "民革会员": "04",
        "民革": "04",
        "民盟盟员": "05",
        "民盟": "05",
        "民建会员": "06",
        "民建": "06",
        "民进会员": "07",
        "民进": "07",
        "农工党党员": "08",
        "农工党": "08",
        "致公党党员": "09",
        "致公党": "09",
        "九三学社": "10",
        "台盟盟员": "11",
        "台盟": "11",
        "无党派人士": "12",
        "无党派": "12",
    },
)

RELATIONSHIP = _table(
    _("relationship to the head of household"),
    "gbt4761_family_relationship.csv",
    {
        "丈夫": "11",
        "妻子": "12",
        "儿子": "20",
        "女儿": "30",
        "父": "51",
        "爸爸": "51",
        "母": "52",
        "妈妈": "52",
        "哥哥": "71",
        "弟弟": "73",
        "姐": "75",
        "妹": "77",
    },
)
