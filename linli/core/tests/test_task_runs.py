"""At-least-once tasks (linli.core.jobs.durable_task): a run whose worker died is sent again once and
run once more; a duplicate message runs nothing; a run out of attempts is failed; a live runner is
left alone. Huey runs in immediate mode here, so a run sent again runs at once in this process."""

from __future__ import annotations

import datetime
import socket
import subprocess
import sys

import pytest
from django.utils import timezone
from huey import crontab

from linli.core.audit import audit_record
from linli.core.jobs import (
    _DURABLE,
    durable_periodic_task,
    durable_periodic_tasks,
    durable_task,
    jobs_reap,
    runner_stamp,
    task_run_active,
    task_runs_reap,
)
from linli.core.models import AuditEntry, TaskRun, TaskRunStatus

pytestmark = pytest.mark.django_db


@durable_task(key=lambda name: f"test.count:{name}")
def core_test_count(name: str) -> None:
    """Each run writes one audit row: the number of rows is the number of times it really ran."""
    audit_record(action="core.test_count", actor_name="test", target_id=name)


def runs_of(name: str) -> int:
    return AuditEntry.objects.filter(action="core.test_count", target_id=name).count()


def start(name: str) -> None:
    assert runs_of(name) == 0


def dead_runner() -> str:
    """The stamp of a process of this host that has exited."""
    pid = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],  # noqa: S603
                             capture_output=True, text=True, check=True).stdout)
    return f"{socket.gethostname()[:60]}:{pid}:1"


def killed_run(name: str, *, attempts: int = 1) -> TaskRun:
    """A run a worker had claimed when it was killed: running, its runner gone."""
    return TaskRun.objects.create(task=core_test_count.task_name, args=[name], key=f"test.count:{name}",
                                  status=TaskRunStatus.RUNNING, attempts=attempts, runner=dead_runner(),
                                  heartbeat_at=timezone.now())


def test_a_queued_run_runs_once_and_a_duplicate_message_runs_nothing():
    start("a")
    run = core_test_count("a")
    run.refresh_from_db()
    assert run.status == TaskRunStatus.DONE and run.attempts == 1 and runs_of("a") == 1
    _DURABLE[core_test_count.task_name](run.pk)  # the same message delivered again
    assert runs_of("a") == 1
    assert not task_run_active("test.count:a")


def test_a_run_killed_mid_task_is_sent_again_and_runs_once_more():
    start("b")
    run = killed_run("b")
    assert task_run_active("test.count:b")
    assert task_runs_reap() == 1
    run.refresh_from_db()
    assert run.status == TaskRunStatus.DONE and run.attempts == 2 and runs_of("b") == 1
    assert task_runs_reap() == 0 and runs_of("b") == 1  # reaping again sends nothing


def test_a_run_out_of_attempts_is_failed_with_a_message():
    start("c")
    run = killed_run("c", attempts=3)
    assert jobs_reap()["core.tasks"] == 1
    run.refresh_from_db()
    assert run.status == TaskRunStatus.FAILED and "3 times" in run.message and runs_of("c") == 0
    assert not task_run_active("test.count:c")


def test_a_live_runner_is_never_sent_again():
    start("d")
    run = TaskRun.objects.create(task=core_test_count.task_name, args=["d"], status=TaskRunStatus.RUNNING,
                                 attempts=1, runner=runner_stamp(),
                                 heartbeat_at=timezone.now() - datetime.timedelta(hours=2))
    assert task_runs_reap() == 0
    run.refresh_from_db()
    assert run.status == TaskRunStatus.RUNNING and runs_of("d") == 0


def test_a_runner_on_another_host_is_judged_by_its_heartbeat(settings):
    settings.LINLI_JOB_STALE_SECONDS = 300
    start("e")
    now = timezone.now()
    run = TaskRun.objects.create(task=core_test_count.task_name, args=["e"], status=TaskRunStatus.RUNNING,
                                 attempts=1, runner="another-host:42:7", heartbeat_at=now - datetime.timedelta(seconds=60))
    assert task_runs_reap(now) == 0 and runs_of("e") == 0
    TaskRun.objects.filter(pk=run.pk).update(heartbeat_at=now - datetime.timedelta(seconds=400))
    assert task_runs_reap(now) == 1
    run.refresh_from_db()
    assert run.status == TaskRunStatus.DONE and runs_of("e") == 1


def test_a_run_whose_message_was_lost_is_sent_again(settings):
    settings.LINLI_TASK_QUEUED_SECONDS = 3600
    start("f")
    now = timezone.now()
    run = TaskRun.objects.create(task=core_test_count.task_name, args=["f"], queued_at=now - datetime.timedelta(minutes=10))
    assert task_runs_reap(now) == 0 and runs_of("f") == 0  # a busy queue: not yet
    TaskRun.objects.filter(pk=run.pk).update(queued_at=now - datetime.timedelta(hours=2))
    assert task_runs_reap(now) == 1
    run.refresh_from_db()
    assert run.status == TaskRunStatus.DONE and runs_of("f") == 1


def test_finished_runs_are_forgotten_after_a_week():
    now = timezone.now()
    old = TaskRun.objects.create(task="x", status=TaskRunStatus.DONE, finished_at=now - datetime.timedelta(days=8))
    recent = TaskRun.objects.create(task="x", status=TaskRunStatus.DONE, finished_at=now - datetime.timedelta(days=1))
    task_runs_reap(now)
    assert not TaskRun.objects.filter(pk=old.pk).exists() and TaskRun.objects.filter(pk=recent.pk).exists()


# --- one active run per key; durable periodic tasks --------------------------------------------------


@durable_periodic_task(crontab(minute="*"))
def core_test_tick() -> None:
    """A durable periodic task whose every run writes one audit row."""
    audit_record(action="core.test_tick", actor_name="test")


def ticks() -> int:
    return AuditEntry.objects.filter(action="core.test_tick").count()


def test_a_run_is_not_queued_while_one_of_its_key_is_active():
    killed_run("g")
    assert core_test_count("g") is None  # the killed run still holds the key: nothing queued beside it
    assert TaskRun.objects.filter(key="test.count:g").count() == 1 and runs_of("g") == 0
    assert task_runs_reap() == 1  # sent again: it runs once
    assert runs_of("g") == 1
    again = core_test_count("g")  # finished: the key is free again
    assert again is not None
    again.refresh_from_db()
    assert again.status == TaskRunStatus.DONE and runs_of("g") == 2


def test_a_tick_queues_a_run_of_the_periodic_task_and_none_while_the_last_one_is_active():
    from huey.api import PeriodicTask

    assert isinstance(core_test_tick.periodic.task_class(), PeriodicTask)
    assert core_test_tick.task_name in durable_periodic_tasks()
    core_test_tick.periodic.call_local()  # the scheduler's tick: a run, done at once (immediate mode)
    assert ticks() == 1
    run = TaskRun.objects.get(key=core_test_tick.task_name)
    assert (run.status, run.attempts) == (TaskRunStatus.DONE, 1)
    # A worker killed in the middle of the next run: the ticks meanwhile queue nothing beside it (no
    # overlap, and no lock left held for ever), the reaper sends it again and it finishes once.
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRunStatus.RUNNING, runner=dead_runner(), attempts=1,
                                             finished_at=None)
    core_test_tick.periodic.call_local()
    core_test_tick.periodic.call_local()
    assert TaskRun.objects.filter(key=core_test_tick.task_name).count() == 1 and ticks() == 1
    assert task_runs_reap() == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == (TaskRunStatus.DONE, 2) and ticks() == 2
    assert task_runs_reap() == 0 and ticks() == 2
    core_test_tick.periodic.call_local()  # the next tick after it finished runs again
    assert ticks() == 3 and TaskRun.objects.filter(key=core_test_tick.task_name).count() == 2
