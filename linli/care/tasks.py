"""Care's periodic tasks: plans follow the tags, overdue visits reach the visitor and then the supervisor."""

from huey import crontab

from linli.core.jobs import durable_periodic_task


@durable_periodic_task(crontab(minute="20", hour="6"))
def care_sync_plans():
    from linli.care.actions import plans_sync

    return plans_sync()


@durable_periodic_task(crontab(minute="0", hour="8"))
def care_escalate_overdue():
    from linli.care.actions import visits_escalate_overdue

    return visits_escalate_overdue()
