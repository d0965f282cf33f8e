"""Rate limits kept in the database, so that they hold across processes and hosts.

    if not rate_take("sms.phone", phone, limits=[(3, 600), (10, 86400)]):
        raise Throttled(...)

``rate_take`` counts the attempts of one key in one bucket within each window (count, seconds) and, when
every limit still has room, records the attempt and answers True; otherwise it records nothing and
answers False. The key is stored as a keyed hash (``crypto.lookup_hash``), never in clear. Attempts of
one key are serialised (a transaction-scoped advisory lock on PostgreSQL; SQLite's IMMEDIATE
transactions hold the write lock), so twenty parallel requests cannot all slip under the limit.
Old rows are deleted by ``core_ratehits_prune`` (hourly).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from linli.core.crypto import lookup_hash
from linli.core.models import RateHit

KEEP_SECONDS = 2 * 86400  # no limit has a window longer than a day; keep a margin


def _lock(bucket: str, key: str) -> None:
    if connection.vendor == "postgresql":
        number = int.from_bytes(hashlib.sha256(f"{bucket}:{key}".encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def rate_take(bucket: str, key: str, *, limits: Sequence[tuple[int, int]], now: datetime.datetime | None = None) -> bool:
    """Record one attempt of ``key`` in ``bucket`` if every (count, seconds) window has room."""
    now = now or timezone.now()
    hashed = lookup_hash(f"{bucket}:{key}")
    with transaction.atomic():
        _lock(bucket, hashed)
        rows = RateHit.objects.filter(bucket=bucket, key=hashed)
        for count, seconds in limits:
            if rows.filter(at__gt=now - datetime.timedelta(seconds=seconds)).count() >= count:
                return False
        RateHit.objects.create(bucket=bucket, key=hashed, at=now)
    return True


def rate_used(bucket: str, key: str, seconds: int, *, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return RateHit.objects.filter(
        bucket=bucket, key=lookup_hash(f"{bucket}:{key}"), at__gt=now - datetime.timedelta(seconds=seconds)
    ).count()


def rate_prune(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _ = RateHit.objects.filter(at__lt=now - datetime.timedelta(seconds=KEEP_SECONDS)).delete()
    return deleted
