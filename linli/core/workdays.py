"""The working-day calendar: deadlines in working days and in office hours.

A day is a working day when it is Monday to Friday and not a public holiday, or when it is a weekend
day worked in exchange (调休, a make-up working day). The exceptions are data (``CalendarDay``),
loaded from ``linli/core/data/cn_holiday_calendar.csv`` by a migration and extended every year by the
operator (``linli calendar_load FILE`` or the admin). Office hours come from
``settings.LINLI_OFFICE_HOURS`` (default ``08:30-12:00,14:00-17:30``), in the local time zone.

The calendar is cached in the process. A version key in the Django cache tells every process that
shares the cache (Redis) when the calendar changed; with a per-process cache the copy is re-read at
least every ``RELOAD_SECONDS``.
"""

from __future__ import annotations

import csv
import io
import threading
import time as _time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import overload

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Invalid
from linli.core.models import CalendarDay, DayKind

SHIPPED_CALENDAR = Path(__file__).resolve().parent / "data" / "cn_holiday_calendar.csv"
VERSION_KEY = "linli:calendar:version"
RELOAD_SECONDS = 60
MAX_SEARCH_DAYS = 3660
DEFAULT_OFFICE_HOURS = "08:30-12:00,14:00-17:30"

# --- the calendar data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarRow:
    date: date
    kind: str
    name: str


KIND_ALIASES = {"holiday": DayKind.HOLIDAY, "休": DayKind.HOLIDAY, "workday": DayKind.WORKDAY, "班": DayKind.WORKDAY}


def calendar_row_problems(day: date, kind: str, name: str) -> dict[str, list[str]]:
    """What is wrong with one calendar entry, by field (empty when it is fine)."""
    problems: dict[str, list[str]] = {}
    if kind not in DayKind.values:
        problems["kind"] = [_("The kind must be “holiday” or “workday”.")]
    elif kind == DayKind.WORKDAY and day.weekday() < 5:
        problems["date"] = [_("A make-up working day must fall on a Saturday or a Sunday.")]
    if not name.strip():
        problems["name"] = [_("The name is missing.")]
    elif len(name) > CalendarDay._meta.get_field("name").max_length:  # type: ignore[operator]
        problems["name"] = [_("The name is too long.")]
    return problems


def calendar_rows_parse(text: str) -> list[CalendarRow]:
    """Parse and check a calendar CSV (``date,kind,name``). Every row is checked; any problem raises
    ``Invalid`` whose ``fields`` name each bad line, so nothing is written from a bad file."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or {"date", "kind", "name"} - {f.strip() for f in reader.fieldnames}:
        raise Invalid(_("The calendar file needs the columns date, kind and name."))
    rows: list[CalendarRow] = []
    errors: dict[str, list[str]] = {}
    seen: dict[date, int] = {}
    for line, raw in enumerate(reader, start=2):
        record = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        try:
            day = date.fromisoformat(record["date"])
        except ValueError:
            errors[f"line {line}"] = [_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": record["date"]}]
            continue
        kind = KIND_ALIASES.get(record["kind"].lower(), record["kind"])
        problems = [m for ms in calendar_row_problems(day, kind, record["name"]).values() for m in ms]
        if day in seen:
            problems.append(_("The date already appears on line %(line)d.") % {"line": seen[day]})
        seen.setdefault(day, line)
        if problems:
            errors[f"line {line}"] = problems
        else:
            rows.append(CalendarRow(day, kind, record["name"]))
    if errors:
        raise Invalid(_("The calendar file has errors; nothing was loaded."), fields=errors)
    if not rows:
        raise Invalid(_("The calendar file has no rows."))
    return rows


def calendar_restore_shipped(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Insert the shipped calendar's days that are missing (after ``flush``). Returns how many."""
    rows = calendar_rows_parse(SHIPPED_CALENDAR.read_text(encoding="utf-8"))
    present = set(CalendarDay.objects.using(using).values_list("date", flat=True))
    missing = [CalendarDay(date=r.date, kind=r.kind, name=r.name) for r in rows if r.date not in present]
    CalendarDay.objects.using(using).bulk_create(missing)
    if missing:
        calendar_changed(using=using)
    return len(missing)


# --- the in-process copy -------------------------------------------------------------------------------


class _Local(threading.local):
    dirty = False  # this thread changed the calendar in a transaction that has not committed yet


_local = _Local()
_state: tuple[str, float, Mapping[date, str]] | None = None


def _load() -> dict[date, str]:
    return dict(CalendarDay.objects.values_list("date", "kind"))


def calendar_days() -> Mapping[date, str]:
    """The calendar's exceptions: date → ``"holiday"`` or ``"workday"``."""
    global _state
    if _local.dirty:
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return _load()  # this transaction's own edits, not yet visible to anyone else
        _local.dirty = False  # rolled back (a commit would have cleared the flag)
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    state = _state
    now = _time.monotonic()
    if state is None or state[0] != version or now - state[1] > RELOAD_SECONDS:
        state = (version, now, _load())
        _state = state
    return state[2]


def calendar_changed(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Called by the writes: every process re-reads the calendar once the change commits."""
    _local.dirty = True

    def bump() -> None:
        global _state
        _state = None
        _local.dirty = False
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)

    transaction.on_commit(bump, using=using)


def calendar_years() -> list[int]:
    """The years the calendar has data for (a deadline beyond them counts weekends only)."""
    return sorted({d.year for d in calendar_days()})


# --- working days --------------------------------------------------------------------------------------


def _working(day: date, days: Mapping[date, str]) -> bool:
    kind = days.get(day)
    if kind == DayKind.HOLIDAY:
        return False
    if kind == DayKind.WORKDAY:
        return True
    return day.weekday() < 5


def _local_tz():
    return timezone.get_default_timezone()


def _to_local(moment: datetime) -> datetime:
    """An aware datetime in the local zone (a naive one is taken as local wall-clock time)."""
    tz = _local_tz()
    return moment.astimezone(tz) if timezone.is_aware(moment) else moment.replace(tzinfo=tz)


def _back(local: datetime, like: datetime) -> datetime:
    return local if timezone.is_aware(like) else local.replace(tzinfo=None)


def is_working_day(day: date | datetime) -> bool:
    if isinstance(day, datetime):
        day = _to_local(day).date()
    return _working(day, calendar_days())


@overload
def add_working_days(start: datetime, n: int) -> datetime: ...
@overload
def add_working_days(start: date, n: int) -> date: ...
def add_working_days(start, n):
    """``n`` working days after ``start`` (before it when ``n`` is negative); a datetime keeps its
    clock time. The start day itself never counts."""
    if isinstance(start, datetime):
        local = _to_local(start)
        day = add_working_days(local.date(), n)
        return _back(datetime.combine(day, local.time(), tzinfo=local.tzinfo), start)
    days = calendar_days()
    step = timedelta(days=1 if n >= 0 else -1)
    remaining, day = abs(n), start
    while remaining:
        day += step
        if _working(day, days):
            remaining -= 1
    return day


# --- office hours --------------------------------------------------------------------------------------

_hours_cache: tuple[str, tuple[tuple[time, time], ...]] | None = None


def parse_office_hours(text: str) -> tuple[tuple[time, time], ...]:
    """``"08:30-12:00,14:00-17:30"`` → ((08:30, 12:00), (14:00, 17:30)); intervals ordered, disjoint."""
    intervals: list[tuple[time, time]] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            start, end = (time.fromisoformat(p.strip()) for p in part.split("-"))
        except ValueError as exc:
            raise ValueError(f"office hours: cannot read {part!r} (write HH:MM-HH:MM)") from exc
        if start >= end:
            raise ValueError(f"office hours: {part!r} ends before it starts")
        if intervals and start < intervals[-1][1]:
            raise ValueError("office hours: intervals must be in order and must not overlap")
        intervals.append((start, end))
    if not intervals:
        raise ValueError("office hours: no interval")
    return tuple(intervals)


def office_hours() -> tuple[tuple[time, time], ...]:
    global _hours_cache
    text = getattr(settings, "LINLI_OFFICE_HOURS", None) or DEFAULT_OFFICE_HOURS
    if _hours_cache is None or _hours_cache[0] != text:
        _hours_cache = (text, parse_office_hours(text))
    return _hours_cache[1]


def _intervals(day: date, tz) -> list[tuple[datetime, datetime]]:
    return [(datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz)) for a, b in office_hours()]


def add_working_hours(start: datetime, hours: float | timedelta) -> datetime:
    """The moment ``hours`` of office time after ``start``. A start outside office hours starts at the
    next opening; a deadline that uses up an interval exactly ends at its closing time (17:30)."""
    remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    if remaining < timedelta(0):
        raise ValueError("add_working_hours takes a positive duration")
    current = _to_local(start)
    tz = current.tzinfo
    days = calendar_days()
    day = current.date()
    for _i in range(MAX_SEARCH_DAYS):
        if _working(day, days):
            for opens, closes in _intervals(day, tz):
                begin = max(current, opens)
                if begin >= closes:
                    continue
                if remaining <= closes - begin:
                    return _back(begin + remaining, start)
                remaining -= closes - begin
                current = closes
        day += timedelta(days=1)
    raise ValueError("no working time found within ten years")


def working_time_between(a: datetime, b: datetime) -> timedelta:
    """Office time between two moments (negative when ``b`` is before ``a``)."""
    if b < a:
        return -working_time_between(b, a)
    a, b = _to_local(a), _to_local(b)
    tz = a.tzinfo
    days = calendar_days()
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if _working(day, days):
            for opens, closes in _intervals(day, tz):
                begin, end = max(a, opens), min(b, closes)
                if end > begin:
                    total += end - begin
        day += timedelta(days=1)
    return total
