"""The readings' volume policy: hourly rollups (idempotent), raw rows pruned past the retention, and the
table refuses UPDATE."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

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
