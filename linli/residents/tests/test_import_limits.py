"""The registry import at the door and after: bombs and oversized workbooks refused (422 / 413) before
anything parses or keeps them; large workbooks always in the worker; jobs whose runner died are ended
with a message; uploads deleted when a job ends and swept after the operator's limit."""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from linli.core.testing.bombs import xlsx_bomb
from linli.core.testing.memory import peak_growth
from linli.residents.actions import imports
from linli.residents.models import ImportJob, ImportStatus, Person

from .conftest import login, new_id, person_row, workbook

LIMIT_MB = 100


def upload(data: bytes, name="居民.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return f


def _imports_dir(settings) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


@pytest.mark.django_db(transaction=True)
def test_workbook_bomb_refused_with_422_and_little_memory(client, world, community_staff, settings):
    login(client, community_staff)
    bomb = xlsx_bomb(400)
    grown, status = peak_growth(
        lambda: client.post("/registry/import/", {"file": upload(bomb), "community": world.community.pk}).status_code
    )
    assert status == 422
    assert grown < LIMIT_MB, f"{grown:.0f} MB"
    assert not ImportJob.objects.exists()
    assert not _imports_dir(settings).exists() or not list(_imports_dir(settings).iterdir())


def test_oversized_workbook_refused_with_413(client, world, community_staff, settings):
    settings.LINLI_XLSX_MAX_BYTES = 2000
    login(client, community_staff)
    data = workbook([person_row("甲", new_id())] * 3)
    assert len(data) > 2000
    response = client.post("/registry/import/", {"file": upload(data), "community": world.community.pk})
    assert response.status_code == 413
    assert "2000" not in response.content.decode() and not ImportJob.objects.exists()


def test_a_workbook_that_unpacks_large_runs_in_the_worker(client, world, houses, community_staff, settings,
                                                         monkeypatch):
    from linli.residents import tasks

    queued = []
    original = tasks.residents_import_run
    monkeypatch.setattr(tasks, "residents_import_run", lambda job_id: (queued.append(job_id), original(job_id)))
    settings.LINLI_IMPORT_SYNC_BYTES = 1000  # two rows unpack to more than this
    login(client, community_staff)
    client.post("/registry/import/", {"file": upload(workbook([person_row("乙", new_id())])),
                                      "community": world.community.pk})
    assert queued == [ImportJob.objects.get().pk]


def _job(world, community_staff, status, *, runner="", beat=None, file=True) -> ImportJob:
    name = ""
    if file:
        name = default_storage.save("imports/x.xlsx", io.BytesIO(workbook([person_row("丙", new_id())])))
    return ImportJob.objects.create(created_by=community_staff, community=world.community, file=name,
                                    status=status, runner=runner, heartbeat_at=beat, filename="x.xlsx")


def _dead_runner() -> str:
    import socket
    import subprocess

    child = subprocess.Popen(["true"])  # noqa: S603, S607
    child.wait()
    return f"{socket.gethostname()[:60]}:{child.pid}:"


def test_a_job_whose_runner_died_is_ended_failed_and_its_file_deleted(world, community_staff, settings, tmp_path):
    job = _job(world, community_staff, ImportStatus.WRITING, runner=_dead_runner(), beat=timezone.now())
    path = default_storage.path(job.file)
    assert os.path.exists(path)
    assert imports.import_jobs_reap() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.file == "" and job.finished_at is not None
    assert "upload the file again" in job.message.lower() or "重新上传" in job.message
    assert not os.path.exists(path)
    from linli.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="residents.import_reaped", target_id=str(job.pk)).exists()


def test_a_live_job_with_a_fresh_heartbeat_is_left_alone(world, community_staff):
    from linli.core.jobs import runner_stamp

    job = _job(world, community_staff, ImportStatus.VALIDATING, runner=runner_stamp(), beat=timezone.now())
    assert imports.import_jobs_reap() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATING and job.file


def test_a_job_on_another_host_is_ended_when_its_heartbeat_is_old(world, community_staff, settings):
    settings.LINLI_JOB_STALE_SECONDS = 60
    old = timezone.now() - datetime.timedelta(seconds=61)
    fresh = _job(world, community_staff, ImportStatus.VALIDATING, runner="elsewhere:1:1", beat=timezone.now())
    stale = _job(world, community_staff, ImportStatus.VALIDATING, runner="elsewhere:1:1", beat=old)
    assert imports.import_jobs_reap() == 1
    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert (fresh.status, stale.status) == (ImportStatus.VALIDATING, ImportStatus.FAILED)


def test_a_job_never_picked_up_is_ended_after_the_pending_limit(world, community_staff, settings):
    settings.LINLI_IMPORT_PENDING_SECONDS = 3600
    job = _job(world, community_staff, ImportStatus.PENDING)
    assert imports.import_jobs_reap() == 0
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    assert imports.import_jobs_reap() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.message


def test_the_status_page_ends_a_dead_job_and_says_so(client, world, community_staff):
    job = _job(world, community_staff, ImportStatus.WRITING, runner=_dead_runner(), beat=timezone.now())
    login(client, community_staff)
    page = client.get(f"/registry/import/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message in page


def test_a_reaped_job_writes_nothing_when_its_runner_comes_back(client, world, houses, community_staff,
                                                              monkeypatch):
    """The reaper ended the job while its (slow, not dead) runner still checked rows: the runner's write
    finds the job no longer its own and writes nothing."""
    from linli.residents import importer

    data = workbook([person_row("丁", new_id())])
    job = imports.import_job_create(actor=community_staff, community=world.community, upload=upload(data))
    original = importer.Importer.check

    def check_then_reaped(self):
        original(self)
        imports.import_job_reap(ImportJob.objects.get(pk=job.pk))

    monkeypatch.setattr(importer.Importer, "check", check_then_reaped)
    result = imports.import_job_run(job_id=job.pk)
    assert result.status == ImportStatus.FAILED and not Person.objects.exists()


def test_uploads_are_deleted_when_a_job_ends(world, houses, community_staff, settings):
    for rows in ([person_row("戊", new_id())], [person_row("己", "bad")]):
        job = imports.import_job_create(actor=community_staff, community=world.community,
                                        upload=upload(workbook(rows)))
        path = default_storage.path(job.file)
        job = imports.import_job_run(job_id=job.pk)
        assert job.status in (ImportStatus.DONE, ImportStatus.REJECTED) and job.file == ""
        assert not os.path.exists(path)


def test_sweep_removes_old_uploads_orphans_and_reports(world, community_staff, settings):
    settings.LINLI_IMPORT_UPLOAD_MAX_HOURS = 2
    folder = _imports_dir(settings)
    running = _job(world, community_staff, ImportStatus.VALIDATING, runner="elsewhere:1:1", beat=timezone.now())
    kept = Path(default_storage.path(running.file))
    orphan = folder / "orphan.xlsx"
    orphan.write_bytes(b"x")
    fresh_orphan = folder / "fresh.xlsx"
    fresh_orphan.write_bytes(b"x")
    report = default_storage.save("imports/r-report.xlsx", io.BytesIO(b"x"))
    done = ImportJob.objects.create(created_by=community_staff, community=world.community, report=report,
                                    status=ImportStatus.REJECTED, finished_at=timezone.now())
    hour_ago = timezone.now().timestamp() - 3 * 3600
    os.utime(orphan, (hour_ago, hour_ago))
    assert imports.import_jobs_purge() == 1
    assert kept.exists() and fresh_orphan.exists() and not orphan.exists()
    assert default_storage.exists(report)
    # The running job's upload past the operator's limit goes too; the report after the keep days.
    os.utime(kept, (hour_ago, hour_ago))
    ImportJob.objects.filter(pk=done.pk).update(finished_at=timezone.now() - datetime.timedelta(days=8))
    assert imports.import_jobs_purge() == 2
    assert not kept.exists() and not default_storage.exists(report)
    assert ImportJob.objects.get(pk=done.pk).report == ""


def _killed_run(job: ImportJob, runner: str, *, attempts: int = 1):
    """The job's worker run as a killed worker left it: running, its runner gone (linli.core.jobs)."""
    from linli.core.models import TaskRun, TaskRunStatus
    from linli.residents.tasks import import_run_key, residents_import_run

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.WRITING, runner=runner, heartbeat_at=timezone.now())
    return TaskRun.objects.create(task=residents_import_run.task_name, args=[job.pk], key=import_run_key(job.pk),
                                  status=TaskRunStatus.RUNNING, attempts=attempts, runner=runner,
                                  heartbeat_at=timezone.now())


def test_a_job_whose_worker_died_is_run_again_and_ends_done(world, houses, community_staff):
    from linli.core.jobs import jobs_reap
    from linli.core.models import AuditEntry, TaskRunStatus

    rows = [person_row(f"戊{i}", new_id()) for i in range(3)]
    job = imports.import_job_create(actor=community_staff, community=world.community, upload=upload(workbook(rows)))
    path = default_storage.path(job.file)
    run = _killed_run(job, _dead_runner())
    ended = jobs_reap()  # the run is sent again (immediate mode: it runs now) and takes the job over
    assert ended == {"core.tasks": 1, "core.exports": 0, "residents.import": 0}
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == ImportStatus.DONE and Person.objects.count() == 3 and job.file == ""
    assert not os.path.exists(path)
    assert (run.status, run.attempts) == (TaskRunStatus.DONE, 2)
    assert AuditEntry.objects.filter(action="residents.import_resumed", target_id=str(job.pk)).exists()
    imports.import_job_run(job_id=job.pk)  # the same run delivered once more: nothing written twice
    assert Person.objects.count() == 3


def test_a_job_whose_worker_died_on_every_attempt_is_failed_for_its_user(world, houses, community_staff):
    from linli.core.jobs import jobs_reap

    job = imports.import_job_create(actor=community_staff, community=world.community,
                                    upload=upload(workbook([person_row("己", new_id())])))
    path = default_storage.path(job.file)
    _killed_run(job, _dead_runner(), attempts=3)
    assert jobs_reap() == {"core.tasks": 1, "core.exports": 0, "residents.import": 1}
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "upload the file again" in job.message.lower() or "重新上传" in job.message
    assert not Person.objects.exists() and job.file == "" and not os.path.exists(path)


def test_a_job_whose_run_is_still_queued_is_not_ended(world, community_staff, settings):
    from linli.core.models import TaskRun
    from linli.residents.tasks import import_run_key, residents_import_run

    settings.LINLI_IMPORT_PENDING_SECONDS = 3600
    job = _job(world, community_staff, ImportStatus.PENDING)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    run = TaskRun.objects.create(task=residents_import_run.task_name, args=[job.pk], key=import_run_key(job.pk))
    assert imports.import_jobs_reap() == 0  # the worker still owns it
    TaskRun.objects.filter(pk=run.pk).update(status="failed")
    assert imports.import_jobs_reap() == 1
