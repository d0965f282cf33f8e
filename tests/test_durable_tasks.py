"""Every one-off and periodic task of Linli is durable through the one mechanism of linli.core.jobs: a
run a killed worker left behind (claimed, its runner dead: the lease expired) is sent again by the
reaper and finished exactly once, and no tick queues a second run beside it.

The list of tasks is read from Huey's registry, so a task added later without the durable form fails
``test_every_task_is_durable_or_named_as_a_kick_or_a_minute_tick``."""

from __future__ import annotations

import pytest
from django.utils.module_loading import autodiscover_modules

from linli.core.jobs import durable_periodic_tasks, task_runs_reap
from linli.core.models import TaskRun, TaskRunStatus
from linli.core.testing.jobs import killed_run

pytestmark = pytest.mark.django_db

autodiscover_modules("tasks")  # as the worker does (run_huey): every app's tasks are registered

# Tasks that stay plain Huey tasks, and why (linli/core/jobs.py, "Not tasks of this kind", "Periodic tasks").
KICKS = {  # one-off, no payload: the work is recorded elsewhere and swept every minute
    "notices_deliver": "the outbox's deliveries (claimed with a lease; notices_deliver_due every minute)",
    "core_heartbeat_now": "the heartbeat (core_heartbeat every minute)",
}
MINUTE_TICKS = {  # every few minutes, no lock: the next tick is the retry; each is idempotent
    "cases_escalate_overdue", "cases_kpi_areas_fold", "cases_due_counts_fold", "notices_deliver_due", "notices_digest",
    "deliberation_close_due_votes", "core_heartbeat", "core_reap_jobs",
}


def huey_tasks() -> set[str]:
    from huey.contrib.djhuey import HUEY

    return {name.rsplit(".", 1)[-1] for name in HUEY._registry._registry}


def test_every_task_is_durable_or_named_as_a_kick_or_a_minute_tick():
    durable = {name.rsplit(".", 1)[-1] for name in durable_periodic_tasks()}
    assert len(durable) >= 18
    for name in huey_tasks():
        if name.endswith("__run"):  # the worker side of a durable task (one-off or periodic)
            continue
        if name.endswith("__tick"):
            assert name.removesuffix("__tick") in durable
            continue
        assert name in KICKS or name in MINUTE_TICKS, f"{name}: a plain Huey task (at most once)"


@pytest.mark.parametrize("task", sorted(durable_periodic_tasks()))
def test_a_periodic_run_killed_mid_way_is_run_again_once_and_never_beside_itself(task):
    durable = durable_periodic_tasks()[task]
    run = killed_run(task, key=task)
    durable.periodic.call_local()  # the scheduler's tick while the killed run holds the key: nothing
    assert TaskRun.objects.filter(task=task).count() == 1
    assert task_runs_reap() == 1  # the lease expired (its runner is gone): sent again, run here
    run.refresh_from_db()
    assert (run.status, run.attempts, run.message) == (TaskRunStatus.DONE, 2, "")
    assert task_runs_reap() == 0  # finished: nothing sent again
    durable.periodic.call_local()  # the next tick runs it anew
    assert TaskRun.objects.filter(task=task, status=TaskRunStatus.DONE).count() == 2
