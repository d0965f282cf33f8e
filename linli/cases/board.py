"""The public progress board (进度公示): a community's cases of a month, anonymised (no names, no
phones, no reporter, no notes; private cases and merged duplicates left out), with the owning unit
and the status; and the year's tally of cases closed as resolved (实事 done)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases.models import Case
from linli.cases.workflow import CaseStatus, ClosedReason, OwnerKind

DIGITS_RE = re.compile(r"\d{7,}")


def anonymise(text: str) -> str:
    """Long digit runs (phone, ID numbers) are blanked out of what the public reads."""
    return DIGITS_RE.sub("***", text or "")


@dataclass
class BoardRow:
    number: str
    category: str
    title: str
    place: str
    owner: str
    status: str
    reported_at: datetime


def _month_range(year: int, month: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def _owner_label(case: Any) -> str:
    """The owning unit or role, never a person's name."""
    if case.owner_department_id:
        return case.owner_department.name
    if case.owner_kind == OwnerKind.GRID_WORKER:
        return _("Grid worker of %(grid)s") % {"grid": case.grid.name} if case.grid_id else str(OwnerKind.GRID_WORKER.label)
    if case.owner_kind:
        return str(OwnerKind(case.owner_kind).label)
    return _("Community desk")


# Where a case is, as the public reads it: the grid, and the compound or building it was reported at
# (a building's QR code), never a house (that would name a household).
PUBLIC_PLACE_KINDS = ("compound", "building")


def _where(case: Any) -> str:
    parts = [case.grid.name if case.grid_id else ""]
    if case.place_id and case.place.kind in PUBLIC_PLACE_KINDS:
        parts.append(case.place.name)
    return " · ".join(p for p in parts if p)


def board_rows(community: Any, year: int, month: int) -> list[BoardRow]:
    start, end = _month_range(year, month)
    qs = (
        Case.objects.filter(community=community, private=False, reported_at__gte=start, reported_at__lt=end)
        .exclude(status=CaseStatus.MERGED)
        .select_related("category", "owner_department", "grid", "place")
        .order_by("reported_at", "id")
    )
    return [
        BoardRow(c.number, c.category.name, anonymise(c.title), _where(c), _owner_label(c),
                 str(c.get_status_display()), c.reported_at)
        for c in qs[:1000]
    ]


def board_tally(community: Any, year: int) -> dict[str, int]:
    start, _end = _month_range(year, 1)
    end = _month_range(year + 1, 1)[0]
    base = Case.objects.filter(community=community, reported_at__gte=start, reported_at__lt=end).exclude(
        status=CaseStatus.MERGED)
    return {
        "reported": base.count(),
        "done": base.filter(status=CaseStatus.CLOSED, closed_reason=ClosedReason.RESOLVED).count(),
    }


BOARD_PAGE = 100


def board_communities(user: Any, *, after: str = "", size: int = BOARD_PAGE) -> tuple[list[Any], str]:
    """The communities whose board the user finds in the menu: those under the user's places (a street's
    communities) and those above them (a resident's or a grid worker's own community); a keyset page by
    code and the ``after`` of the next page ("" at the end)."""
    from django.db.models import Q

    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_by_ids, places_of_kind

    paths = sorted(getattr(getattr(user, "scope", None), "place_paths", ()) or ())
    if not paths:
        return [], ""
    above = {int(part) for p in paths for part in p.strip("/").split("/") if part}
    under = Q()
    for p in paths:
        under |= Q(path__startswith=p)
    qs = (places_by_ids(above, kinds=[PlaceKind.COMMUNITY]) | places_of_kind(PlaceKind.COMMUNITY).filter(under)).order_by(
        "code", "pk"
    )
    if after:
        qs = qs.filter(code__gt=after)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].code if more else "")
