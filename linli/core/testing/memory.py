"""Measuring what one call costs in memory, with ``resource``, in a forked child.

    grown_mb, result = peak_growth(lambda: client.post(...).status_code)

``ru_maxrss`` is a high-water mark: measured in the test process itself it would hide the cost of a
call whenever an earlier test had pushed the peak higher. A forked child starts with its peak at the
parent's current size, so the growth it reports is the call's own. The child inherits the parent's
database state; on PostgreSQL it opens its own connection (the parent's socket is left untouched), so
the data the call needs must be committed (``django_db(transaction=True)``).
"""

from __future__ import annotations

import os
import pickle
import resource
import traceback
from collections.abc import Callable
from typing import Any


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def peak_growth(call: Callable[[], Any]) -> tuple[float, Any]:
    """(growth of the peak resident size in MB while ``call`` ran, its picklable result)."""
    from django.db import connections

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        try:
            for conn in connections.all(initialized_only=True):
                if conn.vendor != "sqlite":
                    conn.connection = None  # forget the parent's socket without closing it
                    conn.in_atomic_block = False
                    conn.savepoint_ids = []
                    conn.needs_rollback = False
            before = _rss_mb()
            result = call()
            payload: Any = ("ok", _rss_mb() - before, result)
        except BaseException:  # noqa: BLE001 - reported to the parent
            payload = ("error", 0.0, traceback.format_exc())
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(pickle.dumps(payload))
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    kind, grown, result = pickle.loads(data)  # noqa: S301 - our own child's answer
    if kind == "error":
        raise AssertionError(f"the measured call failed in the child:\n{result}")
    return grown, result
