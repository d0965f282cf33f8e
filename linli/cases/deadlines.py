"""Case deadlines on the working-day calendar (linli.core.workdays).

Definitions (docs for the UI and the KPIs):

- **sign_due**: ``category.sign_hours`` office hours after the dispatch (``add_working_hours``).
- **return_due**: ``LINLI_CASES_RETURN_HOURS`` office hours after the dispatch (default 7: one
  working day); the owner may return a wrongly dispatched case only until then.
- **handle_due**: the end of office hours (the last closing time of ``LINLI_OFFICE_HOURS``, 17:30 by
  default) of the ``category.handle_days``-th working day after the day the case was reported. The
  day of the report never counts. Example: reported 2026-09-30 (Wed), 3 working days → Oct 1–7 are
  the National Day holiday, so the days are Oct 8 (Thu), Oct 9 (Fri) and Oct 10 (Sat, a make-up
  working day): due 2026-10-10 17:30 Asia/Shanghai.
- **feedback_due**: the same rule with ``category.feedback_days`` (3 by default): by then the
  resident has had a public reply.
- A reopened case gets new sign/handle/feedback deadlines counted from the reopening.
- **Lights**: green until ``*_warn_at``, yellow (warning) from there, red (overdue) after the due
  moment. ``*_warn_at`` is when 75% of the office time allowed (from the start of the clock to the
  due moment, counted on the calendar) is used up: the yellow light is the last quarter of the
  working time, so a holiday in between does not turn it yellow early. Example: reported
  2026-09-30 10:00, due 2026-10-10 17:30 → 26.5 office hours → yellow from 2026-10-10 08:52:30.
- **Parking** stops the clock: on unparking, every running deadline moves on by the office time the
  case was parked (``working_time_between(parked_at, now)``), and ``parked_seconds`` adds the
  wall-clock time parked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from linli.cases.workflow import CaseStatus
from linli.core.workdays import add_working_days, add_working_hours, office_hours, working_time_between

WARNING_FRACTION = 0.25
DEFAULT_RETURN_HOURS = 7  # one working day of the default office hours
DEFAULT_SUMMONS_HOURS = 16


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def end_of_office_day(day: date) -> datetime:
    """The last closing time of office hours on ``day``, in the local zone."""
    closes = office_hours()[-1][1]
    return datetime.combine(day, closes, tzinfo=timezone.get_default_timezone())


def days_due(start: datetime, days: int) -> datetime:
    """End of office hours of the ``days``-th working day after ``start``'s day (the start day never
    counts; 0 days: the end of the start day)."""
    return end_of_office_day(add_working_days(_local(start).date(), days))


def hours_due(start: datetime, hours: float) -> datetime:
    return add_working_hours(start, hours) if hours > 0 else start


def warn_at(start: datetime, due: datetime) -> datetime:
    """When the yellow light turns on: once 75% of the office time from ``start`` to ``due`` is used.
    (Beyond a year, wall-clock time: the calendar is not known that far ahead.)"""
    if due - start > timedelta(days=366):
        return due - (due - start) * WARNING_FRACTION
    allowed = working_time_between(start, due)
    if allowed <= timedelta(0):
        return due
    return min(add_working_hours(start, allowed * (1 - WARNING_FRACTION)), due)


def return_hours() -> int:
    return int(getattr(settings, "LINLI_CASES_RETURN_HOURS", DEFAULT_RETURN_HOURS))


def summons_hours() -> int:
    return int(getattr(settings, "LINLI_CASES_SUMMONS_HOURS", DEFAULT_SUMMONS_HOURS))


def set_report_deadlines(case: Any, start: datetime) -> None:
    """handle_due and feedback_due from the report (or the reopening)."""
    case.handle_due = days_due(start, case.category.handle_days)
    case.handle_warn_at = warn_at(start, case.handle_due)
    case.feedback_due = days_due(start, case.category.feedback_days)


def set_dispatch_deadlines(case: Any, start: datetime) -> None:
    case.sign_due = hours_due(start, case.category.sign_hours)
    case.sign_warn_at = warn_at(start, case.sign_due)
    case.return_due = hours_due(start, return_hours())


def shift(due: datetime | None, paused: timedelta) -> datetime | None:
    """A deadline moved on by ``paused`` office time."""
    if due is None or paused <= timedelta(0):
        return due
    return add_working_hours(due, paused)


def unpause(case: Any, now: datetime) -> timedelta:
    """Move the running deadlines on by the office time parked; returns it."""
    if case.parked_at is None:
        return timedelta(0)
    paused = working_time_between(case.parked_at, now)
    case.parked_seconds += max(0, int((now - case.parked_at).total_seconds()))
    for field in ("handle_due", "handle_warn_at", "feedback_due", "sign_due", "sign_warn_at"):
        setattr(case, field, shift(getattr(case, field), paused))
    case.parked_at = None
    return paused


# --- lights --------------------------------------------------------------------------------------------

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", ""

# Which deadline runs in which state.
_HANDLE_STATES = frozenset(
    {CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.SIGNED, CaseStatus.HANDLING}
)


@dataclass(frozen=True)
class Light:
    level: str  # "green" | "yellow" | "red" | "" (no running deadline)
    which: str  # "sign" | "handle" | "feedback" | ""
    due: datetime | None


def _level(now: datetime, due: datetime | None, warn: datetime | None) -> str:
    if due is None:
        return NONE
    if now >= due:
        return RED
    if warn is not None and now >= warn:
        return YELLOW
    return GREEN


_ORDER = {NONE: 0, GREEN: 1, YELLOW: 2, RED: 3}


def light(case: Any, now: datetime | None = None) -> Light:
    """The worst light among the deadlines running for the case now (none while parked or done)."""
    now = now or timezone.now()
    if case.status == CaseStatus.PARKED or case.status not in _HANDLE_STATES | {CaseStatus.REPORTED_BACK}:
        return Light(NONE, "", None)
    candidates: list[Light] = []
    if case.status == CaseStatus.DISPATCHED:
        candidates.append(Light(_level(now, case.sign_due, case.sign_warn_at), "sign", case.sign_due))
    if case.status in _HANDLE_STATES:
        candidates.append(Light(_level(now, case.handle_due, case.handle_warn_at), "handle", case.handle_due))
    if case.first_reply_at is None and case.feedback_due is not None:
        fb_warn = None
        candidates.append(Light(_level(now, case.feedback_due, fb_warn), "feedback", case.feedback_due))
    if not candidates:
        return Light(NONE, "", None)
    return max(candidates, key=lambda c: _ORDER[c.level])
