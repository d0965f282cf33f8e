"""Mediation background work: disputes past their one-month deadline are escalated once a day (the event
row, the notices to the community and the mediators). Idempotent: a dispute is escalated once until an
extension gives it a new deadline."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7", hour="6"))
def mediation_escalate_overdue() -> int:
    from linli.mediation.actions import disputes_escalate_overdue

    return disputes_escalate_overdue()
