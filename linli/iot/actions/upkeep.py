"""The readings' volume policy: raw readings are rolled up into one row per device and hour
(``readings_rollup``, hourly, idempotent: the last ``hours`` hours are recomputed and upserted), and raw
rows older than ``LINLI_IOT_RAW_DAYS`` (default 90) are deleted in bounded batches once their hours are
rolled up (``readings_prune``, nightly). The rollups are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from linli.iot.models import Reading, ReadingRollup

PRUNE_BATCH = 5000


def raw_days() -> int:
    return int(getattr(settings, "LINLI_IOT_RAW_DAYS", 90))


def readings_rollup(*, hours: int = 48, now: datetime | None = None, start: datetime | None = None) -> int:
    """Recompute the hourly rollups from ``start`` (default: ``hours`` ago, on the hour) up to the current
    hour (excluded: it is still filling). Returns the number of rollup rows written."""
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
    """Delete raw readings older than the retention whose hours are rolled up (their hour's rollup row
    exists), in batches of ``PRUNE_BATCH``; at most ``max_batches`` per run. Returns the rows deleted."""
    now = now or timezone.now()
    cutoff = (now - timedelta(days=raw_days())).replace(minute=0, second=0, microsecond=0)
    # Roll up what is about to go (a day before the cutoff, in case the hourly task missed runs).
    readings_rollup(now=cutoff, start=cutoff - timedelta(days=1))
    deleted = 0
    for _i in range(max_batches):
        ids = list(Reading.objects.filter(at__lt=cutoff).order_by("at").values_list("id", flat=True)[:PRUNE_BATCH])
        if not ids:
            break
        with transaction.atomic():
            n, _detail = Reading.objects.filter(pk__in=ids).delete()
        deleted += n
    return deleted
