"""Monthly partitions of the audit log and the case events on PostgreSQL (plain tables on SQLite): the
month in Asia/Shanghai, one partition read for a one-month query, months created ahead, a month archived
by detaching it."""

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from linli.core.models import AuditEntry
from linli.core.partitions import (
    is_partitioned,
    month_add,
    month_of,
    month_start,
    partition_month_ensure,
    partition_name,
    partitioned_tables,
    partitions_ensure,
    partitions_of,
)

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions: PostgreSQL")
TABLE = "core_auditentry"


def _entry(at, action="test.partition"):
    entry = AuditEntry(at=at, action=action, actor_name="t")
    entry.save(force_insert=True)
    return entry


def _partition_of(entry) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM core_auditentry WHERE id = %s", [entry.pk])
        return cursor.fetchone()[0]


def test_months_are_counted_in_the_local_time_zone():
    assert month_of(datetime(2026, 3, 31, 16, 0, tzinfo=UTC)) == 202604
    assert month_of(datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC)) == 202603
    assert month_start(202604) == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    assert month_add(202611, 3) == 202702 and month_add(202601, -1) == 202512


def test_sqlite_keeps_plain_tables(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite")
    assert not is_partitioned(TABLE) and partitioned_tables() == {} and partitions_ensure() == []


@pg_only
def test_the_audit_log_and_the_case_events_are_partitioned_by_month(db):
    assert partitioned_tables() == {"core_auditentry": "at", "cases_caseevent": "at", "iot_reading": "at"}
    months = {p.month for p in partitions_of(TABLE)}
    this = month_of(timezone.now())
    assert {this, month_add(this, 1), month_add(this, 2), month_add(this, 3), None} <= months


@pg_only
def test_a_row_lands_in_its_local_month_at_the_0800_boundary(db):
    for month in (202603, 202604):
        partition_month_ensure(TABLE, "at", month)
    april = _entry(datetime(2026, 3, 31, 16, 0, tzinfo=UTC))  # 2026-04-01 00:00 in Shanghai
    march = _entry(datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC))  # 2026-03-31 23:59:59 in Shanghai
    assert _partition_of(april) == partition_name(TABLE, 202604)
    assert _partition_of(march) == partition_name(TABLE, 202603)


@pg_only
def test_a_one_month_query_reads_one_partition(db):
    partition_month_ensure(TABLE, "at", 202604)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT count(*) FROM core_auditentry WHERE at >= %s AND at < %s",
            [month_start(202604), month_start(202605)],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    scanned = {name for name in (p.name for p in partitions_of(TABLE)) if name in plan}
    assert scanned == {partition_name(TABLE, 202604)}, plan


@pg_only
def test_partitions_are_created_ahead_once(db):
    created = partitions_ensure(months_ahead=6)
    this = month_of(timezone.now())
    assert {partition_name(TABLE, month_add(this, 6)), partition_name("cases_caseevent", month_add(this, 6))} <= set(created)
    assert partitions_ensure(months_ahead=6) == []


@pg_only
def test_a_month_already_in_the_default_partition_is_left_there(db):
    stray = _entry(datetime(2019, 5, 10, tzinfo=UTC))
    assert _partition_of(stray) == f"{TABLE}_default"
    assert partition_month_ensure(TABLE, "at", 201905) is False
    assert AuditEntry.objects.filter(pk=stray.pk).exists()


@pg_only
def test_the_archive_detaches_whole_months_past_retention(db, tmp_path, capsys):
    old_month = month_of(timezone.now() - timedelta(days=400))
    partition_month_ensure(TABLE, "at", old_month)
    in_month = [_entry(month_start(old_month) + timedelta(days=d), f"test.m{d}") for d in (0, 3, 9)]
    stray = _entry(timezone.now() - timedelta(days=300), "test.stray")  # no partition: the default
    young = _entry(timezone.now() - timedelta(days=10), "test.young")
    call_command("audit_archive", "--out", str(tmp_path))
    assert "3 by detaching whole months" in capsys.readouterr().out
    assert partition_name(TABLE, old_month) not in {p.name for p in partitions_of(TABLE)}
    with gzip.open(next(tmp_path.glob("*.gz")), "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert sorted(r["id"] for r in rows) == sorted([e.pk for e in in_month] + [stray.pk])
    assert set(AuditEntry.objects.filter(action__startswith="test.").values_list("action", flat=True)) == {"test.young"}
    assert young.pk
