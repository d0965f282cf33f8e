"""Core periodic tasks: the worker heartbeat read by /healthz, the reaper of jobs whose runner died,
and SQLite's statistics."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from linli.core.export_jobs import export_run_key
from linli.core.jobs import durable_periodic_task, durable_task
from linli.core.models import WorkerHeartbeat


def heartbeat_write(name: str = "worker") -> None:
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


@db_periodic_task(crontab(minute="*"))
def core_heartbeat() -> None:
    heartbeat_write()


@db_task()
def core_heartbeat_now() -> None:
    """Queued by the web process at start-up so that /healthz sees a fresh worker within seconds."""
    heartbeat_write()


def database_optimize() -> bool:
    """On SQLite, ``PRAGMA optimize``: refresh the planner's statistics where they are missing or stale
    (nothing runs ANALYZE otherwise). Cheap when there is nothing to do. False on other databases
    (PostgreSQL's autovacuum keeps its own statistics)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA optimize")
    return True


@durable_periodic_task(crontab(minute="17", hour="3"))
def core_database_optimize() -> None:
    database_optimize()


@durable_periodic_task(crontab(minute="41", hour="4"))
def core_sessions_clear() -> None:
    """Expired sessions leave the database (sessions are cached_db with Redis, db without)."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@durable_periodic_task(crontab(minute="23", hour="2"))
def core_partitions_ensure() -> None:
    """The monthly partitions of this month and the next three, for every partitioned table (PostgreSQL;
    nothing on SQLite): created ahead, so that no row falls into the default partition."""
    from linli.core.partitions import partitions_ensure

    partitions_ensure()

@db_periodic_task(crontab(minute="*"))
def core_reap_jobs() -> None:
    """End the jobs (imports, ...) whose runner died or stopped beating (linli.core.jobs)."""
    from linli.core.jobs import jobs_reap

    jobs_reap()


@HUEY.on_startup()
def core_reap_jobs_at_start() -> None:
    """A worker that starts after a crash ends its predecessor's jobs at once, not a minute later."""
    from django.db import close_old_connections

    from linli.core.jobs import jobs_reap

    close_old_connections()
    try:
        jobs_reap()
    finally:
        close_old_connections()


@durable_periodic_task(crontab(minute="29"))
def core_ratehits_prune() -> None:
    """Hourly sweep: rate-limit attempts older than the longest window leave the database, and photos held
    for a refused send (linli.core.held_photos) older than ``LINLI_HELD_PHOTOS_HOURS`` leave the disk."""
    from linli.core.held_photos import held_photos_sweep
    from linli.core.ratelimit import rate_prune

    rate_prune()
    held_photos_sweep()


@durable_task(key=export_run_key)
def core_export_run(job_id: int) -> None:
    """Write a large export's file (linli.core.export_jobs); a run after a killed one starts over."""
    from linli.core.export_jobs import export_job_run

    export_job_run(job_id)
