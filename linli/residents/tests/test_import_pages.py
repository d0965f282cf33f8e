"""The import pages: large files run in the worker with a progress bar; the report is its creator's."""

from __future__ import annotations

import io

from linli.residents.models import ImportJob, ImportStatus, Person

from .conftest import login, new_id, person_row, workbook


def upload(rows, name="居民.xlsx"):
    f = io.BytesIO(workbook(rows))
    f.name = name
    return f


def test_large_file_runs_in_the_worker(client, world, houses, community_staff, settings, monkeypatch):
    from linli.residents import tasks

    queued = []
    original = tasks.residents_import_run
    monkeypatch.setattr(tasks, "residents_import_run", lambda job_id: (queued.append(job_id), original(job_id)))
    settings.LINLI_IMPORT_SYNC_ROWS = 2
    login(client, community_staff)
    rows = [person_row(f"甲{i}", new_id()) for i in range(3)]
    response = client.post("/registry/import/", {"file": upload(rows), "community": world.community.pk})
    job = ImportJob.objects.get()
    assert queued == [job.pk]
    assert response["Location"] == f"/registry/import/{job.pk}/"
    assert job.status == ImportStatus.DONE and Person.objects.count() == 3


def test_small_file_runs_in_the_request(client, world, houses, community_staff, monkeypatch):
    from linli.residents import tasks

    monkeypatch.setattr(tasks, "residents_import_run", lambda job_id: (_ for _ in ()).throw(AssertionError("queued")))
    login(client, community_staff)
    client.post("/registry/import/", {"file": upload([person_row("乙", new_id())]), "community": world.community.pk})
    assert ImportJob.objects.get().status == ImportStatus.DONE


def test_progress_fragment_polls_while_running(client, world, community_staff, settings, tmp_path):
    from django.utils import timezone

    from linli.core.jobs import runner_stamp

    settings.MEDIA_ROOT = tmp_path
    job = ImportJob.objects.create(created_by=community_staff, community=world.community, filename="x.xlsx",
                                   status=ImportStatus.VALIDATING, total_rows=4000, processed_rows=1000,
                                   runner=runner_stamp(), heartbeat_at=timezone.now())  # alive: this process
    login(client, community_staff)
    response = client.get(f"/registry/import/{job.pk}/", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'hx-trigger="every 1s"' in content and 'aria-valuenow="12"' in content
    assert "<html" not in content  # a fragment
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / f"job-{job.pk}.progress").write_text("3000 4000")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.WRITING)
    content = client.get(f"/registry/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-valuenow="87"' in content
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, finished_at="2026-01-01T00:00:00Z")
    content = client.get(f"/registry/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in content


def test_import_job_and_report_only_for_creator(client, world, houses, community_staff, street_supervisor):
    rows = [person_row("丙", "123")]
    login(client, community_staff)
    client.post("/registry/import/", {"file": upload(rows), "community": world.community.pk})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED and job.report
    assert client.get(f"/registry/import/{job.pk}/report.xlsx").status_code == 200
    client.logout()
    login(client, street_supervisor)
    assert client.get(f"/registry/import/{job.pk}/").status_code in (403, 404)
    assert client.get(f"/registry/import/{job.pk}/report.xlsx").status_code in (403, 404)


def test_uploaded_file_removed_when_done(client, world, houses, community_staff):
    from django.core.files.storage import default_storage

    login(client, community_staff)
    client.post("/registry/import/", {"file": upload([person_row("丁", new_id())]), "community": world.community.pk})
    job = ImportJob.objects.get()
    assert job.file == ""
    assert not default_storage.exists(f"imports/{job.pk}.xlsx")


def test_import_page_hides_create_houses_without_places_change(client, world, grid_worker_a, community_staff):
    login(client, grid_worker_a)
    assert "create_houses" not in client.get("/registry/import/").content.decode()
    client.logout()
    login(client, community_staff)
    assert "create_houses" in client.get("/registry/import/").content.decode()


def test_import_into_other_community_refused(client, world, houses, outsider):
    login(client, outsider)
    response = client.post("/registry/import/", {"file": upload([person_row("戊", new_id())]),
                                                 "community": world.community.pk})
    assert response.status_code == 200  # the form again: that community is not a choice
    assert ImportJob.objects.count() == 0 and Person.objects.count() == 0


def test_purge_removes_old_reports(client, world, houses, community_staff):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from linli.residents.actions import import_jobs_purge

    login(client, community_staff)
    client.post("/registry/import/", {"file": upload([person_row("己", "1")]), "community": world.community.pk})
    job = ImportJob.objects.get()
    report = job.report
    assert default_storage.exists(report)
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert import_jobs_purge() == 1
    assert not default_storage.exists(report)
    assert ImportJob.objects.get().report == ""
