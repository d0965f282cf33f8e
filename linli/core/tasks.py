"""Core periodic tasks: the worker heartbeat read by /healthz."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

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
