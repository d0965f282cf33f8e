"""Runs as a killed worker leaves them (linli.core.jobs): claimed, running, their runner gone, so that
the lease has expired. Shared by the tests of every durable task."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any

from django.utils import timezone


def dead_runner() -> str:
    """The runner stamp of a process of this host that has exited."""
    pid = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],  # noqa: S603
                             capture_output=True, text=True, check=True).stdout)
    return f"{socket.gethostname()[:60]}:{pid}:1"


def killed_run(task: str, args: list[Any] | None = None, *, key: str = "", attempts: int = 1):
    """A run of ``task`` that a worker had claimed when it was killed."""
    from linli.core.models import TaskRun, TaskRunStatus

    return TaskRun.objects.create(task=task, args=args or [], key=key, status=TaskRunStatus.RUNNING,
                                  attempts=attempts, runner=dead_runner(), heartbeat_at=timezone.now())
