"""Outbox tasks: deliver after each commit that queued something, and every minute for retries and the
rows a dead worker left claimed; the staff digest every few minutes (each user at their own time)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from linli.core.jobs import durable_periodic_task


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


@durable_periodic_task(crontab(minute="41", hour="3"))
def notices_sms_numbers_forget() -> None:
    """Phone-only SMS notices leave with their number once delivered and past LINLI_SMS_NUMBER_DAYS."""
    from linli.notifications.actions import sms_numbers_forget

    while sms_numbers_forget() == 5000:
        pass
