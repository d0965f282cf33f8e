"""The public progress board (进度公示): a community's cases of a month, anonymised by the one rule for
public cases (``linli.cases.selectors_public``: no names, no numbers, no house, no reporter, no notes;
private cases and merged duplicates left out), with the owning unit and the status; and the year's tally
of cases closed as resolved (实事 done)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from linli.cases.models import Case
from linli.cases.selectors_public import public_cases
from linli.cases.workflow import CaseStatus, ClosedReason


def _month_range(year: int, month: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def board_cases(community: Any, year: int, month: int) -> QuerySet[Case]:
    """The community's public cases of the month: page them, show each through ``public_case`` (the one rule
    of ``linli.cases.selectors_public``)."""
    start, end = _month_range(year, month)
    return public_cases().filter(community=community, reported_at__gte=start, reported_at__lt=end)


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


def board_communities(user: Any) -> Any:
    """The communities whose board the user finds in the menu: those under the user's places (a street's
    communities) and those above them (a resident's or a grid worker's own community), for the one pager."""
    from django.db.models import Q

    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_by_ids, places_of_kind

    paths = sorted(getattr(getattr(user, "scope", None), "place_paths", ()) or ())
    if not paths:
        return places_of_kind(PlaceKind.COMMUNITY).none()
    above = {int(part) for p in paths for part in p.strip("/").split("/") if part}
    under = Q()
    for p in paths:
        under |= Q(path__startswith=p)
    return places_by_ids(above, kinds=[PlaceKind.COMMUNITY]) | places_of_kind(PlaceKind.COMMUNITY).filter(under)
