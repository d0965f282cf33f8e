# The audit log partitioned by month on PostgreSQL (issue 18): linli/core/partitions.py. The archive then
# detaches a month instead of deleting its rows. Nothing changes on SQLite.

from django.db import migrations

from linli.core.partitions import partition_table, unpartition_table


def forward(apps, schema_editor):
    partition_table(schema_editor, "core_auditentry", "at")


def backward(apps, schema_editor):
    unpartition_table(schema_editor, "core_auditentry", "at")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_calendar_2025_2026")]
    operations = [migrations.RunPython(forward, backward)]
