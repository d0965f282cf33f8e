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
minute in the worker (``core.tasks.core_reap_jobs``), when the worker starts, and whenever a page shows
a job's progress, so a user never watches a dead job.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
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
    for name, reaper in sorted(_REAPERS.items()):
        try:
            ended[name] = reaper(now)
        except Exception:  # noqa: BLE001 - one app's reaper must not stop the others
            log.exception("job reaper %s failed", name)
    return ended
