"""Deliberation background work: votes whose time is up are closed and counted, and the honour rounds whose
votes are all closed are counted (every five minutes). Idempotent: a vote is closed once and a round counted once
(the runner's compare-and-set; a counted round is no longer voting)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def deliberation_close_due_votes() -> int:
    from linli.deliberation.actions import honours_count_closed, votes_close_due

    closed = votes_close_due()
    honours_count_closed()
    return closed
