import csv
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from linli.core.actions import calendar_day_delete, calendar_day_set
from linli.core.errors import Invalid, PermissionDenied
from linli.core.models import AuditEntry, CalendarDay
from linli.core.workdays import (
    SHIPPED_CALENDAR,
    VERSION_KEY,
    add_working_days,
    add_working_hours,
    calendar_years,
    is_working_day,
    parse_office_hours,
    working_time_between,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


# --- the shipped calendar -------------------------------------------------------------------------------


def test_migration_loads_the_shipped_calendar(db):
    with SHIPPED_CALENDAR.open(encoding="utf-8") as fh:
        shipped = {(date.fromisoformat(r["date"]), r["kind"], r["name"]) for r in csv.DictReader(fh)}
    assert set(CalendarDay.objects.values_list("date", "kind", "name")) == shipped
    assert calendar_years() == [2025, 2026]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before the Spring Festival
        (date(2026, 2, 14), True),  # Saturday, make-up working day
        (date(2026, 2, 16), False),  # Monday in the holiday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, make-up working day
        (date(2026, 3, 1), False),  # ordinary Sunday
        (date(2026, 10, 1), False),
        (date(2026, 10, 10), True),
        (date(2027, 3, 1), True),  # beyond the calendar's data: weekdays work
    ],
)
def test_is_working_day(db, day, working):
    assert is_working_day(day) is working


def test_is_working_day_takes_local_date_of_datetime(db):
    # 2026-02-13 20:00 UTC is Saturday 2026-02-14 04:00 in Shanghai: a make-up working day.
    assert is_working_day(datetime(2026, 2, 13, 20, 0, tzinfo=UTC)) is True
    # 2026-02-14 17:00 UTC is Sunday 2026-02-15 01:00 in Shanghai: a holiday.
    assert is_working_day(datetime(2026, 2, 14, 17, 0, tzinfo=UTC)) is False


# --- working days ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 2, 13), 5, date(2026, 2, 27)),
        (date(2026, 2, 13), 6, date(2026, 2, 28)),
        (date(2026, 2, 13), 7, date(2026, 3, 2)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        (date(2026, 9, 30), 4, date(2026, 10, 12)),
        (date(2026, 10, 3), 1, date(2026, 10, 8)),  # starting on a holiday
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # an ordinary weekend
        (date(2026, 3, 6), 0, date(2026, 3, 6)),
        (date(2026, 2, 24), -1, date(2026, 2, 14)),
        (date(2026, 10, 8), -1, date(2026, 9, 30)),
    ],
)
def test_add_working_days_crosses_holidays(db, start, n, expected):
    assert add_working_days(start, n) == expected


def test_add_working_days_datetime_keeps_clock_time(db):
    assert add_working_days(at(2026, 2, 13, 15, 20), 2) == at(2026, 2, 24, 15, 20)
    assert add_working_days(datetime(2026, 9, 30, 9, 5), 3) == datetime(2026, 10, 10, 9, 5)


def test_add_working_days_aware_utc_is_counted_in_local_time(db):
    # Friday 2026-02-13 18:00 UTC is Saturday 02:00 in Shanghai; +1 working day is Tuesday 2026-02-24.
    result = add_working_days(datetime(2026, 2, 13, 18, 0, tzinfo=UTC), 1)
    assert result == at(2026, 2, 24, 2, 0)
    assert result.utcoffset() == timedelta(hours=8)


# --- working hours --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at(2026, 3, 2, 9, 0), 2, at(2026, 3, 2, 11, 0)),
        (at(2026, 3, 2, 11, 0), 2, at(2026, 3, 2, 15, 0)),  # across lunch
        (at(2026, 3, 2, 8, 30), 3.5, at(2026, 3, 2, 12, 0)),  # ends exactly at closing
        (at(2026, 3, 2, 8, 30), 7, at(2026, 3, 2, 17, 30)),
        (at(2026, 3, 2, 8, 30), 7.5, at(2026, 3, 3, 9, 0)),
        (at(2026, 3, 2, 17, 0), 1, at(2026, 3, 3, 9, 0)),  # overnight
        (at(2026, 3, 2, 7, 0), 1, at(2026, 3, 2, 9, 30)),  # before opening
        (at(2026, 3, 2, 12, 30), 1, at(2026, 3, 2, 15, 0)),  # during lunch
        (at(2026, 3, 2, 20, 0), 0.5, at(2026, 3, 3, 9, 0)),  # after closing
        (at(2026, 3, 6, 17, 0), 1, at(2026, 3, 9, 9, 0)),  # over a weekend
        (at(2026, 3, 7, 10, 0), 1, at(2026, 3, 9, 9, 30)),  # starting on a Sunday... Saturday
        (at(2026, 2, 13, 17, 0), 1, at(2026, 2, 14, 9, 0)),  # into the make-up Saturday
        (at(2026, 2, 14, 17, 0), 1, at(2026, 2, 24, 9, 0)),  # over the Spring Festival
        (at(2026, 9, 30, 17, 0), 1, at(2026, 10, 8, 9, 0)),  # over National Day
        (at(2026, 9, 30, 8, 30), 24, at(2026, 10, 10, 11, 30)),  # three working days and a half hour
        (at(2026, 3, 2, 9, 0), timedelta(minutes=90), at(2026, 3, 2, 10, 30)),
        (at(2026, 3, 2, 9, 0), 0, at(2026, 3, 2, 9, 0)),
    ],
)
def test_add_working_hours(db, start, hours, expected):
    assert add_working_hours(start, hours) == expected


def test_add_working_hours_naive_in_naive_out(db):
    assert add_working_hours(datetime(2026, 3, 2, 11, 0), 2) == datetime(2026, 3, 2, 15, 0)


def test_add_working_hours_utc_input_same_instant(db):
    # 03:00 UTC is 11:00 in Shanghai.
    result = add_working_hours(datetime(2026, 3, 2, 3, 0, tzinfo=UTC), 2)
    assert result == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def test_add_working_hours_refuses_negative(db):
    with pytest.raises(ValueError):
        add_working_hours(at(2026, 3, 2, 9, 0), -1)


def test_office_hours_come_from_settings(db, settings):
    settings.LINLI_OFFICE_HOURS = "09:00-12:00,13:30-18:00"
    assert add_working_hours(at(2026, 3, 2, 11, 0), 2) == at(2026, 3, 2, 14, 30)
    assert working_time_between(at(2026, 3, 2, 0, 0), at(2026, 3, 3, 0, 0)) == timedelta(hours=7.5)


def test_parse_office_hours_rejects_bad_text():
    assert parse_office_hours("08:30-12:00, 14:00-17:30") == ((time(8, 30), time(12)), (time(14), time(17, 30)))
    for bad in ("", "8-12", "12:00-08:00", "14:00-17:30,08:30-12:00", "08:00-12:00,11:00-13:00"):
        with pytest.raises(ValueError):
            parse_office_hours(bad)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (at(2026, 3, 2, 0, 0), at(2026, 3, 3, 0, 0), timedelta(hours=7)),
        (at(2026, 3, 2, 11, 0), at(2026, 3, 2, 15, 0), timedelta(hours=2)),
        (at(2026, 3, 2, 0, 0), at(2026, 3, 9, 0, 0), timedelta(hours=35)),  # a week
        (at(2026, 2, 13, 17, 0), at(2026, 2, 24, 9, 0), timedelta(hours=8)),  # 0.5 + 7 + 0.5
        (at(2026, 9, 30, 17, 0), at(2026, 10, 8, 9, 0), timedelta(hours=1)),
        (at(2026, 3, 2, 15, 0), at(2026, 3, 2, 11, 0), timedelta(hours=-2)),
        (at(2026, 3, 7, 9, 0), at(2026, 3, 7, 17, 0), timedelta(0)),
    ],
)
def test_working_time_between(db, a, b, expected):
    assert working_time_between(a, b) == expected


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 1)).map(
    lambda d: d.replace(tzinfo=SH)
)
durations = st.integers(min_value=0, max_value=300 * 3600 * 1000).map(lambda ms: timedelta(milliseconds=ms))


@hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(moments, durations)
def test_working_time_between_inverts_add_working_hours(db, start, duration):
    end = add_working_hours(start, duration)
    assert end >= start
    assert working_time_between(start, end) == duration


@hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(moments, st.integers(min_value=-40, max_value=40))
def test_add_working_days_lands_on_working_day(db, start, n):
    result = add_working_days(start.date(), n)
    if n:
        assert is_working_day(result)
        assert add_working_days(result, -n) <= start.date() if n > 0 else add_working_days(result, -n) >= start.date()
    else:
        assert result == start.date()


# --- changing the calendar -------------------------------------------------------------------------------


def test_calendar_day_set_takes_effect_and_is_audited(system_admin):
    assert is_working_day(date(2026, 3, 2)) is True
    calendar_day_set(date=date(2026, 3, 2), kind="holiday", name="测试假日", actor=system_admin)
    assert is_working_day(date(2026, 3, 2)) is False
    assert add_working_days(date(2026, 2, 28), 1) == date(2026, 3, 3)
    entry = AuditEntry.objects.get(action="core.calendar_day_set")
    assert entry.actor_name == system_admin.username
    assert entry.detail["date"] == "2026-03-02"
    assert entry.detail["before"] is None
    calendar_day_delete(date=date(2026, 3, 2), actor=system_admin)
    assert is_working_day(date(2026, 3, 2)) is True
    assert AuditEntry.objects.filter(action="core.calendar_day_delete").count() == 1


def test_calendar_day_set_changes_existing_day(system_admin):
    calendar_day_set(date=date(2026, 10, 10), kind="holiday", name="国庆节", actor=system_admin)
    assert is_working_day(date(2026, 10, 10)) is False
    entry = AuditEntry.objects.get(action="core.calendar_day_set")
    assert entry.detail["before"] == {"kind": "workday", "name": "国庆节"}


def test_calendar_day_set_unchanged_writes_nothing(system_admin):
    calendar_day_set(date=date(2026, 10, 10), kind="workday", name="国庆节", actor=system_admin)
    assert not AuditEntry.objects.filter(action="core.calendar_day_set").exists()


def test_calendar_day_set_refuses_workday_on_a_weekday(system_admin):
    with pytest.raises(Invalid) as info:
        calendar_day_set(date=date(2026, 3, 2), kind="workday", name="x", actor=system_admin)
    assert "date" in info.value.fields
    assert not CalendarDay.objects.filter(date=date(2026, 3, 2)).exists()


def test_calendar_day_set_refuses_unknown_kind_and_empty_name(system_admin):
    with pytest.raises(Invalid) as info:
        calendar_day_set(date=date(2026, 3, 7), kind="party", name=" ", actor=system_admin)
    assert set(info.value.fields) == {"kind", "name"}


def test_calendar_day_set_refused_without_permission(grid_worker_a, audit_admin):
    for actor in (grid_worker_a, audit_admin):
        with pytest.raises(PermissionDenied):
            calendar_day_set(date=date(2026, 3, 2), kind="holiday", name="x", actor=actor)
    assert is_working_day(date(2026, 3, 2)) is True


def test_calendar_change_in_another_process_is_seen_after_version_bump(db):
    assert is_working_day(date(2026, 3, 3)) is True
    CalendarDay.objects.create(date=date(2026, 3, 3), kind="holiday", name="elsewhere")
    cache.set(VERSION_KEY, "another-version", timeout=None)
    assert is_working_day(date(2026, 3, 3)) is False


def test_calendar_edit_commits_and_reaches_the_cache(transactional_db):
    assert is_working_day(date(2026, 3, 4)) is True
    version = cache.get(VERSION_KEY)
    calendar_day_set(date=date(2026, 3, 4), kind="holiday", name="测试", actor=None)
    assert cache.get(VERSION_KEY) != version
    assert is_working_day(date(2026, 3, 4)) is False


def test_calendar_edit_rolled_back_is_forgotten(transactional_db):
    from django.db import transaction

    assert is_working_day(date(2026, 3, 5)) is True
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_day_set(date=date(2026, 3, 5), kind="holiday", name="测试", actor=None)
        assert is_working_day(date(2026, 3, 5)) is False
        raise RuntimeError
    assert is_working_day(date(2026, 3, 5)) is True


# --- the calendar_load command ---------------------------------------------------------------------------

CAL_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,workday,春节
"""


def test_calendar_load_command_loads_a_year(db, tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_text(CAL_2027, encoding="utf-8")
    call_command("calendar_load", str(path))
    assert "3 created" in capsys.readouterr().out
    assert is_working_day(date(2027, 1, 1)) is False
    assert is_working_day(date(2027, 2, 7)) is True
    assert calendar_years() == [2025, 2026, 2027]
    assert AuditEntry.objects.filter(action="core.calendar_day_set", actor_name="console").count() == 3
    call_command("calendar_load", str(path))
    assert "0 created, 0 updated, 3 unchanged, 0 deleted" in capsys.readouterr().out


def test_calendar_load_command_bad_row_writes_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(CAL_2027 + "2027-02-30,holiday,春节\n2027-03-01,workday,x\n2027-01-01,holiday,元旦\n")
    with pytest.raises(CommandError) as info:
        call_command("calendar_load", str(path))
    message = str(info.value)
    assert "line 5" in message and "line 6" in message and "line 7" in message
    assert "line 2:" not in message
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_calendar_load_command_missing_columns(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("day,name\n2027-01-01,元旦\n")
    with pytest.raises(CommandError):
        call_command("calendar_load", str(path))


def test_calendar_load_replace_year_removes_unlisted_days(db, tmp_path, capsys):
    path = tmp_path / "2026.csv"
    path.write_text("date,kind,name\n2026-01-01,holiday,元旦\n2026-10-01,holiday,国庆\n", encoding="utf-8")
    call_command("calendar_load", str(path), "--replace-year")
    out = capsys.readouterr().out
    assert "1 updated, 1 unchanged" in out
    assert set(CalendarDay.objects.filter(date__year=2026).values_list("date", flat=True)) == {
        date(2026, 1, 1),
        date(2026, 10, 1),
    }
    assert CalendarDay.objects.filter(date__year=2025).count() > 0
    assert is_working_day(date(2026, 10, 2)) is True
