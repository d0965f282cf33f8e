"""Large Excel exports run in the worker and stream to a file while the page shows their progress; small
ones are answered at once. One mechanism for every app's export (the registry, the points ledger, the
mediation ledger …).

An app registers a **kind** in its ``AppConfig.ready()``::

    export_kind_register(ExportKind(
        name="residents.persons", allowed=..., count=..., write=..., filename=...))

- ``allowed(user, params)``: whether the user may have this export *now* (the permission, and the unmask
  permission when ``params`` asks for full data). Asked when the export is asked for, again by the worker
  before it writes, and again when the file is downloaded: a permission withdrawn meanwhile stops it.
- ``count(user, params)``: how many rows it will write (one count query): the progress bar's 100%, and
  whether it runs in the request (at most ``LINLI_EXPORT_SYNC_ROWS``, 3,000) or in the worker.
- ``write(user, params, book, progress)``: writes the rows into ``book`` (a streaming ``core.excel``
  workbook), calls ``progress(rows written so far)`` now and then, audits itself, returns the row count.
- ``filename(params)``: the downloaded file's name.

``export_response(request, kind, params)`` is what a view returns: the file, or a redirect to the job's
page (``core:export_status``: a progress bar polled by htmx, then a download button).

A job (``ExportJob``) belongs to the user who asked for it: nobody else can see or download it (404). It
records the user's scope when it was asked for; the download is refused (403) when the user's scope no
longer covers it, or ``allowed`` says no. The worker runs it as an at-least-once task
(``core.jobs.durable_task``): a worker killed mid-export has its run sent again by the reaper and the
export starts over (the half-written file is replaced); after the run's last attempt the job's reaper
(``export_jobs_reap``, registered by core) fails it with a message, so the page never shows a bar that
never moves. The file is removed ``LINLI_EXPORT_KEEP_MINUTES`` (120) after it was written, and the job
row after a week.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

EXPORT_DIR = "exports"
PROGRESS_EVERY = 500  # rows between progress writes

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportKind:
    name: str
    allowed: Callable[[Any, dict[str, Any]], bool]
    count: Callable[[Any, dict[str, Any]], int]
    write: Callable[[Any, dict[str, Any], Any, Progress], int]
    filename: Callable[[dict[str, Any]], str]


_KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> None:
    _KINDS[kind.name] = kind


def export_kind(name: str) -> ExportKind:
    return _KINDS[name]


def sync_rows_limit() -> int:
    return int(getattr(settings, "LINLI_EXPORT_SYNC_ROWS", 3000))


def keep_minutes() -> int:
    return int(getattr(settings, "LINLI_EXPORT_KEEP_MINUTES", 120))


def export_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_DIR


def export_run_key(job_id: int) -> str:
    return f"core.export:{job_id}"


def counted(rows: Any, progress: Progress, every: int = PROGRESS_EVERY) -> Any:
    """``rows`` again, calling ``progress(n)`` every ``every`` rows (for a kind whose ``write`` hands a
    generator of rows to ``Sheet.rows``)."""
    for n, row in enumerate(rows, start=1):
        yield row
        if n % every == 0:
            progress(n)


def _scope_record(user: Any) -> dict[str, list[Any]]:
    from linli.core.access import scope_of

    scope = scope_of(user)
    return {"paths": sorted(scope.place_paths), "departments": sorted(scope.department_ids)}


def scope_still_covers(user: Any, recorded: dict[str, Any]) -> bool:
    """Whether the user's scope now still covers every place and department it covered when the export
    was asked for (a user moved to another community may not take the old community's file)."""
    from linli.core.access import scope_of

    scope = scope_of(user)
    return all(scope.covers_path(p) for p in recorded.get("paths", ())) and set(
        recorded.get("departments", ())
    ) <= set(scope.department_ids)


def export_response(request: Any, name: str, params: dict[str, Any]) -> Any:
    """The export as a download when it is small, else a queued job and a redirect to its page."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    from linli.core.errors import Refused
    from linli.core.excel import Workbook

    kind = _KINDS[name]
    user = request.user
    if not kind.allowed(user, params):
        raise PermissionDenied
    total = kind.count(user, params)
    if total <= sync_rows_limit():
        with Workbook(streaming=True) as book:
            kind.write(user, params, book, lambda n: None)
            return book.response(kind.filename(params))
    try:
        job = export_job_create(user=user, name=name, params=params, total=total)
    except Refused as exc:
        messages.error(request, str(exc.message))
        return redirect("core:exports")
    return redirect("core:export_status", pk=job.pk)


# How many exports one user may have queued or running at once (each costs the worker a full pass).
EXPORTS_RUNNING_MAX = 3


def export_job_create(*, user: Any, name: str, params: dict[str, Any], total: int) -> Any:
    """A new job, or the same export of this user still running (asking twice does not write it twice).
    Refused (``Refused``, code ``too_many_exports``) when the user already has ``EXPORTS_RUNNING_MAX`` running."""
    from linli.core.errors import Refused
    from linli.core.models import ExportJob, ExportStatus
    from linli.core.tasks import core_export_run

    kind = _KINDS[name]
    running = ExportJob.objects.filter(created_by=user).exclude(status__in=[ExportStatus.DONE, ExportStatus.FAILED])
    for same in running.filter(kind=name).order_by("-id")[:EXPORTS_RUNNING_MAX]:
        if same.params == params:
            return same
    if running.count() >= EXPORTS_RUNNING_MAX:
        raise Refused(_("You already have %(n)d exports running: wait for one to finish.") % {"n": EXPORTS_RUNNING_MAX},
                      code="too_many_exports")
    job = ExportJob.objects.create(kind=name, params=params, created_by=user, scope=_scope_record(user),
                                   total_rows=total, filename=kind.filename(params)[:200])
    core_export_run(job.pk)
    return job


def _progress_writer(job_id: int, total: int) -> Progress:
    from linli.core.models import ExportJob

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(done_rows=min(done, total) if total else done,
                                                   heartbeat_at=timezone.now())

    return progress


def export_job_run(job_id: int) -> None:
    """Write the job's file (the worker's task; at least once: a run after a killed one starts over)."""
    from linli.core.excel import Workbook
    from linli.core.jobs import runner_stamp
    from linli.core.models import ExportJob, ExportStatus

    job = ExportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status in (ExportStatus.DONE, ExportStatus.FAILED):
        return
    ExportJob.objects.filter(pk=job_id).update(status=ExportStatus.RUNNING, runner=runner_stamp(),
                                               heartbeat_at=timezone.now(), done_rows=0)
    kind = _KINDS.get(job.kind)
    user = job.created_by
    if kind is None or user is None or not user.is_active or not kind.allowed(user, job.params) \
            or not scope_still_covers(user, job.scope):
        _fail(job_id, _("You may no longer make this export."))
        return
    directory = export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    old = job.file
    name = f"{EXPORT_DIR}/{uuid.uuid4().hex}.xlsx"
    path = Path(settings.MEDIA_ROOT) / name
    # The file's name is recorded before it is written: whatever stops this run, the reaper finds it.
    ExportJob.objects.filter(pk=job_id).update(file=name)
    if old:
        _remove(old)
    try:
        book = Workbook(path, streaming=True)
        try:
            rows = kind.write(user, job.params, book, _progress_writer(job_id, job.total_rows))
        finally:
            book.close()
    except Exception:
        _remove(name)
        ExportJob.objects.filter(pk=job_id).update(file="")
        _fail(job_id, _("The export failed. Please try again or ask the system administrator."))
        raise
    ExportJob.objects.filter(pk=job_id).update(status=ExportStatus.DONE, done_rows=rows, total_rows=rows,
                                               finished_at=timezone.now(), heartbeat_at=timezone.now())


def _fail(job_id: int, message: str) -> None:
    from linli.core.models import ExportJob, ExportStatus

    ExportJob.objects.filter(pk=job_id).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED, message=message, finished_at=timezone.now())


def _remove(name: str) -> None:
    if not name:
        return
    (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)


def export_progress(job: Any) -> int:
    """The job's progress in percent."""
    from linli.core.models import ExportStatus

    if job.status == ExportStatus.DONE:
        return 100
    if not job.total_rows:
        return 0
    return min(99, int(100 * job.done_rows / job.total_rows))


def export_file_path(job: Any) -> Path | None:
    """The finished file, while it is kept."""
    from linli.core.models import ExportStatus

    if job.status != ExportStatus.DONE or not job.file or export_expired(job):
        return None
    path = Path(settings.MEDIA_ROOT) / job.file
    return path if path.exists() else None


def export_expired(job: Any, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return job.finished_at is not None and now - job.finished_at > datetime.timedelta(minutes=keep_minutes())


def _gave_up() -> str:
    return _("The worker stopped while writing this export; please export again.")


def export_jobs_reap(now: datetime.datetime) -> int:
    """Fail the jobs no run will finish (their task's last attempt died, or its record is gone), remove
    the files of finished jobs after ``keep_minutes()`` and of failed ones at once, and forget jobs after
    a week. Registered with ``core.jobs`` (runs every minute in the worker). Returns the jobs failed."""
    from linli.core.jobs import task_run_active
    from linli.core.models import ExportJob, ExportStatus

    failed = 0
    for job in ExportJob.objects.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]).order_by("id")[:500]:
        if task_run_active(export_run_key(job.pk)):
            continue
        failed += ExportJob.objects.filter(pk=job.pk, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]).update(
            status=ExportStatus.FAILED, message=_gave_up(), finished_at=now)
    cutoff = now - datetime.timedelta(minutes=keep_minutes())
    for job in ExportJob.objects.exclude(file="").filter(
        Q(status=ExportStatus.FAILED) | Q(status=ExportStatus.DONE, finished_at__lt=cutoff)
    ).order_by("id")[:500]:
        _remove(job.file)
        ExportJob.objects.filter(pk=job.pk).update(file="")
    ExportJob.objects.filter(created_at__lt=now - datetime.timedelta(days=7)).delete()
    # Files no job names (a job row deleted by hand, a crash between writing and recording).
    directory = export_dir()
    if directory.is_dir():
        named = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
        for entry in directory.iterdir():
            if f"{EXPORT_DIR}/{entry.name}" not in named and entry.stat().st_mtime < cutoff.timestamp():
                entry.unlink(missing_ok=True)
    return failed
