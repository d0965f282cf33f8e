"""The readings' volume policy: hourly rollups (idempotent), raw rows pruned past the retention, and the
table refuses UPDATE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from linli.core.partitions import (
    is_partitioned,
    month_add,
    month_of,
    month_start,
    partition_month_ensure,
    partition_name,
    partitions_ensure,
    partitions_of,
)
from linli.iot.actions import readings_prune, readings_rollup
from linli.iot.actions.ingest import ReadingIn
from linli.iot.models import Reading, ReadingRollup

pytestmark = pytest.mark.django_db


def _store(device, rows):
    Reading.objects.bulk_create([Reading(device=device, at=at, value=v, received_at=at) for v, at in rows])


def test_rollup_per_device_and_hour_is_idempotent(iot):
    hour = (timezone.now() - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    _store(iot.gas, [(1, hour + timedelta(minutes=1)), (3, hour + timedelta(minutes=30)), (8, hour + timedelta(minutes=70))])
    assert readings_rollup() == 2
    assert readings_rollup() == 2
    first = ReadingRollup.objects.get(device=iot.gas, hour=hour)
    assert (first.n, first.vmin, first.vmax, first.vsum) == (2, 1, 3, 4)
    assert ReadingRollup.objects.count() == 2


def test_prune_deletes_only_past_the_retention_and_keeps_the_rollups(iot, settings):
    settings.LINLI_IOT_RAW_DAYS = 30
    now = timezone.now()
    old = (now - timedelta(days=31)).replace(minute=5)
    _store(iot.gas, [(2, old), (4, old + timedelta(minutes=1)), (5, now - timedelta(days=2))])
    assert readings_prune() == 2
    assert list(Reading.objects.values_list("value", flat=True)) == [5]
    rollup = ReadingRollup.objects.get(device=iot.gas)
    assert rollup.n == 2 and rollup.vsum == 6


@pytest.mark.django_db(transaction=True)
def test_readings_refuse_update(iot):
    from linli.iot.actions import readings_ingest

    readings_ingest([ReadingIn(iot.gas.pk, 1.0, "%LEL", timezone.now())])
    with pytest.raises(DatabaseError), transaction.atomic():
        Reading.objects.update(value=99)
    assert Reading.objects.get().value == 1.0


pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions: PostgreSQL")


def _partition_of(reading) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM iot_reading WHERE id = %s", [reading.pk])
        return cursor.fetchone()[0]


def test_sqlite_keeps_the_readings_in_a_plain_table(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite")
    assert not is_partitioned("iot_reading")


@pg_only
def test_readings_are_partitioned_by_month_and_the_months_ahead_are_created(db):
    this = month_of(timezone.now())
    months = {p.month for p in partitions_of("iot_reading")}
    assert {this, month_add(this, 1), month_add(this, 2), month_add(this, 3), None} <= months
    assert partition_name("iot_reading", month_add(this, 5)) in partitions_ensure(months_ahead=5)


@pg_only
def test_a_reading_lands_in_its_local_month(iot):
    partition_month_ensure("iot_reading", "at", 202604)
    _store(iot.gas, [(1, datetime(2026, 3, 31, 16, 0, tzinfo=UTC))])  # 2026-04-01 00:00 in Shanghai
    assert _partition_of(Reading.objects.get()) == partition_name("iot_reading", 202604)


@pg_only
def test_prune_drops_whole_months_past_the_retention_and_keeps_their_rollups(iot, settings):
    settings.LINLI_IOT_RAW_DAYS = 90
    this = month_of(timezone.now())
    now = month_start(this) + timedelta(days=15, hours=12)  # mid-month: the cutoff's month is partly past
    old, partly = month_add(this, -5), month_of(now - timedelta(days=91))
    for month in (old, partly):
        partition_month_ensure("iot_reading", "at", month)
    hour = month_start(old) + timedelta(days=2, hours=3)
    _store(iot.gas, [(2, hour), (4, hour + timedelta(minutes=10)), (7, month_start(old) + timedelta(days=20))])
    in_partly = now - timedelta(days=91)  # past the retention, in a month not wholly past it
    stray = now - timedelta(days=400)  # no partition of its own: the default partition
    _store(iot.gas, [(9, in_partly), (11, stray), (5, now - timedelta(days=1))])
    assert _partition_of(Reading.objects.get(value=11)) == "iot_reading_default"

    assert readings_prune(now=now) == 4  # three by dropping the old month, the stray row by deleting it
    assert partition_name("iot_reading", old) not in {p.name for p in partitions_of("iot_reading")}
    assert sorted(Reading.objects.values_list("value", flat=True)) == [5, 9]  # the partly-past month waits
    rollup = ReadingRollup.objects.get(device=iot.gas, hour=hour.replace(minute=0, second=0, microsecond=0))
    assert (rollup.n, rollup.vsum) == (2, 6)
    assert ReadingRollup.objects.filter(device=iot.gas).count() >= 3
    assert readings_prune(now=now) == 0
