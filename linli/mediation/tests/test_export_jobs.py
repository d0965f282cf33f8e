"""The dispute ledger's Excel on the one export mechanism (linli.core.export_jobs): a ledger longer than
the sync limit is written by the worker with a progress page, in the paper ledger's columns, parties
masked; the file goes to its owner only, under the view permission and the scope of the download's moment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.models import AuditEntry, ExportJob, ExportStatus
from linli.core.testing.exports import downloaded_rows, large_export, move_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.LINLI_EXPORT_SYNC_ROWS = 2  # "large" from 3 rows on


@pytest.fixture
def disputes(world, file_dispute, grid_worker_b, outsider):
    """Three disputes in the first community (one of them family, in grid B), one in the other community."""
    mine = [file_dispute(), file_dispute(), file_dispute(actor=grid_worker_b, place=world.grid_b, kind="family")]
    file_dispute(actor=outsider, place=world.grid_c)
    return mine


def test_a_long_ledger_is_written_by_the_worker_in_the_paper_columns(client, community_staff, disputes):
    client.force_login(community_staff)
    job = large_export(client, reverse("mediation:ledger_export"), {"status": ""})
    assert (job.kind, job.status, job.total_rows, job.done_rows) == ("mediation.ledger", ExportStatus.DONE, 3, 3)
    assert job.filename == "矛盾纠纷台账.xlsx"
    rows = downloaded_rows(client, job)
    assert rows[0][:3] == ("序号", "编号", "登记日期")
    assert {r[1] for r in rows[1:]} == {d.number for d in disputes}  # not the other community's
    assert {r[4] for r in rows[1:]} == {"王**、李**"}  # parties masked
    audit = AuditEntry.objects.get(action="mediation.ledger_export", actor=community_staff)
    assert audit.detail["rows"] == 3
    page = client.get(f"/exports/{job.pk}/")
    assert b'data-percent="100"' in page.content
    assert b'data-testid="my-exports"' in client.get(reverse("mediation:disputes")).content  # the way back to the file


def test_the_filters_go_with_the_job_and_a_short_ledger_is_the_file_at_once(client, community_staff, disputes):
    client.force_login(community_staff)
    response = client.get(reverse("mediation:ledger_export"), {"status": "", "kind": "family"})
    assert response.status_code == 200 and not ExportJob.objects.exists()
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(action="mediation.ledger_export").count() == 1


def test_another_user_can_neither_see_nor_download_it(client, community_staff, street_supervisor, disputes):
    client.force_login(community_staff)
    job = large_export(client, reverse("mediation:ledger_export"), {"status": ""})
    client.logout()
    client.force_login(street_supervisor)
    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 404


def test_the_download_asks_the_permission_and_scope_of_now(client, world, community_staff, disputes):
    client.force_login(community_staff)
    job = large_export(client, reverse("mediation:ledger_export"), {"status": ""})
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 200
    move_to(community_staff, "community_staff", world.community_2)
    client.force_login(community_staff)
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 403  # the community is out of scope now
    move_to(community_staff, "resident", world.grid_a)
    client.force_login(community_staff)
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 403  # no ledger permission any more
