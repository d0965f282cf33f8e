"""The pages of large exports (linli.core.export_jobs): a user's own exports ("My exports", reached from
the account menu and from the page that started them), one export's progress polled by htmx, then the
download. Only the user who asked for an export sees it (404 for anyone else)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from linli.core.audit import audit_record
from linli.core.excel import XLSX, filename_header
from linli.core.export_jobs import (
    export_file_path,
    export_kind,
    export_progress,
    scope_still_covers,
)
from linli.core.models import ExportJob


@login_required
@require_GET
@never_cache
def export_list(request: HttpRequest) -> HttpResponse:
    """The user's own exports, newest first, through the one pager (finished rows are forgotten after a week)."""
    from linli.core.ui import page_rows

    page = page_rows(request, ExportJob.objects.filter(created_by_id=request.user.pk).order_by("-id"), size=20)
    page["rows"] = [(job, export_progress(job), export_file_path(job) is not None) for job in page["rows"]]
    return render(request, "core/export_list.html", page)


def _job_of(request: HttpRequest, pk: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk, created_by_id=request.user.pk).first()
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
@never_cache
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    # Polled every second by its owner: it reads the job only. A dead runner is found by the worker's reaper
    # (core.jobs, every minute), never by a page view (a GET that re-queued the city's task runs and deleted
    # old ones, at each poll of every user watching an export).
    job = _job_of(request, pk)
    context = {"job": job, "percent": export_progress(job), "ready": export_file_path(job) is not None}
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return render(request, "core/partials/export_progress.html", context)
    return render(request, "core/export_status.html", context)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, while it is kept, to its owner only, if the owner may still have it: the kind's permission
    (and the unmask permission for full data) and the scope are those of now, not of when it was asked."""
    job = _job_of(request, pk)
    path = export_file_path(job)
    if path is None:
        raise Http404
    if not export_kind(job.kind).allowed(request.user, job.params) or not scope_still_covers(request.user, job.scope):
        raise PermissionDenied
    audit_record(action="core.export_download", actor=request.user, target=job,
                 detail={"kind": job.kind, "rows": job.total_rows})
    response = FileResponse(open(path, "rb"), content_type=XLSX)  # noqa: SIM115 - FileResponse closes it
    response["Content-Disposition"] = filename_header(job.filename)
    response["Cache-Control"] = "private, no-store"
    return response
