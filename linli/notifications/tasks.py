"""Outbox tasks: deliver after each commit that queued something, and every minute for retries and the
rows a dead worker left claimed; the staff digest every few minutes (each user at their own time)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def notices_deliver() -> None:
    from linli.notifications.delivery import deliveries_run

    deliveries_run()


@db_periodic_task(crontab(minute="*"))
def notices_deliver_due() -> None:
    from linli.notifications.delivery import deliveries_run

    deliveries_run()


@db_periodic_task(crontab(minute="*/5"))
def notices_digest() -> None:
    """Each member of staff's digest at the time they chose (checked every five minutes)."""
    from linli.notifications.digest import digests_due

    digests_due()
