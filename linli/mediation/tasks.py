"""Mediation background work: disputes past their one-month deadline are escalated once a day (the event
row, the notices to the community and the mediators). Idempotent: a dispute is escalated once until an
extension gives it a new deadline."""

from __future__ import annotations

from huey import crontab

from linli.core.jobs import durable_periodic_task


@durable_periodic_task(crontab(minute="7", hour="6"))
def mediation_escalate_overdue() -> int:
    from linli.mediation.actions import disputes_escalate_overdue

    return disputes_escalate_overdue()


@durable_periodic_task(crontab(minute="13", hour="9", day="25-31"))
def mediation_remind_screening() -> int:
    """From the 25th, every morning: grids that have not finished this month's screening are reminded."""
    from linli.mediation.screening import screenings_remind

    return screenings_remind()
