"""Case background work: escalation of overdue cases (every minute), the end of the rating window
(hourly), the KPI counters folded (street and district every minute, past deadline hours every ten).
Each is idempotent (a re-run, or the run after a killed one, escalates nothing twice and skips nothing);
running them by hand (``linli shell``) is safe."""

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


@db_periodic_task(crontab(minute="*/10"))
def cases_due_counts_fold() -> int:
    """Fold the open cases' counters of deadline hours long past into one row per key
    (linli/cases/open_counts.py): the KPI page's overdue figures read as many rows as there are keys."""
    from linli.cases.open_counts import due_counts_fold

    return due_counts_fold()
