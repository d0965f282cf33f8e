"""Keyset batches: every row once, in key order, in batches no larger than asked, with no
server-side cursor (the queries are plain LIMIT queries)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.batches import keyset_batches, keyset_iter
from linli.core.models import CalendarDay


@pytest.fixture
def days(db):
    import datetime

    start = datetime.date(2031, 1, 1)
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=start + datetime.timedelta(days=i), kind="holiday", name=f"d{i}") for i in range(23)]
    )
    return list(CalendarDay.objects.filter(date__year=2031).order_by("pk").values_list("pk", flat=True))


def test_keyset_batches_yield_every_row_once_in_order(days):
    qs = CalendarDay.objects.filter(date__year=2031)
    batches = list(keyset_batches(qs, 5))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
    assert [d.pk for b in batches for d in b] == days


def test_keyset_batches_descending_and_values_list(days):
    qs = CalendarDay.objects.filter(date__year=2031).values_list("pk", "name")
    rows = list(keyset_iter(qs, 4, descending=True))
    assert [r[0] for r in rows] == days[::-1]
    flat = CalendarDay.objects.filter(date__year=2031).values_list("pk", flat=True)
    assert list(keyset_iter(flat, 7)) == days


def test_keyset_batches_use_no_cursor_and_stop_on_a_short_batch(days):
    qs = CalendarDay.objects.filter(date__year=2031)
    with CaptureQueriesContext(connection) as queries:
        assert sum(len(b) for b in keyset_batches(qs, 10)) == 23
    assert len(queries) == 3  # 10, 10, 3: the short batch ends the walk without a fourth query
    assert all("LIMIT" in q["sql"] and "CURSOR" not in q["sql"].upper() for q in queries)


def test_keyset_batches_refuse_a_silly_size(days):
    with pytest.raises(ValueError):
        list(keyset_batches(CalendarDay.objects.all(), 0))
