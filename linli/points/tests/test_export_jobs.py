"""The ledger's Excel exports (points, hours) on the one export mechanism (linli.core.export_jobs): more
rows than the sync limit are written by the worker with a progress page; the file goes to its owner only,
under the ledger's permission and the scope of the moment of the download; names stay masked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.models import AuditEntry, ExportJob, ExportStatus
from linli.core.testing.exports import downloaded_rows, large_export, move_to
from linli.points import actions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.LINLI_EXPORT_SYNC_ROWS = 2  # "large" from 3 rows on


@pytest.fixture
def ledger(person, other_person, award):
    """Three points entries and three hours entries in grid A, one of each in the other community."""
    for n in (3, 4, 5):
        award(person, n)
        actions.hours_record(person_id=person.pk, hours=Decimal(n), source=f"h:{n}", kind="other", actor=None,
                             occurred_on=timezone.localdate())
    award(other_person, 9)
    actions.hours_record(person_id=other_person.pk, hours=Decimal(9), source="h:9", kind="other", actor=None,
                         occurred_on=timezone.localdate())


@pytest.mark.parametrize(("what", "column", "values"), [("points", 3, [5, 4, 3]), ("hours", 3, [5.0, 4.0, 3.0])])
def test_a_large_ledger_export_runs_in_the_worker_with_the_rows_of_the_scope(client, community_staff, ledger, what,
                                                                              column, values):
    client.force_login(community_staff)
    job = large_export(client, reverse("points:ledger_export", args=[what]))
    assert (job.kind, job.status, job.total_rows, job.done_rows) == ("points.ledger", ExportStatus.DONE, 3, 3)
    page = client.get(f"/exports/{job.pk}/")
    assert b'data-percent="100"' in page.content and f"/exports/{job.pk}/file.xlsx".encode() in page.content
    rows = downloaded_rows(client, job)
    assert [r[column] for r in rows[1:]] == values  # the other community's entry is not in it
    assert "积分测试" not in str(rows) and "积*" in str(rows)  # names masked
    audit = AuditEntry.objects.get(action="points.ledger_export", actor=community_staff)
    assert audit.detail["rows"] == 3 and audit.detail["what"] == what
    assert AuditEntry.objects.filter(action="core.export_download", actor=community_staff).exists()
    assert b'data-testid="my-exports"' in client.get(reverse("points:ledger")).content  # the way back to the file


def test_the_filters_go_with_the_job(client, community_staff, ledger, person, award):
    award(person, 7, rule="activity")
    client.force_login(community_staff)
    job = large_export(client, reverse("points:ledger_export", args=["points"]), {"rule": "service", "after": "9"})
    assert job.params == {"what": "points", "filters": {"rule": "service"}}
    assert [r[3] for r in downloaded_rows(client, job)[1:]] == [5, 4, 3]


def test_small_ledger_exports_stay_immediate(client, community_staff, ledger, settings):
    settings.LINLI_EXPORT_SYNC_ROWS = 10
    client.force_login(community_staff)
    response = client.get(reverse("points:ledger_export", args=["points"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()
    assert AuditEntry.objects.filter(action="points.ledger_export", actor=community_staff).count() == 1


def test_another_user_can_neither_see_nor_download_it(client, community_staff, street_supervisor, ledger):
    client.force_login(community_staff)
    job = large_export(client, reverse("points:ledger_export", args=["points"]))
    client.logout()
    client.force_login(street_supervisor)  # may export the ledger too, and sees more of it: still not this file
    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 404


def test_the_download_asks_the_permission_and_scope_of_now(client, world, community_staff, ledger):
    client.force_login(community_staff)
    job = large_export(client, reverse("points:ledger_export", args=["hours"]))
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 200
    move_to(community_staff, "community_staff", world.community_2)  # the permission, another community
    client.force_login(community_staff)
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 403
    move_to(community_staff, "grid_worker", world.grid_a)  # inside the scope, without the ledger's permission
    client.force_login(community_staff)
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 403


def test_a_job_the_user_may_no_longer_make_is_failed_by_the_worker(community_staff, world, ledger):
    from linli.core.export_jobs import export_job_run

    job = ExportJob.objects.create(kind="points.ledger", params={"what": "points", "filters": {}},
                                   created_by=community_staff, scope={"paths": [world.community.path]},
                                   total_rows=3, filename="points.xlsx")
    move_to(community_staff, "grid_worker", world.grid_a)
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file
    assert not AuditEntry.objects.filter(action="points.ledger_export").exists()
    assert job.created_at > timezone.now() - datetime.timedelta(minutes=5)
