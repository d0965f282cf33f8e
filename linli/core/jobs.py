"""Long jobs that outlive a request (imports, later exports and rebuilds): who runs them, whether that
runner is still alive, and one reaper that ends the jobs whose runner died.

A job row records its **runner** (``runner_stamp()``: host, process id and the process's start time, so
a reused process id is not mistaken for the old process) and a **heartbeat** the runner refreshes while
it works. A job is *stale* when its runner is known to be dead (same host, process gone or restarted) or
when its heartbeat is older than ``LINLI_JOB_STALE_SECONDS`` (default 300; the only test that works
across hosts).

Each app that has such jobs registers a reaper in its ``AppConfig.ready()``::

    from linli.core.jobs import job_reaper_register
    job_reaper_register("residents.import", import_jobs_reap)

A reaper is ``(now) -> int``: it ends its stale jobs (failed with a message for the user, or resumed)
and removes what they left behind, and returns how many it ended. ``jobs_reap()`` runs them all: every
minute in the worker (``core.tasks.core_reap_jobs``) and when the worker starts; an import's progress
page also ends its own job when its runner died, so a user never watches a dead job for long. A page
view never runs the city-wide reapers.

**At-least-once tasks.** Huey delivers at most once: a worker killed mid-task has already taken the
message off the queue, and the task is lost. A task that matters is declared ``@durable_task(...)``
instead of ``@db_task()``: calling it writes a ``TaskRun`` row (the durable record) and sends a Huey
message carrying only the row's id. The worker claims the row (queued → running, with its runner stamp
and a heartbeat a thread refreshes every ``TASK_BEAT_SECONDS``), runs the function and marks it done.
``task_runs_reap()`` (run first by ``jobs_reap()``) sends again every run whose runner died (same host:
the process is gone; another host: no heartbeat for ``LINLI_JOB_STALE_SECONDS``), up to the run's
``max_attempts`` (3), after which the run is failed and the app's own reaper ends its job with a
message for the user; it also sends again a run queued for longer than ``LINLI_TASK_QUEUED_SECONDS``
(an hour: a message lost with the queue). A message may therefore arrive twice, and a run may start
again after doing part of its work: a durable task must be idempotent (the claim makes a duplicate
message a no-op; the task itself must make a re-run after a crash safe).

**The lease.** A claimed run holds its lease while its runner lives (same host) and, seen from another
host, while its heartbeat is younger than ``LINLI_JOB_STALE_SECONDS``; an expired lease is what the
reaper looks for. **One active run per key**: a run with a key is not queued while another run with the
same key is queued or running (a partial unique index; ``durable_task`` then returns None), so a job is
never run twice at once and a periodic run never overlaps the one before.

**Periodic tasks.** ``@durable_periodic_task(crontab(...))`` is the durable form of a periodic task: each
tick queues a run keyed by the task's name (skipped while the previous run is still queued or running:
this replaces Huey's ``lock_task``, whose lock a killed worker leaves held for ever), and a run killed
mid-way is sent again by the reaper instead of waiting for the next tick, a day or a month later. Every
task whose period is an hour or more, or that must not overlap, is declared so. Tasks that tick every
few minutes and never hold a lock stay plain ``@db_periodic_task``: the next tick is their retry. Either
way a periodic task must be idempotent.

**Not tasks of this kind**: the notices' kick (``notifications.tasks.notices_deliver``) and the web
process's ``core_heartbeat_now`` carry no job; the work they hurry along is recorded elsewhere (the
outbox's deliveries, claimed with a lease of their own and taken again every minute by
``notices_deliver_due``; the heartbeat written every minute), so a lost kick delays, never loses.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

log = logging.getLogger(__name__)

JobReaper = Callable[[datetime.datetime], int]
_REAPERS: dict[str, JobReaper] = {}


def job_reaper_register(name: str, reaper: JobReaper) -> None:
    _REAPERS[name] = reaper


def job_reapers() -> dict[str, JobReaper]:
    return dict(_REAPERS)


def stale_seconds() -> int:
    return int(getattr(settings, "LINLI_JOB_STALE_SECONDS", 300))


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), "" where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[1].split()
    return fields[19] if len(fields) > 19 else ""  # field 22 of the whole line


def runner_stamp() -> str:
    """This process, as a job's runner: ``host:pid:start``."""
    pid = os.getpid()
    return f"{socket.gethostname()[:60]}:{pid}:{_start_ticks(pid)}"


def runner_alive(stamp: str) -> bool | None:
    """True or False for a runner on this host; None when the runner is on another host (or unknown)."""
    host, _sep, rest = (stamp or "").partition(":")
    pid_text, _sep, start = rest.partition(":")
    if not host or host != socket.gethostname()[:60] or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True  # no /proc: the signal said it exists
    if state == "Z":
        return False
    return not start or _start_ticks(pid) == start


def is_stale(*, runner: str, last_beat: datetime.datetime | None, now: datetime.datetime | None = None) -> bool:
    """A running job whose runner died, or whose heartbeat is older than the limit."""
    if runner and runner_alive(runner) is False:
        return True
    now = now or timezone.now()
    return last_beat is None or (now - last_beat).total_seconds() > stale_seconds()


def jobs_reap(now: datetime.datetime | None = None) -> dict[str, int]:
    """Run every registered reaper; a reaper that fails is logged and the others still run."""
    now = now or timezone.now()
    ended: dict[str, int] = {}
    try:
        ended["core.tasks"] = task_runs_reap(now)  # first: a run sent again keeps its job alive
    except Exception:  # noqa: BLE001 - the apps' reapers still run
        log.exception("task run reaper failed")
    for name, reaper in sorted(_REAPERS.items()):
        try:
            ended[name] = reaper(now)
        except Exception:  # noqa: BLE001 - one app's reaper must not stop the others
            log.exception("job reaper %s failed", name)
    return ended


# --- at-least-once tasks ------------------------------------------------------------------------------

TASK_BEAT_SECONDS = 30.0
REAP_BATCH = 500
_DURABLE: dict[str, Any] = {}  # TaskRun.task -> the Huey task that runs it
_PERIODIC: dict[str, Any] = {}  # TaskRun.task -> the durable periodic task (durable_periodic_task)
_beating: set[int] = set()
_beat_lock = threading.Lock()
_beat_thread: list[threading.Thread] = []


def queued_limit_seconds() -> int:
    return int(getattr(settings, "LINLI_TASK_QUEUED_SECONDS", 3600))


def durable_task(*, key: Callable[..., str] | None = None, max_attempts: int = 3) -> Callable[[Callable[..., Any]], Any]:
    """Declare an at-least-once task (see the module's docstring). ``key(*args)`` names the run for
    its app (``task_run_active(key)``): e.g. ``lambda job_id: f"residents.import:{job_id}"``; a run is
    not queued while another of the same key is queued or running. Arguments must be JSON values.
    Calling the decorated function queues a run and returns its ``TaskRun`` (None when a run of its key
    is already active); ``.call_local(*args)`` runs the function here."""
    from huey.contrib.djhuey import db_task

    def wrap(fn: Callable[..., Any]) -> Any:
        name = f"{fn.__module__}.{fn.__name__}"

        def run(run_id: int) -> None:
            task_run_execute(run_id, fn)

        run.__module__ = fn.__module__
        run.__name__ = run.__qualname__ = f"{fn.__name__}__run"
        _DURABLE[name] = db_task()(run)

        def enqueue(*args: Any) -> Any:
            return task_run_enqueue(name, list(args), key=key(*args) if key else "", max_attempts=max_attempts)

        enqueue.__doc__ = fn.__doc__
        enqueue.__name__ = fn.__name__
        enqueue.call_local = fn  # type: ignore[attr-defined]
        enqueue.task_name = name  # type: ignore[attr-defined]
        return enqueue

    return wrap


def durable_periodic_task(schedule: Any, *, max_attempts: int = 3) -> Callable[[Callable[..., Any]], Any]:
    """Declare a periodic task whose runs are durable (see the module's docstring): Huey's scheduler
    calls a tick on ``schedule`` (a ``huey.crontab``); the tick queues a run of the function keyed by
    its name, unless the previous run is still queued or running. The decorated object is the durable
    task: calling it queues a run now, ``.call_local()`` runs the function here, ``.periodic`` is the
    Huey periodic task of the tick."""
    from huey.contrib.djhuey import db_periodic_task

    def wrap(fn: Callable[..., Any]) -> Any:
        name = f"{fn.__module__}.{fn.__name__}"
        durable = durable_task(key=lambda: name, max_attempts=max_attempts)(fn)

        def tick() -> None:
            durable()

        tick.__module__ = fn.__module__
        tick.__name__ = tick.__qualname__ = f"{fn.__name__}__tick"
        durable.periodic = db_periodic_task(schedule)(tick)  # type: ignore[attr-defined]
        _PERIODIC[name] = durable
        return durable

    return wrap


def durable_periodic_tasks() -> dict[str, Any]:
    """Every durable periodic task of the loaded task modules, by its run's task name."""
    return dict(_PERIODIC)


def _send(run_id: int, task: str) -> None:
    """Put the run's message on the queue, after the caller's transaction commits (at once in
    immediate mode, where the task runs in this connection). A send that fails leaves the run queued;
    the reaper sends it again later."""
    from huey.contrib.djhuey import HUEY

    huey_task = _DURABLE.get(task)
    if huey_task is None:
        log.error("task run %s: no durable task %s in this process", run_id, task)
        return

    def send() -> None:
        try:
            huey_task(run_id)
        except Exception:  # noqa: BLE001 - queued in the database; the reaper sends it again
            log.exception("task run %s (%s) could not be queued", run_id, task)

    if HUEY.immediate:
        send()
    else:
        transaction.on_commit(send)


def task_run_enqueue(task: str, args: list[Any], *, key: str = "", max_attempts: int = 3):
    """Queue a run and send its message (after the caller's commit). None when a run with the same key
    is already queued or running (the partial unique index ``core_taskrun_one_active``): that run does
    the work."""
    from linli.core.models import TaskRun

    try:
        with transaction.atomic():
            run = TaskRun.objects.create(task=task, args=args, key=key, max_attempts=max_attempts)
    except IntegrityError:
        if not key:
            raise
        log.info("task %s: a run of %s is already queued or running", task, key)
        return None
    _send(run.pk, task)
    return run


def task_run_active(key: str) -> bool:
    """Whether a run with this key is queued or running (the task system still owns its job)."""
    from linli.core.models import TaskRun, TaskRunStatus

    return TaskRun.objects.filter(key=key, status__in=[TaskRunStatus.QUEUED, TaskRunStatus.RUNNING]).exists()


def _beat_loop() -> None:
    from django.db import connection

    from linli.core.models import TaskRun, TaskRunStatus

    while True:
        time.sleep(TASK_BEAT_SECONDS)
        with _beat_lock:
            ids = list(_beating)
        if not ids:
            continue
        try:
            TaskRun.objects.filter(pk__in=ids, status=TaskRunStatus.RUNNING).update(heartbeat_at=timezone.now())
        except Exception:  # noqa: BLE001 - e.g. SQLite's write lock held by the task itself; next time
            log.debug("task heartbeat skipped", exc_info=True)
        finally:
            connection.close()


def _beat(run_id: int, on: bool) -> None:
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return
    with _beat_lock:
        if on:
            _beating.add(run_id)
            if not _beat_thread:
                thread = threading.Thread(target=_beat_loop, name="linli-task-heartbeat", daemon=True)
                thread.start()
                _beat_thread.append(thread)
        else:
            _beating.discard(run_id)


def task_run_execute(run_id: int, fn: Callable[..., Any]) -> bool:
    """Claim the run and run it. False when there is nothing to do: a duplicate message, a run already
    done, or (in a worker whose message came before the sender's commit) a row not visible yet."""
    from linli.core.models import TaskRun, TaskRunStatus

    stamp = runner_stamp()
    now = timezone.now()
    claimed = TaskRun.objects.filter(pk=run_id, status=TaskRunStatus.QUEUED).update(
        status=TaskRunStatus.RUNNING, runner=stamp, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    run = TaskRun.objects.get(pk=run_id)
    mine = TaskRun.objects.filter(pk=run_id, status=TaskRunStatus.RUNNING, runner=stamp)
    _beat(run_id, True)
    try:
        fn(*run.args)
    except Exception as exc:
        mine.update(status=TaskRunStatus.FAILED, finished_at=timezone.now(), message=exc.__class__.__name__)
        raise
    else:
        mine.update(status=TaskRunStatus.DONE, finished_at=timezone.now())
    finally:
        _beat(run_id, False)
    return True


def task_run_is_stale(*, runner: str, last_beat: datetime.datetime | None, now: datetime.datetime) -> bool:
    """A running run whose runner died: on this host, its process is gone (a live process is never
    stale: a long task is not run twice at once); on another host, no heartbeat for the limit."""
    alive = runner_alive(runner)
    if alive is not None:
        return not alive
    return last_beat is None or (now - last_beat).total_seconds() > stale_seconds()


GAVE_UP = "The worker stopped %(n)s times while running this task; it was not run again."


def task_runs_reap(now: datetime.datetime | None = None) -> int:
    """Send again the runs whose runner died (or fail them after their attempts) and the runs queued
    too long; forget finished runs after a week. Returns how many runs were sent again or failed."""
    from linli.core.models import TaskRun, TaskRunStatus

    now = now or timezone.now()
    count = 0
    for run in TaskRun.objects.filter(status=TaskRunStatus.RUNNING).order_by("id")[:REAP_BATCH]:
        if not task_run_is_stale(runner=run.runner, last_beat=run.heartbeat_at, now=now):
            continue
        held = TaskRun.objects.filter(pk=run.pk, status=TaskRunStatus.RUNNING, runner=run.runner)
        if run.attempts >= run.max_attempts:
            count += held.update(status=TaskRunStatus.FAILED, finished_at=now, message=GAVE_UP % {"n": run.attempts})
            log.error("task run %s (%s) failed: its runner died %s times", run.pk, run.task, run.attempts)
        elif held.update(status=TaskRunStatus.QUEUED, queued_at=now, runner=""):
            log.warning("task run %s (%s) sent again: its runner %s died", run.pk, run.task, run.runner)
            _send(run.pk, run.task)
            count += 1
    cutoff = now - datetime.timedelta(seconds=queued_limit_seconds())
    for run in TaskRun.objects.filter(status=TaskRunStatus.QUEUED, queued_at__lt=cutoff).order_by("id")[:REAP_BATCH]:
        if TaskRun.objects.filter(pk=run.pk, status=TaskRunStatus.QUEUED, queued_at=run.queued_at).update(queued_at=now):
            log.warning("task run %s (%s) sent again: queued since %s", run.pk, run.task, run.queued_at)
            _send(run.pk, run.task)
            count += 1
    TaskRun.objects.filter(status__in=[TaskRunStatus.DONE, TaskRunStatus.FAILED],
                           finished_at__lt=now - datetime.timedelta(days=7)).delete()
    return count
