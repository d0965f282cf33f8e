"""Registry import jobs: an upload becomes an ImportJob; running it checks and writes (importer.py).

Small files run in the request; large ones (more than ``LINLI_IMPORT_SYNC_ROWS`` rows, default 2,000)
run in the Huey worker while the page shows a progress bar. The uploaded file is removed when the
job ends; the error report stays for ``LINLI_IMPORT_KEEP_DAYS`` days (default 7) for its creator.
"""

from __future__ import annotations

import datetime
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import PermissionDenied
from linli.core.models import AuditResult
from linli.places.models import Place, PlaceKind
from linli.residents.access import can_change_registry
from linli.residents.actions._common import _require_change
from linli.residents.models import ImportJob, ImportStatus

log = logging.getLogger(__name__)

UPLOAD_DIR = "imports"
SHOWN_PROBLEMS = 200


def sync_rows_limit() -> int:
    return int(getattr(settings, "LINLI_IMPORT_SYNC_ROWS", 2000))


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
    *, actor, community: Place, upload, create_houses: bool = False, update_existing: bool = False
) -> ImportJob:
    """Keep the uploaded workbook and make its job (not yet run)."""
    _require_change(actor)
    if actor is not None and not actor.scope.covers_path(community.path) and not any(
        p.startswith(community.path) for p in actor.scope.place_paths
    ):
        raise PermissionDenied(_("This community is outside your area."))
    if community.kind != PlaceKind.COMMUNITY:
        raise PermissionDenied(_("Choose a community."))
    name = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.xlsx", upload)
    job = ImportJob.objects.create(
        created_by=actor, community=community, place_path=community.path, filename=str(upload.name)[:200],
        file=name, create_houses=create_houses, update_existing=update_existing,
    )
    audit_record(action="residents.import_upload", actor=actor, target=job,
                 detail={"file": job.filename, "create_houses": create_houses, "update_existing": update_existing})
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a pending job to its end: done (all rows written), rejected (problems; nothing written; an
    error report) or failed (an unexpected error; nothing written). Safe to call twice."""
    from linli.residents.importer import Importer

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.PENDING:
            return job
        job.status = ImportStatus.VALIDATING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    actor = job.created_by
    if actor is not None and not can_change_registry(actor):
        return _finish(job, ImportStatus.FAILED, message=_("You may not change the registry."))
    report_name = f"{UPLOAD_DIR}/{uuid.uuid4().hex}-report.xlsx"
    progress_file = _progress_path(job)

    def progress(phase: str, done: int, total: int | None) -> None:
        if phase == "check":
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total or 0)
        elif done == 0:
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.WRITING, total_rows=total or 0)
            job.status = ImportStatus.WRITING
            progress_file.write_text(f"0 {total or 0}")
        else:
            tmp = progress_file.with_suffix(".tmp")
            tmp.write_text(f"{done} {total or 0}")
            os.replace(tmp, progress_file)

    importer = Importer(
        path=default_storage.path(job.file), community=job.community, actor=actor,
        create_houses=job.create_houses, update_existing=job.update_existing, filename=job.filename,
        report_path=default_storage.path(report_name), progress=progress,
    )
    try:
        result = importer.run()
    except Exception as exc:  # noqa: BLE001 - the job records the failure; nothing was written
        log.exception("registry import %s failed", job.pk)
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


def _finish(job: ImportJob, status: str, *, message: str = "") -> ImportJob:
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    if job.file:
        default_storage.delete(job.file)
        job.file = ""
    job.save()
    return job


def import_jobs_purge(*, older_than_days: int | None = None) -> int:
    """Remove error reports (and any upload left behind) of jobs that ended long enough ago."""
    days = older_than_days if older_than_days is not None else int(getattr(settings, "LINLI_IMPORT_KEEP_DAYS", 7))
    cutoff = timezone.now() - datetime.timedelta(days=days)
    purged = 0
    for job in ImportJob.objects.filter(finished_at__lt=cutoff).exclude(report="", file=""):
        for name in (job.report, job.file):
            if name:
                default_storage.delete(name)
        ImportJob.objects.filter(pk=job.pk).update(report="", file="")
        purged += 1
    return purged
