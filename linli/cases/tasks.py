"""Case background work: escalation of overdue cases (every minute) and the end of the rating window
(hourly). Both are idempotent (a re-run, or the run after a killed one, escalates nothing twice and
skips nothing); running them by hand (``linli shell``) is safe."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from linli.core.jobs import durable_periodic_task


@db_periodic_task(crontab(minute="*"))
def cases_escalate_overdue() -> int:
    from linli.cases.actions import cases_escalate

    return cases_escalate()


@durable_periodic_task(crontab(minute="7"))
def cases_close_unrated_task() -> int:
    from linli.cases.actions import cases_close_unrated

    return cases_close_unrated()


@db_periodic_task(crontab(minute="*"))
def cases_kpi_areas_fold() -> None:
    """Fold the street and district KPI deltas into their rollups (linli/cases/kpi_areas.py)."""
    from linli.cases.kpi_areas import kpi_area_fold

    kpi_area_fold()
