"""The one anonymisation rule for a case the public reads: the progress board (进度公示), Open311's GET
requests and the "me too" list before filing all show a case through ``public_case`` (docs/privacy.md).

- Which cases: not private, not merged into another (``public_cases``).
- Text (the title; Open311's status notes, the latest reply): ``public_text`` blanks ID numbers, phone
  numbers and any run of seven digits or more with ``***`` (nothing of a number is kept, not even the
  last four), a house (room) number with ``***`` (``3幢2单元301室`` → ``3幢2单元***室``, ``3-2-301`` →
  ``***``), a person addressed by surname (``张先生`` → ``某先生``) and the reporter's own name (``某某``).
  The description, the address as typed, the reporter, the notes and the photos are never shown.
- Where: the grid and, for a case reported at one, the compound or building, never a house
  (``public_where``); a point rounded to 3 decimals, about 100 m (``public_point``).
- Who handles it: the owning department or role, never a person (``public_owner``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linli.cases.models import Case
from linli.cases.workflow import CaseStatus, OwnerKind

HIDDEN = "***"
SOMEONE = "某某"
POINT_DECIMALS = 3  # about 100 m
# Where a case is, as the public reads it: the compound or building it was reported at (a building's QR code),
# never a house (that would name a household).
PUBLIC_PLACE_KINDS = ("compound", "building")

_NUMBERS = [
    re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])"),  # an ID number (its X too)
    re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9])"),  # a mobile, 3-4-4
    re.compile(r"(?<![0-9])0[0-9]{2,3}-[0-9]{7,8}(?![0-9])"),  # a landline with its area code
    re.compile(r"[0-9]{7,}"),  # anything else that long (a card, a landline, an account)
    re.compile(r"(?<![0-9])[0-9]{1,3}[-－][0-9]{1,2}[-－][0-9]{3,4}(?![0-9])"),  # building-unit-room: 3-2-301
]
# A room: digits before 室/户/号房, or three or four digits after 单元/楼 (2单元301, 5号楼1502).
_ROOMS = [
    re.compile(r"[0-9]{2,5}(?=\s*(?:室|号房))|[0-9]{3,5}(?=\s*户)"),
    re.compile(r"(?<=单元)\s*[0-9]{3,4}(?![0-9])"),
    re.compile(r"(?<=楼)\s*[0-9]{3,4}(?![0-9])"),
]
# A person addressed by surname and a title: 张先生, 王阿姨, 李大爷 → 某先生 ...
_ADDRESSED = re.compile(
    r"[\u4e00-\u9fff](先生|女士|小姐|阿姨|大爷|大妈|大娘|大叔|大姐|奶奶|爷爷|师傅|老师|老人|老太太?|老伯|同志|书记|主任)"
)


def public_text(text: str, *, names: tuple[str, ...] = ()) -> str:
    """What the public may read of a case's text (see the module's rule); ``names``: people known to the
    case (its reporter) whose name leaves the text whole."""
    out = text or ""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, SOMEONE)
    for pattern in _NUMBERS:
        out = pattern.sub(HIDDEN, out)
    for pattern in _ROOMS:
        out = pattern.sub(HIDDEN, out)
    return _ADDRESSED.sub(lambda m: "某" + m.group(1), out)


def public_where(case: Any) -> str:
    """The grid and, where the case was reported at one, the compound or building: never a house."""
    parts = [case.grid.name if case.grid_id else (case.community.name if case.community_id else "")]
    if case.place_id and case.place.kind in PUBLIC_PLACE_KINDS:
        parts.append(case.place.name)
    return " · ".join(p for p in parts if p)


def public_point(lon: float | None, lat: float | None) -> tuple[float | None, float | None]:
    """A point as the public reads it: rounded to about 100 m."""
    if lon is None or lat is None:
        return None, None
    return round(lon, POINT_DECIMALS), round(lat, POINT_DECIMALS)


def public_owner(case: Any) -> str:
    """The owning unit or role, never a person's name."""
    if case.owner_department_id:
        return case.owner_department.name
    if case.owner_kind == OwnerKind.GRID_WORKER:
        return _("Grid worker of %(grid)s") % {"grid": case.grid.name} if case.grid_id else str(OwnerKind.GRID_WORKER.label)
    if case.owner_kind:
        return str(OwnerKind(case.owner_kind).label)
    return _("Community desk")


@dataclass(frozen=True)
class PublicCase:
    """Everything the public may read of a case; a surface shows what its format has room for."""

    number: str
    category: str
    category_code: str
    title: str
    where: str
    owner: str
    status: str
    status_label: str
    open: bool
    lon: float | None
    lat: float | None
    reply: str
    reported_at: datetime
    updated_at: datetime | None
    handle_due: datetime | None


def public_case(case: Any, reply: str = "") -> PublicCase:
    """The one rule (module docstring) applied to ``case``; ``reply``: its latest reply, if shown."""
    from linli.cases.workflow import OPEN_STATUSES

    names = (case.reporter_name,)
    lon, lat = public_point(case.lon, case.lat)
    return PublicCase(
        number=case.number, category=case.category.name, category_code=case.category.code,
        title=public_text(case.title, names=names), where=public_where(case), owner=public_owner(case),
        status=case.status, status_label=str(case.get_status_display()), open=case.status in OPEN_STATUSES,
        lon=lon, lat=lat, reply=public_text(reply, names=names), reported_at=case.reported_at,
        updated_at=case.updated_at, handle_due=case.handle_due,
    )


def public_cases() -> QuerySet[Case]:
    """The cases the public may see (not private, not merged), newest first, with what ``public_case`` reads."""
    return (
        Case.objects.filter(private=False)
        .exclude(status=CaseStatus.MERGED)
        .select_related("category", "owner_department", "grid", "community", "place")
        .order_by("-reported_at", "-id")
    )
