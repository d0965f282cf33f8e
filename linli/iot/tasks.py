"""Smart monitoring's background work: the offline check (every minute), the hourly rollups of the
readings and the nightly prune of raw readings past the retention. All idempotent."""

from __future__ import annotations

from huey import crontab

from linli.core.jobs import durable_periodic_task


@durable_periodic_task(crontab(minute="*"))
def iot_check_offline() -> int:
    from linli.iot.actions import alarms_check_offline

    return len(alarms_check_offline())


@durable_periodic_task(crontab(minute="3"))
def iot_rollup_readings() -> int:
    from linli.iot.actions import readings_rollup

    return readings_rollup()


@durable_periodic_task(crontab(hour="3", minute="17"))
def iot_prune_readings() -> int:
    from linli.iot.actions import readings_prune

    return readings_prune()
