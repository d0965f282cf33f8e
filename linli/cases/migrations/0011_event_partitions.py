# The case events partitioned by month on PostgreSQL (issue 18): linli/core/partitions.py. Nothing
# changes on SQLite.

from django.db import migrations

from linli.core.partitions import partition_table, unpartition_table


def forward(apps, schema_editor):
    partition_table(schema_editor, "cases_caseevent", "at")


def backward(apps, schema_editor):
    unpartition_table(schema_editor, "cases_caseevent", "at")


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_photo_event_no_db_constraint"), ("core", "0005_audit_partitions")]
    operations = [migrations.RunPython(forward, backward)]
