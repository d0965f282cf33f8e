"""Core writes: the working-day calendar. Each action checks the actor, writes, and records an audit row.

``actor=None`` means the console (management commands run by the operator).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied
from linli.core.models import CalendarDay
from linli.core.workdays import CalendarRow, calendar_changed, calendar_row_problems

CALENDAR_PERM = "system.configure"


def _check_calendar_actor(actor) -> None:
    if actor is not None and CALENDAR_PERM not in getattr(actor, "perms", ()):
        raise PermissionDenied(_("Only the system administrator can change the holiday calendar."))


def _actor_name(actor) -> str:
    return "" if actor is not None else "console"


@transaction.atomic
def calendar_day_set(*, date: date, kind: str, name: str, actor) -> CalendarDay:
    """Create or change the calendar entry of one date (a public holiday or a make-up working day)."""
    _check_calendar_actor(actor)
    name = name.strip()
    problems = calendar_row_problems(date, kind, name)
    if problems:
        raise Invalid(next(iter(problems.values()))[0], fields=problems)
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = {"kind": day.kind, "name": day.name} if day else None
    if day is None:
        day = CalendarDay.objects.create(date=date, kind=kind, name=name)
    elif (day.kind, day.name) != (kind, name):
        day.kind, day.name = kind, name
        day.save(update_fields=["kind", "name"])
    else:
        return day
    calendar_changed()
    audit_record(
        action="core.calendar_day_set",
        actor=actor,
        actor_name=_actor_name(actor),
        target=day,
        detail={"date": date.isoformat(), "kind": kind, "name": name, "before": before},
    )
    return day


@transaction.atomic
def calendar_day_delete(*, date: date, actor) -> None:
    """Remove the entry of one date: the day becomes an ordinary weekday or weekend day again."""
    _check_calendar_actor(actor)
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        raise NotFound(_("The calendar has no entry for this date."))
    audit_record(
        action="core.calendar_day_delete",
        actor=actor,
        actor_name=_actor_name(actor),
        target=day,
        detail={"date": date.isoformat(), "kind": day.kind, "name": day.name},
    )
    day.delete()
    calendar_changed()


@transaction.atomic
def calendar_load(*, rows: Iterable[CalendarRow], replace_years: bool = False, actor) -> dict[str, int]:
    """Load checked rows (``workdays.calendar_rows_parse``) in one transaction. With ``replace_years``
    the entries of the file's years that the file does not list are removed."""
    _check_calendar_actor(actor)
    rows = list(rows)
    years = sorted({r.date.year for r in rows})
    existing = {d.date: d for d in CalendarDay.objects.filter(date__year__in=years)}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    for row in rows:
        current = existing.get(row.date)
        if current is not None and (current.kind, current.name) == (row.kind, row.name):
            counts["unchanged"] += 1
            continue
        calendar_day_set(date=row.date, kind=row.kind, name=row.name, actor=actor)
        counts["updated" if current else "created"] += 1
    if replace_years:
        listed = {r.date for r in rows}
        for day in sorted(set(existing) - listed):
            calendar_day_delete(date=day, actor=actor)
            counts["deleted"] += 1
    audit_record(
        action="core.calendar_load",
        actor=actor,
        actor_name=_actor_name(actor),
        target_type="core.calendarday",
        detail={"years": years, "replace_years": replace_years, **counts},
    )
    return counts
