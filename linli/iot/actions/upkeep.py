"""The readings' volume policy: raw readings are rolled up into one row per device and hour
(``readings_rollup``, hourly, idempotent: the last ``hours`` hours are recomputed and upserted), and raw
rows older than ``LINLI_IOT_RAW_DAYS`` (default 90) are pruned once their hours are rolled up
(``readings_prune``, nightly). The rollups are kept.

On PostgreSQL the table is partitioned by month (``linli/core/partitions.py``; the months ahead are
created by ``core_partitions_ensure``): the prune rolls up and drops each month whose partition lies
wholly before the cutoff, in one statement, and deletes row by row only what fell into the default
partition. A month partly past the cutoff waits until all of it is (raw rows are kept up to a month
longer than the retention). On SQLite the rows past the cutoff are deleted in bounded batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from linli.core.partitions import month_add, month_start, months_before, partition_detach, partitioned_tables
from linli.iot.models import Reading, ReadingRollup

PRUNE_BATCH = 5000


def raw_days() -> int:
    return int(getattr(settings, "LINLI_IOT_RAW_DAYS", 90))


def readings_rollup(*, hours: int = 48, now: datetime | None = None, start: datetime | None = None) -> int:
    """Recompute the hourly rollups from ``start`` (default: ``hours`` ago, on the hour) up to the hour of
    ``now`` (excluded: it is still filling). Returns the number of rollup rows written."""
    now = now or timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0)
    begin = start or (end - timedelta(hours=hours))
    rows = (
        Reading.objects.filter(at__gte=begin, at__lt=end)
        .annotate(hour=TruncHour("at", tzinfo=UTC))
        .values("device_id", "hour")
        .annotate(n=Count("id"), vmin=Min("value"), vmax=Max("value"), vsum=Sum("value"))
        .order_by()
    )
    objs = [ReadingRollup(device_id=r["device_id"], hour=r["hour"], n=r["n"], vmin=r["vmin"], vmax=r["vmax"],
                          vsum=r["vsum"]) for r in rows]
    with transaction.atomic():
        ReadingRollup.objects.bulk_create(
            objs, batch_size=1000, update_conflicts=True, unique_fields=["device", "hour"],
            update_fields=["n", "vmin", "vmax", "vsum"],
        )
    return len(objs)


def readings_prune(*, now: datetime | None = None, max_batches: int = 200) -> int:
    """Prune raw readings older than the retention once their hours are rolled up: whole months by
    dropping their partition (PostgreSQL), the rest in batches of ``PRUNE_BATCH``, at most ``max_batches``
    per run. Returns the rows removed."""
    now = now or timezone.now()
    cutoff = (now - timedelta(days=raw_days())).replace(minute=0, second=0, microsecond=0)
    table = Reading._meta.db_table
    removed = 0
    for month in months_before(table, cutoff):
        begin, end = month_start(month), month_start(month_add(month, 1))
        with transaction.atomic():
            readings_rollup(now=end, start=begin)
            removed += Reading.objects.filter(at__gte=begin, at__lt=end).count()
            partition_detach(table, month)
    # Roll up what is about to go (a day before the cutoff, in case the hourly task missed runs).
    readings_rollup(now=cutoff, start=cutoff - timedelta(days=1))
    partitioned = table in partitioned_tables()
    for _i in range(max_batches):
        n = _delete_batch(table, cutoff, partitioned=partitioned)
        removed += n
        if n < PRUNE_BATCH:
            break
    return removed


def _delete_batch(table: str, cutoff: datetime, *, partitioned: bool) -> int:
    """Delete one batch of the oldest rows before ``cutoff``: from the default partition when the table is
    partitioned (the named months wait to be dropped whole), else from the table."""
    with transaction.atomic():
        if partitioned:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {table}_default WHERE id IN (SELECT id FROM {table}_default "  # noqa: S608 (model's table)
                    "WHERE at < %s ORDER BY at LIMIT %s)",
                    [cutoff, PRUNE_BATCH],
                )
                return cursor.rowcount
        ids = list(Reading.objects.filter(at__lt=cutoff).order_by("at").values_list("id", flat=True)[:PRUNE_BATCH])
        return Reading.objects.filter(pk__in=ids).delete()[0] if ids else 0
