"""Test helpers for the exports of ``linli.core.export_jobs``: ask an export that is large (so the worker
writes it), read the downloaded file, and move a user to another role (the download asks the permission
and the scope of its moment)."""

from __future__ import annotations

import io
from typing import Any


def large_export(client: Any, url: str, params: dict[str, Any] | None = None) -> Any:
    """Ask ``url`` for an export over the sync limit: the answer is the redirect to a new job's page; the
    job (tests run Huey's tasks at once: already written)."""
    from linli.core.models import ExportJob

    before = set(ExportJob.objects.values_list("pk", flat=True))
    response = client.get(url, params or {})
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.exclude(pk__in=before).get()
    assert response["Location"] == f"/exports/{job.pk}/"
    job.refresh_from_db()
    return job


def downloaded_rows(client: Any, job: Any) -> list[tuple[Any, ...]]:
    """The rows of the job's file (first sheet) as its owner downloads it."""
    from openpyxl import load_workbook

    response = client.get(f"/exports/{job.pk}/file.xlsx")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def move_to(user: Any, role: str, place: Any) -> None:
    """The user loses every role and holds ``role`` at ``place`` only."""
    from linli.accounts.actions import role_assign, role_revoke
    from linli.accounts.models import RoleAssignment

    for assignment in RoleAssignment.objects.filter(user=user):
        role_revoke(assignment=assignment, actor=None)
    role_assign(user=user, role=role, place=place, actor=None)
