"""Deliberation background work: votes whose time is up are closed and counted (every five minutes).
Idempotent: a vote is closed once (the runner's compare-and-set)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def deliberation_close_due_votes() -> int:
    from linli.deliberation.actions import votes_close_due

    return votes_close_due()
