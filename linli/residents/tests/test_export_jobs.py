"""Large registry exports (linli.core.export_jobs): written by the worker with a progress bar, then
downloaded by their owner only, under the permission, scope and masking of the moment of the download;
a killed worker's export is sent again or failed by the reaper; the file is removed after its time."""

from __future__ import annotations

import datetime
import socket
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from linli.core.export_jobs import export_run_key, keep_minutes
from linli.core.jobs import jobs_reap
from linli.core.models import AuditEntry, ExportJob, ExportStatus, TaskRun, TaskRunStatus
from linli.residents.tests.conftest import body, login, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.LINLI_EXPORT_SYNC_ROWS = 2  # "large" from 3 rows on, so a test needs only a few persons


def _export(client, **params):
    response = client.get("/registry/export.xlsx", params)
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.get(created_by=response.wsgi_request.user)
    assert response["Location"] == f"/exports/{job.pk}/"
    return job


def test_a_large_export_runs_in_the_worker_reaches_100_and_has_the_rows(client, people, community_staff):
    login(client, community_staff)
    job = _export(client)
    job.refresh_from_db()  # tests run Huey's tasks at once: the worker has written it
    assert (job.status, job.total_rows, job.done_rows) == (ExportStatus.DONE, 4, 4)
    page = client.get(f"/exports/{job.pk}/")
    assert b'data-percent="100"' in page.content and f"/exports/{job.pk}/file.xlsx".encode() in page.content
    fragment = client.get(f"/exports/{job.pk}/", headers={"HX-Request": "true"})
    assert b'id="export-progress"' in fragment.content and b"<html" not in fragment.content
    download = client.get(f"/exports/{job.pk}/file.xlsx")
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    rows = xlsx_rows(body(download))
    assert sorted(r[0] for r in rows[1:]) == sorted(["张三", "李四", "王五", "赵老汉"])
    zhang = next(r for r in rows if r[0] == "张三")
    assert zhang[3] == "*" * 16 + people.zhang.id_number[-2:] and zhang[4] != "13812345678"  # masked
    assert AuditEntry.objects.filter(action="registry.export", actor=community_staff).exists()
    assert AuditEntry.objects.filter(action="core.export_download", actor=community_staff).exists()


def test_small_exports_stay_immediate(client, people, community_staff, settings):
    settings.LINLI_EXPORT_SYNC_ROWS = 10
    login(client, community_staff)
    response = client.get("/registry/export.xlsx")
    assert response.status_code == 200 and len(xlsx_rows(body(response))) == 5
    assert not ExportJob.objects.exists()


def test_another_user_can_neither_see_nor_download_it(client, people, community_staff, street_supervisor):
    login(client, community_staff)
    job = _export(client)
    client.logout()
    login(client, street_supervisor)  # sees more of the registry than the owner, still not the owner's file
    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 404


def test_the_download_asks_the_permission_and_scope_of_now(client, world, people, community_staff):
    from linli.accounts.actions import role_assign, role_revoke
    from linli.accounts.models import RoleAssignment

    login(client, community_staff)
    full = _export(client, full="1")
    masked = _export_again(client)
    assert client.get(f"/exports/{full.pk}/file.xlsx").status_code == 200
    # Now a grid worker of grid A: may export, but not unmasked, and grid A only.
    for assignment in RoleAssignment.objects.filter(user=community_staff):
        role_revoke(assignment=assignment, actor=None)
    role_assign(user=community_staff, role="grid_worker", place=world.grid_a, actor=None)
    client.logout()
    login(client, community_staff)
    assert client.get(f"/exports/{full.pk}/file.xlsx").status_code == 403  # no unmask permission any more
    assert client.get(f"/exports/{masked.pk}/file.xlsx").status_code == 403  # the community is out of scope now


def _export_again(client):
    before = set(ExportJob.objects.values_list("pk", flat=True))
    response = client.get("/registry/export.xlsx")
    assert response.status_code == 302
    return ExportJob.objects.exclude(pk__in=before).get()


def _dead_runner() -> str:
    process = subprocess.Popen(["true"])  # noqa: S603, S607 - a process that is gone when we look
    process.wait()
    return f"{socket.gethostname()[:60]}:{process.pid}:"


def _killed_job(user, *, attempts: int) -> ExportJob:
    """A job whose worker was killed while writing: its run still says running, its runner is gone."""
    from linli.core.tasks import core_export_run

    job = ExportJob.objects.create(kind="residents.persons", params={"q": "", "filters": {}, "full": False},
                                   created_by=user, scope={"paths": sorted(user.scope.place_paths)},
                                   total_rows=4, done_rows=2, status=ExportStatus.RUNNING, filename="registry.xlsx",
                                   runner=_dead_runner(), heartbeat_at=timezone.now())
    TaskRun.objects.create(task=core_export_run.task_name, args=[job.pk], key=export_run_key(job.pk),
                           status=TaskRunStatus.RUNNING, attempts=attempts, max_attempts=3, runner=job.runner,
                           heartbeat_at=timezone.now())
    return job


def test_a_killed_export_is_sent_again_by_the_reaper(people, community_staff):
    job = _killed_job(community_staff, attempts=1)
    jobs_reap()
    job.refresh_from_db()
    assert (job.status, job.done_rows) == (ExportStatus.DONE, 4)  # run again (at once in tests) to its end
    assert TaskRun.objects.get(key=export_run_key(job.pk)).status == TaskRunStatus.DONE


def test_a_killed_export_after_its_last_attempt_is_failed_by_the_reaper(client, people, community_staff):
    job = _killed_job(community_staff, attempts=3)
    jobs_reap()
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.message and not job.file
    login(client, community_staff)
    page = client.get(f"/exports/{job.pk}/")
    assert b'data-status="failed"' in page.content and f'hx-get="/exports/{job.pk}/"'.encode() not in page.content
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 404


def test_the_file_is_removed_after_its_time(client, people, community_staff, settings):
    login(client, community_staff)
    job = _export(client)
    job.refresh_from_db()
    path = Path(settings.MEDIA_ROOT) / job.file
    assert path.exists()
    jobs_reap(timezone.now() + datetime.timedelta(minutes=keep_minutes() - 1))
    assert path.exists()
    jobs_reap(timezone.now() + datetime.timedelta(minutes=keep_minutes() + 1))
    assert not path.exists()
    job.refresh_from_db()
    assert job.file == ""
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 404


def test_my_exports_lists_the_users_own_exports_from_the_account_menu(client, people, community_staff, street_supervisor):
    login(client, community_staff)
    job = _export(client)
    home = client.get("/")
    home = client.get(home["Location"]) if home.status_code == 302 else home
    assert b'data-testid="menu-exports"' in home.content  # staff find their exports again after leaving the page
    page = client.get("/exports/")
    assert page.status_code == 200
    assert job.filename.encode() in page.content and f"/exports/{job.pk}/file.xlsx".encode() in page.content
    client.logout()
    login(client, street_supervisor)
    other = client.get("/exports/")
    assert other.status_code == 200 and job.filename.encode() not in other.content and b"no-exports" in other.content


def test_asking_again_while_it_runs_reuses_it_and_three_running_is_the_limit(client, people, community_staff):
    login(client, community_staff)
    job = _export(client)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED)  # as if the worker were still at it
    again = client.get("/registry/export.xlsx")
    assert again.status_code == 302 and again["Location"] == f"/exports/{job.pk}/"
    assert ExportJob.objects.count() == 1  # the same export is not written twice
    for n in range(2):
        ExportJob.objects.create(kind=job.kind, params={"other": n}, created_by=community_staff, filename="x.xlsx",
                                 status=ExportStatus.RUNNING)
    refused = client.get("/registry/export.xlsx", {"full": "1"}, follow=True)
    assert refused.redirect_chain[-1][0] == "/exports/" and "3" in refused.content.decode()
    assert "导出正在进行" in refused.content.decode() or "exports running" in refused.content.decode()
    assert ExportJob.objects.count() == 3


def test_a_large_organisation_export_runs_in_the_worker_masked_and_scoped(client, world, houses, community_staff):
    from linli.core.testing.exports import downloaded_rows, large_export, move_to
    from linli.residents.actions import organisation_create

    for n in range(3):
        organisation_create(name=f"商铺{n}", kind="shop", place=houses.compound_a, actor=None,
                            contact_phone="13800001111")
    login(client, community_staff)
    job = large_export(client, "/registry/organisations/export.xlsx", {"kind": "shop"})
    assert (job.kind, job.status, job.done_rows, job.params) == (
        "residents.organisations", ExportStatus.DONE, 3, {"filters": {"kind": "shop"}, "full": False})
    rows = downloaded_rows(client, job)
    assert sorted(r[0] for r in rows[1:]) == ["商铺0", "商铺1", "商铺2"] and {r[7] for r in rows[1:]} == {"138****1111"}
    move_to(community_staff, "community_staff", world.community_2)
    login(client, community_staff)
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 403
