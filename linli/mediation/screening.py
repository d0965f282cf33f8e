"""Monthly screening (排查): each grid has a round each month; the grid worker goes through every compound
(or, in a grid without compounds, every building) and records the disputes found there, or "none found";
the round is done when every one has its entry. The community and the street see which grids have not
screened this month; from the 25th the grids still open are reminded (``mediation_remind_screening``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.mediation.access import can_screen
from linli.places.selectors import places_in_scope, places_of_kind


def month_of(day: dt.date | None = None) -> dt.date:
    return (day or timezone.localdate()).replace(day=1)


def screening_places(grid: Any) -> list[Any]:
    """What a grid's round goes through: its compounds; its buildings when it has none; else the grid."""
    from linli.places.kinds import PlaceKind

    under = places_of_kind(under=grid.path).exclude(pk=grid.pk)
    compounds = list(under.filter(kind=PlaceKind.COMPOUND).order_by("path"))
    if compounds:
        return compounds
    buildings = list(under.filter(kind=PlaceKind.BUILDING).order_by("path"))
    return buildings or [grid]


def _grid(value: Any):
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import place_get

    grid = place_get(value)
    if grid is None or grid.kind != PlaceKind.GRID:
        raise NotFound(_("Not found."))
    return grid


def screening_round(*, grid: Any, month: dt.date | None = None, actor: Any = None):
    """The grid's round of the month (made on first use)."""
    from linli.mediation.models import ScreeningRound

    grid = _grid(grid)
    month = month_of(month)
    found = ScreeningRound.objects.filter(grid=grid, month=month).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ScreeningRound.objects.create(grid=grid, month=month, place_path=grid.path)
    except IntegrityError:
        return ScreeningRound.objects.get(grid=grid, month=month)


def _check(actor: Any, grid: Any) -> None:
    if actor is None:
        return
    if not can_screen(actor, grid):
        from linli.mediation.access import can_view

        if can_view(actor):
            raise NotFound(_("Not found."))
        raise PermissionDenied(_("You may not screen this grid."))


def screening_record(*, actor: Any, grid: Any, place: Any, found: int = 0, note: str = "",
                     month: dt.date | None = None):
    """Record one compound or building of this month's round: ``found`` disputes (0: none found). Recording
    it again corrects it. The disputes themselves are registered with source "screening"."""
    from linli.mediation.models import ScreeningEntry
    from linli.places.selectors import place_get

    grid = _grid(grid)
    _check(actor, grid)
    where = place_get(place)
    if where is None or where.pk not in {p.pk for p in screening_places(grid)}:
        raise Invalid(_("Choose a compound or building of this grid."), fields={"place": [_("Not in this grid.")]})
    try:
        found = int(found)
    except (TypeError, ValueError):
        found = -1
    if found < 0 or found > 999:
        raise Invalid(_("Enter how many disputes were found (0 for none)."), fields={"found": [_("Out of range.")]})
    now = timezone.now()
    with transaction.atomic():
        rnd = screening_round(grid=grid, month=month)
        if rnd.done_at is not None:
            raise Refused(_("This month's screening of the grid is already finished."), code="refused_transition")
        entry, _created = ScreeningEntry.objects.update_or_create(
            round=rnd, place=where,
            defaults={"found": found, "note": str(note or "").strip()[:200],
                      "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
                      "recorded_at": now},
        )
        audit_record(action="mediation.screening_record", actor=actor, actor_name="" if actor else "system",
                     target=entry, detail={"round": rnd.pk, "place": where.pk, "found": found})
    return entry


def screening_finish(*, actor: Any, grid: Any, month: dt.date | None = None):
    """Finish the round: every compound or building has its entry."""
    from linli.mediation.models import ScreeningRound

    grid = _grid(grid)
    _check(actor, grid)
    with transaction.atomic():
        rnd = screening_round(grid=grid, month=month)
        rnd = ScreeningRound.objects.select_for_update().get(pk=rnd.pk)
        if rnd.done_at is not None:
            raise Refused(_("This month's screening of the grid is already finished."), code="refused_transition")
        missing = [p.name for p in screening_places(grid)
                   if not rnd.entries.filter(place=p).exists()]
        if missing:
            raise Invalid(_("Not yet screened: %(places)s.") % {"places": "、".join(missing[:10])},
                          fields={"place": missing[:10]})
        rnd.done_at = timezone.now()
        rnd.done_by = actor if getattr(actor, "is_authenticated", False) else None
        rnd.save(update_fields=["done_at", "done_by"])
        audit_record(action="mediation.screening_finish", actor=actor, actor_name="" if actor else "system",
                     target=rnd, detail={"entries": rnd.entries.count()})
    return rnd


@dataclass
class GridScreening:
    grid: Any
    round: Any
    places: int
    recorded: int
    found: int

    @property
    def done(self) -> bool:
        return self.round is not None and self.round.done_at is not None


def screening_overview(user: Any, month: dt.date | None = None) -> list[GridScreening]:
    """Every grid in the user's scope with its round of the month (done, under way, not started)."""
    from django.db.models import Count, Sum

    from linli.core.access import scope_of
    from linli.mediation.access import can_view
    from linli.mediation.models import ScreeningRound
    from linli.places.kinds import PlaceKind

    if not can_view(user):
        return []
    month = month_of(month)
    grids = list(places_in_scope(scope_of(user), PlaceKind.GRID).order_by("path")[:500])
    if not grids:  # a grid worker's scope is the grid itself
        return []
    rounds = {r.grid_id: r for r in ScreeningRound.objects.filter(grid__in=grids, month=month)
              .annotate(n=Count("entries"), f=Sum("entries__found"))}
    out = []
    for g in grids:
        r = rounds.get(g.pk)
        out.append(GridScreening(g, r, len(screening_places(g)), getattr(r, "n", 0) or 0, getattr(r, "f", 0) or 0))
    return out


REMIND_FROM_DAY = 25  # from this day of the month a round not finished is overdue


def screening_is_overdue(day: dt.date | None = None) -> bool:
    """Whether this month's rounds not finished by ``day`` are overdue (from the 25th)."""
    return (day or timezone.localdate()).day >= REMIND_FROM_DAY


def screenings_overdue_count(user: Any, day: dt.date | None = None) -> int:
    """How many grids in ``user``'s scope have not finished this month's round although it is overdue
    (0 before the 25th; 0 for those without ``mediation.view``). For the staff's daily digest."""
    from linli.core.access import scope_of
    from linli.mediation.access import can_view
    from linli.mediation.models import ScreeningRound
    from linli.places.kinds import PlaceKind

    day = day or timezone.localdate()
    if not screening_is_overdue(day) or not can_view(user):
        return 0
    done = ScreeningRound.objects.filter(month=month_of(day), done_at__isnull=False).values("grid_id")
    return places_in_scope(scope_of(user), PlaceKind.GRID).exclude(pk__in=done).count()


def screenings_remind(*, today: dt.date | None = None) -> int:
    """From the 25th: tell each grid worker (and the community staff) whose grid has not finished this
    month's round, once per grid and month. The round is claimed by a conditional UPDATE of its
    ``reminded_at`` in the transaction that queues the notices, so the task running again the next day,
    twice in a day or twice at once sends each reminder once. Returns how many grids were reminded."""
    from linli.mediation.actions import _notify, users_over
    from linli.mediation.models import ScreeningRound
    from linli.mediation.workflow import PERM_MANAGE, PERM_REPORT
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_of_kind

    today = today or timezone.localdate()
    if not screening_is_overdue(today):
        return 0
    month = month_of(today)
    have = set(ScreeningRound.objects.filter(month=month).values_list("grid_id", flat=True))
    grids = places_of_kind(PlaceKind.GRID).order_by("path").values_list("pk", "path")[:5000]
    ScreeningRound.objects.bulk_create(
        [ScreeningRound(grid_id=pk, month=month, place_path=path) for pk, path in grids if pk not in have],
        ignore_conflicts=True,
    )
    due = (ScreeningRound.objects.filter(month=month, done_at__isnull=True, reminded_at__isnull=True)
           .select_related("grid").order_by("place_path")[:5000])
    now = timezone.now()
    n = 0
    for rnd in due:
        with transaction.atomic():
            claimed = ScreeningRound.objects.filter(pk=rnd.pk, done_at__isnull=True, reminded_at__isnull=True
                                                    ).update(reminded_at=now)
            if not claimed:  # finished or reminded by another run meanwhile
                continue
            grid = rnd.grid
            _notify(ref=f"mediation.screening:{grid.pk}:{month:%Y-%m}", kind="screening_overdue",
                    user_ids=users_over(grid.path, PERM_REPORT) + users_over(grid.path, PERM_MANAGE),
                    text=_("This month's dispute screening of %(grid)s is not finished.") % {"grid": grid.name},
                    url=reverse("mediation:screening_grid", args=[grid.pk]))
        n += 1
    return n
