"""Registry import jobs: an upload becomes an ImportJob; running it checks and writes (importer.py).

The workbook is checked at the door (size, unpacked size: ``linli.core.uploads.xlsx_check``). Small
files run in the request; anything that unpacks to more than ``LINLI_IMPORT_SYNC_BYTES`` (4 MB) or has
more than ``LINLI_IMPORT_SYNC_ROWS`` rows (2,000) runs in the Huey worker while the page shows a
progress bar.

A job records its runner and a heartbeat. The rows are written in ONE transaction, so a runner killed
mid-import leaves nothing written. A job run by the worker is an at-least-once task
(``linli.core.jobs.durable_task``): when its worker dies, the reaper sends the run again and the next
worker takes the job over from its dead runner and starts it again from the workbook (each row is then
written once, by the run that commits); after the run's last attempt, or for a job run in a request
whose process died, the job's reaper ends it as failed, with a message for the user. The uploaded workbook (ID numbers in clear) is deleted when the
job ends, whatever the end; ``import_files_sweep`` removes anything left under media/imports/ after
``LINLI_IMPORT_UPLOAD_MAX_HOURS`` (24), and error reports after ``LINLI_IMPORT_KEEP_DAYS`` (7).
"""

from __future__ import annotations

import datetime
import logging
import os
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied
from linli.core.models import AuditResult
from linli.core.uploads import xlsx_check
from linli.places.kinds import PlaceKind
from linli.residents.access import can_change_registry
from linli.residents.actions._common import _require_change
from linli.residents.models import RUNNING_IMPORT_STATES, ImportJob, ImportKind, ImportStatus

if TYPE_CHECKING:
    from linli.places.models import Place

log = logging.getLogger(__name__)

UPLOAD_DIR = "imports"
SHOWN_PROBLEMS = 200


def sync_rows_limit() -> int:
    return int(getattr(settings, "LINLI_IMPORT_SYNC_ROWS", 2000))


def sync_bytes_limit() -> int:
    """A workbook that unpacks to more than this always runs in the worker, whatever its row count."""
    return int(getattr(settings, "LINLI_IMPORT_SYNC_BYTES", 4 * 1024 * 1024))


def import_runs_in_request(job: ImportJob) -> bool:
    """Small workbooks are imported while the user waits; anything larger goes to the worker. The
    unpacked size is read from the zip directory (no parsing); only a small workbook is opened to count
    its rows."""
    from linli.core.uploads import xlsx_uncompressed_size
    from linli.residents.excel import WorkbookError, open_sheet

    path = default_storage.path(job.file)
    try:
        if xlsx_uncompressed_size(path) > sync_bytes_limit():
            return False
        rows = open_sheet(path, _importer_class(job).layout).total_rows
    except (WorkbookError, OSError, ValueError):
        return True  # the run reports what is wrong with it at once
    return rows is not None and rows <= sync_rows_limit()


def _importer_class(job: ImportJob):
    """The importer that reads this job's workbook: persons, or organisations (the same machinery)."""
    from linli.residents.importer import Importer
    from linli.residents.importer_orgs import OrganisationImporter

    return OrganisationImporter if job.kind == ImportKind.ORGANISATIONS else Importer


def _progress_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR / f"job-{job.pk}.progress"


def import_progress(job: ImportJob) -> tuple[int, int | None]:
    """(rows done, rows in all) of the running phase; the write phase reports through a small file next
    to the upload (its transaction hides database updates from other connections until it commits)."""
    if job.status == ImportStatus.WRITING:
        try:
            done, total = _progress_path(job).read_text().split()
            return int(done), int(total)
        except (OSError, ValueError):
            return 0, job.total_rows or None
    return job.processed_rows, job.total_rows or None


@transaction.atomic
def import_job_create(
    *, actor, community: Place, upload, create_houses: bool = False, update_existing: bool = False,
    kind: str = ImportKind.PERSONS,
) -> ImportJob:
    """Keep the uploaded workbook and make its job (not yet run): persons, or organisations (``kind``)."""
    _require_change(actor)
    if actor is not None and not actor.scope.covers_path(community.path) and not any(
        p.startswith(community.path) for p in actor.scope.place_paths
    ):
        raise PermissionDenied(_("This community is outside your area."))
    if community.kind != PlaceKind.COMMUNITY:
        raise PermissionDenied(_("Choose a community."))
    if kind not in ImportKind.values:
        raise Invalid(_("Unknown kind."), fields={"kind": [_("Unknown kind.")]})
    if kind == ImportKind.ORGANISATIONS:
        create_houses = False
    xlsx_check(upload)  # size and unpacked size, before the file is kept or parsed (413 / 422)
    name = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.xlsx", upload)
    job = ImportJob.objects.create(
        created_by=actor, community=community, place_path=community.path, filename=str(upload.name)[:200],
        file=name, create_houses=create_houses, update_existing=update_existing, kind=kind,
    )
    audit_record(action="residents.import_upload", actor=actor, target=job,
                 detail={"file": job.filename, "kind": kind, "create_houses": create_houses,
                         "update_existing": update_existing})
    return job


class JobEnded(Exception):
    """The job was ended (by the reaper) while its runner still worked: write nothing."""


HEARTBEAT_EVERY = 5.0  # seconds between heartbeats written by the check pass


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a pending job to its end: done (all rows written), rejected (problems; nothing written; an
    error report) or failed (an unexpected error, or the job was ended by the reaper; nothing written).
    Safe to call twice. The uploaded workbook is deleted when the job ends, whatever the end."""
    from linli.core.jobs import runner_stamp

    now = timezone.now()
    stamp = runner_stamp()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.VALIDATING, started_at=now, runner=stamp, heartbeat_at=now
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed and job.status in RUNNING_IMPORT_STATES and import_job_is_stale(job, now):
        # A run sent again after its runner died: take the job over (only from that runner) and start
        # again; the dead runner's write transaction was rolled back.
        claimed = ImportJob.objects.filter(pk=job_id, status=job.status, runner=job.runner).update(
            status=ImportStatus.VALIDATING, started_at=now, runner=stamp, heartbeat_at=now, processed_rows=0
        )
        if claimed:
            log.warning("registry import %s taken over from its dead runner %s", job_id, job.runner)
            audit_record(action="residents.import_resumed", actor=None, actor_name="system", target=job,
                         detail={"file": job.filename, "was": job.status, "runner": job.runner})
            job.refresh_from_db()
    if not claimed:
        return job
    actor = job.created_by
    if actor is not None and not can_change_registry(actor):
        return _finish(job, ImportStatus.FAILED, message=_("You may not change the registry."))
    report_name = f"{UPLOAD_DIR}/{uuid.uuid4().hex}-report.xlsx"
    progress_file = _progress_path(job)
    last_beat = [time.monotonic()]

    def progress(phase: str, done: int, total: int | None) -> None:
        if phase == "check":
            fields: dict[str, object] = {"processed_rows": done, "total_rows": total or 0}
            if time.monotonic() - last_beat[0] >= HEARTBEAT_EVERY:
                fields["heartbeat_at"] = timezone.now()
                last_beat[0] = time.monotonic()
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING, runner=stamp).update(**fields)
        elif done == 0:
            moved = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING, runner=stamp).update(
                status=ImportStatus.WRITING, total_rows=total or 0, heartbeat_at=timezone.now()
            )
            if not moved:
                raise JobEnded
            job.status = ImportStatus.WRITING
            progress_file.write_text(f"0 {total or 0}")
        else:
            # Inside the write transaction the database cannot carry the heartbeat (other connections
            # do not see it, and SQLite lets nobody else write): the progress file's time is the beat.
            tmp = progress_file.with_suffix(".tmp")
            tmp.write_text(f"{done} {total or 0}")
            os.replace(tmp, progress_file)

    def claim() -> None:
        held = ImportJob.objects.select_for_update().filter(pk=job.pk, status=ImportStatus.WRITING,
                                                            runner=stamp).exists()
        if not held:
            raise JobEnded

    importer = _importer_class(job)(
        path=default_storage.path(job.file), community=job.community, actor=actor,
        create_houses=job.create_houses, update_existing=job.update_existing, filename=job.filename,
        report_path=default_storage.path(report_name), progress=progress, claim=claim,
    )
    try:
        result = importer.run()
    except JobEnded:
        default_storage.delete(report_name)
        return _finish(job, ImportStatus.FAILED, message=str(STOPPED_MESSAGE))
    except Exception as exc:  # noqa: BLE001 - the job records the failure; nothing was written
        log.exception("registry import %s failed", job.pk)
        default_storage.delete(report_name)
        return _finish(job, ImportStatus.FAILED, message=exc.__class__.__name__)
    finally:
        progress_file.unlink(missing_ok=True)
        progress_file.with_suffix(".tmp").unlink(missing_ok=True)
    job.total_rows = result.rows
    job.processed_rows = result.rows
    job.problem_count = result.problem_count
    job.problems = [p.as_list() for p in result.problems[:SHOWN_PROBLEMS]]
    job.counts = result.counts
    if result.ok:
        return _finish(job, ImportStatus.DONE)
    job.report = report_name if result.report_path else ""
    audit_record(action="residents.import", actor=actor, actor_name="" if actor else "console", target=job.community,
                 result=AuditResult.FAILED, detail={"file": job.filename, "rows": result.rows,
                                                    "problems": result.problem_count})
    return _finish(job, ImportStatus.REJECTED)


STOPPED_MESSAGE = gettext_lazy(
    "The import stopped before it finished (the worker was stopped or restarted). Nothing was written; "
    "upload the file again."
)


def _finish(job: ImportJob, status: str, *, message: str = "") -> ImportJob:
    """End a running job (only if it is still running: a job the reaper ended stays as it ended) and
    delete its uploaded workbook."""
    now = timezone.now()
    ended = ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.PENDING, *RUNNING_IMPORT_STATES]).update(
        status=status, message=message, finished_at=now, file="", total_rows=job.total_rows,
        processed_rows=job.processed_rows, problem_count=job.problem_count, problems=job.problems,
        counts=job.counts, report=job.report,
    )
    if job.file:
        default_storage.delete(job.file)
    if not ended and job.report:
        default_storage.delete(job.report)  # the job had already been ended: its report is not kept
    job.refresh_from_db()
    return job


def import_job_reap(job: ImportJob, *, message: str | None = None) -> bool:
    """End one job whose runner died: failed, with a message for its user; the upload and the progress
    file are deleted. False when the job is not running, or its runner turns out to hold it (alive)."""
    from django.db import DatabaseError

    try:
        with transaction.atomic():
            qs = ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.PENDING, *RUNNING_IMPORT_STATES])
            if connection.features.has_select_for_update_skip_locked:
                # A runner inside its write transaction holds the row: it is alive, leave it.
                qs = qs.select_for_update(skip_locked=True)
            row = qs.first()
            if row is None:
                return False
            ImportJob.objects.filter(pk=row.pk).update(
                status=ImportStatus.FAILED, message=str(message or STOPPED_MESSAGE), finished_at=timezone.now(),
                file="",
            )
            audit_record(action="residents.import_reaped", actor=None, actor_name="system", target=row,
                         result=AuditResult.FAILED, detail={"file": row.filename, "was": row.status,
                                                            "runner": row.runner})
    except DatabaseError:
        return False  # SQLite: a live runner holds the write lock; it will finish or be reaped later
    if row.file:
        default_storage.delete(row.file)
    _progress_path(row).unlink(missing_ok=True)
    _progress_path(row).with_suffix(".tmp").unlink(missing_ok=True)
    log.warning("registry import %s ended by the reaper (was %s, runner %s)", row.pk, row.status, row.runner)
    return True


def pending_limit_seconds() -> int:
    """A job still waiting for a worker after this long is ended (its queued task was lost)."""
    return int(getattr(settings, "LINLI_IMPORT_PENDING_SECONDS", 6 * 3600))


def _last_beat(job: ImportJob) -> datetime.datetime | None:
    beats = [job.heartbeat_at] if job.heartbeat_at else []
    if job.status == ImportStatus.WRITING:
        try:
            mtime = _progress_path(job).stat().st_mtime
            beats.append(datetime.datetime.fromtimestamp(mtime, tz=datetime.UTC))
        except OSError:
            pass
    return max(beats) if beats else None


def import_job_is_stale(job: ImportJob, now: datetime.datetime | None = None) -> bool:
    from linli.core.jobs import is_stale

    now = now or timezone.now()
    if job.status == ImportStatus.PENDING:
        return (now - job.created_at).total_seconds() > pending_limit_seconds()
    if job.status not in RUNNING_IMPORT_STATES:
        return False
    return is_stale(runner=job.runner, last_beat=_last_beat(job), now=now)


PENDING_MESSAGE = gettext_lazy("The import never started (no worker took it). Nothing was written; upload the file again.")


def import_jobs_reap(now: datetime.datetime | None = None) -> int:
    """The reaper of registry imports (registered with linli.core.jobs): end every stale job, unless
    its run is queued or running in the worker (the task reaper sent it again: it takes the job over)."""
    from linli.core.jobs import task_run_active
    from linli.residents.tasks import import_run_key

    now = now or timezone.now()
    ended = 0
    for job in ImportJob.objects.filter(status__in=[ImportStatus.PENDING, *RUNNING_IMPORT_STATES]).order_by("id")[:500]:
        if import_job_is_stale(job, now) and not task_run_active(import_run_key(job.pk)):
            message = PENDING_MESSAGE if job.status == ImportStatus.PENDING else STOPPED_MESSAGE
            ended += import_job_reap(job, message=str(message))
    return ended


def upload_max_hours() -> int:
    """Uploaded workbooks (and error reports) are never kept longer than this, whatever their job says."""
    return int(getattr(settings, "LINLI_IMPORT_UPLOAD_MAX_HOURS", 24))


ORPHAN_GRACE_SECONDS = 3600  # a file written just now whose job row is not committed yet


def import_jobs_purge(*, now: datetime.datetime | None = None, older_than_days: int | None = None) -> int:
    """Sweep media/imports/: delete error reports of jobs that ended more than ``LINLI_IMPORT_KEEP_DAYS``
    (7) days ago, every upload older than ``LINLI_IMPORT_UPLOAD_MAX_HOURS`` (24) whatever its job says,
    and every file no job refers to (after an hour's grace). Workbooks and reports hold ID numbers in
    clear: nothing may linger because a process died between writing and deleting. Returns the number
    of files removed."""
    now = now or timezone.now()
    keep_days = older_than_days if older_than_days is not None else int(getattr(settings, "LINLI_IMPORT_KEEP_DAYS", 7))
    report_cutoff = now - datetime.timedelta(days=keep_days)
    expired = ImportJob.objects.exclude(report="").filter(finished_at__lt=report_cutoff)
    expired_names = set(expired.values_list("report", flat=True))
    expired.update(report="")
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    if not folder.is_dir():
        return 0
    uploads = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    reports = set(ImportJob.objects.exclude(report="").values_list("report", flat=True))
    running = set(ImportJob.objects.filter(status__in=RUNNING_IMPORT_STATES).values_list("id", flat=True))
    upload_cutoff = now.timestamp() - upload_max_hours() * 3600
    grace_cutoff = now.timestamp() - min(ORPHAN_GRACE_SECONDS, upload_max_hours() * 3600)
    removed = 0
    for path in folder.iterdir():
        name = f"{UPLOAD_DIR}/{path.name}"
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        if name in expired_names:
            keep = False
        elif name in reports:
            keep = True
        elif name in uploads:
            keep = mtime >= upload_cutoff
        elif path.name.startswith("job-") and path.name.split(".")[0][4:].isdigit():
            keep = int(path.name.split(".")[0][4:]) in running  # a running job's progress file
        else:
            keep = mtime >= grace_cutoff
        if not keep and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    stale_uploads = [n for n in uploads if not (folder / n.split("/", 1)[1]).exists()]
    if stale_uploads:
        ImportJob.objects.filter(file__in=stale_uploads).exclude(status__in=[ImportStatus.PENDING, *RUNNING_IMPORT_STATES]).update(file="")
    return removed
