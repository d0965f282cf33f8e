"""Periodic work of evaluation: close the rounds whose closing day has passed."""

from __future__ import annotations

from huey import crontab

from linli.core.jobs import durable_periodic_task


@durable_periodic_task(crontab(hour="0", minute="20"))
def evaluation_close_due_rounds() -> int:
    from linli.evaluation.actions import rounds_close_due

    return rounds_close_due()
