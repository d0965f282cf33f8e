"""The case notices move to the one outbox (linli/notifications): each row is copied into the inbox
(``Notice``, ref ``cases.case:<id>``), read or not as it was, then the old table goes."""

from django.db import migrations


def copy(apps, schema_editor):
    CaseNotice = apps.get_model("cases", "CaseNotice")
    Notice = apps.get_model("notifications", "Notice")
    batch = []
    for row in CaseNotice.objects.order_by("id").iterator(chunk_size=2000):
        batch.append(
            Notice(
                user_id=row.user_id, kind=row.kind[:32], ref=f"cases.case:{row.case_id}", text=row.text,
                url=f"/cases/{row.case_id}/", created_at=row.created_at, read_at=row.read_at,
            )
        )
        if len(batch) >= 2000:
            Notice.objects.bulk_create(batch)
            batch = []
    if batch:
        Notice.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_kpi_area_rollups"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy, migrations.RunPython.noop),
        migrations.DeleteModel(name="CaseNotice"),
    ]
