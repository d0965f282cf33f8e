"""The monthly reports are generated on the 1st of each month, for the month before (idempotent: a
report already there is left as it is)."""

from __future__ import annotations

from huey import crontab

from linli.core.jobs import durable_periodic_task


@durable_periodic_task(crontab(day="1", hour="2", minute="30"))
def dashboards_monthly_reports() -> int:
    from linli.dashboards.actions import reports_generate_month

    return reports_generate_month()
