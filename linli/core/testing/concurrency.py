"""Races in tests: callables run in threads started together, each thread with its own connection.

SQLite's in-memory test database locks whole tables between connections (no waiting), unlike the file
database Linli runs on (WAL, IMMEDIATE transactions, busy timeout). ``sqlite_file`` copies the committed
test database into a WAL file and gives the threads connections to it, with the project's own options;
on PostgreSQL it returns None and the threads use the test database itself. Use with
``@pytest.mark.django_db(transaction=True)`` so that the threads see the committed rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, connections


def race(fns: list[Callable[[], Any]], *, settings_dict: dict | None = None) -> tuple[list, list]:
    """Run the callables in threads released together by a barrier; returns (results, errors). With
    ``settings_dict`` (from ``sqlite_file``), each thread's default connection uses that database."""
    barrier = threading.Barrier(len(fns))
    results: list = []
    errors: list = []

    def run(fn):
        try:
            if settings_dict is not None:
                from django.db.backends.sqlite3.base import DatabaseWrapper

                connections["default"] = DatabaseWrapper(settings_dict, "default")
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # a refusal, or a database error (which fails the test)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def sqlite_file(tmp_path) -> dict | None:
    """On SQLite, a WAL file copy of the test database for the racing threads; None on PostgreSQL."""
    import sqlite3

    if connection.vendor != "sqlite":
        return None
    path = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")  # as Linli's connections set it, before two of them race to
    target.close()
    return {**connection.settings_dict, "NAME": str(path)}


def in_thread(fn: Callable[[], Any], settings_dict: dict | None) -> Any:
    """Run one callable on the racing threads' database (to read what they wrote); directly without one."""
    if settings_dict is None:
        return fn()
    results, errors = race([fn], settings_dict=settings_dict)
    assert not errors, errors
    return results[0]
