"""Orders background work: orders done but not rated within the rating window are closed (hourly).
Idempotent: running it twice closes each order once."""

from __future__ import annotations

from huey import crontab

from linli.core.jobs import durable_periodic_task


@durable_periodic_task(crontab(minute="17"))
def orders_close_unrated_hourly() -> int:
    from linli.orders.actions import orders_close_unrated

    return orders_close_unrated()
