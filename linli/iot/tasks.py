"""Smart monitoring's background work: the offline check (every minute), the hourly rollups of the
readings and the nightly prune of raw readings past the retention. All idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*"))
@lock_task("iot_check_offline")
def iot_check_offline() -> int:
    from linli.iot.actions import alarms_check_offline

    return len(alarms_check_offline())


@db_periodic_task(crontab(minute="3"))
@lock_task("iot_rollup_readings")
def iot_rollup_readings() -> int:
    from linli.iot.actions import readings_rollup

    return readings_rollup()


@db_periodic_task(crontab(hour="3", minute="17"))
@lock_task("iot_prune_readings")
def iot_prune_readings() -> int:
    from linli.iot.actions import readings_prune

    return readings_prune()
